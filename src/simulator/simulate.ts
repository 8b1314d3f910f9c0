// The simulation proper: the analyzer's engine runs the function in trace mode (the same state machine
// and API table the rules use), and each path it finds is replayed as concrete steps, with the actors
// beside the function: the release worker (at the put, or 1–4 s later with CONFIG_DEBUG_KOBJECT_RELEASE),
// a sysfs reader calling the object's real show/store callbacks while they are visible, and the module
// unloader (after module_exit returns, module data and code are gone).
import { runFunction, type FunctionInfo, type TraceEvent, type TracePath } from '../analysis/engine';
import { structTypes } from '../analysis/facts';
import {
  exitCheck,
  newObject,
  stateKey,
  type ObjState,
  type ViolationKind,
} from '../analysis/model/transitions';
import { args, calleeName, type SyntaxNode } from '../analysis/syntax';
import type {
  Actor,
  MemoryKind,
  ObjectState,
  SimObject,
  SimPath,
  SimStep,
  SimViolation,
  SimViolationKind,
  Simulation,
  SimulationOptions,
} from '../protocol/simulation';
import { RULES } from '../analysis/rules';
import { attributesAttached, lineOf, type Located, type ParsedFile, type Project } from './project';

/** At most this many paths are listed; the rest are counted in `truncated`. */
export const MAX_PATHS = 24;
/** Callees are followed (their steps shown) this deep; deeper ones are summarized. */
export const MAX_CALLEE_DEPTH = 3;
/** The delayed release (CONFIG_DEBUG_KOBJECT_RELEASE) runs this long after the put, at the earliest. */
const RELEASE_DELAY_MS = 1000;

interface Meta extends SimObject {
  /** The file whose static data holds the object (module-static memory vanishes with it). */
  home?: ParsedFile;
  /** The struct type's sysfs callbacks that convert into it (they dereference its memory). */
  callbacks: { name: string; attribute: string; file: ParsedFile; derefs: boolean; store: boolean }[];
  releaseAt?: Located;
}

interface Conc {
  refcount: number;
  initialized: boolean;
  inSysfs: boolean;
  releasePending: boolean;
  released: boolean;
  freed: boolean;
  /** Module-static memory after the unload. */
  gone: boolean;
  nameAllocated: boolean;
  parent?: string;
  /** Time of the last put (ms), for the delayed release. */
  putTime?: number;
  /** Where the last put is (for a cleanup whose release the files do not show). */
  putLine?: number;
  putFile?: string | undefined;
  /** The kobj_type named by the init (`kobject_init(&x->kobj, &foo_ktype)`). */
  ktype?: string;
  /** Initialized on this path (device_initialize/device_register seen), not handed in. */
  initSeen?: boolean;
}

/** module_init's run goes on with module_exit's first path. */
interface ExitPhase {
  fn: FunctionInfo;
  path: TracePath;
  start: Record<string, ObjState>;
}

export interface Target {
  file: ParsedFile;
  fn: FunctionInfo;
}

/** Runs the simulation of one function. Throws only on internal errors (the caller catches). */
export function simulateFunction(project: Project, target: Target, options: SimulationOptions): Simulation {
  const notes: string[] = [];
  const { fn } = target;
  const facts = target.file.facts;
  const exitFn = facts.moduleExit;
  const initFn = facts.moduleInit;
  const isExit =
    target.file.module && !!exitFn && (fn.name === exitFn || calledFrom(project, exitFn, fn.name));
  const isInit = target.file.module && !!initFn && fn.name === initFn;
  const scenario: Simulation['scenario'] = isExit || isInit ? 'module' : 'function';
  if (fn.node.hasError) notes.push(`${fn.name} has a parse error: steps after it may be missing`);

  // module_exit starts from what a successful module_init left: the module's own refcounted objects
  // registered (one reference, in sysfs).
  const start: Record<string, ObjState> = isExit ? moduleStart(project, target.file, notes) : {};
  // module_init that succeeds goes on to the module's exit (rmmod), from the same assumed state.
  let exitPhase: ExitPhase | undefined;
  const exitAt = isInit && exitFn ? project.find(exitFn) : undefined;
  if (exitAt && exitAt.file === target.file && !exitAt.fn.node.hasError) {
    const exitStart = moduleStart(project, target.file, notes);
    const exitRun = runFunction(exitAt.fn, project.host, 'trace', { start: exitStart });
    const path = exitRun.paths?.[0];
    if (path) exitPhase = { fn: exitAt.fn, path, start: exitStart };
  }
  const run = runFunction(fn, project.host, 'trace', { start });
  // The model's violations in the function itself are claimed only where the rules claim them (the
  // same proof standard: a refcount the function never saw proves nothing), so the two never disagree.
  const confirmed = new Set<string>();
  const anyViolation = (run.paths ?? []).some((p) => p.events.some((e) => e.kind === 'violation'));
  if (scenario === 'function' && !fn.node.hasError && anyViolation) {
    const check = runFunction(fn, project.host, 'check');
    for (const v of check.violations) {
      for (const rule of RULES) {
        if (!rule.check || !rule.kinds.includes(v.kind)) continue;
        if (rule.check(v, { fn, run: check, facts, text: target.file.text }))
          confirmed.add(`${v.kind}@${lineOf(v.at)}`);
      }
    }
  }
  const traced = run.paths ?? [];
  const ctx = new Context(
    project,
    target,
    options,
    scenario,
    notes,
    scenario === 'function' ? confirmed : undefined,
  );
  for (const key of Object.keys(start)) ctx.meta(key, start[key]!);

  // The rules claim a lost lookup reference only on an error exit of a function that drops it on
  // another exit: the same here, so the two never disagree.
  const balanced = new Set<string>();
  for (const p of traced) {
    for (const o of Object.values(p.exit)) {
      if (o.origin === 'reference' && o.allocAt && !exitCheck(o)) balanced.add(`${o.key}@${o.allocAt.id}`);
    }
  }
  const paths: SimPath[] = [];
  for (const p of traced) paths.push(ctx.replay(p, balanced, start, exitPhase));
  // Paths that end the same way (same steps and verdict) are one for the reader.
  const merged = new Map<string, SimPath>();
  for (const p of paths) {
    const sig = JSON.stringify([p.steps.map((s) => [s.line, s.actor, s.event, s.state]), p.violations]);
    const prev = merged.get(sig);
    if (prev) prev.folded += p.folded + 1;
    else merged.set(sig, p);
  }
  let list = [...merged.values()];
  // Buggy paths first, then by their conditions: stable for golden files.
  list.sort(
    (a, b) =>
      (a.verdict === 'bug' ? 0 : 1) - (b.verdict === 'bug' ? 0 : 1) ||
      firstLine(a) - firstLine(b) ||
      a.conditions.join('\n').localeCompare(b.conditions.join('\n')),
  );
  let truncated: string | undefined;
  if (run.partial) truncated = `${fn.name} has more paths than the engine follows (32 states per statement)`;
  if (list.length > MAX_PATHS) {
    const extra = list.length - MAX_PATHS;
    truncated = `${extra} more distinct path${extra === 1 ? '' : 's'} not listed`;
    list = list.slice(0, MAX_PATHS);
  }
  const sim: Simulation = {
    version: 1,
    function: fn.name,
    file: target.file.file,
    startLine: lineOf(fn.node),
    endLine: fn.node.endPoint.row + 1,
    options: { ...options },
    scenario,
    objects: ctx.objectList(),
    paths: list,
    notes: [...new Set(notes)],
  };
  if (truncated) sim.truncated = truncated;
  return sim;
}

