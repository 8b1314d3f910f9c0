// What the Problems panel shows for the rule fixtures equals the blessed .expected files: through
// "Analyze Workspace" (files on disk) and for documents opened in the editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AnalyzeWorkspaceResult } from '../../../src/protocol/requests';
import { analyzed, closeAll, expectedReport, extensionApi, fixtures, ours, report, waitFor } from './helpers';

describe('diagnostics', () => {
  after(closeAll);

  it('Analyze Workspace analyzes every C file and publishes the fixtures’ findings', async () => {
    await extensionApi();
    const onDisk = await vscode.workspace.findFiles('**/*.{c,h}');
    const result = await vscode.commands.executeCommand<AnalyzeWorkspaceResult>(
      'kobjectLifetime.analyzeWorkspace',
    );
    assert.ok(result, 'the command returned no result');
    assert.equal(result.cancelled, false);
    assert.equal(result.files, onDisk.length, 'every .c/.h file of the workspace is analyzed');
    assert.equal(result.skipped, 0);
    const all = fixtures();
    assert.ok(all.length >= 24, `expected the rule fixtures in the workspace, found ${all.length}`);
    for (const f of all) {
      const want = expectedReport(f.expected);
      await waitFor(
        `${f.name}: ${want.length} diagnostics as in ${f.name.replace(/\.c$/, '.expected')}`,
        () => {
          return report(f.name, ours(f.uri)).length === want.length || undefined;
        },
      );
      assert.deepEqual(report(f.name, ours(f.uri)), want, f.name);
    }
    const total = onDisk.reduce((n, uri) => n + ours(uri).length, 0);
    assert.equal(result.findings, total, 'the result counts what the Problems panel shows');
    assert.equal(result.filesWithFindings, onDisk.filter((uri) => ours(uri).length > 0).length);
  });

  it('an opened fixture shows the blessed findings with their rule ids', async () => {
    const api = await extensionApi();
    for (const f of fixtures()) {
      // Opening the document (no editor needed) sends didOpen: the server analyzes the live text.
      const diagnostics = await analyzed(api, f.uri, () => vscode.workspace.openTextDocument(f.uri));
      assert.deepEqual(report(f.name, diagnostics), expectedReport(f.expected), f.name);
      for (const d of diagnostics) {
        assert.ok(d.code && typeof d.code === 'object', 'the code links the rule doc');
        assert.match(String(d.code.target), /docs\/rules\/[a-z-]+\.md$/);
      }
    }
  });
});
