// Open documents and their analysis: one AnalyzerDocument per open C file, runs scheduled after a short
// debounce, results published only for the version they were computed on, settings and
// `.kobject-lifetime.json` per workspace folder, one analyzer per distinct set of API entries.
import { existsSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, Diagnostic, Disposable, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  parseConfig,
  type AnalysisResult,
  type Analyzer,
  type AnalyzerDocument,
  type Config,
  type ModelExtension,
} from '../analysis';
import { STATUS_NOTIFICATION, type StatusParams } from '../protocol/requests';
import type { ClientFlags, DocumentResult, Logger, ServerContext } from './context';
import { toDiagnostics } from './diagnostics';
import {
  CONFIG_FILE,
  DEFAULT_SETTINGS,
  extensionKey,
  mergeConfig,
  readSettings,
  SETTINGS_SECTION,
  type Settings,
} from './settings';

/**
 * When to analyze after a change. An edit that arrives while the server is idle is analyzed at once
 * (setImmediate: right after this message, without the process going to sleep on a timer first —
 * under load each sleep costs a scheduler wake-up), so one keystroke costs only the analysis. Changes
 * that arrive within BUSY_WINDOW_MS of the end of a run were, in practice, typed while that run
 * blocked the thread and waited in the connection: those are debounced by DEBOUNCE_MS, which merges
 * every message already waiting (each is handled in microseconds) into one run instead of one run per
 * keystroke, so a slow file never falls further and further behind the typing.
 */
export const DEBOUNCE_MS = 10;
export const BUSY_WINDOW_MS = 5;
/** A stream of changes faster than the debounce still gets analyzed at least this often. */
export const MAX_WAIT_MS = 100;
/**
 * Time budget of one analysis: past it the result is partial (later functions are not analyzed). The
 * analyzer's own default, so an open file up to that cost gets the same findings as the CLI.
 */
export const TIME_BUDGET_MS = 2000;

/** UTF-8 size of a text, computed only when the UTF-16 length leaves it in doubt. */
export function exceedsBytes(text: string, max: number): boolean {
  if (text.length > max) return true; // every UTF-16 unit is at least one UTF-8 byte
  if (text.length * 3 <= max) return false; // and at most three
  return Buffer.byteLength(text, 'utf8') > max;
}

