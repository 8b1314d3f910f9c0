// What a server feature sees: the seam for features that live in their own files (hover, code actions,
// workspace analysis, the simulate request). Each feature is `register(connection, ctx)` plus the
// capabilities it adds to the initialize result; its logic is a pure `provideX` that tests call.
import type { Connection, Disposable, ServerCapabilities, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisResult, Analyzer } from '../analysis';
import type { Settings } from './settings';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What the client said it supports, as far as features care. */
export interface ClientFlags {
  /** WorkspaceEdit.documentChanges (versioned edits the client refuses when stale). */
  documentChanges: boolean;
  /** workspace/configuration (the pull model of settings). */
  configuration: boolean;
  /** window/workDoneProgress. */
  workDoneProgress: boolean;
}

/** The result of one analysis of an open document, with the document version it was computed on. */
export interface DocumentResult {
  uri: string;
  version: number;
  result: AnalysisResult;
}

export interface ServerContext {
  readonly documents: TextDocuments<TextDocument>;
  /** Folder of the bundled rule pages (`docs/rules/<id>.md`). */
  readonly docsDir: string;
  readonly log: Logger;
  /** Filled in at initialize; all false before. */
  readonly client: ClientFlags;
  /** The analyzer for this document's workspace folder (its API entries from settings and the config file). */
  analyzerFor(uri: string): Promise<Analyzer>;
  /** Settings that apply to this document: its folder's `.kobject-lifetime.json` under the editor settings. */
  settingsFor(uri: string): Promise<Settings>;
  /** The latest analysis of an open document, if its version is still the current one. */
  currentResult(uri: string): DocumentResult | undefined;
  /**
   * Analyzes an open document's current text now (no debounce) and publishes the result; undefined
   * when the document is not open, not C, disabled or too large.
   */
  analyzeNow(uri: string): Promise<DocumentResult | undefined>;
  /** Called after each publication of an open document's diagnostics (for CodeLens refreshes). */
  onDidAnalyze(listener: (result: DocumentResult) => void): Disposable;
}

export interface ServerFeature {
  /** Merged into the capabilities of the initialize result. */
  capabilities?: ServerCapabilities;
  register(connection: Connection, ctx: ServerContext): void;
}
