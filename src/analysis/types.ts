// Public types of the analyzer: findings, ranges and fixes shared by the CLI, the server and the tests.

/** 0-based line, 0-based UTF-16 column (the LSP convention). */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type Confidence = 'high' | 'medium' | 'low';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  /** Safe fixes keep behaviour on every other path; unsafe ones need a human look. */
  safe: boolean;
  edits: TextEdit[];
}

export interface RelatedLocation {
  range: Range;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  confidence: Confidence;
  /** Stable message id from the rule's message table (tests assert ids, not prose). */
  messageId: string;
  message: string;
  range: Range;
  /** Name of the function the finding is in, when there is one. */
  function?: string;
  related: RelatedLocation[];
  fixes: Fix[];
  /** The path that leads to the finding, in words (for hovers and the CLI's verbose output). */
  trace: string[];
}

export interface FunctionStats {
  /** Functions in the file. */
  functions: number;
  /** Functions that call a lifetime API (from the model's table). */
  lifetimeFunctions: number;
  /** Of those, how many parsed without an ERROR node (after normalisation). */
  lifetimeFunctionsWhole: number;
}

export interface AnalysisResult {
  findings: Finding[];
  stats: FunctionStats;
  /** Set when the analysis stopped early (time budget or size); findings are partial. */
  partial?: string;
}
