// Quick fixes in the editor: applying each safe fix (the preferred action of its diagnostic) one after
// the other gives the blessed .fixed.c text, and so does the "fix all" source action; the ignore
// comment action silences a finding.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  analyzed,
  applyAction,
  closeAll,
  codeActions,
  extensionApi,
  fixtures,
  openC,
  ours,
  ruleOf,
} from './helpers';

const FIX_ALL = 'source.fixAll.kobject-lifetime';

function fullRange(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(0, 0, doc.lineCount, 0);
}

/** The diagnostic's preferred (safe) fix, if it has one. */
async function safeFix(uri: vscode.Uri, d: vscode.Diagnostic): Promise<vscode.CodeAction | undefined> {
  const actions = await codeActions(uri, d.range, vscode.CodeActionKind.QuickFix.value);
  // The actions asked for at the diagnostic's own range are those of the diagnostics under it (the
  // command does not hand back which diagnostic an action belongs to).
  return actions.find((a) => a.isPreferred && a.edit);
}

describe('quick fixes', () => {
  afterEach(closeAll);

  const withFixes = fixtures().filter((f) => f.fixed !== undefined);

  it('the fixtures with safe fixes are in the workspace', () => {
    assert.ok(withFixes.length >= 5, `found ${withFixes.length}`);
  });

  for (const f of withFixes) {
    it(`each safe fix of ${f.name}, applied one by one, gives ${f.name.replace(/\.c$/, '.fixed.c')}`, async () => {
      const api = await extensionApi();
      const { editor } = await openC(api, f.uri);
      const doc = editor.document;
      let diagnostics = ours(f.uri);
      const fixable: vscode.Diagnostic[] = [];
      for (const d of diagnostics) if (await safeFix(f.uri, d)) fixable.push(d);
      if (fixable.length === 0) {
        const offered = await codeActions(f.uri, fullRange(doc), vscode.CodeActionKind.QuickFix.value);
        assert.fail(
          `a fixture with a .fixed.c has safe fixes; ${diagnostics.length} diagnostics, actions offered: ` +
            offered.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`).join('; '),
        );
      }
      for (let applied = 0; applied < fixable.length; applied++) {
        // After each edit the server re-analyzes; the next safe fix comes from the fresh diagnostics.
        let next: vscode.CodeAction | undefined;
        for (const d of diagnostics) if ((next = await safeFix(f.uri, d))) break;
        assert.ok(next, `safe fix ${applied + 1} of ${fixable.length} is offered after the previous one`);
        const action = next;
        diagnostics = await analyzed(api, f.uri, () => applyAction(action));
      }
      assert.equal(doc.getText(), readFileSync(f.fixed!, 'utf8'));
    });
  }

  it('"Fix all safe problems" gives the .fixed.c text in one edit', async () => {
    const api = await extensionApi();
    for (const f of withFixes) {
      const { editor } = await openC(api, f.uri);
      const actions = await codeActions(f.uri, fullRange(editor.document), FIX_ALL);
      const fixAll = actions.find((a) => a.kind?.value === FIX_ALL);
      assert.ok(fixAll?.edit, `${f.name}: the fix-all source action is offered`);
      await analyzed(api, f.uri, () => applyAction(fixAll));
      assert.equal(editor.document.getText(), readFileSync(f.fixed!, 'utf8'), f.name);
      await closeAll();
    }
  });

  it('the ignore-comment action silences exactly that finding', async () => {
    const api = await extensionApi();
    const f = fixtures().find((x) => x.name === 'double-put/bad-cleanup.c')!;
    const { editor } = await openC(api, f.uri);
    const before = ours(f.uri);
    const target = before[0]!;
    const rule = ruleOf(target);
    const actions = await codeActions(f.uri, target.range, vscode.CodeActionKind.QuickFix.value);
    const ignore = actions.find((a) => a.title === `Ignore ${rule} on this line`);
    assert.ok(ignore, 'the ignore action is offered');
    const after = await analyzed(api, f.uri, () => applyAction(ignore));
    assert.equal(after.length, before.length - 1);
    assert.match(editor.document.getText(), new RegExp(`kobject-lifetime: ignore ${rule}`));
  });

  it('a hand-written ignore comment on the line above silences the finding', async () => {
    const api = await extensionApi();
    const f = fixtures().find((x) => x.name === 'double-put/bad-cleanup.c')!;
    const { editor } = await openC(api, f.uri);
    const before = ours(f.uri);
    const target = before[before.length - 1]!;
    const line = target.range.start.line;
    const indent = /^\s*/.exec(editor.document.lineAt(line).text)![0];
    const after = await analyzed(api, f.uri, () =>
      editor.edit((e) =>
        e.insert(new vscode.Position(line, 0), `${indent}/* kobject-lifetime: ignore all */\n`),
      ),
    );
    assert.equal(after.length, before.length - 1);
    assert.ok(!after.some((d) => d.range.start.line === line + 1 && d.message === target.message));
  });
});
