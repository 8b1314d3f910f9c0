// The simulator panel through VS Code's API: the command simulates the function at the cursor and
// opens the panel beside the editor; the CodeLens sits on each simulatable function and its command
// simulates that one. (What the panel shows is tested through the UI: test/e2e/ui-panel.mjs.)
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/protocol/requests';
import type { SimulateResult } from '../../../src/protocol/simulation';
import { SIMULATOR_VIEW_TYPE } from '../../../src/protocol/webview';
import { closeAll, extensionApi, waitFor, workspaceRoot } from './helpers';

const showcase = (): vscode.Uri =>
  vscode.Uri.file(join(workspaceRoot(), 'examples', 'livepatch-2016', 'original', 'patch.c'));

function panelTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(SIMULATOR_VIEW_TYPE));
}

describe('simulator panel', () => {
  after(closeAll);

  it('simulates the function at the cursor and opens the panel beside the editor', async () => {
    await extensionApi();
    const doc = await vscode.workspace.openTextDocument(showcase());
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('klp_unregister_patch('));
    assert.ok(line > 0, 'the showcase calls klp_unregister_patch()');
    editor.selection = new vscode.Selection(line, 1, line, 1);
    const result = await vscode.commands.executeCommand<SimulateResult | undefined>(COMMANDS.simulate);
    assert.ok(result?.ok, result && !result.ok ? result.error : 'no result');
    assert.equal(result.simulation.function, 'livepatch_exit');
    assert.equal(result.simulation.options.debugKobjectRelease, true, 'delayed release is on by default');
    const kinds = result.simulation.paths.flatMap((p) => p.violations.map((v) => v.kind));
    assert.ok(kinds.includes('use-after-free'), `violations: ${kinds.join(', ')}`);
    const tab = await waitFor('the panel tab', () => panelTab());
    assert.notEqual(tab.group.viewColumn, editor.viewColumn, 'the panel opens beside the editor');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), doc.uri.toString(), 'focus stays');
  });

  it('puts a "Simulate lifecycle" CodeLens on each simulatable function; its command simulates that one', async () => {
    await extensionApi();
    const uri = showcase();
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    const lenses = await waitFor('the CodeLenses', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        uri,
      );
      const mine = all.filter((l) => l.command?.command === COMMANDS.simulate);
      return mine.length > 0 ? mine : undefined;
    });
    const text = (await vscode.workspace.openTextDocument(uri)).getText().split('\n');
    assert.deepEqual(
      lenses.map((l) => [text[l.range.start.line], l.command?.title]),
      [
        ['static int livepatch_init(void)', 'Simulate lifecycle'],
        ['static void livepatch_exit(void)', 'Simulate lifecycle'],
      ],
    );
    const init = lenses[0]?.command;
    assert.ok(init);
    const result = await vscode.commands.executeCommand<SimulateResult | undefined>(
      init.command,
      ...(init.arguments ?? []),
    );
    assert.ok(result?.ok, result && !result.ok ? result.error : 'no result');
    assert.equal(result.simulation.function, 'livepatch_init');
  });

  it('says why when the cursor is in no function', async () => {
    await extensionApi();
    const doc = await vscode.workspace.openTextDocument(showcase());
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const result = await vscode.commands.executeCommand<SimulateResult | undefined>(COMMANDS.simulate);
    assert.ok(result && !result.ok, 'line 1 is a comment: no function to simulate');
    assert.ok(result.error.length > 0);
  });
});
