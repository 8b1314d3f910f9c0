// What the simulator panel shows, computed from a Simulation without touching the DOM: badges, lanes,
// the rows of the sequence diagram, refcount step charts and the selection rules. Node tests import it.
import {
  ACTORS,
  type Actor,
  type ObjectState,
  type SimPath,
  type SimStep,
  type SimViolation,
  type SimViolationKind,
  type Simulation,
} from '../protocol/simulation';

export type BadgeKind = 'ok' | SimViolationKind;

export interface Badge {
  kind: BadgeKind;
  /** Short words for the badge ("use-after-free", "ok"); more than one kind adds "+N". */
  label: string;
  /** The full sentence for screen readers and tooltips. */
  description: string;
}

const KIND_WORDS: Record<SimViolationKind, string> = {
  'use-after-free': 'use-after-free',
  'double-free': 'double free',
  leak: 'leak',
  'put-uninitialized': 'put before init',
  'missing-release': 'no release',
  'free-while-referenced': 'freed while referenced',
  'use-after-put': 'use after put',
};

export function kindLabel(kind: BadgeKind): string {
  return kind === 'ok' ? 'ok' : KIND_WORDS[kind];
}

/** The verdict of a path as a badge: its first violation names it. */
export function pathBadge(path: SimPath): Badge {
  const kinds = [...new Set(path.violations.map((v) => v.kind))];
  const first = kinds[0];
  if (path.verdict === 'ok' || first === undefined) {
    return { kind: 'ok', label: 'ok', description: 'ok: no lifetime violation on this path' };
  }
  const label = kinds.length > 1 ? `${kindLabel(first)} +${kinds.length - 1}` : kindLabel(first);
  return { kind: first, label, description: `bug: ${kinds.map(kindLabel).join(', ')}` };
}

/** The path's conditions as one line ("device_register() fails ∧ kzalloc() succeeds"). */
export function pathTitle(path: SimPath): string {
  return path.conditions.length > 0 ? path.conditions.join(' ∧ ') : 'the only path';
}

/** A stable key for a path across re-runs (indices may shift when the code changes). */
export function pathKey(path: SimPath): string {
  return path.conditions.join('\u0000');
}

export interface Lane {
  actor: Actor;
  label: string;
}

export function actorLabel(actor: Actor, functionName: string): string {
  switch (actor) {
    case 'function':
      return `${functionName}()`;
    case 'sysfs-reader':
      return 'sysfs reader';
    case 'release-worker':
      return 'release worker';
    case 'module-loader':
      return 'module loader';
  }
}

/** One lane per actor that acts on the path, in a fixed order; the function's lane is always there. */
export function lanes(sim: Simulation, path: SimPath): Lane[] {
  const present = new Set<Actor>(['function', ...path.steps.map((s) => s.actor)]);
  return ACTORS.filter((a) => present.has(a)).map((actor) => ({
    actor,
    label: actorLabel(actor, sim.function),
  }));
}

export interface SequenceRow {
  step: number;
  lane: number;
  actor: Actor;
  event: string;
  /** "line 42", "line 7 of foo.c", or "" when the step has no line. */
  where: string;
  /** "+1200 ms" when the step is timed. */
  time: string;
  /** What happened to the step's object ("p: refcount 1 → 0, released"), "" when nothing visible. */
  change: string;
  /** Violations raised at this step. */
  violations: SimViolation[];
}

export function objectName(sim: Simulation, id: string | undefined): string {
  if (id === undefined) return '';
  return sim.objects.find((o) => o.id === id)?.name ?? id;
}

export function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] ?? file;
}

export function stepWhere(sim: Simulation, step: SimStep): string {
  if (step.line <= 0) return '';
  if (step.file !== undefined && step.file !== sim.file) return `line ${step.line} of ${baseName(step.file)}`;
  return `line ${step.line}`;
}