function firstLine(p: SimPath): number {
  return p.violations[0]?.line ?? Number.MAX_SAFE_INTEGER;
}

/**
 * What a successful module_init leaves for module_exit: the module's refcounted statics registered
 * (one reference, in sysfs when init hands them to a call) and its static pointers to objects init
 * set up. Said in the notes: it is an assumption, not a replay of init.
 */
function moduleStart(project: Project, file: ParsedFile, notes: string[]): Record<string, ObjState> {
  const facts = file.facts;
  const initFn = facts.moduleInit;
  const target = { file };
  const start: Record<string, ObjState> = {};
  const assumed: string[] = [];
  {
    // The module's refcounted statics: known to this file's facts, or of a struct another file defines.
    const statics = new Map<string, boolean>();
    for (const [name, s] of facts.statics)
      if (s.storage === 'file' && !s.array) statics.set(name, s.kind === 'kref');
    for (const [name, type] of facts.globalTypes) {
      if (statics.has(name) || isPointerGlobal(target.file, name) || isArrayGlobal(target.file, name))
        continue;
      const embeds = project.embedsOf(type);
      if (embeds.length)
        statics.set(
          name,
          embeds.every((k) => k === 'kref'),
        );
    }
    for (const [name, kref] of [...statics].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const key = `&${name}`;
      const registered = initRegisters(project, target.file, name);
      start[key] = {
        ...newObject(key, 'create', 'live'),
        held: 1,
        known: true,
        inSysfs: registered && !kref,
        member: '',
      };
      assumed.push(
        `${name} (${registered ? 'registered: refcount 1, in sysfs' : 'initialized: refcount 1'})`,
      );
    }
    for (const [name, type] of facts.globalTypes) {
      if (facts.statics.has(name) || !isPointerGlobal(target.file, name)) continue;
      if (!initAssigns(project, target.file, name)) continue;
      if (!project.embedsOf(type).length) continue;
      start[name] = { ...newObject(name, 'create', 'live'), held: 1, known: true, inSysfs: true, member: '' };
      assumed.push(`*${name} (set up by ${initFn ?? 'module_init'}: refcount 1, in sysfs)`);
    }
    if (assumed.length)
      notes.push(
        `module_exit starts from what a successful ${initFn ?? 'module_init'}() is assumed to leave: ${assumed.join('; ')}`.replace(
          '  ',
          ' ',
        ),
      );
  }
  return start;
}

/** Is `name` reached from `from` through calls to functions of the project (bounded)? */
function calledFrom(project: Project, from: string, name: string): boolean {
  const seen = new Set<string>([from]);
  let frontier = [from];
  for (let depth = 0; depth < MAX_CALLEE_DEPTH && frontier.length; depth++) {
    const next: string[] = [];
    for (const f of frontier) {
      const at = project.find(f);
      if (!at) continue;
      for (const callee of callsOf(at.fn)) {
        if (callee === name) return true;
        if (!seen.has(callee)) {
          seen.add(callee);
          next.push(callee);
        }
      }
    }
    frontier = next;
  }
  return false;
}

function callsOf(fn: FunctionInfo): string[] {
  const out: string[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.type === 'call_expression') {
      const c = calleeName(n);
      if (c) out.push(c);
    }
    for (const k of n.kids) visit(k);
  };
  visit(fn.body);
  return out;
}

/** Does module_init (or a function it calls, in any file) pass `&name`/`name` to a call? */
function initRegisters(project: Project, file: ParsedFile, name: string): boolean {
  const init = file.facts.moduleInit && project.find(file.facts.moduleInit);
  if (!init) return false;
  const re = new RegExp(`\\(\\s*&?\\s*${name}\\b|,\\s*&?\\s*${name}\\b`);
  return re.test(init.fn.body.text);
}

function initAssigns(project: Project, file: ParsedFile, name: string): boolean {
  const init = file.facts.moduleInit && project.find(file.facts.moduleInit);
  return !!init && new RegExp(`\\b${name}\\s*=[^=]`).test(init.fn.body.text);
}

function isArrayGlobal(file: ParsedFile, name: string): boolean {
  return new RegExp(`\\b${name}\\s*\\[`).test(file.text);
}

function isPointerGlobal(file: ParsedFile, name: string): boolean {
  return new RegExp(`\\*\\s*${name}\\s*[;=]`).test(file.text);
}

const WAIT = /^wait_for_completion\w*$/;

/** Per-simulation state shared by its paths: the objects' descriptions. */
class Context {
  private readonly metas = new Map<string, Meta>();
  private readonly types: ReadonlyMap<string, string>;

  constructor(
    private readonly project: Project,
    private readonly target: Target,
    private readonly options: SimulationOptions,
    private readonly scenario: Simulation['scenario'],
    private readonly notes: string[],
    /** Function scenario: the model violations the rules claim (`kind@line`). */
    readonly confirmed?: Set<string>,
  ) {
    this.types = structTypes(target.fn);
  }

  /** Callee traces by callee and bound states: the same call on many paths is run once. */
  readonly calleeRuns = new Map<string, ReturnType<typeof runFunction>>();

  note(text: string): void {
    this.notes.push(text);
  }

  objectList(): SimObject[] {
    return [...this.metas.values()].map((m) => {
      const o: SimObject = { id: m.id, name: m.name, kind: m.kind, memory: m.memory };
      if (m.type) o.type = m.type;
      if (m.release) o.release = m.release;
      return o;
    });
  }

