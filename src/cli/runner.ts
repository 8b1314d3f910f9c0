// Checking files one by one, with a guard per file: whatever one file does to the analyzer, the run
// goes on. Used directly (one job) and inside each worker thread.
import type { AnalysisResult, AnalyzeOptions, Finding, FunctionStats, RuleSetting } from '../analysis';
import { comparePaths, describeIoError, IoError, readSource, type Note, type SourceText } from './files';
import { compareFindings, type Report, type RunStats } from './format';

/** The part of the analyzer the runner uses (tests pass a hand-made one). */
export interface FileAnalyzer {
  mayHaveFindings(text: string): boolean;
  analyze(text: string, options?: AnalyzeOptions): AnalysisResult;
}

/** What became of one file. Plain data: it crosses from worker threads by structured clone. */
export interface FileOutcome {
  file: string;
  /** checked: read as text (analysed, or skipped by mayHaveFindings); binary: not analysed; io-error: unreadable. */
  status: 'checked' | 'binary' | 'io-error';
  findings: Finding[];
  /** Notes for stderr, in the order they arose. */
  notes: string[];
  /** For io-error: `permission denied: foo.c`. */
  error?: string;
  /** Set when analyze ran and returned (the file passed mayHaveFindings). */
  stats?: FunctionStats;
}

/** What the command line asks of analyze for every file. */
export interface CheckOptions {
  /** Rule ids to run (empty: every rule). */
  rules: readonly string[];
  /** False only for --no-normalize. */
  normalize: boolean;
  /** Per-rule severity or 'off', from the configuration. */
  severities?: Readonly<Record<string, RuleSetting>>;
}

export const DEFAULT_CHECK: CheckOptions = { rules: [], normalize: true };

function analyzeOptions({ rules, normalize, severities }: CheckOptions): AnalyzeOptions {
  return {
    ...(rules.length > 0 ? { rules } : {}),
    ...(normalize ? {} : { normalize: false }),
    ...(severities ? { severities } : {}),
  };
}

export type SourceReader = (file: string) => SourceText;

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.trim() || (error instanceof Error ? error.name : 'unknown error');
}

/** The note for a partial result; the analyzer's own `analysis failed: …` wording is kept as it is. */
export function partialNote(partial: string): string {
  return /^analysis \w+:/.test(partial) ? partial : `analysis incomplete: ${partial}`;
}

export function checkFile(
  analyzer: FileAnalyzer,
  file: string,
  options: CheckOptions,
  read: SourceReader = readSource,
): FileOutcome {
  let source: SourceText;
  try {
    source = read(file);
  } catch (error) {
    const message = error instanceof IoError ? error.message : describeIoError(error, file);
    return { file, status: 'io-error', findings: [], notes: [], error: message };
  }
  if (source.kind === 'binary') {
    return { file, status: 'binary', findings: [], notes: ['skipped: binary file'] };
  }
  const outcome: FileOutcome = { file, status: 'checked', findings: [], notes: [] };
  try {
    if (!analyzer.mayHaveFindings(source.text)) return outcome;
    const result = analyzer.analyze(source.text, analyzeOptions(options));
    outcome.findings = [...result.findings].sort(compareFindings);
    outcome.stats = { ...result.stats };
    if (result.partial !== undefined) outcome.notes.push(partialNote(result.partial));
  } catch (error) {
    outcome.findings = [];
    outcome.notes.push(`analysis failed: ${errorMessage(error)}`);
  }
  return outcome;
}

export function checkFiles(
  analyzer: FileAnalyzer,
  files: readonly string[],
  options: CheckOptions,
  read: SourceReader = readSource,
): FileOutcome[] {
  return files.map((file) => checkFile(analyzer, file, options, read));
}

export interface RunSummary {
  report: Report;
  /** Notes for stderr, in file order. */
  notes: Note[];
  /** The first I/O error in file order: the run's result is then exit 2 with this one line. */
  ioError?: string;
}

/** Merges outcomes (in any order) into a report sorted by file then position. */
export function summarize(outcomes: readonly FileOutcome[]): RunSummary {
  const sorted = [...outcomes].sort((a, b) => comparePaths(a.file, b.file));
  const notes: Note[] = [];
  const results: { file: string; findings: Finding[] }[] = [];
  let filesChecked = 0;
  const stats: RunStats = { filesParsed: 0, functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 };
  let ioError: string | undefined;
  for (const o of sorted) {
    if (o.status === 'io-error') {
      ioError ??= o.error ?? `cannot read: ${o.file}`;
      continue;
    }
    if (o.status === 'checked') filesChecked++;
    if (o.stats !== undefined) {
      stats.filesParsed++;
      stats.functions += o.stats.functions;
      stats.lifetimeFunctions += o.stats.lifetimeFunctions;
      stats.lifetimeFunctionsWhole += o.stats.lifetimeFunctionsWhole;
    }
    for (const text of o.notes) notes.push({ file: o.file, text });
    if (o.findings.length > 0)
      results.push({ file: o.file, findings: [...o.findings].sort(compareFindings) });
  }
  return { report: { filesChecked, results, stats }, notes, ...(ioError !== undefined ? { ioError } : {}) };
}
