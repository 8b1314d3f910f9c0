// Settings apply without a reload: per-rule severity and "off", the disableRule command (workspace
// settings), kobjectLifetime.enable, and the rule documentation opening in the markdown preview.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { closeAll, extensionApi, fixtures, openC, ours, ruleOf, waitFor, workspaceRoot } from './helpers';

const RULE = 'double-put';

/** zeta_drop() is a put only once kobjectLifetime.api says so. */
const WRAPPER_C = `#include <linux/kobject.h>
#include <linux/slab.h>

struct zeta_node {
\tint id;
\tstruct kobject kobj;
};

static void zeta_node_release(struct kobject *kobj)
{
\tkfree(container_of(kobj, struct zeta_node, kobj));
}

static const struct kobj_type zeta_ktype = {
\t.release = zeta_node_release,
};

void zeta_drop(struct kobject *kobj);

int zeta_create(void)
{
\tstruct zeta_node *n = kzalloc(sizeof(*n), GFP_KERNEL);

\tif (!n)
\t\treturn -ENOMEM;
\tkobject_init(&n->kobj, &zeta_ktype);
\tzeta_drop(&n->kobj);
\tkobject_put(&n->kobj);
\treturn 0;
}
`;

async function setRules(value: Record<string, string> | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration('kobjectLifetime')
    .update('rules', value, vscode.ConfigurationTarget.Workspace);
}

describe('settings', () => {
  const fixture = () => fixtures().find((x) => x.name === `${RULE}/bad-cleanup.c`)!;

  afterEach(async () => {
    await setRules(undefined);
    await vscode.workspace
      .getConfiguration('kobjectLifetime')
      .update('enable', undefined, vscode.ConfigurationTarget.Workspace);
    await closeAll();
  });

  it('kobjectLifetime.rules changes a rule’s severity, and "off" removes its findings', async () => {
    const api = await extensionApi();
    const f = fixture();
    const { diagnostics } = await openC(api, f.uri);
    const ofRule = diagnostics.filter((d) => ruleOf(d) === RULE);
    assert.ok(ofRule.length > 0);
    assert.ok(ofRule.every((d) => d.severity === vscode.DiagnosticSeverity.Error));

    // A settings change re-analyzes open documents; wait for the result it must give (an earlier
    // analysis may still report in between).
    await setRules({ [RULE]: 'hint' });
    await waitFor(`${RULE} findings shown as hints`, () => {
      const d = ours(f.uri).filter((x) => ruleOf(x) === RULE);
      return d.length === ofRule.length && d.every((x) => x.severity === vscode.DiagnosticSeverity.Hint);
    });

    await setRules({ [RULE]: 'off' });
    await waitFor(`no ${RULE} finding`, () => ours(f.uri).every((x) => ruleOf(x) !== RULE));
    assert.ok(ours(f.uri).length < diagnostics.length);
  });

  it('kobjectLifetime.api teaches a wrapper: a put through it then a kobject_put() is a double put', async () => {
    const api = await extensionApi();
    const uri = vscode.Uri.file(join(workspaceRoot(), 'api-setting', 'zeta-drop.c'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(WRAPPER_C));
    const { diagnostics } = await openC(api, uri);
    assert.deepEqual(diagnostics, [], 'zeta_drop() is unknown: nothing to report');
    const config = vscode.workspace.getConfiguration('kobjectLifetime');
    try {
      await config.update('api', { zeta_drop: 'put' }, vscode.ConfigurationTarget.Workspace);
      const found = await waitFor('a double-put after zeta_drop()', () => {
        const d = ours(uri);
        return d.length === 1 && ruleOf(d[0]!) === 'double-put' ? d[0] : undefined;
      });
      assert.equal(
        found.range.start.line,
        WRAPPER_C.split('\n').findIndex((l) => l.includes('kobject_put(')),
      );
    } finally {
      await config.update('api', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the finding to go with the entry', () => ours(uri).length === 0);
  });

  it('the disableRule command writes "off" to the workspace settings', async () => {
    const api = await extensionApi();
    const f = fixture();
    const { diagnostics } = await openC(api, f.uri);
    assert.ok(diagnostics.some((d) => ruleOf(d) === RULE));
    await vscode.commands.executeCommand('kobjectLifetime.disableRule', RULE);
    const inspected = vscode.workspace
      .getConfiguration('kobjectLifetime')
      .inspect<Record<string, string>>('rules');
    assert.deepEqual(inspected?.workspaceValue, { [RULE]: 'off' });
    await waitFor(`no ${RULE} finding`, () => ours(f.uri).every((d) => ruleOf(d) !== RULE));
  });

  it('kobjectLifetime.enable = false stops the server and clears its diagnostics; true brings them back', async () => {
    const api = await extensionApi();
    const f = fixture();
    const { diagnostics } = await openC(api, f.uri);
    assert.ok(diagnostics.length > 0);
    const config = () => vscode.workspace.getConfiguration('kobjectLifetime');
    await config().update('enable', false, vscode.ConfigurationTarget.Workspace);
    await waitFor('the server to stop', () => !api.client.isRunning());
    await waitFor('the diagnostics to go', () => ours(f.uri).length === 0);
    assert.match(api.status.text, /off/);
    await config().update('enable', true, vscode.ConfigurationTarget.Workspace);
    await waitFor('the server to run again', () => api.client.isRunning());
    await waitFor('the diagnostics to come back', () => ours(f.uri).length === diagnostics.length);
  });

  it('showRuleDoc opens the bundled rule page in the markdown preview', async () => {
    await extensionApi();
    await vscode.commands.executeCommand('kobjectLifetime.showRuleDoc', RULE);
    const tab = await waitFor('a markdown preview tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType)),
    );
    assert.match(tab.label, new RegExp(RULE));
  });
});