/** The object's state a step left behind, compared with the step before. */
function stateChange(sim: Simulation, path: SimPath, index: number): string {
  const step = path.steps[index];
  if (step === undefined || step.object === undefined) return '';
  const name = objectName(sim, step.object);
  const before =
    index > 0 ? path.steps[index - 1]?.snapshot.find((s) => s.object === step.object) : undefined;
  const after = step.snapshot.find((s) => s.object === step.object);
  const parts: string[] = [];
  const refAfter = step.refcount ?? after?.refcount;
  if (refAfter !== undefined) {
    parts.push(
      before !== undefined && before.refcount !== refAfter
        ? `refcount ${before.refcount} → ${refAfter}`
        : `refcount ${refAfter}`,
    );
  }
  if (step.state !== undefined && step.state !== '') parts.push(step.state);
  return parts.length > 0 ? `${name}: ${parts.join(', ')}` : name;
}

export function sequenceRows(sim: Simulation, path: SimPath): SequenceRow[] {
  const laneOf = new Map(lanes(sim, path).map((l, i) => [l.actor, i]));
  return path.steps.map((step, i) => ({
    step: i,
    lane: laneOf.get(step.actor) ?? 0,
    actor: step.actor,
    event: step.event,
    where: stepWhere(sim, step),
    time: step.time !== undefined ? `+${step.time} ms` : '',
    change: stateChange(sim, path, i),
    violations: path.violations.filter((v) => v.step === i),
  }));
}

export interface ChartPoint {
  step: number;
  refcount: number;
  /** The object was freed (its memory is gone) after this step. */
  freed: boolean;
  released: boolean;
}

export interface RefcountSeries {
  object: string;
  name: string;
  points: ChartPoint[];
  max: number;
}

/** One refcount step chart per object: the count after each step, from the steps' snapshots. */
export function refcountSeries(sim: Simulation, path: SimPath): RefcountSeries[] {
  return sim.objects.map((o) => {
    const points: ChartPoint[] = [];
    for (const [i, step] of path.steps.entries()) {
      const s = step.snapshot.find((x) => x.object === o.id);
      if (s !== undefined)
        points.push({ step: i, refcount: s.refcount, freed: s.freed, released: s.released });
    }
    return { object: o.id, name: o.name, points, max: Math.max(1, ...points.map((p) => p.refcount)) };
  });
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** SVG path data of the step line. */
  d: string;
  /** x of the middle of each step's column, for the cursor and the axis. */
  xs: number[];
  /** y of each refcount value 0..max. */
  y: (refcount: number) => number;
}