  /** The description of a tracked object, made on first sight. */
  meta(key: string, obj: ObjState, createdBy?: string, seenIn?: ParsedFile): Meta {
    const known = this.metas.get(key);
    if (known) return known;
    const root = /^&?([A-Za-z_]\w*)/.exec(key)?.[1] ?? key;
    const simple = /^&?[A-Za-z_]\w*'*$/.test(key);
    const home = simple ? this.project.globalOf(root, this.target.file) : undefined;
    const local = simple && !home;
    let type = simple ? (this.types.get(root) ?? home?.facts.globalTypes.get(root)) : undefined;
    if (!type && home) type = home.facts.statics.get(root)?.type;
    // `struct kobject *k`, `struct device *dev`: the object itself, no container around it.
    const bare = type === 'kobject' || type === 'device' ? type : undefined;
    if (bare) type = undefined;
    let memory: MemoryKind = 'unknown';
    if (obj.origin === 'alloc') memory = obj.devm ? 'devm' : 'heap';
    else if (obj.origin === 'create' && createdBy) memory = 'heap';
    else if (key.startsWith('&') && home) memory = home.module ? 'module-static' : 'static';
    else if (key.startsWith('&') && local) memory = 'stack';
    else if (home && this.target.file.facts.globals.has(root)) memory = 'heap';
    const family = obj.family;
    const embeds = type ? this.structEmbeds(type) : [];
    if (type && !this.project.files.some((f) => f.facts.structs.has(type!) || f.facts.typedefs.has(type!)))
      this.notes.push(
        `struct ${type} (of ${key}) is not defined in the files given: its layout is not known`,
      );
    const kind: SimObject['kind'] =
      family === 'kref'
        ? 'kref'
        : family === 'device' || family === 'platform'
          ? 'device'
          : family === 'kobject' || family === 'kset'
            ? 'kobject'
            : (bare ?? embeds[0] ?? (family === 'memory' ? 'memory' : 'kobject'));
    const m: Meta = { id: key, name: key, kind, memory, callbacks: [] };
    if (type) m.type = `struct ${type}`;
    if (home && memory !== 'heap') m.home = home;
    if (type) {
      const rel = this.project.releasesFor(type);
      // A release set on this very object (`obj.dev.release = fn`), as for a static device.
      if (!rel.length && simple) {
        const set = new RegExp(
          `\\b${root}\\s*(?:\\.|->)\\s*[\\w.>-]*\\brelease\\s*=\\s*&?\\s*([A-Za-z_]\\w*)`,
        ).exec((home ?? this.target.file).text);
        if (set) rel.push(set[1]!);
      }
      if (rel.length > 1)
        this.notes.push(
          `${key}: several releases are armed for struct ${type} (${rel.join(', ')}); using ${rel[0]}`,
        );
      const r = rel[0] && this.project.find(rel[0]);
      if (rel[0]) m.release = rel[0];
      if (r) m.releaseAt = r;
      else if (rel[0]) this.notes.push(`the release ${rel[0]}() of ${key} is not defined in the files given`);
      for (const f of this.project.files) {
        for (const [name, cb] of f.facts.sysfsCallbacks) {
          const at = this.project.find(name);
          if (!at || m.callbacks.some((c) => c.name === name)) continue;
          if (this.project.containersUsedBy(at.fn).has(type))
            m.callbacks.push({
              name,
              attribute: cb.attribute,
              file: at.file,
              derefs: true,
              store: cb.kind === 'store',
            });
        }
      }
      m.callbacks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    if ((kind === 'kobject' || kind === 'device') && !type && obj.origin !== 'alloc') {
      // A bare kobject (`struct kobject *kobj`) or device: its files are the attributes the code
      // attaches to it (sysfs_create_group(obj, …), obj->groups = …), served by their callbacks.
      const last = /(?:->|\.)(\w+)'*$/.exec(key)?.[1];
      const expr = last ? new RegExp(`(?:->|\\.)${last}$`) : new RegExp(`^&?${root}$`);
      for (const f of new Set([seenIn ?? this.target.file, this.target.file])) {
        const vars = attributesAttached(f.text, expr);
        if (!vars.size) continue;
        for (const [name, cb] of f.facts.sysfsCallbacks) {
          const at = this.project.find(name);
          if (!at || m.callbacks.some((c) => c.name === name)) continue;
          if (!cb.variable || !vars.has(cb.variable)) continue;
          m.callbacks.push({
            name,
            attribute: cb.attribute,
            file: at.file,
            derefs: false,
            store: cb.kind === 'store',
          });
        }
      }
      m.callbacks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.notes.push(
        `${key} is a bare ${kind === 'device' ? 'struct device' : 'kobject'}: its release is not resolved; its sysfs files are the attributes the code attaches to it (${m.callbacks.map((c) => `${c.name}()`).join(', ') || 'none found'})`,
      );
    } else if (kind !== 'memory' && kind !== 'kref' && !type)
      this.notes.push(
        `the container type of ${key} is unknown: no release or sysfs callbacks resolved for it`,
      );
    this.metas.set(key, m);
    return m;
  }

  private structEmbeds(type: string): SimObject['kind'][] {
    for (const f of this.project.files) {
      const s = f.facts.structs.get(type) ?? f.facts.structs.get(f.facts.typedefs.get(type) ?? '');
      if (s)
        return s.embeds.map((e) => (e.kind === 'device' ? 'device' : e.kind === 'kref' ? 'kref' : 'kobject'));
    }
    return [];
  }

  replay(
    path: TracePath,
    balanced: Set<string>,
    start: Record<string, ObjState>,
    exitPhase?: ExitPhase,
  ): SimPath {
    return new Replay(
      this,
      this.project,
      this.target,
      this.options,
      this.scenario,
      path,
      balanced,
      start,
      exitPhase,
    ).run();
  }

  describe(key: string): Meta | undefined {
    return this.metas.get(key);
  }
}

/** An event of the path or of a followed callee (`file`), with the callee's names mapped to the caller's. */
interface Item {
  e: TraceEvent;
  file?: ParsedFile;
  rename: Map<string, string>;
  /** A helper call whose steps follow (the file it is in). */
  followed?: ParsedFile;
}

/** One path replayed step by step. */
class Replay {
  private readonly steps: SimStep[] = [];
  private readonly violations: SimViolation[] = [];
  private readonly conditions: string[] = [];
  private readonly conc = new Map<string, Conc>();
  private readonly order: string[] = [];
  private time = 0;
  private moduleGone = false;
  private readonly loopTurns = new Map<number, number>();
  /** Variable → the object id it names now; variables reassigned since. */
  private readonly current = new Map<string, string>();
  private readonly forgotten = new Set<string>();

