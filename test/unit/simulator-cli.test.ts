// `kobject-lifetime simulate` end to end: the real bundle, its exit codes, the JSON shape, the text
// trace (the same bytes as the golden file) and the usage errors.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers';

const CLI = join(ROOT, 'dist', 'cli.js');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ORIGINAL = 'examples/livepatch-2016/original/patch.c';

test('simulate: the 2016 race is exit 1 with the delayed release, exit 0 as it looked in 2016', () => {
  const bug = run('simulate', ORIGINAL, '--function', 'livepatch_exit', '--debug-kobject-release');
  assert.equal(bug.code, 1, bug.stderr);
  assert.equal(
    bug.stdout,
    readFileSync(join(ROOT, 'test', 'golden', 'livepatch-original-delayed.trace'), 'utf8'),
  );
  const calm = run('simulate', ORIGINAL, '--function', 'livepatch_exit', '--no-sysfs-reader');
  assert.equal(calm.code, 0, calm.stdout);
  assert.equal(
    calm.stdout,
    readFileSync(join(ROOT, 'test', 'golden', 'livepatch-original-2016-view.trace'), 'utf8'),
  );
});

test('simulate --format json: the Simulation shape, selected by --line', () => {
  const r = run('simulate', ORIGINAL, '--line', '21', '--format', 'json', '--debug-kobject-release');
  assert.equal(r.code, 1, r.stderr);
  const sim = JSON.parse(r.stdout);
  assert.equal(sim.version, 1);
  assert.equal(sim.function, 'livepatch_exit');
  assert.equal(sim.file, ORIGINAL);
  assert.equal(sim.scenario, 'module');
  assert.deepEqual(sim.options, { debugKobjectRelease: true, sysfsReader: true, moduleUnload: true });
  for (const p of sim.paths) {
    assert.ok(
      Array.isArray(p.conditions) && ['ok', 'bug'].includes(p.verdict) && typeof p.folded === 'number',
    );
    for (const s of p.steps) {
      assert.equal(typeof s.line, 'number');
      assert.ok(['function', 'sysfs-reader', 'release-worker', 'module-loader'].includes(s.actor));
      assert.equal(typeof s.event, 'string');
      assert.ok(Array.isArray(s.snapshot));
    }
    for (const v of p.violations) for (const k of ['kind', 'line', 'actor', 'message']) assert.ok(k in v);
  }
  assert.ok(
    sim.paths.some((p: { violations: { kind: string }[] }) =>
      p.violations.some((v) => v.kind === 'use-after-free'),
    ),
  );
});

test('simulate: usage and I/O errors exit 2 with one line', () => {
  const cases: [string[], RegExp][] = [
    [['simulate'], /needs a FILE/],
    [['simulate', ORIGINAL], /--function NAME or --line N/],
    [['simulate', ORIGINAL, '--function', 'x', '--line', '3'], /not both/],
    [['simulate', ORIGINAL, '--line', 'zero'], /positive whole number/],
    [['simulate', ORIGINAL, '--function', 'nope'], /no function named 'nope'/],
    [['simulate', ORIGINAL, '--line', '1'], /not inside a function/],
    [['simulate', 'no-such-file.c', '--function', 'f'], /no such file or directory: no-such-file.c/],
    [
      ['simulate', ORIGINAL, '--function', 'livepatch_exit', '--format', 'sarif'],
      /simulate prints text or json/,
    ],
    [['simulate', ORIGINAL, '--function', 'livepatch_exit', '--bogus'], /unknown option: --bogus/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('simulate: a binary or unparsable file is an error or a partial answer, never a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-sim-'));
  writeFileSync(join(dir, 'bin.c'), Buffer.from([0x7f, 0x45, 0, 0, 1, 2]));
  const bin = run('simulate', join(dir, 'bin.c'), '--function', 'f');
  assert.equal(bin.code, 2);
  assert.match(bin.stderr, /not a text file/);
  writeFileSync(join(dir, 'broken.c'), 'void f(struct kobject *k)\n{\n\tkobject_put(k;\n\tif (\n}\n');
  const broken = run('simulate', join(dir, 'broken.c'), '--function', 'f');
  assert.ok(broken.code === 0 || broken.code === 1 || broken.code === 2, broken.stderr);
  assert.doesNotMatch(broken.stderr, /internal error|at .*\.js:/);
});
