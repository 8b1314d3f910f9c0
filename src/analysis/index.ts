// The analyzer's public face: one object that parses C text and runs the rules over it.
import { analyzeText, ruleInfo } from './analyze';
import { createIncrementalDocument, Retention } from './document';
import { warmUpSlices } from './warmup';
import { buildModel, type ModelExtension } from './model/model';
import { createCParser, type WasmBytes } from './parser';
import { RULES } from './rules';
import type { AnalysisResult } from './types';
import type { RuleSetting } from './config';

export type { WasmBytes } from './parser';

/** How many edited documents keep their parse trees between analyses (see Retention). */
export const KEPT_DOCUMENTS = 8;
export * from './types';

export interface AnalyzeOptions {
  /** Only run these rule ids (default: all enabled rules). */
  rules?: readonly string[];
  /** Stop after this many milliseconds and return what was found (default 2000). */
  timeBudgetMs?: number;
  /** Rewrite kernel-macro shapes before parsing (default true; false only to measure what it buys). */
  normalize?: boolean;
  /** Per-rule severity from the user's configuration; 'off' disables the rule. */
  severities?: Readonly<Record<string, RuleSetting>>;
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
  /**
   * A document that is edited over time (the language server's view of an open file). `update` takes
   * the whole new text; the document works out what changed and re-does only that work. Results are
   * the same as `analyze(text, options)` on the current text.
   */
  createDocument(text: string): AnalyzerDocument;
  /**
   * One slice of warming up: analyzes a piece of a generated corpus (fresh, then after an edit) so that
   * the JavaScript and wasm engines have compiled the hot code before the user's next file. Each call
   * takes a few tens of milliseconds; returns false once the warm-up is complete. A server calls it
   * while idle.
   */
  warmUpStep(): boolean;
}

export interface AnalyzerDocument {
  update(text: string): void;
  analyze(options?: AnalyzeOptions): AnalysisResult;
  /** Frees the parse tree (web-tree-sitter memory is not garbage-collected). */
  dispose(): void;
}

export type { ModelExtension } from './model/model';

/** Bad input never escapes as an exception: it is reported as a partial (empty) result. */
function guarded(run: () => AnalysisResult): AnalysisResult {
  try {
    return run();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      findings: [],
      stats: { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 },
      partial: `analysis failed: ${message}`,
    };
  }
}

export async function createAnalyzer(wasm: WasmBytes, extension?: ModelExtension): Promise<Analyzer> {
  const parser = await createCParser(wasm);
  const model = buildModel(extension);
  // Open documents keep their parse state while among the most recently analyzed: a few files being
  // edited stay fast to re-analyze, fifty open files do not hold fifty trees.
  const retention = new Retention(KEPT_DOCUMENTS);
  let warm: string[] | undefined;
  const analyze = (text: string, options: AnalyzeOptions = {}): AnalysisResult =>
    guarded(() => analyzeText(text, (t) => parser.parse(t), model, options));
  return {
    rules: RULES.map(ruleInfo),
    mayHaveFindings: (text: string) => model.triggers.test(text),
    analyze,
    warmUpStep(): boolean {
      warm ??= warmUpSlices();
      const slice = warm.shift();
      if (slice === undefined) return false;
      const doc = createIncrementalDocument(parser, model, slice);
      try {
        guarded(() => doc.analyze());
        doc.update(slice.replace(';\n}', '; \n}'));
        guarded(() => doc.analyze());
      } finally {
        doc.dispose();
      }
      return warm.length > 0;
    },
    createDocument(text: string): AnalyzerDocument {
      const doc = createIncrementalDocument(parser, model, text, retention);
      return {
        update: (next: string) => doc.update(next),
        analyze: (options: AnalyzeOptions = {}) => guarded(() => doc.analyze(options)),
        dispose: () => doc.dispose(),
      };
    },
  };
}
export { applyEdits, safeFixEdits } from './fixes';
export { parseConfig, readConfig, type Config, type ConfigResult, type RuleSetting } from './config';