  constructor(
    private readonly ctx: Context,
    private readonly project: Project,
    private readonly target: Target,
    private readonly options: SimulationOptions,
    private readonly scenario: Simulation['scenario'],
    private readonly path: TracePath,
    private readonly balanced: Set<string>,
    private readonly start: Record<string, ObjState>,
    private readonly exitPhase?: ExitPhase,
  ) {
    for (const [key, obj] of Object.entries(start)) {
      this.conc.set(key, {
        refcount: 1,
        initialized: true,
        inSysfs: obj.inSysfs,
        releasePending: false,
        released: false,
        freed: false,
        gone: false,
        nameAllocated: obj.inSysfs,
      });
      this.order.push(key);
    }
  }

  run(): SimPath {
    const fnName = this.target.fn.name;
    if (this.scenario === 'module') {
      const init = this.target.file.facts.moduleInit;
      const isInit = init === fnName;
      if (!isInit) {
        this.step({
          line: 0,
          actor: 'module-loader',
          event: `module loaded; ${init ?? 'module_init'}() succeeded`,
        });
        for (const key of this.order) this.read(key, 'while the module is loaded');
        this.step({
          line: 0,
          actor: 'module-loader',
          event: `rmmod: ${this.target.file.facts.moduleExit ?? fnName}() runs`,
        });
      } else {
        this.step({ line: 0, actor: 'module-loader', event: `insmod: ${fnName}() runs` });
      }
    }
    for (const ev of this.ordered(this.expand(this.path.events, 0, new Map()))) this.apply(ev);
    // What the function leaves behind, as the rules see it.
    for (const o of Object.values(this.path.exit)) this.exitViolation(o);
    this.step({
      line: this.target.fn.node.endPoint.row + 1,
      actor: 'function',
      event: `${fnName}() returns`,
    });
    for (const key of this.order) this.read(key, 'after the function returns');
    const initOk =
      this.scenario === 'module' && this.target.file.facts.moduleInit === fnName && !this.path.errorExit;
    if (initOk && this.exitPhase) this.runExit(this.exitPhase);
    if (this.scenario === 'module' && this.options.moduleUnload) {
      const isInit = this.target.file.facts.moduleInit === fnName;
      if (!isInit || this.path.errorExit || this.exitPhase) {
        this.unload(isInit && this.path.errorExit);
        for (const key of this.order) this.read(key, 'after the unload');
      }
    }
    // The delayed cleanups run last: 1–4 s after their put, after everything else that can happen.
    for (const key of this.order) {
      const c = this.conc.get(key)!;
      if (c.releasePending) this.cleanup(key, Math.max(this.time, (c.putTime ?? 0) + RELEASE_DELAY_MS), true);
    }
    return {
      conditions: this.conditions,
      verdict: this.violations.length ? 'bug' : 'ok',
      folded: Math.max(0, this.path.count - 1),
      steps: this.steps,
      violations: this.violations,
    };
  }

  /** After a successful module_init: the module is used, then removed (module_exit's first path). */
  private runExit(phase: ExitPhase): void {
    this.step({ line: 0, actor: 'module-loader', event: `rmmod: ${phase.fn.name}() runs` });
    for (const [key, obj] of Object.entries(phase.start)) {
      if (this.conc.has(key)) continue;
      this.ctx.meta(key, obj);
      this.start[key] = obj;
      this.conc.set(key, {
        refcount: 1,
        initialized: true,
        inSysfs: obj.inSysfs,
        releasePending: false,
        released: false,
        freed: false,
        gone: false,
        nameAllocated: obj.inSysfs,
      });
      this.order.push(key);
    }
    for (const ev of this.ordered(this.expand(phase.path.events, 0, new Map()))) this.apply(ev);
    this.step({
      line: phase.fn.node.endPoint.row + 1,
      actor: 'function',
      event: `${phase.fn.name}() returns`,
    });
    for (const key of this.order) this.read(key, 'after module_exit returns');
  }

  /** The model raises a transition's violation before the transition: show it on the step it names. */
  private ordered(events: Item[]): Item[] {
    for (let i = 0; i + 1 < events.length; i++) {
      const a = events[i]!;
      const b = events[i + 1]!;
      if (a.e.kind === 'violation' && b.e.kind === 'op' && a.e.at === b.e.at) {
        events[i] = b;
        events[i + 1] = a;
      }
    }
    return events;
  }

  // ---- events ---------------------------------------------------------------------------------

  /**
   * Same-file (and neighbour) callees whose effect is the same on every path are followed: their own
   * trace (with the caller's object bound to the parameter) replaces the summarized transitions.
   */
  private expand(
    events: TraceEvent[],
    depth: number,
    rename: Map<string, string>,
    file?: ParsedFile,
  ): Item[] {
    const out: Item[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const item = file ? { e, file, rename } : { e, rename };
      if (e.kind !== 'call' || !e.helper || depth >= MAX_CALLEE_DEPTH) {
        out.push(item);
        continue;
      }
      const at = this.project.find(e.call);
      const summary = this.project.summary(e.call);
      let j = i + 1;
      while (
        j < events.length &&
        (events[j]!.kind === 'op' || events[j]!.kind === 'violation') &&
        (events[j] as { helper?: string }).helper === e.call &&
        events[j]!.at === e.at
      )
        j++;
      const a = args(e.at);
      const bind = new Map<string, string>();
      const start: Record<string, ObjState> = {};
      at?.fn.params.forEach((p, k) => {
        const arg = a[k];
        if (!p || !arg || summary?.[k]?.kind !== 'ops') return;
        const key = this.keyOfArg(arg.text, rename);
        const before = key ? this.stateBefore(events, i, key) : undefined;
        if (key && before) {
          bind.set(p, key);
          start[p] = { ...before, key: p };
        }
      });
      if (!at || bind.size === 0 || at.fn.node.hasError) {
        out.push(item);
        continue;
      }
      const memoKey = `${e.call}|${Object.entries(start)
        .map(([k, o]) => `${k}=${stateKey(o)}/${o.known ? 1 : 0}`)
        .join(',')}`;
      let run = this.ctx.calleeRuns.get(memoKey);
      if (!run) {
        run = runFunction(at.fn, this.project.host, 'trace', { start });
        this.ctx.calleeRuns.set(memoKey, run);
      }
      const pick = (run.paths ?? []).find((p) => !p.errorExit) ?? run.paths?.[0];
      if (!pick) {
        out.push(item);
        continue;
      }
      out.push({ ...item, followed: at.file });
      const inner = new Map(rename);
      for (const [p, k] of bind) inner.set(p, rename.get(k) ?? k);
      out.push(...this.expand(pick.events, depth + 1, inner, at.file));
      i = j - 1;
    }
    return out;
  }

