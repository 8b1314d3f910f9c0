// The lifecycle simulator panel's host: the "Simulate Function at Cursor" command, the webview beside
// the editor, follow-cursor re-runs, the current step's line highlighted in the editor, and "Apply fix"
// through the editor's own quick fix. The server does the simulating (SIMULATE_REQUEST).
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { COMMANDS, SIMULATE_REQUEST, type SimulateParams } from '../protocol/requests';
import {
  DEFAULT_SIMULATION_OPTIONS,
  type SimStep,
  type SimulateResult,
  type Simulation,
  type SimulationOptions,
} from '../protocol/simulation';
import {
  SIMULATOR_VIEW_TYPE,
  type FromWebview,
  type PanelFix,
  type PanelSnapshot,
  type PanelViewState,
  type ToWebview,
} from '../protocol/webview';
import { pickFix, type FixCandidate } from './panel-fixes';
import { panelHtml, panelResourceRoots } from './panel-html';

/** The diagnostics' source (src/server/diagnostics.ts): only this extension's quick fixes are applied. */
const SOURCE = 'kobject-lifetime';
/** workspaceState key: the last panel's view state and the host's toggles, for the next panel. */
const MEMENTO_KEY = 'kobjectLifetime.simulatorPanel';
const FOLLOW_DELAY_MS = 250;
const EDIT_DELAY_MS = 400;
/** How long a request waits for the language server to start (a panel restored at start-up). */
const SERVER_START_MS = 20_000;

export type Simulate = (params: SimulateParams) => Promise<SimulateResult>;

interface Target {
  uri: vscode.Uri;
  /** The function's name once a simulation named it; reruns ask by name (lines move under edits). */
  function?: string;
  /** 0-based editor line, used while the name is unknown. */
  line?: number;
}

interface Remembered {
  options?: SimulationOptions;
  followCursor?: boolean;
  view?: PanelViewState;
}

/** FEATURES entry (src/extension/features.ts): the panel asks the one language client to simulate. */
export function registerSimulatorPanel(context: vscode.ExtensionContext, client: LanguageClient): void {
  const simulate: Simulate = async (params) => {
    const enabled = vscode.workspace.getConfiguration('kobjectLifetime').get<boolean>('enable', true);
    // A panel restored at start-up asks before activate() has started the client: wait for it.
    if (!enabled || !(await running(client, SERVER_START_MS))) {
      return {
        ok: false,
        error: 'The Kobject Lifetime language server is not running (kobjectLifetime.enable).',
      };
    }
    return client.sendRequest<SimulateResult>(SIMULATE_REQUEST, params);
  };
  const host = new SimulatorPanelHost(context, simulate);
  context.subscriptions.push(
    host,
    vscode.commands.registerCommand(COMMANDS.simulate, (uri?: unknown, line?: unknown) =>
      host.command(uri, line),
    ),
    vscode.window.registerWebviewPanelSerializer(SIMULATOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => host.restore(panel, state),
    }),
  );
}

