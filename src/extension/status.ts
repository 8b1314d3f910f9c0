// The status bar item: analyzing / N findings in this file / server error. Driven by the server's status
// notification (analysis in flight, errors) and by the diagnostics of the active editor; a click opens
// the output.
import * as vscode from 'vscode';
import { COMMANDS, type StatusParams } from '../protocol/requests';

/** The `source` the server puts on its diagnostics. */
export const DIAGNOSTIC_SOURCE = 'kobject-lifetime';

export type ServerState = 'starting' | 'running' | 'stopped' | 'crashed' | 'failed' | 'disabled';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'kobjectLifetime.status',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly disposables: vscode.Disposable[] = [];
  private server: ServerState = 'starting';
  private serverMessage: string | undefined;
  /** The last status the server sent per document (uri string). */
  private readonly files = new Map<string, StatusParams>();
  /** How many status notifications arrived per document (lets a caller wait for the next one). */
  private readonly counts = new Map<string, number>();
  private readonly statusEmitter = new vscode.EventEmitter<StatusParams>();
  /** Every status notification from the server, after the item was updated. */
  readonly onDidReceiveStatus = this.statusEmitter.event;

  constructor() {
    this.item.name = 'Kobject Lifetime';
    this.item.command = COMMANDS.showOutput;
    this.disposables.push(
      this.item,
      this.statusEmitter,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && e.uris.some((u) => u.toString() === active)) this.render();
      }),
    );
    this.render();
  }

  setServer(state: ServerState, message?: string): void {
    this.server = state;
    this.serverMessage = message;
    if (state !== 'running') this.files.clear();
    this.render();
  }

  /** A status notification from the server for one document. */
  setFile(params: StatusParams): void {
    this.files.set(params.uri, params);
    this.counts.set(params.uri, (this.counts.get(params.uri) ?? 0) + 1);
    this.render();
    this.statusEmitter.fire(params);
  }

  /** The last status of a document and how many have arrived for it. */
  fileStatus(uri: string): { last: StatusParams | undefined; count: number } {
    return { last: this.files.get(uri), count: this.counts.get(uri) ?? 0 };
  }

  /** What the item shows now (for tests and the output). */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const uri = doc?.uri.toString();
    const isC = doc?.languageId === 'c';
    const item = this.item;
    item.backgroundColor = undefined;
    if (this.server === 'disabled') {
      if (!isC) return item.hide();
      item.text = '$(circle-slash) Kobject Lifetime: off';
      item.tooltip = 'Disabled by the setting kobjectLifetime.enable.';
    } else if (this.server === 'crashed' || this.server === 'failed') {
      item.text = '$(error) Kobject Lifetime: server error';
      item.tooltip = `${this.serverMessage ?? 'The language server stopped.'} Click for the output.`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (!isC || !uri) {
      return item.hide();
    } else if (this.server === 'starting') {
      item.text = '$(sync~spin) Kobject Lifetime: starting';
      item.tooltip = 'The language server is starting.';
    } else {
      const file = this.files.get(uri);
      if (file?.state === 'analyzing') {
        item.text = '$(sync~spin) Kobject Lifetime: analyzing';
        item.tooltip = 'Analyzing this file.';
      } else if (file?.state === 'error') {
        item.text = '$(error) Kobject Lifetime: analysis error';
        item.tooltip = `${file.message ?? 'The analysis of this file failed.'} Click for the output.`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      } else if (file?.state === 'skipped') {
        item.text = '$(circle-slash) Kobject Lifetime: skipped';
        item.tooltip = file.message ?? 'This file was not analyzed.';
      } else {
        // The diagnostics shown are the truth for the count (they outlive status messages across restarts).
        const n = vscode.languages
          .getDiagnostics(doc.uri)
          .filter((d) => d.source === DIAGNOSTIC_SOURCE).length;
        const partial = file?.state === 'partial';
        item.text =
          (n === 0 && !partial
            ? '$(pass) Kobject Lifetime'
            : `$(warning) Kobject Lifetime: ${n} finding${n === 1 ? '' : 's'}`) +
          (partial ? ' (partial)' : '');
        item.tooltip =
          (n === 0
            ? 'No lifetime findings in this file.'
            : `${n} lifetime finding${n === 1 ? '' : 's'} in this file.`) +
          (partial ? ` Partial analysis: ${file.message ?? 'some functions were not finished'}.` : '') +
          (file?.elapsedMs !== undefined ? ` Analyzed in ${file.elapsedMs} ms.` : '');
      }
    }
    item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