  private keyOfArg(text: string, rename: Map<string, string>): string | undefined {
    const t = text.replace(/\s+/g, '');
    const m = /^(&?)([A-Za-z_]\w*)$/.exec(t);
    if (!m) return undefined;
    const key = m[1] ? `&${m[2]}` : m[2]!;
    for (const [inner, outer] of rename) if (outer === key) return inner;
    return key;
  }

  /** The engine's state of an object before event `upto` (what the callee is handed). */
  private stateBefore(events: TraceEvent[], upto: number, key: string): ObjState | undefined {
    for (let i = upto - 1; i >= 0; i--) {
      const e = events[i]!;
      if ((e.kind === 'op' || e.kind === 'create' || e.kind === 'escape') && e.key === key) return e.obj;
    }
    return this.start[key] ?? { ...newObject(key, 'unknown', 'unknown'), external: true };
  }

  private apply(item: Item): void {
    const { e, file, rename } = item;
    const fileName = file && file !== this.target.file ? file.file : undefined;
    const outer = (k: string): string => this.idOf(named(k));
    const named = (k: string): string => {
      const direct = rename.get(k) ?? rename.get(k.replace(/^&/, ''));
      if (direct) return direct;
      // `patch->kobj` in a callee whose `patch` is the caller's `&obj`: the caller's `obj.kobj`.
      const m = /^([A-Za-z_]\w*)(->|\.)(.*)$/.exec(k);
      const root = m ? rename.get(m[1]!) : undefined;
      if (!m || !root) return k;
      return root.startsWith('&') ? `${root.slice(1)}.${m[3]}` : `${root}${m[2]}${m[3]}`;
    };
    const line = lineOf(e.at);
    switch (e.kind) {
      case 'fork': {
        const words =
          e.outcome === 'ok'
            ? `${e.call}() succeeds`
            : e.fails === 'errno'
              ? `${e.call}() fails`
              : e.fails === 'null'
                ? `${e.call}() returns NULL`
                : `${e.call}() returns an error pointer`;
        if (!file || file === this.target.file) this.conditions.push(words);
        return;
      }
      case 'branch': {
        const cond = e.at.text.replace(/\s+/g, ' ');
        if (e.loop) {
          const turns = this.loopTurns.get(e.at.id) ?? 0;
          if (e.taken) this.loopTurns.set(e.at.id, turns + 1);
          else
            this.conditions.push(
              `loop at line ${line} runs ${turns === 0 ? '0 times' : turns === 1 ? '1 time' : `${turns} times`}`,
            );
        } else if (!file || file === this.target.file) {
          this.conditions.push(`${cond} is ${e.taken ? 'true' : 'false'}`);
        }
        return;
      }
      case 'create': {
        // A new object in the same variable: the old one (maybe still pending release) keeps its id.
        const name = named(e.key);
        const key = this.conc.has(this.idOf(name)) ? this.freshId(name) : this.idOf(name);
        const meta = this.ctx.meta(key, e.obj, e.call);
        this.track(key);
        const c = this.conc.get(key)!;
        const refcount = derive(e.obj);
        Object.assign(c, { refcount, initialized: e.obj.life === 'live', freed: false, released: false });
        if (e.obj.inSysfs) c.inSysfs = c.nameAllocated = true;
        this.step({
          line,
          file: fileName,
          actor: 'function',
          event: `${key} = ${e.call}(): ${memWords(meta.memory)}`,
          object: key,
        });
        return;
      }
      case 'op': {
        // `dev = NULL; kfree(dev);`: the variable no longer names the object.
        if (e.op === 'free' && this.forgotten.has(named(e.key)) && e.obj.origin === 'unknown') {
          this.step({
            line,
            file: fileName,
            actor: 'function',
            event: `${snippet(e.at)}: ${named(e.key)} no longer points at the object`,
          });
          return;
        }
        const key = outer(e.key);
        this.ctx.meta(key, e.obj, undefined, file ?? this.target.file);
        this.track(key, e.obj);
        this.op(key, e, line, fileName);
        return;
      }
      case 'escape': {
        const key = outer(e.key);
        if (!this.conc.has(key)) return;
        this.step({
          line,
          file: fileName,
          actor: 'function',
          event: `${snippet(e.at)}: ${key} handed on (stored or returned)`,
          object: key,
        });
        return;
      }
      case 'violation': {
        const key = outer(e.key);
        this.modelViolation(e.violation, key, e.obj, line, fileName, e.at, e.helper, file !== undefined);
        return;
      }
      case 'call': {
        const keys = e.keys.map(outer).filter((k) => this.conc.has(k));
        if (WAIT.test(e.call)) {
          this.waitFor(e, keys, line, fileName);
          return;
        }
        if (/^(?:dev_set_name|kobject_set_name)$/.test(e.call)) {
          for (const k of keys) this.conc.get(k)!.nameAllocated = true;
          if (keys[0])
            this.step({
              line,
              file: fileName,
              actor: 'function',
              event: `${snippet(e.at)}: name allocated`,
              object: keys[0],
            });
          return;
        }
        if (e.helper) {
          if (keys.length)
            this.step({
              line,
              file: fileName,
              actor: 'function',
              event: `${snippet(e.at)}: ${item.followed ? `follows into ${e.call}()${item.followed === this.target.file ? '' : ` (${baseName(item.followed.file)})`}` : `${e.call}() summarized (its paths differ or it is too deep)`}`,
              object: keys[0],
            });
          return;
        }
        // Only a call handed the object itself (or its kobject/device) may take a reference.
        const handed = keys.filter((k) => args(e.at).some((a) => this.passesObject(a.text, k, rename)));
        if (
          handed.length === 0 ||
          /^(?:list_|mutex_|spin_|raw_spin_|pr_|dev_|printk|init_|INIT_|mem|str|sysfs_|kobject_uevent|WARN|BUG)/.test(
            e.call,
          )
        )
          return;
        if (!this.project.find(e.call))
          this.ctx.note(
            `${e.call}() is not defined in the files given and not in the model: shown as an opaque step that may take a reference to what it is handed`,
          );
        this.step({
          line,
          file: fileName,
          actor: 'function',
          event: `${snippet(e.at)}: not known to the model; it may take a reference to ${handed.join(', ')}`,
          object: handed[0],
        });
        return;
      }
      case 'forget': {
        const name = named(e.key);
        if (this.conc.has(this.idOf(name))) this.forgotten.add(name);
        return;
      }
      case 'return':
        if (!file || file === this.target.file) this.step({ line, actor: 'function', event: snippet(e.at) });
        return;
    }
  }

