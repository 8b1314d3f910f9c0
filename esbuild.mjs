// One build for every bundle. Node bundles are CommonJS; web-tree-sitter's CJS build needs no
// import.meta.url, and its .wasm files are copied beside the bundles and loaded by explicit path.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
// dist/test/ is rebuilt from scratch so that a deleted test file leaves no stale bundle behind.
rmSync('dist/test', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
for (const [from, to] of [
  ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm'],
  ['node_modules/tree-sitter-c/tree-sitter-c.wasm', 'dist/tree-sitter-c.wasm'],
]) {
  copyFileSync(from, to);
}

const nodeBundles = {
  entryPoints: { cli: 'src/cli/main.ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outdir: 'dist',
  sourcemap: true,
  external: ['vscode'],
  // web-tree-sitter's ESM build reads import.meta.url, which is empty in CommonJS: give it the bundle's URL.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

// Tests are TypeScript too: each test file becomes its own bundle under dist/test/ for `node --test`.
const testBundles = {
  ...nodeBundles,
  entryPoints: readdirSync('test/unit')
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `test/unit/${f}`),
  outdir: 'dist/test',
  sourcemap: 'inline',
};

if (watch) {
  const ctx = await esbuild.context(nodeBundles);
  await ctx.watch();
} else {
  await Promise.all([esbuild.build(nodeBundles), esbuild.build(testBundles)]);
}
