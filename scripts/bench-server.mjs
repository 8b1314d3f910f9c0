// Language-server benchmark on real kernel files, driven over stdio as an editor would.
//
//   npm run build && node scripts/bench-server.mjs <kernel-tree> [--edits 100] [--files 50]
//
// Prints, for drivers/base/core.c: the time from didOpen to the first publishDiagnostics (first
// analysis), then the time from each one-character didChange to the publishDiagnostics of that version
// (p50/p95/max over --edits edits at spread-out positions inside function bodies); then the server's
// resident memory after opening --files more C files of the tree. Figures go to docs/performance.md.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const tree = args.find((a) => !a.startsWith('--')) ?? process.env.KERNEL_TREE;
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const EDITS = opt('--edits', 100);
const FILES = opt('--files', 50);
if (!tree) {
  console.error('usage: node scripts/bench-server.mjs <kernel-tree> [--edits N] [--files N]');
  process.exit(2);
}

// ---------------------------------------------------------------------------------- a tiny client
/** A language server process and the few LSP messages the benchmark needs (Content-Length framing). */
function startServer() {
  const proc = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []),
      join(import.meta.dirname, '..', 'dist', 'server.js'),
      '--stdio',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map();
  const waiters = [];
  const send = (msg) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    proc.stdin.write(body);
  };
  const onMessage = (msg, at) => {
    if (msg.id !== undefined && pending.has(msg.id) && msg.method === undefined) {
      pending.get(msg.id)(msg.result);
      pending.delete(msg.id);
      return;
    }
    if (msg.id !== undefined && msg.method) {
      // Server → client requests (configuration, progress): answer with defaults.
      send({
        id: msg.id,
        result: msg.method === 'workspace/configuration' ? msg.params.items.map(() => null) : null,
      });
      return;
    }
    for (let i = 0; i < waiters.length; i++) {
      if (waiters[i].match(msg)) {
        waiters[i].resolve({ msg, at });
        waiters.splice(i, 1);
        return;
      }
    }
  };
  proc.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const head = buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, head).toString())[1]);
      if (buffer.length < head + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(head + 4, head + 4 + length).toString('utf8'));
      buffer = buffer.subarray(head + 4 + length);
      onMessage(msg, performance.now());
    }
  });
  const waitFor = (match) => new Promise((resolve) => waiters.push({ match, resolve }));
  return {
    pid: proc.pid,
    request(method, params) {
      const id = nextId++;
      send({ id, method, params });
      return new Promise((resolve) => pending.set(id, resolve));
    },
    notify: (method, params) => send({ method, params }),
    waitFor,
    diagnosticsOf: (uri, version) =>
      waitFor(
        (m) =>
          m.method === 'textDocument/publishDiagnostics' &&
          m.params.uri === uri &&
          (version === undefined || m.params.version === version),
      ),
    async initialize() {
      await this.request('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: {},
        workspaceFolders: null,
      });
      this.notify('initialized', {});
    },
    async stop() {
      await this.request('shutdown', null);
      this.notify('exit', null);
    },
  };
}

/** didOpen → the first publishDiagnostics of that document: [ms, findings]. */
async function openAndTime(server, path, text) {
  const uri = pathToFileURL(path).href;
  const done = server.diagnosticsOf(uri, 1);
  const t0 = performance.now();
  server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
  const { msg, at } = await done;
  return [at - t0, msg.params.diagnostics.length];
}

// ---------------------------------------------------------------------------------- the measurements
function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const ms = (x) => `${x.toFixed(1)} ms`;

const corePath = join(tree, 'drivers', 'base', 'core.c');
const text = readFileSync(corePath, 'utf8');
const uri = pathToFileURL(corePath).href;

// A cold server: the file arrives right after initialize (the first file of an editing session).
const cold = startServer();
await cold.initialize();
const [coldMs] = await openAndTime(cold, corePath, text);
await cold.stop();

// A server that has been idle long enough to warm up (it says so in its log), as for every later file.
const server = startServer();
const warmed = server.waitFor(
  (m) => m.method === 'window/logMessage' && /warm-up done/.test(m.params.message),
);
const t0 = performance.now();
await server.initialize();
const startRss = rss(server.pid);
const warmLine = (await warmed).msg.params.message;
const warmWait = performance.now() - t0;
const [firstMs, firstFindings] = await openAndTime(server, corePath, text);
let version = 1;

// Edit positions: the middle of lines inside function bodies (a tab-indented line), spread evenly.
const lines = text.split('\n');
const bodyLines = lines.map((l, i) => [l, i]).filter(([l]) => /^\t+\S/.test(l) && l.length > 8);
const times = [];
for (let k = 0; k < EDITS; k++) {
  // Pairs: insert a space, then delete it again, so the text stays the kernel's.
  const pairs = Math.ceil(EDITS / 2);
  const [line, row] = bodyLines[Math.floor(((Math.floor(k / 2) + 0.5) / pairs) * bodyLines.length)];
  const column = Math.floor(line.length / 2);
  const insert = k % 2 === 0;
  const at = (c) => ({ line: row, character: c });
  const change = insert
    ? { range: { start: at(column), end: at(column) }, text: ' ' }
    : { range: { start: at(column), end: at(column + 1) }, text: '' };
  version++;
  const done = server.diagnosticsOf(uri, version);
  const start = performance.now();
  server.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
  const { at: end } = await done;
  times.push(end - start);
}
times.sort((a, b) => a - b);

// 50 more files: the largest .c files under drivers/base, lib and kernel (real, lifetime-heavy code).
const candidates = [];
for (const dir of ['drivers/base', 'drivers/base/power', 'lib', 'kernel', 'fs/sysfs', 'drivers/usb/core']) {
  for (const f of readdirSync(join(tree, dir))) {
    const p = join(tree, dir, f);
    if (f.endsWith('.c') && p !== corePath && statSync(p).isFile()) candidates.push(p);
  }
}
candidates.sort((a, b) => statSync(b).size - statSync(a).size);
const opened = candidates.slice(0, FILES);
let bytes = 0;
const openStart = performance.now();
for (const p of opened) {
  const body = readFileSync(p, 'utf8');
  bytes += Buffer.byteLength(body);
  await openAndTime(server, p, body);
}
const openAllMs = performance.now() - openStart;
const rssBusy = rss(server.pid);
await new Promise((r) => setTimeout(r, Number(process.env.BENCH_REST_MS ?? 500)));
const afterRss = rss(server.pid);

console.log(`drivers/base/core.c (${(statSync(corePath).size / 1024).toFixed(0)} KB, ${lines.length} lines)`);
console.log(`  first analysis (didOpen → diagnostics), cold server: ${ms(coldMs)}`);
console.log(
  `  first analysis after the server's warm-up (${warmLine}; ready ${ms(warmWait)} after start): ` +
    `${ms(firstMs)} (${firstFindings} findings)`,
);
console.log(
  `  one-character edit → diagnostics, ${times.length} edits: p50 ${ms(percentile(times, 50))}, ` +
    `p95 ${ms(percentile(times, 95))}, max ${ms(times[times.length - 1])}`,
);
console.log(`server RSS: ${startRss.toFixed(0)} MB after initialize`);
console.log(
  `  ${ms(openAllMs)} to open and analyze ${opened.length} more files (${(bytes / 1024 / 1024).toFixed(1)} MB, ` +
    `e.g. ${opened
      .slice(0, 3)
      .map((p) => relative(tree, p))
      .join(
        ', ',
      )}); RSS ${rssBusy.toFixed(0)} MB at once, ${afterRss.toFixed(0)} MB after a rest, with ${opened.length + 1} files open`,
);

await server.stop();
