// Shared helpers for the extension-host tests: the extension's API, waiting on the server, reading the
// rule fixtures of the test workspace (a copy of test/fixtures/rules under rules/, made by the runner).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { KobjectLifetimeApi } from '../../../src/extension/main';
import type { StatusParams } from '../../../src/protocol/requests';

export const EXTENSION_ID = 'kobject-lifetime.kobject-lifetime';
export const SOURCE = 'kobject-lifetime';

export async function extensionApi(): Promise<KobjectLifetimeApi> {
  const ext = vscode.extensions.getExtension<KobjectLifetimeApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  await waitFor('the language server to run', () => api.client.isRunning() || undefined, 30_000);
  return api;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder');
  return folder.uri.fsPath;
}

export const rulesRoot = (): string => join(workspaceRoot(), 'rules');

/** Polls `probe` until it returns something other than undefined/false; fails with `what` on time-out. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${why}`);
    }
    await sleep(100);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Our diagnostics on a document (other extensions' are ignored). */
export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function ruleOf(d: vscode.Diagnostic): string {
  const code = d.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

const SEVERITY: Record<vscode.DiagnosticSeverity, string> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

/** Diagnostics in the fixtures' blessed `.expected` format (the CLI's text output), sorted. */
export function report(name: string, diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics
    .map(
      (d) =>
        `${name}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${SEVERITY[d.severity]}: ${d.message} [${ruleOf(d)}]`,
    )
    .sort();
}

export function expectedReport(expectedFile: string): string[] {
  return readFileSync(expectedFile, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .sort();
}

export interface Fixture {
  /** `<rule>/<case>.c`, as in the .expected files. */
  name: string;
  file: string;
  uri: vscode.Uri;
  expected: string;
  /** The text after the safe fixes, where they change anything. */
  fixed: string | undefined;
}

export function fixtures(): Fixture[] {
  const root = rulesRoot();
  const out: Fixture[] = [];
  for (const rule of readdirSync(root).sort()) {
    for (const f of readdirSync(join(root, rule)).sort()) {
      if (!f.endsWith('.c') || f.endsWith('.fixed.c')) continue;
      const file = join(root, rule, f);
      const fixed = file.replace(/\.c$/, '.fixed.c');
      out.push({
        name: relative(root, file).split('\\').join('/'),
        file,
        uri: vscode.Uri.file(file),
        expected: file.replace(/\.c$/, '.expected'),
        fixed: existsSync(fixed) ? fixed : undefined,
      });
    }
  }
  return out;
}

const FINAL: readonly StatusParams['state'][] = ['done', 'partial', 'skipped', 'error'];

/**
 * Runs `action` (opening or editing a document) and waits until the server reports the analysis of
 * `uri` finished after it and the diagnostics it announced are in the Problems API.
 */
export async function analyzed(
  api: KobjectLifetimeApi,
  uri: vscode.Uri,
  action: () => Thenable<unknown> | Promise<unknown>,
  timeoutMs = 20_000,
): Promise<vscode.Diagnostic[]> {
  const key = uri.toString();
  const before = api.status.fileStatus(key).count;
  await action();
  const status = await waitFor(
    `the server's analysis of ${uri.fsPath}`,
    () => {
      const s = api.status.fileStatus(key);
      return s.count > before && s.last && FINAL.includes(s.last.state) ? s.last : undefined;
    },
    timeoutMs,
  );
  assert.notEqual(status.state, 'error', `analysis of ${uri.fsPath} failed: ${status.message ?? ''}`);
  return waitFor(
    `${status.findings} diagnostics on ${uri.fsPath}`,
    () => {
      const d = ours(uri);
      return d.length === status.findings ? d : undefined;
    },
    timeoutMs,
  );
}

/**
 * Shows a C file in an editor once the server's analysis of its text is in. A document that is open
 * already (an earlier test) is not analyzed again: its last analysis is waited for instead.
 */
export async function openC(
  api: KobjectLifetimeApi,
  uri: vscode.Uri,
): Promise<{ editor: vscode.TextEditor; diagnostics: vscode.Diagnostic[] }> {
  const key = uri.toString();
  if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) {
    const editor = await vscode.window.showTextDocument(uri, { preview: false });
    const diagnostics = await waitFor(`the analysis of ${uri.fsPath}`, () => {
      const last = api.status.fileStatus(key).last;
      if (!last || !FINAL.includes(last.state)) return undefined;
      const d = ours(uri);
      return d.length === last.findings ? d : undefined;
    });
    return { editor, diagnostics };
  }
  let editor: vscode.TextEditor | undefined;
  const diagnostics = await analyzed(api, uri, async () => {
    editor = await vscode.window.showTextDocument(uri, { preview: false });
  });
  return { editor: editor!, diagnostics };
}

/** Closes every editor, dropping unsaved changes (the fixture files on disk stay as they are). */
export async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export async function codeActions(
  uri: vscode.Uri,
  range: vscode.Range,
  kind?: string,
): Promise<vscode.CodeAction[]> {
  return (
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      range,
      kind,
    )) ?? []
  ).filter((a) => a.title !== undefined);
}

export async function applyAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit)
    assert.ok(await vscode.workspace.applyEdit(action.edit), `edit of "${action.title}" not applied`);
  if (action.command)
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}
