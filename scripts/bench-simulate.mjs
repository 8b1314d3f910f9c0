#!/usr/bin/env node
// Simulator benchmark: simulates every function of drivers/base/core.c of a kernel tree (given as the
// first argument or KERNEL_TREE) with the other files of drivers/base as neighbours, and prints the
// time per function (p50, p95, max). Needs `npm run build` first (it loads dist/cli.js's wasm files).
//   node scripts/bench-simulate.mjs /path/to/linux
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tree = process.argv[2] ?? process.env.KERNEL_TREE;
if (!tree) {
  process.stderr.write('usage: node scripts/bench-simulate.mjs KERNEL_TREE (or set KERNEL_TREE)\n');
  process.exit(2);
}
const rel = process.argv[3] ?? 'drivers/base/core.c';
const file = join(tree, rel);

// Bundle the simulator on the fly (it is not a dist entry point of its own).
const out = join(root, 'dist', 'bench-simulator.cjs');
await build({
  entryPoints: [join(root, 'src', 'simulator', 'index.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: out,
  logLevel: 'error',
  // web-tree-sitter reads import.meta.url, which is empty in CommonJS (as in esbuild.mjs).
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
const { createRequire } = await import('node:module');
const { createSimulator } = createRequire(import.meta.url)(out);

const simulator = await createSimulator({
  runtime: readFileSync(join(root, 'dist', 'web-tree-sitter.wasm')),
  grammar: readFileSync(join(root, 'dist', 'tree-sitter-c.wasm')),
});
const text = readFileSync(file, 'utf8');
const dir = dirname(file);
const neighbours = readdirSync(dir)
  .filter((n) => /\.[ch]$/.test(n) && join(dir, n) !== file)
  .sort()
  .map((n) => ({ file: join(dir, n), text: readFileSync(join(dir, n), 'utf8') }));
const options = { debugKobjectRelease: true, sysfsReader: true, moduleUnload: true };

// The first call parses the file and its neighbours (cached afterwards, as in the editor).
let t = performance.now();
const all = simulator.functions(text, { all: true });
const lifetime = new Set(simulator.functions(text).map((f) => f.name));
simulator.simulate({ file, text, function: all[0].name, options, neighbours });
const warm = performance.now() - t;

const times = [];
let bugs = 0;
let failed = 0;
let truncated = 0;
for (const fn of all) {
  t = performance.now();
  const r = simulator.simulate({ file, text, function: fn.name, options, neighbours });
  times.push({ ms: performance.now() - t, name: fn.name, lifetime: lifetime.has(fn.name) });
  if (!r.ok) failed++;
  else {
    if (r.simulation.paths.some((p) => p.verdict === 'bug')) bugs++;
    if (r.simulation.truncated) truncated++;
  }
}
const ms = (x) => `${x.toFixed(1)} ms`;
const figures = (list) => {
  const sorted = [...list].sort((a, b) => a.ms - b.ms);
  const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].ms;
  const max = sorted.at(-1);
  return `p50 ${ms(pick(0.5))}, p95 ${ms(pick(0.95))}, max ${ms(max.ms)} (${max.name})`;
};
process.stdout.write(
  `${rel}: ${times.length} functions simulated (${neighbours.length} neighbour files), ` +
    `first call with parsing ${ms(warm)}\n` +
    `every function:                 ${figures(times)}\n` +
    `functions calling a lifetime API (${lifetime.size}): ${figures(times.filter((x) => x.lifetime))}\n` +
    `${bugs} with a violation on some path, ${truncated} truncated, ${failed} errors\n`,
);
