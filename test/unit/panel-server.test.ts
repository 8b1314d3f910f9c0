// The server side of the panel: CodeLenses from the simulator's function list, the folder's other
// files as neighbours, and SIMULATE_REQUEST answered with the real simulator on the 2016 showcase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMMANDS } from '../../src/protocol/requests';
import { DEFAULT_SIMULATION_OPTIONS } from '../../src/protocol/simulation';
import {
  fileOfUri,
  LENS_TITLE,
  MAX_NEIGHBOURS,
  provideCodeLenses,
  provideSimulation,
  readNeighbours,
} from '../../src/server/simulate';
import { createSimulator, type Simulator } from '../../src/simulator';
import { ROOT } from './helpers';

let simulator: Promise<Simulator> | undefined;
const load = (): Promise<Simulator> =>
  (simulator ??= createSimulator({
    runtime: readFileSync(join(ROOT, 'dist', 'web-tree-sitter.wasm')),
    grammar: readFileSync(join(ROOT, 'dist', 'tree-sitter-c.wasm')),
  }));

test('one "Simulate lifecycle" lens per function, on its first line, calling the simulate command', () => {
  const lenses = provideCodeLenses('file:///x/a.c', [
    { name: 'a_init', startLine: 14, endLine: 17 },
    { name: 'a_exit', startLine: 19, endLine: 22 },
  ]);
  assert.deepEqual(
    lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments]),
    [
      [13, LENS_TITLE, COMMANDS.simulate, ['file:///x/a.c', 13]],
      [18, LENS_TITLE, COMMANDS.simulate, ['file:///x/a.c', 18]],
    ],
  );
});

test('neighbours: the other .c/.h files of the folder, open text first, big and hidden files left out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'panel-neighbours-'));
  try {
    writeFileSync(join(dir, 'main.c'), 'int main_fn(void);');
    writeFileSync(join(dir, 'b.c'), 'int b_on_disk;');
    writeFileSync(join(dir, 'a.h'), 'int a;');
    writeFileSync(join(dir, 'big.c'), 'x'.repeat(200));
    writeFileSync(join(dir, '.hidden.c'), 'int h;');
    writeFileSync(join(dir, 'notes.txt'), 'not C');
    mkdirSync(join(dir, 'sub.c'));
    const open = (f: string): string | undefined => (f === join(dir, 'b.c') ? 'int b_in_editor;' : undefined);
    const got = readNeighbours(join(dir, 'main.c'), open, 100);
    assert.deepEqual(
      got.map((n) => [n.file, n.text]),
      [
        [join(dir, 'a.h'), 'int a;'],
        [join(dir, 'b.c'), 'int b_in_editor;'],
      ],
    );
    for (let i = 0; i < MAX_NEIGHBOURS + 5; i++)
      writeFileSync(join(dir, `n${String(i).padStart(3, '0')}.c`), '');
    assert.equal(readNeighbours(join(dir, 'main.c'), () => undefined, 100).length, MAX_NEIGHBOURS);
    assert.deepEqual(
      readNeighbours(join(dir, 'missing', 'x.c'), () => undefined, 100),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simulate: the 2016 livepatch exit is a use-after-free with delayed release, ok without it', async () => {
  const sim = await load();
  const file = join(ROOT, 'examples', 'livepatch-2016', 'original', 'patch.c');
  const uri = pathToFileURL(file).href;
  assert.equal(fileOfUri(uri), file);
  const text = readFileSync(file, 'utf8');
  const exitLine = text.split('\n').findIndex((l) => l.includes('klp_unregister_patch('));
  assert.ok(exitLine > 0);
  const neighbours = readNeighbours(file, () => undefined, 1 << 20);
  assert.ok(neighbours.some((n) => n.file.endsWith('core.c')));
  const run = (debugKobjectRelease: boolean) =>
    provideSimulation(
      sim,
      { uri, line: exitLine, options: { ...DEFAULT_SIMULATION_OPTIONS, debugKobjectRelease } },
      { file, text },
      neighbours,
    );
  const delayed = run(true);
  assert.ok(delayed.ok, !delayed.ok ? delayed.error : '');
  assert.equal(delayed.simulation.function, 'livepatch_exit');
  assert.ok(delayed.simulation.paths.some((p) => p.violations.some((v) => v.kind === 'use-after-free')));
  const direct = run(false);
  assert.ok(direct.ok);
  assert.ok(direct.simulation.paths.every((p) => p.verdict === 'ok'));
  // By name, too; and an unknown name is an answer, not an exception.
  const byName = provideSimulation(
    sim,
    { uri, function: 'livepatch_exit', options: DEFAULT_SIMULATION_OPTIONS },
    { file, text },
    neighbours,
  );
  assert.ok(byName.ok);
  const missing = provideSimulation(
    sim,
    { uri, function: 'no_such_fn', options: DEFAULT_SIMULATION_OPTIONS },
    { file, text },
    [],
  );
  assert.equal(missing.ok, false);
});

test('lenses for the showcase: one per function that uses a lifetime API or is a module entry', async () => {
  const sim = await load();
  const file = join(ROOT, 'examples', 'livepatch-2016', 'original', 'patch.c');
  const names = sim.functions(readFileSync(file, 'utf8')).map((f) => f.name);
  assert.deepEqual(names, ['livepatch_init', 'livepatch_exit']);
});
