// One build for every bundle. Node bundles are CommonJS; web-tree-sitter's CJS build needs no
// import.meta.url, and its .wasm files are copied beside the bundles and loaded by explicit path.
// Entries whose source file does not exist are skipped, so a folder can be added in its own commit.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
// dist/test/ is rebuilt from scratch so that a deleted test file leaves no stale bundle behind.
rmSync('dist/test', { recursive: true, force: true });
rmSync('dist/test-vscode', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
for (const [from, to] of [
  ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm'],
  ['node_modules/tree-sitter-c/tree-sitter-c.wasm', 'dist/tree-sitter-c.wasm'],
]) {
  copyFileSync(from, to);
}

const present = (entries) =>
  Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
const testsIn = (dir, suffix) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(suffix))
        .map((f) => `${dir}/${f}`)
    : [];

const nodeBundles = {
  entryPoints: present({
    cli: 'src/cli/main.ts',
    server: 'src/server/main.ts',
    extension: 'src/extension/main.ts',
  }),
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

// The panel's script runs in the webview (a browser): one IIFE, no Node.
const webviewBundle = {
  entryPoints: present({ webview: 'src/webview/main.ts' }),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  outdir: 'dist',
  sourcemap: true,
  logLevel: 'warning',
};

// Tests are TypeScript too: each test file becomes its own bundle under dist/test/ for `node --test`.
const testBundles = {
  ...nodeBundles,
  entryPoints: testsIn('test/unit', '.test.ts'),
  outdir: 'dist/test',
  sourcemap: 'inline',
};

// The suite that runs inside a real VS Code extension host (code-server or @vscode/test-electron).
const vscodeTestBundles = {
  ...nodeBundles,
  entryPoints: testsIn('test/vscode/suite', '.ts'),
  outdir: 'dist/test-vscode',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
};

const all = [nodeBundles, webviewBundle, testBundles, vscodeTestBundles].filter(
  (b) => Object.keys(b.entryPoints).length > 0,
);
if (watch) {
  for (const b of all) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(all.map((b) => esbuild.build(b)));
}
