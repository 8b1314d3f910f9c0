// The real dist/server.js over stdio, driven as a non-VS Code editor would drive it: open, diagnostics,
// quick fix, hover, an incremental edit that removes the bug, shutdown; hostile input; settings; the
// workspace analysis request with progress.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient, SERVER, type LspDiagnostic, type PublishedDiagnostics } from './server-client';

export const WIDGET_C = `#include <linux/device.h>
#include <linux/slab.h>

struct acme_widget {
\tint id;
\tstruct device dev;
};

static void acme_widget_release(struct device *dev)
{
\tkfree(container_of(dev, struct acme_widget, dev));
}

int acme_widget_create(struct device *parent)
{
\tstruct acme_widget *w;
\tint ret;

\tw = kzalloc(sizeof(*w), GFP_KERNEL);
\tif (!w)
\t\treturn -ENOMEM;
\tw->dev.parent = parent;
\tw->dev.release = acme_widget_release;
\tret = device_register(&w->dev);
\tif (ret) {
\t\tkfree(w);
\t\treturn ret;
\t}
\treturn 0;
}
`;

/** 0-based line of `kfree(w);` in WIDGET_C. */
const KFREE_LINE = 25;

const CAPABILITIES = {
  workspace: {
    configuration: true,
    workspaceEdit: { documentChanges: true },
    didChangeConfiguration: { dynamicRegistration: true },
  },
  textDocument: {
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } },
    hover: { contentFormat: ['markdown'] },
  },
  window: { workDoneProgress: true },
};

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kobject-lifetime-server-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function open(client: LspClient, uri: string, text: string, version = 1): void {
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
}

interface CodeAction {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  edit?: {
    documentChanges?: {
      textDocument: { uri: string; version: number };
      edits: { range: unknown; newText: string }[];
    }[];
  };
  command?: { command: string; arguments?: unknown[] };
}

