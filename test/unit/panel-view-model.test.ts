// The simulator panel's view model: badges, lanes, sequence rows, refcount charts, selection and the
// matching of quick fixes to violations, from a hand-written simulation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickFix, RULES_FOR_KIND, type FixCandidate } from '../../src/extension/panel-fixes';
import type { SimViolationKind } from '../../src/protocol/simulation';
import {
  chartGeometry,
  explainViolation,
  lanes,
  moveStep,
  objectRows,
  pathBadge,
  pathKey,
  pathTitle,
  reconcileSelection,
  refcountSeries,
  sequenceRows,
  stepKey,
  summary,
} from '../../src/webview/view-model';
import { sampleSimulation } from './panel-sample';

test('badges name the first violation; ok paths say ok', () => {
  const sim = sampleSimulation();
  assert.deepEqual(
    sim.paths.map((p) => pathBadge(p).label),
    ['ok', 'use-after-free'],
  );
  const twice = { ...sim.paths[1]!, violations: [...sim.paths[1]!.violations] };
  twice.violations.push({ ...twice.violations[0]!, kind: 'leak' });
  assert.equal(pathBadge(twice).label, 'use-after-free +1');
  assert.equal(pathBadge(twice).description, 'bug: use-after-free, leak');
  assert.equal(summary(sim), '2 paths: 1 with a bug, 1 ok');
  assert.equal(pathTitle(sim.paths[0]!), 'kobject_init_and_add() fails');
  assert.equal(pathTitle({ ...sim.paths[0]!, conditions: [] }), 'the only path');
});

test('one lane per actor on the path, in a fixed order, the function first', () => {
  const sim = sampleSimulation();
  assert.deepEqual(
    lanes(sim, sim.paths[1]!).map((l) => l.label),
    ['patch_exit()', 'sysfs reader', 'release worker', 'module loader'],
  );
  assert.deepEqual(
    lanes(sim, sim.paths[0]!).map((l) => l.actor),
    ['function'],
  );
});

test('sequence rows: lane, where, time, state change and violations per step', () => {
  const sim = sampleSimulation();
  const rows = sequenceRows(sim, sim.paths[1]!);
  assert.equal(rows.length, 5);
  assert.deepEqual(
    rows.map((r) => r.lane),
    [0, 0, 3, 1, 2],
  );
  assert.equal(rows[1]!.change, 'patch: refcount 1 → 0, release pending');
  assert.equal(rows[0]!.change, 'patch: refcount 1, in sysfs');
  assert.equal(rows[2]!.where, '');
  assert.equal(rows[4]!.where, 'line 12 of other.c');
  assert.equal(rows[4]!.time, '+2000 ms');
  assert.deepEqual(
    rows.map((r) => r.violations.length),
    [0, 0, 0, 1, 0],
  );
});

test('refcount series and step-chart geometry follow the snapshots', () => {
  const sim = sampleSimulation();
  const [series] = refcountSeries(sim, sim.paths[1]!);
  assert.ok(series);
  assert.deepEqual(
    series.points.map((p) => p.refcount),
    [1, 0, 0, 0, 0],
  );
  assert.equal(series.points[4]!.freed, true);
  assert.equal(series.max, 1);
  const g = chartGeometry(series, 5, 108, 28);
  // 5 columns of 20 units after a 4-unit pad; count 1 at the top (y=4), 0 at the bottom (y=24).
  assert.deepEqual(g.xs, [14, 34, 54, 74, 94]);
  assert.equal(g.y(1), 4);
  assert.equal(g.y(0), 24);
  assert.equal(g.d, 'M4,4H24L24,24H44L44,24H64L64,24H84L84,24H104');
});

test('object rows describe the state after the selected step', () => {
  const sim = sampleSimulation();
  assert.deepEqual(objectRows(sim, sim.paths[1]!, 1)[0], {
    name: 'patch',
    type: 'struct klp_patch',
    refcount: '0',
    state: 'initialized, in sysfs, name allocated, release pending',
    memory: 'heap',
    release: 'patch_release',
  });
  assert.equal(objectRows(sim, sim.paths[1]!, 4)[0]!.state, 'freed');
});

test('a violation is explained with its actor, line and step', () => {
  const sim = sampleSimulation();
  const path = sim.paths[1]!;
  assert.deepEqual(explainViolation(sim, path, path.violations[0]!), {
    title: 'use-after-free on patch',
    message: 'enabled_show() runs in the unloaded module.',
    where: 'sysfs reader, line 20: reads enabled → enabled_show()',
    step: 3,
  });
});

test('selection: a new function opens on the first bug at its violation; the same function keeps it', () => {
  const sim = sampleSimulation();
  assert.deepEqual(reconcileSelection(sim, {}), { path: 1, step: 3 });
  assert.deepEqual(reconcileSelection(sim, { function: 'other', path: 0, step: 1 }), { path: 1, step: 3 });
  // Same function: the path is found by its conditions even when it moved, the step is clamped.
  const key = pathKey(sim.paths[0]!);
  assert.deepEqual(reconcileSelection(sim, { function: 'patch_exit', pathKey: key, path: 1, step: 9 }), {
    path: 0,
    step: 1,
  });
  assert.deepEqual(reconcileSelection(sim, { function: 'patch_exit', path: 7, step: 2 }), {
    path: 1,
    step: 2,
  });
  const allOk = { ...sim, paths: [sim.paths[0]!] };
  assert.deepEqual(reconcileSelection(allOk, {}), { path: 0, step: 0 });
});

test('keys step through: arrows, j/k, Home/End, clamped at both ends', () => {
  assert.equal(stepKey('ArrowRight'), 'next');
  assert.equal(stepKey('j'), 'next');
  assert.equal(stepKey('k'), 'prev');
  assert.equal(stepKey('x'), undefined);
  assert.equal(moveStep(0, 5, 'prev'), 0);
  assert.equal(moveStep(4, 5, 'next'), 4);
  assert.equal(moveStep(2, 5, 'first'), 0);
  assert.equal(moveStep(2, 5, 'last'), 4);
});

test('quick fixes: the safe fix of a matching rule on the violating line, else on a line of the path', () => {
  const sim = sampleSimulation();
  const path = sim.paths[1]!;
  const v = path.violations[0]!;
  const c = (rule: string, line: number, preferred = true): FixCandidate<string> => ({
    rule,
    startLine: line,
    endLine: line,
    preferred,
    action: `${rule}@${line}`,
  });
  // The race is reported at the put (line 52), the crash is the reader (line 20).
  assert.equal(pickFix(path, v, sim.file, [c('module-unload-race', 52)])?.action, 'module-unload-race@52');
  assert.equal(pickFix(path, v, sim.file, [c('module-unload-race', 52, false)]), undefined);
  assert.equal(pickFix(path, v, sim.file, [c('missing-put-on-error', 52)]), undefined);
  assert.equal(pickFix(path, v, sim.file, [c('use-after-put', 99)]), undefined);
  assert.equal(
    pickFix(path, v, sim.file, [c('module-unload-race', 52), c('use-after-put', 20)])?.action,
    'use-after-put@20',
  );
  // Every violation kind maps to at least one rule.
  for (const kind of Object.keys(RULES_FOR_KIND) as SimViolationKind[])
    assert.ok(RULES_FOR_KIND[kind].length > 0);
});