/** Lays a series out as a step chart: one column per step, the line holds each count over its column. */
export function chartGeometry(
  series: RefcountSeries,
  steps: number,
  width: number,
  height: number,
): ChartGeometry {
  const pad = 4;
  const column = steps > 0 ? (width - 2 * pad) / steps : 0;
  const xs = Array.from({ length: steps }, (_, i) => pad + column * (i + 0.5));
  const y = (refcount: number): number => height - pad - ((height - 2 * pad) * refcount) / series.max;
  let d = '';
  for (const p of series.points) {
    const x0 = pad + column * p.step;
    const x1 = x0 + column;
    d += `${d === '' ? 'M' : 'L'}${round(x0)},${round(y(p.refcount))}H${round(x1)}`;
  }
  return { width, height, d, xs, y };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface ObjectRow {
  name: string;
  type: string;
  refcount: string;
  /** The state in words: "initialized, in sysfs, release pending". */
  state: string;
  memory: string;
  release: string;
}

export function describeState(s: ObjectState): string {
  if (s.freed) return 'freed';
  const words: string[] = [];
  words.push(s.initialized ? 'initialized' : 'not initialized');
  if (s.inSysfs) words.push('in sysfs');
  if (s.nameAllocated) words.push('name allocated');
  if (s.releasePending) words.push('release pending');
  if (s.released) words.push('released');
  return words.join(', ');
}

/** Every object's state after the given step. */
export function objectRows(sim: Simulation, path: SimPath, step: number): ObjectRow[] {
  const snapshot = path.steps[step]?.snapshot ?? [];
  return sim.objects.map((o) => {
    const s = snapshot.find((x) => x.object === o.id);
    return {
      name: o.name,
      type: o.type ?? o.kind,
      refcount: s === undefined ? '–' : String(s.refcount),
      state: s === undefined ? 'not yet created' : describeState(s),
      memory: o.memory,
      release: o.release ?? '',
    };
  });
}

export interface ViolationView {
  title: string;
  message: string;
  /** "sysfs reader, line 57: reads …/enabled → enabled_show()". */
  where: string;
  step: number;
}

export function explainViolation(sim: Simulation, path: SimPath, v: SimViolation): ViolationView {
  const step = path.steps[v.step];
  const line =
    v.line > 0
      ? v.file !== undefined && v.file !== sim.file
        ? `line ${v.line} of ${baseName(v.file)}`
        : `line ${v.line}`
      : '';
  const bits = [actorLabel(v.actor, sim.function), line].filter((b) => b !== '');
  const object = v.object !== undefined ? ` on ${objectName(sim, v.object)}` : '';
  return {
    title: `${kindLabel(v.kind)}${object}`,
    message: v.message,
    where: `${bits.join(', ')}${step !== undefined ? `: ${step.event}` : ''}`,
    step: v.step,
  };
}

export interface Selection {
  path: number;
  step: number;
}

/**
 * Where the selection goes after a new result. The same function keeps the selected path (found by its
 * conditions, else by index) and the step (clamped); otherwise the first path with a bug is selected
 * at its violation, so the panel opens on what is wrong.
 */
export function reconcileSelection(
  sim: Simulation,
  previous: { function?: string; pathKey?: string; path?: number; step?: number },
): Selection {
  if (sim.paths.length === 0) return { path: 0, step: 0 };
  if (previous.function === sim.function && previous.path !== undefined) {
    let path = sim.paths.findIndex((p) => previous.pathKey !== undefined && pathKey(p) === previous.pathKey);
    if (path < 0) path = Math.min(Math.max(previous.path, 0), sim.paths.length - 1);
    const steps = sim.paths[path]?.steps.length ?? 0;
    return { path, step: clamp(previous.step ?? 0, steps) };
  }
  const bug = sim.paths.findIndex((p) => p.verdict === 'bug');
  if (bug < 0) return { path: 0, step: 0 };
  const v = sim.paths[bug]?.violations[0];
  return { path: bug, step: clamp(v?.step ?? 0, sim.paths[bug]?.steps.length ?? 0) };
}

export function clamp(step: number, steps: number): number {
  if (steps <= 0) return 0;
  return Math.min(Math.max(Math.trunc(step), 0), steps - 1);
}

export type StepKey = 'prev' | 'next' | 'first' | 'last';

/** Keyboard stepping: ←/k previous, →/j next, Home/End first/last. */
export function stepKey(key: string): StepKey | undefined {
  switch (key) {
    case 'ArrowLeft':
    case 'k':
      return 'prev';
    case 'ArrowRight':
    case 'j':
      return 'next';
    case 'Home':
      return 'first';
    case 'End':
      return 'last';
    default:
      return undefined;
  }
}

export function moveStep(step: number, steps: number, key: StepKey): number {
  switch (key) {
    case 'prev':
      return clamp(step - 1, steps);
    case 'next':
      return clamp(step + 1, steps);
    case 'first':
      return 0;
    case 'last':
      return clamp(steps - 1, steps);
  }
}

/** Counts for the header: "3 paths: 1 bug, 2 ok". */
export function summary(sim: Simulation): string {
  const bugs = sim.paths.filter((p) => p.verdict === 'bug').length;
  const n = sim.paths.length;
  return `${n} path${n === 1 ? '' : 's'}: ${bugs} with a bug, ${n - bugs} ok`;
}