export class SimulatorPanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private target: Target | undefined;
  private options: SimulationOptions;
  private followCursor: boolean;
  private result: SimulateResult | undefined;
  private busy = false;
  private status: string | undefined;
  private generation = 0;
  private fixes: PanelFix[] = [];
  private readonly fixActions = new Map<string, vscode.CodeAction>();
  /** Sent to a new webview that has no state of its own, until it reports its own. */
  private restoreView: PanelViewState | undefined;
  /** The open panel's latest view state (the next panel starts from it). */
  private lastView: PanelViewState | undefined;
  private requestSeq = 0;
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  /** The editor column the simulated document was in when the panel opened. */
  private editorColumn: vscode.ViewColumn | undefined;
  /** A selection the panel itself made: follow-cursor must not treat it as the user moving. */
  private ownSelection: { uri: string; line: number; until: number } | undefined;
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    borderColor: new vscode.ThemeColor('editor.rangeHighlightBorder'),
    borderStyle: 'solid',
    borderWidth: '1px 0',
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
  });

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly simulate: Simulate,
  ) {
    const remembered = this.remembered();
    this.options = { ...DEFAULT_SIMULATION_OPTIONS, ...remembered.options };
    this.followCursor = remembered.followCursor ?? true;
    this.restoreView = remembered.view;
    this.lastView = remembered.view;
    this.disposables.push(
      this.decoration,
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e.textEditor, e.selections[0])),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor !== undefined) this.onSelection(editor, editor.selection);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const target = this.target;
        if (target !== undefined && e.uris.some((u) => u.toString() === target.uri.toString())) {
          void this.refreshFixes();
        }
      }),
    );
  }

  dispose(): void {
    clearTimeout(this.followTimer);
    clearTimeout(this.editTimer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /**
   * COMMANDS.simulate: the function at (uri, 0-based line) when a CodeLens passes them, else at the
   * active editor's cursor. Resolves to the server's answer (tests and scripts read it).
   */
  async command(uriArg?: unknown, lineArg?: unknown): Promise<SimulateResult | undefined> {
    let uri: vscode.Uri | undefined;
    let line: number | undefined;
    const editor = vscode.window.activeTextEditor ?? this.lastCEditor();
    if (typeof uriArg === 'string' && typeof lineArg === 'number') {
      uri = vscode.Uri.parse(uriArg);
      line = lineArg;
    } else if (uriArg instanceof vscode.Uri && typeof lineArg === 'number') {
      uri = uriArg;
      line = lineArg;
    } else if (editor !== undefined) {
      uri = editor.document.uri;
      line = editor.selection.active.line;
    }
    if (uri === undefined || line === undefined) {
      void vscode.window.showInformationMessage(
        'Kobject Lifetime: open a C file and place the cursor inside a function to simulate it.',
      );
      return undefined;
    }
    const column = vscode.window.visibleTextEditors.find(
      (e) => e.document.uri.toString() === uri.toString(),
    )?.viewColumn;
    if (column !== undefined) this.editorColumn = column;
    this.show();
    return this.run({ uri, line }, { keepOnError: false });
  }

  /** WebviewPanelSerializer: a panel from the last session comes back with its webview state. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    // The webview's own state, or (when the workbench could not save it before a reload) the host's.
    const view = isViewState(state) && state.uri !== undefined ? state : this.remembered().view;
    if (view?.options !== undefined) this.options = { ...DEFAULT_SIMULATION_OPTIONS, ...view.options };
    if (view?.followCursor !== undefined) this.followCursor = view.followCursor;
    if (view?.uri !== undefined) {
      this.target = { uri: vscode.Uri.parse(view.uri), function: view.function };
    }
    this.adopt(panel);
    if (this.target !== undefined) await this.run(this.target, { keepOnError: false });
  }

  private remembered(): Remembered {
    return this.context.workspaceState.get<Remembered>(MEMENTO_KEY) ?? {};
  }

  private remember(view?: PanelViewState): void {
    const next: Remembered = {
      ...this.remembered(),
      options: this.options,
      followCursor: this.followCursor,
      ...(view !== undefined ? { view } : {}),
    };
    void this.context.workspaceState.update(MEMENTO_KEY, next);
  }

  private show(): void {
    if (this.panel !== undefined) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      SIMULATOR_VIEW_TYPE,
      'Lifecycle simulator',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: panelResourceRoots(this.context.extensionUri) },
    );
    this.adopt(panel);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: panelResourceRoots(this.context.extensionUri),
    };
    panel.webview.html = panelHtml(panel.webview, this.context.extensionUri);
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
        this.panel = undefined;
        this.restoreView = this.lastView;
        clearTimeout(this.followTimer);
        clearTimeout(this.editTimer);
        for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.decoration, []);
      }),
    );
  }

  private post(): void {
    if (this.panel === undefined) return;
    const snapshot: PanelSnapshot = {
      uri: this.target?.uri.toString() ?? '',
      fileLabel: this.target !== undefined ? vscode.workspace.asRelativePath(this.target.uri) : '',
      result: this.result,
      busy: this.busy,
      status: this.status,
      options: this.options,
      followCursor: this.followCursor,
      fixes: this.fixes,
      generation: this.generation,
      restore: this.restoreView,
    };
    const message: ToWebview = { type: 'snapshot', snapshot };
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        // A restored webview whose host has nothing yet (reload, or reopened from its own state).
        if (this.target === undefined && m.state?.uri !== undefined) {
          this.target = { uri: vscode.Uri.parse(m.state.uri), function: m.state.function };
          if (m.state.options !== undefined)
            this.options = { ...DEFAULT_SIMULATION_OPTIONS, ...m.state.options };
          if (m.state.followCursor !== undefined) this.followCursor = m.state.followCursor;
          this.post();
          await this.run(this.target, { keepOnError: false });
          return;
        }
        this.post();
        return;
      case 'viewState':
        this.restoreView = undefined;
        this.lastView = m.state;
        this.remember(m.state);
        return;
      case 'showStep':
        await this.highlight(this.step(m.path, m.step), false);
        return;
      case 'revealStep':
        await this.highlight(this.step(m.path, m.step), true);
        return;
      case 'setOptions':
        this.options = { ...DEFAULT_SIMULATION_OPTIONS, ...m.options };
        this.remember();
        await this.rerun();
        return;
      case 'setFollowCursor':
        this.followCursor = m.follow;
        this.remember();
        this.post();
        return;
      case 'applyFix':
        await this.applyFix(m.path, m.violation);
        return;
      case 'rerun':
        await this.rerun();
        return;
    }
  }

  private simulation(): Simulation | undefined {
    return this.result?.ok === true ? this.result.simulation : undefined;
  }

  private step(path: number, step: number): SimStep | undefined {
    return this.simulation()?.paths[path]?.steps[step];
  }

  private async rerun(): Promise<SimulateResult | undefined> {
    if (this.target === undefined) {
      this.post();
      return undefined;
    }
    return this.run(this.target, { keepOnError: true });
  }

  /**
   * Asks the server and shows the answer. A newer run supersedes an older one still in flight. With
   * keepOnError, a failed answer (the cursor left every function, the code does not parse for a
   * moment) keeps the last good simulation on screen and only says why in the status line.
   */
  private async run(
    target: Target,
    opts: { keepOnError: boolean; follow?: boolean },
  ): Promise<SimulateResult> {
    const seq = ++this.requestSeq;
    this.busy = true;
    this.post();
    const params: SimulateParams = {
      uri: target.uri.toString(),
      options: this.options,
      ...(target.function !== undefined ? { function: target.function } : { line: target.line ?? 0 }),
    };
    let result: SimulateResult;
    try {
      result = await this.simulate(params);
    } catch (e) {
      result = { ok: false, error: `The simulation failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (seq !== this.requestSeq) return result;
    this.busy = false;
    if (result.ok) {
      this.target = { uri: target.uri, function: result.simulation.function };
      this.result = result;
      this.status = undefined;
      this.generation++;
      if (this.panel !== undefined) this.panel.title = `Simulate ${result.simulation.function}()`;
    } else if (opts.keepOnError && this.result?.ok === true) {
      // Following the cursor out of every function is normal: keep the last simulation on screen.
      this.status =
        opts.follow === true
          ? `Showing ${this.result.simulation.function}(): the cursor is not in a function to simulate.`
          : result.error;
    } else {
      this.target = target;
      this.result = result;
      this.status = undefined;
      this.generation++;
    }
    // Show the new verdicts at once; the fixes (a code-action request per finding) follow.
    this.fixes = [];
    this.fixActions.clear();
    this.post();
    await this.refreshFixes(false);
    if (seq === this.requestSeq) this.post();
    return result;
  }

  // ------------------------------------------------------------------------------ follow the cursor

  private isC(doc: vscode.TextDocument): boolean {
    return doc.languageId === 'c' || /\.[ch]$/.test(doc.uri.path);
  }

  private lastCEditor(): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find((e) => this.isC(e.document));
  }

  private onSelection(editor: vscode.TextEditor, selection: vscode.Selection | undefined): void {
    if (this.panel === undefined || !this.followCursor || selection === undefined) return;
    const doc = editor.document;
    if (!this.isC(doc) || doc.uri.scheme === 'output') return;
    const line = selection.active.line;
    const own = this.ownSelection;
    if (own !== undefined && Date.now() < own.until && own.uri === doc.uri.toString() && own.line === line)
      return;
    const sim = this.simulation();
    const inside =
      sim !== undefined &&
      this.target?.uri.toString() === doc.uri.toString() &&
      line + 1 >= sim.startLine &&
      line + 1 <= sim.endLine;
    if (inside) return;
    clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => {
      if (editor.viewColumn !== undefined) this.editorColumn = editor.viewColumn;
      void this.run({ uri: doc.uri, line }, { keepOnError: true, follow: true });
    }, FOLLOW_DELAY_MS);
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    const target = this.target;
    if (this.panel === undefined || !this.followCursor || target === undefined) return;
    if (e.contentChanges.length === 0 || e.document.uri.toString() !== target.uri.toString()) return;
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => void this.rerun(), EDIT_DELAY_MS);
  }

  // ---------------------------------------------------------------------------------- the editor

  private stepUri(step: SimStep): vscode.Uri | undefined {
    const sim = this.simulation();
    if (this.target === undefined || sim === undefined) return undefined;
    if (step.file === undefined || step.file === sim.file) return this.target.uri;
    return /^[a-z][a-z0-9+.-]*:/i.test(step.file) && !/^[a-z]:[\\/]/i.test(step.file)
      ? vscode.Uri.parse(step.file)
      : vscode.Uri.file(step.file);
  }

  /**
   * Highlights the step's line in every visible editor of its document and scrolls it into view;
   * with `move`, also puts the cursor there (opening the document if it is not visible).
   */
  private async highlight(step: SimStep | undefined, move: boolean): Promise<void> {
    const uri = step !== undefined && step.line > 0 ? this.stepUri(step) : undefined;
    const key = uri?.toString();
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== key) editor.setDecorations(this.decoration, []);
    }
    if (step === undefined || uri === undefined || key === undefined) return;
    const line = step.line - 1;
    let editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === key);
    if (move && editors.length === 0) {
      try {
        const shown = await vscode.window.showTextDocument(uri, {
          viewColumn: this.editorColumn ?? vscode.ViewColumn.One,
          preserveFocus: true,
        });
        editors = [shown];
      } catch {
        return;
      }
    }
    for (const editor of editors) {
      if (line >= editor.document.lineCount) continue;
      const range = editor.document.lineAt(line).range;
      editor.setDecorations(this.decoration, [range]);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    const editor = editors[0];
    if (move && editor !== undefined && line < editor.document.lineCount) {
      const text = editor.document.lineAt(line);
      const at = new vscode.Position(line, text.firstNonWhitespaceCharacterIndex);
      this.ownSelection = { uri: key, line, until: Date.now() + 1000 };
      editor.selection = new vscode.Selection(at, at);
    }
  }

  // ------------------------------------------------------------------------------------- fixes

  /** Finds the editor's safe kobject-lifetime quick fix for each violation of every path. */
  private async refreshFixes(post = true): Promise<void> {
    const sim = this.simulation();
    const target = this.target;
    this.fixes = [];
    this.fixActions.clear();
    if (sim !== undefined && target !== undefined && sim.paths.some((p) => p.violations.length > 0)) {
      const candidates = await this.quickFixes(target.uri, sim);
      for (const [pi, path] of sim.paths.entries()) {
        for (const [vi, v] of path.violations.entries()) {
          const fix = pickFix(path, v, sim.file, candidates);
          if (fix === undefined) continue;
          this.fixes.push({ path: pi, violation: vi, title: fix.action.title });
          this.fixActions.set(`${pi}:${vi}`, fix.action);
        }
      }
    }
    if (post) this.post();
  }

  /**
   * The safe quick fix of each kobject-lifetime diagnostic on a line a buggy path goes through. VS Code
   * returns code actions without their diagnostics, so each diagnostic's own range is asked for, and
   * its fix is taken only when exactly one preferred (safe) quick fix comes back for it.
   */
  private async quickFixes(uri: vscode.Uri, sim: Simulation): Promise<FixCandidate<vscode.CodeAction>[]> {
    const lines = new Set<number>();
    for (const path of sim.paths) {
      if (path.violations.length === 0) continue;
      for (const v of path.violations) if (v.file === undefined || v.file === sim.file) lines.add(v.line);
      for (const st of path.steps) if (st.file === undefined || st.file === sim.file) lines.add(st.line);
    }
    const diagnostics = vscode.languages.getDiagnostics(uri).filter((d) => {
      if (d.source !== SOURCE || ruleOf(d) === undefined) return false;
      for (let l = d.range.start.line + 1; l <= d.range.end.line + 1; l++) if (lines.has(l)) return true;
      return false;
    });
    const out: FixCandidate<vscode.CodeAction>[] = [];
    for (const d of diagnostics) {
      let actions: (vscode.CodeAction | vscode.Command)[] | undefined;
      try {
        actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
          'vscode.executeCodeActionProvider',
          uri,
          d.range,
          vscode.CodeActionKind.QuickFix.value,
          // Resolve the edits of lazily resolved actions.
          10,
        );
      } catch {
        continue;
      }
      const preferred = (actions ?? []).filter(
        (a): a is vscode.CodeAction =>
          !(typeof a.command === 'string') && (a as vscode.CodeAction).isPreferred === true,
      );
      const action = preferred[0];
      if (preferred.length !== 1 || action === undefined) continue;
      out.push({
        rule: ruleOf(d) ?? '',
        startLine: d.range.start.line + 1,
        endLine: d.range.end.line + 1,
        preferred: true,
        action,
      });
    }
    return out;
  }

  private async applyFix(path: number, violation: number): Promise<void> {
    const action = this.fixActions.get(`${path}:${violation}`);
    if (action === undefined) {
      this.status = 'That fix is no longer offered: the code changed.';
      this.post();
      return;
    }
    let applied = true;
    if (action.edit !== undefined) applied = await vscode.workspace.applyEdit(action.edit);
    if (applied && action.command !== undefined) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }
    // The edit's own change event scheduled a re-run; this one already sees the new text.
    clearTimeout(this.editTimer);
    await this.rerun();
    clearTimeout(this.editTimer);
    this.status = applied
      ? `Applied: ${action.title}`
      : `The fix did not apply (the document changed): ${action.title}`;
    this.post();
  }
}

/** Resolves true once the client runs (at once if it does), false after `ms` without. */
function running(client: LanguageClient, ms: number): Promise<boolean> {
  if (client.isRunning()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const sub = client.onDidChangeState((e) => {
      if (e.newState !== State.Running) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(true);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(client.isRunning());
    }, ms);
  });
}

function ruleOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (typeof code === 'string') return code;
  if (typeof code === 'object' && code !== null && typeof code.value === 'string') return code.value;
  return undefined;
}

function isViewState(state: unknown): state is PanelViewState {
  return typeof state === 'object' && state !== null;
}