  /** Is the argument text the object (`p`, `&obj`) or its refcounted member (`&p->kobj`)? */
  private passesObject(text: string, key: string, rename: Map<string, string>): boolean {
    const t = text.replace(/\s+/g, '');
    const names = [key, ...[...rename].filter(([, o]) => o === key).map(([i]) => i)];
    const meta = this.ctx.describe(key);
    const members = meta?.type ? this.project.memberNames(meta.type.replace(/^struct /, '')) : [];
    for (const n of names) {
      const bare = n.replace(/^&/, '');
      if (t === n || t === bare || t === `&${bare}`) return true;
      for (const m of members) if (t === `&${bare}->${m}` || t === `&${bare}.${m}`) return true;
    }
    return false;
  }

  /** The object a variable names now (after a reassignment, a new object gets `name'`). */
  private idOf(name: string): string {
    if (this.forgotten.has(name)) return this.freshId(name);
    return this.current.get(name) ?? name;
  }

  private freshId(name: string): string {
    let id = name;
    while (this.conc.has(id)) id += "'";
    this.current.set(name, id);
    this.forgotten.delete(name);
    return id;
  }

  private track(key: string, obj?: ObjState): void {
    if (this.conc.has(key)) return;
    const kind = this.ctx.describe(key)?.kind;
    // On a module's exit path, a kobject/device from elsewhere was registered by the module's init.
    const registered =
      this.scenario === 'module' && obj?.origin === 'unknown' && (kind === 'kobject' || kind === 'device');
    this.conc.set(key, {
      refcount: 1,
      initialized: true,
      inSysfs: registered,
      releasePending: false,
      released: false,
      freed: false,
      gone: false,
      nameAllocated: false,
    });
    this.order.push(key);
  }

  private op(
    key: string,
    e: Extract<TraceEvent, { kind: 'op' }>,
    line: number,
    file: string | undefined,
  ): void {
    const c = this.conc.get(key)!;
    const meta = this.ctx.describe(key)!;
    const call = e.call ?? e.helper ?? e.op;
    const before = c.refcount;
    const what = e.helper && !e.call ? `${e.helper}() does ${e.op}` : `${snippet(e.at)}`;
    switch (e.op) {
      case 'alloc':
        Object.assign(c, { refcount: 0, initialized: false, freed: false, released: false });
        break;
      case 'init': {
        c.initialized = true;
        c.initSeen = true;
        c.refcount = derive(e.obj);
        const named =
          e.call && /^kobject_init/.test(e.call) ? args(e.at)[1]?.text.replace(/^&\s*/, '') : undefined;
        if (named && /^[A-Za-z_]\w*$/.test(named)) c.ktype = named;
        break;
      }
      case 'add':
        c.inSysfs = true;
        c.nameAllocated = true;
        break;
      case 'get':
      case 'put':
        if (c.freed || c.gone) {
          c.refcount = Math.max(0, derive(e.obj));
        } else c.refcount = derive(e.obj);
        break;
      case 'del':
        c.inSysfs = false;
        break;
      case 'free':
        c.freed = true;
        break;
      case 'reset':
        Object.assign(c, { refcount: 0, initialized: false, inSysfs: false, nameAllocated: false });
        break;
      case 'escape':
        break;
    }
    this.step({ line, file, actor: 'function', event: what, object: key });
    void call;
    const last =
      e.op === 'put' &&
      before > 0 &&
      c.refcount === 0 &&
      c.initialized &&
      meta.kind !== 'memory' &&
      !c.released;
    if (!last) {
      if (e.op === 'free') this.afterFree(key);
      return;
    }
    c.putTime = this.time;
    c.putLine = line;
    c.putFile = file;
    if (meta.kind === 'kref' || !this.options.debugKobjectRelease) {
      this.cleanup(key, this.time, false);
    } else {
      c.releasePending = true;
      this.annotate(`last reference dropped: cleanup scheduled 1–4 s later (CONFIG_DEBUG_KOBJECT_RELEASE)`);
    }
  }

  /** Memory freed while its sysfs files are still there: a reader can reach it at once. */
  private afterFree(key: string): void {
    const c = this.conc.get(key)!;
    if (c.inSysfs) this.read(key, 'right after the memory is freed');
  }