describe('language server over stdio', () => {
  test('diagnostics, quick fix, hover, incremental edit, shutdown', async () => {
    const dir = tempDir();
    const uri = pathToFileURL(join(dir, 'widget.c')).href;
    const client = new LspClient(['--stdio']);
    try {
      const init = (await client.initialize(pathToFileURL(dir).href, CAPABILITIES)) as {
        capabilities: { textDocumentSync: { change: number }; hoverProvider: boolean };
        serverInfo: { name: string };
      };
      assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
      assert.equal(init.serverInfo.name, 'kobject-lifetime');
      open(client, uri, WIDGET_C);

      const published = await client.diagnostics(uri, 1);
      assert.deepEqual(
        published.diagnostics.map((d) => d.code),
        ['kfree-instead-of-put'],
      );
      const diagnostic = published.diagnostics[0]!;
      assert.equal(diagnostic.source, 'kobject-lifetime');
      assert.equal(diagnostic.severity, 1);
      assert.equal(diagnostic.range.start.line, KFREE_LINE);
      assert.match(diagnostic.codeDescription!.href, /^file:\/\/.*\/docs\/rules\/kfree-instead-of-put\.md$/);
      assert.ok((diagnostic.relatedInformation ?? []).some((r) => r.message === 'initialized here'));

      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic] },
      });
      const preferred = actions.filter((a) => a.isPreferred);
      assert.equal(preferred.length, 1);
      assert.equal(preferred[0]!.kind, 'quickfix');
      const change = preferred[0]!.edit!.documentChanges![0]!;
      assert.deepEqual(change.textDocument, { uri, version: 1 });
      assert.equal(change.edits[0]!.newText, 'put_device(&w->dev)');
      assert.ok(actions.some((a) => a.title === 'Ignore kfree-instead-of-put on this line'));
      assert.ok(actions.some((a) => a.command?.command === 'kobjectLifetime.disableRule'));

      const hover = await client.request<{ contents: { kind: string; value: string } } | null>(
        'textDocument/hover',
        {
          textDocument: { uri },
          position: { line: KFREE_LINE, character: 3 },
        },
      );
      assert.ok(hover);
      assert.equal(hover.contents.kind, 'markdown');
      assert.match(hover.contents.value, /kfree-instead-of-put/);
      assert.match(hover.contents.value, /\n- /, 'the path is a markdown list');
      assert.match(hover.contents.value, /\(file:\/\/.*kfree-instead-of-put\.md\)/);

      // Apply the quick fix as the editor would: an incremental change of the range only.
      client.notify('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: change.edits.map((e) => ({ range: e.range, text: e.newText })),
      });
      const fixed = await client.diagnostics(uri, 2);
      assert.deepEqual(fixed.diagnostics, []);

      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('hostile input never kills the server', async () => {
    const dir = tempDir();
    const client = new LspClient(['--stdio']);
    client.settings = { maxFileSize: 200_000 };
    try {
      await client.initialize(pathToFileURL(dir).href, CAPABILITIES);
      const binary = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
      const nested = `void f(struct kobject *k)\n{\n${'{'.repeat(20_000)}kobject_put(k);${'}'.repeat(20_000)}\n}\n`;
      const parens = `void g(struct device *d)\n{\n\tput_device(${'('.repeat(30_000)}d${')'.repeat(30_000)});\n}\n`;
      const huge = `// kobject_put\n${'int x;\n'.repeat(40_000)}`;
      const unterminated = `void h(struct device *d)\n{\n\tput_device(d); /* never closed "\n${WIDGET_C}`;
      const cases: [string, string][] = [
        ['binary.c', binary + ' kobject_put(x); \u0000\u0000'],
        ['nested.c', nested],
        ['parens.c', parens],
        ['huge.c', huge],
        ['unterminated.c', unterminated],
        ['widget.c', WIDGET_C],
      ];
      for (const [name, text] of cases) open(client, pathToFileURL(join(dir, name)).href, text);
      for (const [name] of cases) await client.diagnostics(pathToFileURL(join(dir, name)).href, 1);
      const huge1 = await client.diagnostics(pathToFileURL(join(dir, 'huge.c')).href, 1);
      assert.deepEqual(huge1.diagnostics, [], 'over maxFileSize: nothing published');
      const status = await client.waitFor(
        (n) =>
          n.method === 'kobjectLifetime/status' &&
          (n.params as { uri: string }).uri === pathToFileURL(join(dir, 'huge.c')).href,
      );
      assert.equal((status.params as { state: string }).state, 'skipped');
      // The widget after the hostile files is still analyzed: the server kept going.
      const widget = await client.diagnostics(pathToFileURL(join(dir, 'widget.c')).href, 1);
      assert.deepEqual(
        widget.diagnostics.map((d: LspDiagnostic) => d.code),
        ['kfree-instead-of-put'],
      );
      // Malformed requests get errors or empty answers, not a crash.
      await client
        .request('textDocument/codeAction', { textDocument: { uri: 'file:///nowhere.c' } })
        .catch(() => undefined);
      await client
        .request('textDocument/codeAction', {
          textDocument: { uri: pathToFileURL(join(dir, 'widget.c')).href },
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          context: {
            diagnostics: [{ source: 'kobject-lifetime', data: { rule: 7, fixes: 'x' }, range: null }],
          },
        })
        .catch(() => undefined);
      await client
        .request('kobjectLifetime/analyzeWorkspace', { folders: [42, 'not a uri'] })
        .catch(() => undefined);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('settings: rules off, the config file and stdio clients without workspace/configuration', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, '.kobject-lifetime.json'),
      JSON.stringify({ rules: { 'kfree-instead-of-put': 'warning' } }),
    );
    const uri = pathToFileURL(join(dir, 'widget.c')).href;
    // A plain client: no workspace/configuration; settings come in initializationOptions.
    const client = new LspClient([]);
    try {
      await client.initialize(
        pathToFileURL(dir).href,
        { textDocument: {} },
        { kobjectLifetime: { maxFileSize: 100_000 } },
      );
      open(client, uri, WIDGET_C);
      const first = await client.diagnostics(uri, 1);
      assert.deepEqual(
        first.diagnostics.map((d) => [d.code, d.severity]),
        [['kfree-instead-of-put', 2]],
        'the config file made it a warning',
      );
      // Pushed settings override the file per rule, without a restart.
      client.notify('workspace/didChangeConfiguration', {
        settings: { kobjectLifetime: { rules: { 'kfree-instead-of-put': 'off' } } },
      });
      await client.waitFor(
        (n) =>
          n.method === 'textDocument/publishDiagnostics' &&
          (n.params as { uri: string; diagnostics: unknown[] }).uri === uri &&
          (n.params as { diagnostics: unknown[] }).diagnostics.length === 0,
      );
      assert.ok(!client.serverRequests.includes('workspace/configuration'));
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('each workspace folder has its own .kobject-lifetime.json', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'quiet'));
    mkdirSync(join(root, 'loud'));
    writeFileSync(
      join(root, 'quiet', '.kobject-lifetime.json'),
      JSON.stringify({ rules: { 'kfree-instead-of-put': 'off' } }),
    );
    const quiet = pathToFileURL(join(root, 'quiet', 'widget.c')).href;
    const loud = pathToFileURL(join(root, 'loud', 'widget.c')).href;
    const client = new LspClient(['--stdio']);
    try {
      await client.request('initialize', {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: [
          { uri: pathToFileURL(join(root, 'quiet')).href, name: 'quiet' },
          { uri: pathToFileURL(join(root, 'loud')).href, name: 'loud' },
        ],
        capabilities: CAPABILITIES,
      });
      client.notify('initialized', {});
      open(client, quiet, WIDGET_C);
      open(client, loud, WIDGET_C);
      assert.deepEqual((await client.diagnostics(quiet, 1)).diagnostics, []);
      assert.deepEqual(
        (await client.diagnostics(loud, 1)).diagnostics.map((d) => d.code),
        ['kfree-instead-of-put'],
      );
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('settings pulled with workspace/configuration: a change applies at once, a no-op change re-runs nothing', async () => {
    const dir = tempDir();
    const uri = pathToFileURL(join(dir, 'widget.c')).href;
    const client = new LspClient(['--stdio']);
    const published = (): PublishedDiagnostics[] =>
      client.notifications
        .filter(
          (n) =>
            n.method === 'textDocument/publishDiagnostics' && (n.params as PublishedDiagnostics).uri === uri,
        )
        .map((n) => n.params as PublishedDiagnostics);
    try {
      await client.initialize(pathToFileURL(dir).href, CAPABILITIES);
      open(client, uri, WIDGET_C);
      assert.equal((await client.diagnostics(uri, 1)).diagnostics[0]?.severity, 1);
      client.settings = { rules: { 'kfree-instead-of-put': 'hint' } };
      client.notify('workspace/didChangeConfiguration', { settings: null });
      await client.waitFor(
        (n) =>
          n.method === 'textDocument/publishDiagnostics' &&
          (n.params as PublishedDiagnostics).diagnostics[0]?.severity === 4,
        10_000,
        'the hint',
      );
      const before = published().length;
      client.notify('workspace/didChangeConfiguration', { settings: null });
      client.notify('workspace/didChangeWatchedFiles', { changes: [] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.request('textDocument/hover', {
        textDocument: { uri },
        position: { line: 0, character: 0 },
      });
      assert.equal(published().length, before, 'nothing changed, nothing re-published');
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('analyzeWorkspace: files on disk, progress, skipped folders and binaries', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'drivers'));
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'drivers', 'widget.c'), WIDGET_C);
    writeFileSync(join(dir, 'drivers', 'widget.h'), 'int acme_widget_create(struct device *parent);\n');
    writeFileSync(join(dir, 'drivers', 'blob.c'), Buffer.from([0, 1, 2, 3, 0]));
    writeFileSync(join(dir, 'node_modules', 'dep.c'), WIDGET_C);
    writeFileSync(join(dir, '.git', 'obj.c'), WIDGET_C);
    const client = new LspClient(['--stdio']);
    try {
      await client.initialize(pathToFileURL(dir).href, CAPABILITIES);
      const result = await client.request<Record<string, unknown>>('kobjectLifetime/analyzeWorkspace', {
        folders: [pathToFileURL(dir).href],
        workDoneToken: 'ws-1',
      });
      assert.deepEqual(result, { files: 3, filesWithFindings: 1, findings: 1, skipped: 1, cancelled: false });
      const widget = await client.diagnostics(pathToFileURL(join(dir, 'drivers', 'widget.c')).href);
      assert.equal(widget.version, undefined, 'a file that is not open has no version');
      assert.deepEqual(
        widget.diagnostics.map((d) => d.code),
        ['kfree-instead-of-put'],
      );
      const progress = client.notifications
        .filter((n) => n.method === '$/progress' && (n.params as { token: string }).token === 'ws-1')
        .map((n) => (n.params as { value: { kind: string; message?: string } }).value);
      assert.equal(progress[0]!.kind, 'begin');
      assert.equal(progress.at(-1)!.kind, 'end');
      assert.ok(progress.some((p) => p.kind === 'report' && p.message === '3/3 files'));
      assert.ok(
        !client.notifications.some(
          (n) =>
            n.method === 'textDocument/publishDiagnostics' &&
            /node_modules|\.git/.test((n.params as { uri: string }).uri),
        ),
      );

      // A covered file opened, fixed in the editor without saving, and closed: back to the disk's finding.
      const widgetUri = pathToFileURL(join(dir, 'drivers', 'widget.c')).href;
      open(client, widgetUri, WIDGET_C.replace('kfree(w);', 'put_device(&w->dev);'), 5);
      assert.deepEqual((await client.diagnostics(widgetUri, 5)).diagnostics, []);
      const before = client.notifications.length;
      client.notify('textDocument/didClose', { textDocument: { uri: widgetUri } });
      const restored = await client.waitFor(
        (n) =>
          client.notifications.indexOf(n) >= before &&
          n.method === 'textDocument/publishDiagnostics' &&
          (n.params as PublishedDiagnostics).uri === widgetUri,
      );
      assert.deepEqual(
        (restored.params as PublishedDiagnostics).diagnostics.map((d) => d.code),
        ['kfree-instead-of-put'],
      );
      assert.equal((restored.params as PublishedDiagnostics).version, undefined);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('a burst of changes: the last version is published, never an older one after a newer, nothing after close', async () => {
    const dir = tempDir();
    const uri = pathToFileURL(join(dir, 'widget.c')).href;
    const client = new LspClient(['--stdio']);
    try {
      await client.initialize(pathToFileURL(dir).href, CAPABILITIES);
      open(client, uri, WIDGET_C);
      await client.diagnostics(uri, 1);
      // Ten one-character edits sent at once (as typed while the server was busy).
      for (let v = 2; v <= 11; v++) {
        client.notify('textDocument/didChange', {
          textDocument: { uri, version: v },
          contentChanges: [
            { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' },
          ],
        });
      }
      const last = await client.diagnostics(uri, 11);
      assert.deepEqual(
        last.diagnostics.map((d) => [d.code, d.range.start.line]),
        [['kfree-instead-of-put', KFREE_LINE]],
      );
      const versions = client.notifications
        .filter(
          (n) =>
            n.method === 'textDocument/publishDiagnostics' && (n.params as PublishedDiagnostics).uri === uri,
        )
        .map((n) => (n.params as PublishedDiagnostics).version!);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
        'versions only go up',
      );
      assert.ok(versions.length < 11, `the burst was coalesced: published ${versions.join(', ')}`);

      // Open then close at once: whatever the open's run published, the last word is the clearing one.
      const other = pathToFileURL(join(dir, 'other.c')).href;
      open(client, other, WIDGET_C);
      client.notify('textDocument/didClose', { textDocument: { uri: other } });
      await client.waitFor(
        (n) =>
          n.method === 'textDocument/publishDiagnostics' &&
          (n.params as PublishedDiagnostics).uri === other &&
          (n.params as PublishedDiagnostics).version === undefined,
        10_000,
        'the clearing publication',
      );
      // A pause and a round trip give any run or timer left over from the open its chance to publish.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await client.request('textDocument/hover', {
        textDocument: { uri },
        position: { line: 0, character: 0 },
      });
      const forOther = client.notifications
        .filter(
          (n) =>
            n.method === 'textDocument/publishDiagnostics' &&
            (n.params as PublishedDiagnostics).uri === other,
        )
        .map((n) => n.params as PublishedDiagnostics);
      assert.deepEqual(forOther.at(-1), { uri: other, diagnostics: [] }, 'nothing published after the close');
      assert.ok(forOther.length <= 2);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('a slow run announces itself before it starts; a quick one reports only its outcome', async () => {
    const dir = tempDir();
    const big = pathToFileURL(join(dir, 'big.c')).href;
    const small = pathToFileURL(join(dir, 'small.c')).href;
    const client = new LspClient(['--stdio']);
    const events = (uri: string): string[] =>
      client.notifications
        .filter((n) => (n.params as { uri?: string } | undefined)?.uri === uri)
        .map((n) =>
          n.method === 'kobjectLifetime/status'
            ? (n.params as { state: string }).state
            : n.method.split('/')[1]!,
        );
    try {
      await client.initialize(pathToFileURL(dir).href, CAPABILITIES);
      // Over 64 KB: a first analysis is expected to be slow.
      const text = Array.from({ length: 150 }, (_, i) =>
        WIDGET_C.replaceAll('acme_widget', `acme_widget${i}`),
      ).join('\n');
      open(client, big, text);
      open(client, small, WIDGET_C);
      assert.ok(text.length > 64 * 1024);
      assert.equal((await client.diagnostics(big, 1)).diagnostics.length, 150);
      await client.diagnostics(small, 1);
      await client.waitFor(
        (n) =>
          n.method === 'kobjectLifetime/status' &&
          (n.params as { uri: string; state: string }).uri === big &&
          (n.params as { state: string }).state === 'done',
      );
      assert.deepEqual(events(big).slice(0, 3), ['analyzing', 'publishDiagnostics', 'done']);
      assert.deepEqual(events(small).slice(0, 2), ['publishDiagnostics', 'done']);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('--node-ipc, as the VS Code client starts it', async () => {
    const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    try {
      const answer = new Promise<{ id: number; result: { capabilities: { hoverProvider: boolean } } }>(
        (resolve) =>
          child.on('message', (m: { id?: number; result?: unknown }) => {
            if (m.id === 1)
              resolve(m as { id: number; result: { capabilities: { hoverProvider: boolean } } });
          }),
      );
      child.send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { processId: null, rootUri: null, capabilities: {} },
      });
      const init = await answer;
      assert.equal(init.result.capabilities.hoverProvider, true);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.send({ jsonrpc: '2.0', id: 2, method: 'shutdown', params: null });
      child.send({ jsonrpc: '2.0', method: 'exit', params: null });
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });

  test('analyzeWorkspace of a large folder runs in worker threads', async () => {
    const dir = tempDir();
    for (let i = 0; i < 60; i++) writeFileSync(join(dir, `w${i}.c`), WIDGET_C);
    writeFileSync(join(dir, 'blob.c'), Buffer.from([0, 1, 2, 3, 0]));
    const client = new LspClient(['--stdio']);
    try {
      await client.initialize(pathToFileURL(dir).href, CAPABILITIES);
      open(
        client,
        pathToFileURL(join(dir, 'w7.c')).href,
        WIDGET_C.replace('kfree(w);', 'put_device(&w->dev);'),
      );
      const result = await client.request('kobjectLifetime/analyzeWorkspace', {
        folders: [pathToFileURL(dir).href],
      });
      // The open file counts with its editor text (fixed), the binary is skipped.
      assert.deepEqual(result, {
        files: 61,
        filesWithFindings: 59,
        findings: 59,
        skipped: 1,
        cancelled: false,
      });
      const published = await client.diagnostics(pathToFileURL(join(dir, 'w42.c')).href);
      assert.deepEqual(
        published.diagnostics.map((d) => d.code),
        ['kfree-instead-of-put'],
      );
      const logged = (re: RegExp): boolean =>
        client.notifications.some(
          (n) => n.method === 'window/logMessage' && re.test((n.params as { message: string }).message),
        );
      assert.ok(logged(/analyze workspace: 60 files in \d+ worker threads/));
      assert.ok(logged(/blob\.c: skipped: binary file/));
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });

  test('analyzeWorkspace can be cancelled', async () => {
    const dir = tempDir();
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `w${i}.c`), WIDGET_C);
    const client = new LspClient(['--stdio']);
    try {
      await client.initialize(pathToFileURL(dir).href, CAPABILITIES);
      const { id, result } = client.requestWithId<{ files: number; cancelled: boolean }>(
        'kobjectLifetime/analyzeWorkspace',
        { folders: [pathToFileURL(dir).href], workDoneToken: 'ws-cancel' },
      );
      // The first results come from worker threads starting cold: give a loaded machine time.
      await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics', 60_000);
      client.notify('$/cancelRequest', { id });
      const outcome = await result;
      assert.equal(outcome.cancelled, true);
      assert.ok(outcome.files < 300, `stopped after ${outcome.files} files`);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.kill();
    }
  });
});
