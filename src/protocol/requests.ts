// Custom requests between the VS Code client and the language server, beyond standard LSP.
// Direction is noted on each; params and results are plain JSON.
import type { SimulateResult, SimulationOptions } from './simulation';

/** client → server: simulate the function at a line (0-based, editor convention) or by name. */
export const SIMULATE_REQUEST = 'kobjectLifetime/simulate';
export interface SimulateParams {
  uri: string;
  /** 0-based editor line inside the function (used when `function` is absent). */
  line?: number;
  function?: string;
  options: SimulationOptions;
}
export type SimulateResponse = SimulateResult;

/**
 * client → server: analyze every C file under these folders and publish their diagnostics. The
 * client passes a work-done progress token and may cancel the request; the server reports progress.
 */
export const ANALYZE_WORKSPACE_REQUEST = 'kobjectLifetime/analyzeWorkspace';
export interface AnalyzeWorkspaceParams {
  /** Folder URIs (file://). */
  folders: string[];
}
export interface AnalyzeWorkspaceResult {
  files: number;
  filesWithFindings: number;
  findings: number;
  /** Files not analyzed (too large, binary, unreadable). */
  skipped: number;
  cancelled: boolean;
}

/** Command ids shared by the server (in code actions and lenses) and the client (which registers them). */
export const COMMANDS = {
  analyzeWorkspace: 'kobjectLifetime.analyzeWorkspace',
  showOutput: 'kobjectLifetime.showOutput',
  restartServer: 'kobjectLifetime.restartServer',
  simulate: 'kobjectLifetime.simulate',
  /** args: [ruleId] — sets kobjectLifetime.rules[ruleId] = "off" in the workspace settings. */
  disableRule: 'kobjectLifetime.disableRule',
  /** args: [ruleId] — opens the bundled docs/rules/<id>.md in the markdown preview. */
  showRuleDoc: 'kobjectLifetime.showRuleDoc',
} as const;

/** server → client: the state of one document's analysis, for a status bar item. */
export const STATUS_NOTIFICATION = 'kobjectLifetime/status';
export type AnalysisState =
  /** An analysis expected to take a while (over 100 ms) started; quick runs send only their outcome. */
  | 'analyzing'
  /** Finished; `findings` is the number published. */
  | 'done'
  /** Finished early (time budget spent, or a function too large): findings may be missing; see message. */
  | 'partial'
  /** Not analyzed (larger than kobjectLifetime.maxFileSize, or analysis disabled); see message. */
  | 'skipped'
  /** The analysis failed; nothing was published for this version; see message. */
  | 'error';
export interface StatusParams {
  uri: string;
  state: AnalysisState;
  findings: number;
  message?: string;
  /** For done/partial: milliseconds from the analysis start to the publication of the diagnostics. */
  elapsedMs?: number;
}