  private waitFor(
    e: Extract<TraceEvent, { kind: 'call' }>,
    keys: string[],
    line: number,
    file: string | undefined,
  ): void {
    const key = keys[0];
    const c = key ? this.conc.get(key) : undefined;
    const meta = key ? this.ctx.describe(key) : undefined;
    const completes = meta?.releaseAt && /\bcomplete(?:_all)?\s*\(/.test(meta.releaseAt.fn.body.text);
    this.step({ line, file, actor: 'function', event: `${snippet(e.at)}: waits`, object: key });
    if (key && c && c.releasePending && completes) {
      this.cleanup(key, this.time + RELEASE_DELAY_MS, true);
      this.step({
        line,
        file,
        actor: 'function',
        event: `${e.call}() returns: ${meta!.release}() completed it`,
        object: key,
      });
    } else if (key && c && c.released && completes) {
      this.annotate(`already completed by ${meta!.release}()`);
    }
  }

  /** kobject_cleanup(): leaves sysfs, frees the name, calls the release. */
  private cleanup(key: string, time: number, delayed: boolean): void {
    const c = this.conc.get(key)!;
    const meta = this.ctx.describe(key)!;
    c.releasePending = false;
    this.time = Math.max(this.time, time);
    const what = meta.kind === 'kref' ? 'kref_put(): the release runs' : 'kobject_cleanup()';
    const missing = !meta.release && this.releaseMissing(key, meta);
    const rel = meta.release
      ? `${meta.release}()${meta.releaseAt && meta.releaseAt.file !== this.target.file ? ` (${baseName(meta.releaseAt.file.file)})` : ''}`
      : missing
        ? 'no release (there is none)'
        : 'a release the files given do not show';
    const found: [string, string][] = [];
    if (c.gone || c.freed) {
      found.push([
        'use-after-free',
        `the ${delayed ? 'delayed ' : ''}cleanup of ${key} reads its ${meta.kind} in ${c.gone ? "the unloaded module's freed memory" : 'freed memory'}`,
      ]);
    }
    if (meta.releaseAt && meta.releaseAt.file.module && this.moduleGone) {
      found.push([
        'use-after-free',
        `the cleanup of ${key} calls ${meta.release}(), code of the module that is already unloaded`,
      ]);
    }
    if (missing) {
      found.push([
        'missing-release',
        `${key} has no release: kobject_cleanup() warns ("does not have a release() function") and its memory is never freed`,
      ]);
    }
    const wasInSysfs = c.inSysfs;
    c.inSysfs = false;
    c.nameAllocated = false;
    c.released = true;
    const frees = meta.releaseAt ? this.project.host.releaseFrees(meta.releaseAt.fn.name) : undefined;
    if (frees && (meta.memory === 'heap' || meta.memory === 'unknown' || meta.memory === 'devm'))
      c.freed = true;
    const completes = meta.releaseAt && /\bcomplete(?:_all)?\s*\(/.test(meta.releaseAt.fn.body.text);
    const after = [c.freed ? 'frees it' : '', completes ? 'signals the completion' : ''].filter(Boolean);
    this.step({
      line: meta.releaseAt ? lineOf(meta.releaseAt.fn.node) : (c.putLine ?? 0),
      file: meta.releaseAt
        ? meta.releaseAt.file !== this.target.file
          ? meta.releaseAt.file.file
          : undefined
        : c.putFile,
      actor: 'release-worker',
      event: `${what}${delayed ? ` (delayed, t=${this.time} ms)` : ''}: ${wasInSysfs ? 'removes the sysfs entry, ' : ''}calls ${rel}${after.length ? `, which ${after.join(' and ')}` : ''}`,
      object: key,
      time: delayed ? this.time : undefined,
    });
    for (const [kind, message] of found)
      this.violation(kind as SimViolationKind, key, 'release-worker', message);
  }

  /** Positively no release: the ktype the init named has none, or nothing in the files arms one. */
  private releaseMissing(key: string, meta: Meta): boolean {
    const c = this.conc.get(key)!;
    if (c.ktype) {
      for (const f of this.project.files) {
        const init = f.facts.initializers.get(c.ktype);
        if (init && init.kind === 'kobj_type') return !init.release;
      }
      return false;
    }
    // A device initialized elsewhere may have had its release set there.
    if (meta.kind !== 'device' || !meta.type || !c.initSeen) return false;
    // A device whose struct is known here and whose release nothing in the files arms (no
    // dev->release for its type, no device_type or class with a release).
    const type = meta.type.replace(/^struct /, '');
    if (!this.project.embedsOf(type).includes('device')) return false;
    if (this.project.releasesFor(type).length) return false;
    return !this.project.files.some((f) =>
      [...f.facts.initializers.values()].some(
        (init) => (init.kind === 'device_type' || init.kind === 'class') && init.release,
      ),
    );
  }

  /** The sysfs reader: opens and reads each attribute whose callbacks reach the object. */
  private read(key: string, when: string): void {
    if (!this.options.sysfsReader) return;
    const c = this.conc.get(key);
    const meta = this.ctx.describe(key);
    if (!c || !meta || !c.inSysfs) return;
    for (const cb of meta.callbacks) {
      const where = cb.file !== this.target.file ? ` (${baseName(cb.file.file)})` : '';
      this.step({
        line: lineOf(this.project.find(cb.name)!.fn.node),
        file: cb.file !== this.target.file ? cb.file.file : undefined,
        actor: 'sysfs-reader',
        event: `${when}: ${cb.store ? 'writes' : 'reads'} ${cb.attribute === '*' ? 'an attribute' : cb.attribute} → ${cb.name}()${where}${cb.derefs ? '' : ' (it uses no container_of)'}`,
        object: key,
      });
      if (cb.file.module && this.moduleGone) {
        this.violation(
          'use-after-free',
          key,
          'sysfs-reader',
          `${cb.name}() is code of the unloaded module, still reachable through the sysfs file of ${key}`,
        );
      } else if (cb.derefs && (c.freed || c.gone)) {
        this.violation(
          'use-after-free',
          key,
          'sysfs-reader',
          `${cb.name}() converts the kobject to ${meta.type ?? 'its container'} and reads ${key} in ${c.gone ? "the unloaded module's freed memory" : 'freed memory'}`,
        );
      }
    }
  }

  private unload(afterFailedInit: boolean): void {
    this.moduleGone = true;
    const gone: string[] = [];
    for (const key of this.order) {
      const meta = this.ctx.describe(key)!;
      if (meta.memory === 'module-static') {
        this.conc.get(key)!.gone = true;
        gone.push(key);
      }
    }
    this.step({
      line: 0,
      actor: 'module-loader',
      event: `${afterFailedInit ? 'init failed: ' : ''}module unloaded: ${baseName(this.target.file.file)}'s data and code are freed${gone.length ? ` (${gone.join(', ')})` : ''}`,
    });
  }

  private exitViolation(o: ObjState): void {
    const key = o.key;
    if (!this.conc.has(key)) return;
    const v = exitCheck(o);
    if (v === 'leak') {
      this.violation(
        'leak',
        key,
        'function',
        `${key} still holds a reference at the end of the function and nothing keeps the pointer: ${o.failAt ? `after ${calleeName(o.failAt) ?? 'the registration'}() failed, only a put frees it` : 'it is lost'}`,
        o.failAt ? lineOf(o.failAt) : undefined,
      );
    } else if (
      v === 'reference-leak' &&
      o.allocAt &&
      this.path.errorExit &&
      this.balanced.has(`${key}@${o.allocAt.id}`)
    ) {
      this.violation(
        'leak',
        key,
        'function',
        `the reference from ${calleeName(o.allocAt) ?? 'the lookup'}() is never dropped on this error exit (the other exits drop it)`,
        lineOf(o.allocAt),
      );
    } else if (v === 'double-put') {
      const c = this.conc.get(key)!;
      this.violation(
        c.freed ? 'use-after-free' : 'use-after-put',
        key,
        'function',
        `${key} is put again at scope exit (__free) after the explicit put: a double put`,
        o.putAt ? lineOf(o.putAt) : undefined,
      );
    }
  }

  private modelViolation(
    v: ViolationKind,
    key: string,
    obj: ObjState,
    line: number,
    file: string | undefined,
    at: SyntaxNode,
    helper: string | undefined,
    inCallee = false,
  ): void {
    const c = this.conc.get(key);
    const freed = !!c && (c.freed || c.gone);
    const via = helper ? ` (in ${helper}())` : '';
    // Waiting, after the put, for the completion the release signals is what makes a static object safe.
    const call = at.parent?.type === 'argument_list' ? at.parent.parent : undefined;
    const meta = this.ctx.describe(key);
    // (A release the files do not show is taken to be the one that signals it.)
    if (
      v === 'use-after-put' &&
      !freed &&
      call &&
      WAIT.test(calleeName(call) ?? '') &&
      (!meta?.releaseAt || /\bcomplete(?:_all)?\s*\(/.test(meta.releaseAt.fn.body.text))
    )
      return;
    const text = snippet(at);
    let kind: SimViolationKind | undefined;
    let message = '';
    switch (v) {
      case 'use-after-put':
        kind = freed ? 'use-after-free' : 'use-after-put';
        message = freed
          ? `${text}${via} uses ${key} after its last put: the release has already freed it`
          : `${text}${via} uses ${key} after its last put: nothing holds a reference any more${this.options.debugKobjectRelease ? ' (the delayed release has not run yet: the bug hides until it does)' : ''}`;
        break;
      case 'use-after-free':
        kind = 'use-after-free';
        message = `${text}${via} uses ${key} after it was freed`;
        break;
      case 'double-put':
        kind = freed ? 'use-after-free' : 'use-after-put';
        message = `${text}${via} drops a reference to ${key} that is already gone (a double put)${freed ? ': the refcount lives in freed memory' : ''}`;
        break;
      case 'free-after-put':
        kind = 'double-free';
        message = `${text}${via} frees ${key} after its last put, when the release has freed it (or will)`;
        break;
      case 'double-free':
        kind = 'double-free';
        message = `${text}${via} frees ${key} a second time`;
        break;
      case 'free-while-referenced':
        kind = 'free-while-referenced';
        message = `${text}${via} frees ${key} while its refcount is ${c?.refcount ?? 1}: the name${c?.inSysfs ? ', the sysfs entry' : ''} and the release are skipped, and any holder touches freed memory`;
        break;
      case 'put-uninitialized':
        kind = 'put-uninitialized';
        message = `${text}${via} puts ${key} before it is initialized: kobject_put() warns and the memory leaks`;
        break;
      case 'leak':
        kind = 'leak';
        message = `${key} is leaked${via}`;
        break;
      case 'reference-leak':
        kind = 'leak';
        message = `${text}${via}: the previous reference held in ${key} is lost`;
        break;
      default:
        // wrong-put, static-object, refcounted-in-devm: findings about code shape, not a step that fails.
        return;
    }
    // In a followed callee, the same standard: only a refcount the simulation counted proves anything.
    const unproved = inCallee ? !obj.known : !this.ctx.confirmed?.has(`${v}@${line}`);
    if (this.ctx.confirmed && unproved) {
      this.ctx.note(
        `line ${line}: the model sees a possible ${v} of ${key}, but it rests on a refcount this function never saw; the rules do not claim it, and neither does the simulation`,
      );
      return;
    }
    this.violation(kind, key, 'function', message, line, file);
  }

  private violation(
    kind: SimViolationKind,
    key: string,
    actor: Actor,
    message: string,
    line?: number,
    file?: string,
  ): void {
    const last = this.steps[this.steps.length - 1];
    const v: SimViolation = {
      kind,
      line: line ?? last?.line ?? 0,
      actor,
      step: Math.max(0, this.steps.length - 1),
      object: key,
      message: message.endsWith('.') ? message : `${message}.`,
    };
    const f = file ?? (line === undefined ? last?.file : undefined);
    if (f) v.file = f;
    if (
      this.violations.some(
        (x) => x.kind === v.kind && x.line === v.line && x.actor === v.actor && x.object === v.object,
      )
    )
      return;
    this.violations.push(v);
    if (last) last.state = last.state ? `${last.state}; ${kind}` : kind;
  }

  private annotate(words: string): void {
    const last = this.steps[this.steps.length - 1];
    if (last) last.event = `${last.event} (${words})`;
  }

  private step(s: {
    line: number;
    file?: string | undefined;
    actor: Actor;
    event: string;
    object?: string | undefined;
    time?: number | undefined;
  }): void {
    const snapshot: ObjectState[] = this.order.map((k) => this.snap(k));
    const step: SimStep = {
      index: this.steps.length,
      line: s.line,
      actor: s.actor,
      event: s.event,
      snapshot,
    };
    if (s.file) step.file = s.file;
    if (s.object && this.conc.has(s.object)) {
      step.object = s.object;
      step.refcount = this.conc.get(s.object)!.refcount;
      step.state = words(this.conc.get(s.object)!);
    }
    if (s.time !== undefined) step.time = s.time;
    // One call making several transitions (device_register(): init, add) is one step.
    const last = this.steps[this.steps.length - 1];
    if (
      last &&
      s.actor === 'function' &&
      last.actor === 'function' &&
      last.line === step.line &&
      last.event === step.event &&
      last.object === step.object &&
      last.file === step.file
    ) {
      step.index = last.index;
      this.steps[this.steps.length - 1] = step;
      return;
    }
    this.steps.push(step);
  }

  private snap(key: string): ObjectState {
    const c = this.conc.get(key)!;
    const o: ObjectState = {
      object: key,
      refcount: c.refcount,
      initialized: c.initialized,
      inSysfs: c.inSysfs,
      releasePending: c.releasePending,
      released: c.released,
      freed: c.freed || c.gone,
      nameAllocated: c.nameAllocated,
    };
    if (c.parent) o.parent = c.parent;
    return o;
  }
}

/** The refcount the engine's state implies (objects from elsewhere: the caller's one reference). */
function derive(o: ObjState): number {
  if (o.life === 'raw' || o.life === 'undone') return 0;
  if (o.life === 'dead') return 0;
  return Math.max(0, o.known ? o.held : 1 + o.held);
}

function words(c: Conc): string {
  const w: string[] = [];
  if (c.gone) w.push('module memory gone');
  else if (c.freed) w.push('freed');
  if (c.released) w.push('released');
  else if (c.releasePending) w.push('release pending');
  if (!c.initialized && !c.freed && !c.gone) w.push('not initialized');
  if (c.inSysfs) w.push('in sysfs');
  if (!w.length) w.push(c.initialized ? 'initialized' : 'allocated');
  return w.join(', ');
}

function memWords(m: MemoryKind): string {
  switch (m) {
    case 'heap':
      return 'new object on the heap';
    case 'devm':
      return 'new object (devm: freed at unbind)';
    default:
      return 'new object';
  }
}

/** The statement text of a node, on one line and short. */
function snippet(n: SyntaxNode): string {
  const t = n.text.replace(/\s+/g, ' ').trim().replace(/;$/, '');
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}