/** Files the server analyzes: C sources and headers (by name), or anything the client calls C. */
export function isCDocument(uri: string, languageId: string): boolean {
  if (languageId === 'c') return true;
  const path = uri.split(/[?#]/, 1)[0]!;
  return path.endsWith('.c') || path.endsWith('.h');
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}

interface Folder {
  uri: string;
  /** File-system path with a trailing separator, for prefix tests. */
  prefix: string;
}

interface DocState {
  uri: string;
  analyzerDoc?: AnalyzerDocument;
  /** extensionKey of the analyzer that made analyzerDoc. */
  analyzerKey?: string;
  /** The scheduled run, if any (an immediate or a debounce timer). */
  pending?: { cancel(): void };
  /** When the oldest change not yet analyzed arrived (for MAX_WAIT_MS). */
  pendingSince?: number;
  /** Bumped by every run and every close: a run that sees another value was superseded. */
  generation: number;
  latest?: DocumentResult;
  /** Set while the document is over maxFileSize, so that is logged once, not per keystroke. */
  tooLarge?: boolean;
  /** The settings `latest` was computed with (JSON), to skip re-runs when a reload changed nothing. */
  settingsKey?: string;
  /** Milliseconds the last analysis took (see SLOW_RUN_MS). */
  lastElapsed?: number;
}

/**
 * A run expected to take longer than this (its previous run did, or a first run on a large text)
 * announces itself with an `analyzing` status first, and lets that notification go out before the
 * analysis occupies the thread; quicker runs only report the outcome.
 */
export const SLOW_RUN_MS = 100;
/** A first analysis of a text this long (UTF-16 units) is expected to be slow. */
const LARGE_TEXT = 64 * 1024;

export interface DocumentServiceOptions {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  /** Creates an analyzer for a model extension (undefined: the built-in table only). */
  loadAnalyzer: (extension: ModelExtension | undefined) => Promise<Analyzer>;
  docsDir: string;
  log: Logger;
}

export class DocumentService implements ServerContext {
  readonly documents: TextDocuments<TextDocument>;
  readonly docsDir: string;
  readonly log: Logger;
  readonly client: ClientFlags = { documentChanges: false, configuration: false, workDoneProgress: false };

  private readonly connection: Connection;
  private readonly loadAnalyzer: DocumentServiceOptions['loadAnalyzer'];
  private readonly analyzers = new Map<string, Promise<Analyzer>>();
  private readonly states = new Map<string, DocState>();
  private readonly listeners = new Set<(result: DocumentResult) => void>();
  private folders: Folder[] = [];
  /** Settings per folder URI ('' = outside every folder, or a client without scoped settings). */
  private settings = new Map<string, Settings>();
  private fileConfigs = new Map<string, Config>();
  /** Settings pushed by the client (didChangeConfiguration with settings, or initializationOptions). */
  private pushed: unknown;
  /** The last warnings logged for settings and config files, so an unchanged problem is not repeated. */
  private lastConfigErrors = '';
  /** Settings loads, one after the other. */
  private chain: Promise<void> = Promise.resolve();
  /** Resolved once the first load is done: analyses wait for the user's settings. */
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private isReady = false;
  /** Files whose diagnostics came from the last workspace analysis (their disk text). */
  readonly covered = new Set<string>();
  /** When the last analysis of any document ended (the thread is shared): see BUSY_WINDOW_MS. */
  private lastRunEnd = 0;

  constructor(options: DocumentServiceOptions) {
    this.connection = options.connection;
    this.documents = options.documents;
    this.loadAnalyzer = options.loadAnalyzer;
    this.docsDir = options.docsDir;
    this.log = options.log;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.documents.onDidOpen((e) => this.guard('open', () => this.opened(e.document)));
    this.documents.onDidChangeContent((e) => this.guard('change', () => this.changed(e.document)));
    this.documents.onDidClose((e) => this.guard('close', () => this.closed(e.document)));
  }

  // ------------------------------------------------------------------------------- configuration

  setClient(flags: ClientFlags, initializationOptions: unknown): void {
    Object.assign(this.client, flags);
    this.pushed = pickSection(initializationOptions);
  }

  setFolders(uris: readonly string[]): void {
    const folders: Folder[] = [];
    for (const uri of uris) {
      const path = uriToPath(uri);
      if (path === undefined) continue;
      folders.push({ uri, prefix: path.endsWith(sep) ? path : path + sep });
    }
    // Longest first: a nested folder wins over its parent.
    this.folders = folders.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** didChangeConfiguration: the pushed settings, if the client sent them (plain stdio clients do). */
  setPushedSettings(settings: unknown): void {
    if (settings !== undefined && settings !== null) this.pushed = pickSection(settings);
  }

  /**
   * Re-reads settings and config files, then re-analyzes every open document with them. Failures
   * leave the defaults in place: a bad setting never stops the analysis.
   */
  reload(): Promise<void> {
    this.chain = this.chain
      .then(() => this.load())
      .catch((error: unknown) => this.log.error(`cannot load the settings: ${errorText(error)}`));
    return this.chain.then(() => {
      // Before the first load, open documents' runs are waiting for it: no second run needed.
      if (this.isReady) this.reanalyzeAll();
      this.isReady = true;
      this.markReady();
    });
  }

  private async load(): Promise<void> {
    const ruleIds = (await this.analyzerForKey({})).rules.map((r) => r.id);
    const errors: string[] = [];
    const settings = new Map<string, Settings>();
    const scopes = ['', ...this.folders.map((f) => f.uri)];
    let values: unknown[];
    if (this.client.configuration) {
      try {
        const answer: unknown = await this.connection.workspace.getConfiguration(
          scopes.map((scope) =>
            scope === '' ? { section: SETTINGS_SECTION } : { scopeUri: scope, section: SETTINGS_SECTION },
          ),
        );
        values = Array.isArray(answer) ? answer : [];
      } catch (error) {
        errors.push(`workspace/configuration failed: ${errorText(error)}`);
        values = scopes.map(() => this.pushed);
      }
    } else {
      values = scopes.map(() => this.pushed);
    }
    scopes.forEach((scope, i) => {
      const read = readSettings(values[i], ruleIds);
      settings.set(scope, read.settings);
      for (const e of read.errors) errors.push(scope === '' ? e : `${e} (in ${scope})`);
    });
    const fileConfigs = new Map<string, Config>();
    for (const folder of this.folders) {
      const path = folder.prefix + CONFIG_FILE;
      if (!existsSync(path)) continue;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        errors.push(`${path}: ${errorText(error)} (ignored)`);
        continue;
      }
      const { config, errors: configErrors } = parseConfig(text, ruleIds);
      for (const e of configErrors) errors.push(`${path}: ${e} (ignored)`);
      fileConfigs.set(folder.uri, config);
    }
    this.settings = settings;
    this.fileConfigs = fileConfigs;
    const report = errors.join('\n');
    if (report !== this.lastConfigErrors) for (const e of errors) this.log.warn(e);
    this.lastConfigErrors = report;
    // Analyzers for API entries nobody uses any more are dropped (each holds a parser's memory).
    const used = new Set([
      extensionKey({}),
      ...scopes.map((s) => extensionKey(this.settingsOfFolder(s).extension)),
    ]);
    for (const key of [...this.analyzers.keys()]) if (!used.has(key)) this.analyzers.delete(key);
  }

  private folderOf(uri: string): string {
    const path = uriToPath(uri);
    if (path === undefined) return '';
    return this.folders.find((f) => path.startsWith(f.prefix))?.uri ?? '';
  }

  private settingsOfFolder(folder: string): Settings {
    const own = this.settings.get(folder) ?? this.settings.get('') ?? DEFAULT_SETTINGS;
    return mergeConfig(this.fileConfigs.get(folder), own);
  }

  async settingsFor(uri: string): Promise<Settings> {
    await this.ready;
    await this.chain;
    return this.settingsOfFolder(this.folderOf(uri));
  }

  private analyzerForKey(extension: ModelExtension): Promise<Analyzer> {
    const key = extensionKey(extension);
    let analyzer = this.analyzers.get(key);
    if (!analyzer) {
      const empty = !extension.lookups && !extension.wrappers;
      analyzer = this.loadAnalyzer(empty ? undefined : extension);
      // A failed load is not cached: the next request tries again.
      analyzer.catch(() => this.analyzers.delete(key));
      this.analyzers.set(key, analyzer);
    }
    return analyzer;
  }

  async analyzerFor(uri: string): Promise<Analyzer> {
    return this.analyzerForKey((await this.settingsFor(uri)).extension);
  }

  // ----------------------------------------------------------------------------------- documents

  private guard(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.log.error(`${what}: ${errorText(error)}`);
    }
  }

  private opened(document: TextDocument): void {
    if (!isCDocument(document.uri, document.languageId)) return;
    const state: DocState = { uri: document.uri, generation: 0 };
    this.states.set(document.uri, state);
    // onDidChangeContent follows for the opened text and schedules the first run.
  }

  private changed(document: TextDocument): void {
    const state = this.states.get(document.uri);
    if (!state) return;
    const now = Date.now();
    state.pendingSince ??= now;
    const busy = now - this.lastRunEnd < BUSY_WINDOW_MS || state.pending !== undefined;
    const wait = busy ? Math.max(0, Math.min(DEBOUNCE_MS, state.pendingSince + MAX_WAIT_MS - now)) : 0;
    state.pending?.cancel();
    const start = (): void => {
      state.pending = undefined;
      void this.run(state);
    };
    if (wait === 0) {
      const handle = setImmediate(start);
      state.pending = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(start, wait);
      state.pending = { cancel: () => clearTimeout(handle) };
    }
  }

  private closed(document: TextDocument): void {
    const state = this.states.get(document.uri);
    if (!state) return;
    this.states.delete(document.uri);
    state.generation++;
    state.pending?.cancel();
    state.pending = undefined;
    this.disposeAnalyzerDoc(state);
    if (this.covered.has(document.uri)) {
      // The file was part of the workspace analysis: its diagnostics go back to what is on disk.
      void this.reanalyzeFromDisk(document.uri);
    } else {
      this.publish(document.uri, null, []);
    }
  }

  private disposeAnalyzerDoc(state: DocState): void {
    try {
      state.analyzerDoc?.dispose();
    } catch (error) {
      this.log.error(`dispose ${state.uri}: ${errorText(error)}`);
    }
    state.analyzerDoc = undefined;
    state.analyzerKey = undefined;
  }

  /**
   * After a reload: every open document whose settings changed runs again. (A client may announce one
   * change twice — its own settings sync and our registration, the file watcher and the settings — and
   * most changes concern one folder or none: unchanged documents are not re-analyzed.)
   */
  private reanalyzeAll(): void {
    for (const state of this.states.values()) {
      const document = this.documents.get(state.uri);
      if (!document) continue;
      const unchanged =
        state.latest !== undefined &&
        state.latest.version === document.version &&
        state.settingsKey === JSON.stringify(this.settingsOfFolder(this.folderOf(state.uri)));
      if (unchanged) continue;
      state.latest = undefined;
      this.changed(document);
    }
  }

  currentResult(uri: string): DocumentResult | undefined {
    const latest = this.states.get(uri)?.latest;
    const document = this.documents.get(uri);
    return latest && document && latest.version === document.version ? latest : undefined;
  }

  async analyzeNow(uri: string): Promise<DocumentResult | undefined> {
    const state = this.states.get(uri);
    if (!state) return undefined;
    const current = this.currentResult(uri);
    if (current) return current;
    state.pending?.cancel();
    state.pending = undefined;
    return this.run(state);
  }

  onDidAnalyze(listener: (result: DocumentResult) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private status(params: StatusParams): void {
    void this.connection.sendNotification(STATUS_NOTIFICATION, params).catch(() => undefined);
  }

  publish(uri: string, version: number | null, diagnostics: Diagnostic[]): void {
    void this.connection
      .sendDiagnostics(version === null ? { uri, diagnostics } : { uri, version, diagnostics })
      .catch((error: unknown) => this.log.error(`cannot publish diagnostics: ${errorText(error)}`));
  }

  /**
   * One analysis of an open document's current text. Returns undefined when the run was superseded
   * (a newer change, a close), or the document is not analyzed (disabled, too large).
   */
  private async run(state: DocState): Promise<DocumentResult | undefined> {
    const generation = ++state.generation;
    state.pendingSince = undefined;
    const superseded = (): boolean => state.generation !== generation || this.states.get(state.uri) !== state;
    const { uri } = state;
    try {
      const settings = await this.settingsFor(uri);
      const analyzer = await this.analyzerForKey(settings.extension);
      if (superseded()) return undefined;
      let document = this.documents.get(uri);
      if (!document) return undefined;
      const slow =
        (state.lastElapsed ?? (document.getText().length > LARGE_TEXT ? Infinity : 0)) > SLOW_RUN_MS;
      if (slow && settings.enable && this.worthAnalyzing(state, document.getText(), settings, analyzer)) {
        this.status({ uri, state: 'analyzing', findings: 0 });
        // The notification is written on the next turn of the event loop: let it leave first.
        await new Promise<void>((resolve) => setImmediate(resolve));
        document = this.documents.get(uri);
        if (superseded() || !document) return undefined;
      }
      const started = Date.now();
      const version = document.version;
      const text = document.getText();
      state.settingsKey = JSON.stringify(settings);

      if (!settings.enable) {
        this.disposeAnalyzerDoc(state);
        return this.finish(
          state,
          version,
          emptyResult(),
          started,
          'skipped',
          'analysis disabled by kobjectLifetime.enable',
        );
      }
      if (exceedsBytes(text, settings.maxFileSize)) {
        if (!state.tooLarge)
          this.log.info(
            `${uri}: not analyzed: larger than kobjectLifetime.maxFileSize (${settings.maxFileSize} bytes)`,
          );
        state.tooLarge = true;
        this.disposeAnalyzerDoc(state);
        return this.finish(
          state,
          version,
          emptyResult(),
          started,
          'skipped',
          `larger than kobjectLifetime.maxFileSize (${settings.maxFileSize} bytes)`,
        );
      }
      state.tooLarge = false;
      if (!this.worthAnalyzing(state, text, settings, analyzer))
        return this.finish(state, version, emptyResult(), started, 'done');

      const key = extensionKey(settings.extension);
      if (!state.analyzerDoc || state.analyzerKey !== key) {
        this.disposeAnalyzerDoc(state);
        state.analyzerDoc = analyzer.createDocument(text);
        state.analyzerKey = key;
      } else {
        state.analyzerDoc.update(text);
      }
      const result = state.analyzerDoc.analyze({ timeBudgetMs: TIME_BUDGET_MS, severities: settings.rules });
      this.lastRunEnd = Date.now();
      // A stale result is never published: the text analyzed must still be the document's.
      if (superseded() || this.documents.get(uri)?.version !== version) return undefined;
      if (result.partial !== undefined) this.log.info(`${uri}: partial analysis: ${result.partial}`);
      return this.finish(
        state,
        version,
        result,
        started,
        result.partial !== undefined ? 'partial' : 'done',
        result.partial,
      );
    } catch (error) {
      // The analyzer reports bad input as a partial result; this is anything else. Nothing is published
      // for this version and the next change tries again with a fresh document.
      this.log.error(`${uri}: analysis failed: ${errorText(error)}`);
      this.disposeAnalyzerDoc(state);
      this.status({ uri, state: 'error', findings: 0, message: errorText(error) });
      return undefined;
    }
  }

  /**
   * Files that never mention a lifetime API cost one regular-expression test (and over the size limit,
   * nothing). Once a document has been parsed the test is skipped (2 ms per keystroke on a 150 KB
   * file): its incremental analysis costs little and finds nothing where no function calls a lifetime
   * API.
   */
  private worthAnalyzing(state: DocState, text: string, settings: Settings, analyzer: Analyzer): boolean {
    if (exceedsBytes(text, settings.maxFileSize)) return false;
    const parsed = state.analyzerDoc !== undefined && state.analyzerKey === extensionKey(settings.extension);
    return parsed || analyzer.mayHaveFindings(text);
  }

  private finish(
    state: DocState,
    version: number,
    result: AnalysisResult,
    started: number,
    outcome: 'done' | 'partial' | 'skipped',
    message?: string,
  ): DocumentResult {
    const latest: DocumentResult = { uri: state.uri, version, result };
    state.latest = latest;
    state.lastElapsed = Date.now() - started;
    this.publish(
      state.uri,
      version,
      toDiagnostics(result.findings, { uri: state.uri, version, docsDir: this.docsDir }),
    );
    this.status({
      uri: state.uri,
      state: outcome,
      findings: result.findings.length,
      ...(message !== undefined ? { message } : {}),
      elapsedMs: Date.now() - started,
    });
    for (const listener of this.listeners) {
      try {
        listener(latest);
      } catch (error) {
        this.log.error(`onDidAnalyze listener: ${errorText(error)}`);
      }
    }
    return latest;
  }

  /** Analyzes a file's text on disk and publishes its diagnostics without a version. */
  async analyzeFile(uri: string, text: string): Promise<AnalysisResult | 'too-large'> {
    const settings = await this.settingsFor(uri);
    if (!settings.enable) return emptyResult();
    if (exceedsBytes(text, settings.maxFileSize)) return 'too-large';
    const analyzer = await this.analyzerForKey(settings.extension);
    if (!analyzer.mayHaveFindings(text)) return emptyResult();
    return analyzer.analyze(text, { timeBudgetMs: TIME_BUDGET_MS, severities: settings.rules });
  }

  isOpen(uri: string): boolean {
    return this.states.has(uri);
  }

  private async reanalyzeFromDisk(uri: string): Promise<void> {
    const path = uriToPath(uri);
    let findings: AnalysisResult['findings'] = [];
    try {
      if (path !== undefined) {
        const bytes = readFileSync(path);
        if (!bytes.subarray(0, 8192).includes(0)) {
          const result = await this.analyzeFile(uri, bytes.toString('utf8'));
          if (result !== 'too-large') findings = result.findings;
        }
      }
    } catch (error) {
      this.log.warn(`${uri}: ${errorText(error)}`);
    }
    // Opened again meanwhile: the open document's own run publishes.
    if (this.isOpen(uri)) return;
    this.publish(uri, null, toDiagnostics(findings, { uri, version: null, docsDir: this.docsDir }));
  }
}

function emptyResult(): AnalysisResult {
  return { findings: [], stats: { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 } };
}

/** initializationOptions or pushed settings may be the section itself or hold it under its name. */
function pickSection(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && SETTINGS_SECTION in value) {
    return (value as Record<string, unknown>)[SETTINGS_SECTION];
  }
  return value;
}
