// `npm run test:vscode`: every test in a real VS Code (code-server + headless Chromium) — the
// extension-host suite, then each UI scenario (test/e2e/ui*.mjs) — one process each, one after the
// other, with their times; the exit code is non-zero if any failed.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer, SetupError } from '../../scripts/code-server.mjs';
import { elapsed, log, ROOT } from './workbench.mjs';

const dir = join(ROOT, 'test', 'e2e');
const runs = [
  'run-exthost.mjs',
  ...readdirSync(dir)
    .filter((f) => /^ui.*\.mjs$/.test(f))
    .sort(),
];

try {
  const t = Date.now();
  ensureCodeServer();
  log(`code-server ready (${elapsed(t)})`);
} catch (e) {
  process.stderr.write(`${e instanceof SetupError ? e.message : e.stack}\n`);
  process.exit(1);
}

const started = Date.now();
const results = [];
for (const file of runs) {
  const t = Date.now();
  log(`── ${file}`);
  const r = spawnSync(process.execPath, [join(dir, file)], { stdio: 'inherit', cwd: ROOT });
  results.push({ file, ok: r.status === 0, time: elapsed(t) });
}
log(`── e2e summary (${elapsed(started)}):`);
for (const r of results) log(`   ${r.ok ? 'pass' : 'FAIL'}  ${r.file}  ${r.time}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
