// The server is a separate process: killed, it is restarted by the client and diagnostics come back;
// "Restart Server" starts a new one. The status bar follows the active C file.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { analyzed, closeAll, extensionApi, fixtures, openC, waitFor } from './helpers';

/** Pids of this extension host's children running our dist/server.js. */
function serverPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((a) => a.endsWith('dist/server.js'))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('server lifecycle', () => {
  afterEach(closeAll);

  it('a killed server is restarted and diagnostics come back', async function () {
    if (process.platform !== 'linux') this.skip();
    const api = await extensionApi();
    const f = fixtures().find((x) => x.name === 'kfree-instead-of-put/bad-device.c') ?? fixtures()[0]!;
    const { editor, diagnostics } = await openC(api, f.uri);
    assert.ok(diagnostics.length > 0);
    const [pid] = await waitFor('the server process', () => {
      const p = serverPids();
      return p.length === 1 ? p : undefined;
    });
    process.kill(pid!, 'SIGKILL');
    const [newPid] = await waitFor(
      'a new server process',
      () => {
        const p = serverPids();
        return p.length === 1 && p[0] !== pid ? p : undefined;
      },
      30_000,
    );
    assert.notEqual(newPid, pid);
    await waitFor('the client to run again', () => api.client.isRunning(), 30_000);
    // An edit after the restart is analyzed by the new server.
    const again = await analyzed(api, f.uri, () =>
      editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount, 0), '\n')),
    );
    assert.deepEqual(
      again.map((d) => d.message),
      diagnostics.map((d) => d.message),
    );
  });

  it('"Restart Server" replaces the server process', async function () {
    if (process.platform !== 'linux') this.skip();
    const api = await extensionApi();
    const [pid] = await waitFor('the server process', () =>
      serverPids().length === 1 ? serverPids() : undefined,
    );
    await vscode.commands.executeCommand('kobjectLifetime.restartServer');
    await waitFor('a new server process', () => {
      const p = serverPids();
      return p.length === 1 && p[0] !== pid ? p : undefined;
    });
    assert.ok(api.client.isRunning());
  });

  it('the status bar counts the findings of the active C file', async () => {
    const api = await extensionApi();
    const f = fixtures().find((x) => x.name === 'double-put/bad-cleanup.c')!;
    const { diagnostics } = await openC(api, f.uri);
    await waitFor(`the status bar to say ${diagnostics.length} findings`, () =>
      api.status.text.includes(`${diagnostics.length} finding`),
    );
  });
});
