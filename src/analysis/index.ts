// The analyzer's public face: one object that parses C text and runs the rules over it.
import { createCParser, type WasmBytes } from './parser';
import type { AnalysisResult } from './types';

export type { WasmBytes } from './parser';
export * from './types';

export interface AnalyzeOptions {
  /** Only run these rule ids (default: all enabled rules). */
  rules?: readonly string[];
  /** Stop after this many milliseconds and return what was found (default 2000). */
  timeBudgetMs?: number;
}

export interface RuleInfo {
  id: string;
  description: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
}

export interface Analyzer {
  readonly rules: readonly RuleInfo[];
  /** Cheap text test: false means the file cannot produce a finding and need not be parsed. */
  mayHaveFindings(text: string): boolean;
  analyze(text: string, options?: AnalyzeOptions): AnalysisResult;
}

export async function createAnalyzer(wasm: WasmBytes): Promise<Analyzer> {
  const parser = await createCParser(wasm);
  return {
    rules: [],
    mayHaveFindings: () => true,
    analyze(text: string): AnalysisResult {
      const tree = parser.parse(text);
      tree?.delete();
      return { findings: [], stats: { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 } };
    },
  };
}
