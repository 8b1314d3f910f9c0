// The lifecycle simulation as data: produced by src/simulator, printed by the CLI (`simulate --format
// json` is this shape), sent by the server to the extension (custom request) and from the extension to
// the panel (webview message). Plain JSON only: no classes, no functions, no Maps.
//
// Lines are 1-based (as printed by the CLI and shown to people); the panel converts for the editor.

/** Who acts in a step: the simulated function itself or one of the actors beside it. */
export type Actor = 'function' | 'sysfs-reader' | 'release-worker' | 'module-loader';

export const ACTORS: readonly Actor[] = ['function', 'sysfs-reader', 'release-worker', 'module-loader'];

/** Stable violation kinds (tests and the panel's badges key on these strings). */
export type SimViolationKind =
  | 'use-after-free'
  | 'double-free'
  | 'leak'
  | 'put-uninitialized'
  | 'missing-release'
  | 'free-while-referenced'
  | 'use-after-put';

/** Where an object's memory lives: decides who frees it and when it vanishes. */
export type MemoryKind = 'heap' | 'module-static' | 'static' | 'stack' | 'devm' | 'unknown';

export interface SimulationOptions {
  /** CONFIG_DEBUG_KOBJECT_RELEASE: cleanup runs 1–4 s after the last put, after everything else. */
  debugKobjectRelease: boolean;
  /** A concurrent reader opens/reads/writes the object's sysfs attributes while they are visible. */
  sysfsReader: boolean;
  /** The module is unloaded after module_exit returns (its data and code are gone). */
  moduleUnload: boolean;
}

export const DEFAULT_SIMULATION_OPTIONS: SimulationOptions = {
  debugKobjectRelease: true,
  sysfsReader: true,
  moduleUnload: true,
};

/** A tracked object: a container and its embedded kobject/device/kref, or a bare one. */
export interface SimObject {
  /** Stable id within the simulation (used by steps and snapshots). */
  id: string;
  /** The C expression that names it in the function (`p`, `&p->kobj`, `mod_patch`). */
  name: string;
  /** `struct foo` of the container when known. */
  type?: string;
  /** What carries the refcount. */
  kind: 'kobject' | 'device' | 'kref' | 'memory';
  memory: MemoryKind;
  /** The release callback that frees it, when resolved (`foo_release`). */
  release?: string;
}

/** An object's state after a step. */
export interface ObjectState {
  object: string;
  refcount: number;
  initialized: boolean;
  inSysfs: boolean;
  parent?: string;
  releasePending: boolean;
  released: boolean;
  freed: boolean;
  nameAllocated: boolean;
}

export interface SimStep {
  /** 0-based index in the path's step list. */
  index: number;
  /** 1-based source line the step comes from (0 when the step has no line, e.g. module unload). */
  line: number;
  /** The file the line is in, when it is not the simulated file (a callee or callback elsewhere). */
  file?: string;
  actor: Actor;
  /** What happens, in words: "kobject_put(&p->kobj)", "reads /sys/.../enabled → enabled_show()". */
  event: string;
  /** The object the step acts on, when it acts on one (an id from `objects`). */
  object?: string;
  /** That object's refcount after the step. */
  refcount?: number;
  /** That object's state after the step, in a few words ("in sysfs", "released", "freed"). */
  state?: string;
  /** Simulated time in ms when it matters (the delayed release runs 1000–4000 ms later). */
  time?: number;
  /** Every object's state after this step (the panel's object view and refcount chart). */
  snapshot: ObjectState[];
}

export interface SimViolation {
  kind: SimViolationKind;
  /** 1-based line of the step that goes wrong. */
  line: number;
  file?: string;
  actor: Actor;
  /** Index of that step in the path's steps. */
  step: number;
  object?: string;
  /** One sentence: what goes wrong and why. */
  message: string;
}

export interface SimPath {
  /** "device_register() fails", "kzalloc() returns NULL", "loop runs 0 times". */
  conditions: string[];
  verdict: 'ok' | 'bug';
  /** How many other paths led to the same object states and were folded into this one. */
  folded: number;
  steps: SimStep[];
  violations: SimViolation[];
}

export interface Simulation {
  version: 1;
  function: string;
  file: string;
  /** 1-based first and last line of the simulated function. */
  startLine: number;
  endLine: number;
  options: SimulationOptions;
  /** What was simulated: the function alone, or the module's life (init → activity → exit → unload). */
  scenario: 'function' | 'module';
  objects: SimObject[];
  paths: SimPath[];
  /** Things that could not be resolved (an unknown callee, a ktype defined elsewhere), in words. */
  notes: string[];
  /** Set when the path enumeration hit its bound (the answer covers the paths listed). */
  truncated?: string;
}

export type SimulateResult = { ok: true; simulation: Simulation } | { ok: false; error: string };

/** A function worth simulating (it calls a lifetime API): for CodeLenses and the CLI's --line. */
export interface SimulatableFunction {
  name: string;
  /** 1-based lines. */
  startLine: number;
  endLine: number;
}
