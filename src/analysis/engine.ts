// Path-sensitive run of the lifetime state machine over one function's control-flow graph.
// States are merged per CFG node by what matters (object states + value constraints) and bounded,
// so big functions never explode; violations carry the path that leads to them.
import { buildCfg, type Cfg } from './cfg';
import {
  applyOp,
  dropCheck,
  putMatches,
  exitCheck,
  newObject,
  stateKey,
  useCheck,
  type ObjState,
  type ViolationKind,
} from './model/transitions';
import type { ApiEntry, Failure, Op } from './model/api-table';
import type { ApiModel } from './model/model';
import { accessPath, args, calleeName, declaratorName, unwrap, walk, type SyntaxNode } from './syntax';

/** What a value is known to be on a path. */
type Val = 'zero' | 'neg' | 'nonnull' | 'err' | 'nonzero';

interface PathState {
  objs: Readonly<Record<string, ObjState>>;
  cons: Readonly<Record<string, Val>>;
  /** Values of calls evaluated in the current CFG node, by syntax id. */
  calls: Readonly<Record<number, Val>>;
  trail: readonly string[];
  retAt?: SyntaxNode;
  /** Trace mode only: what happened on this path so far (newest first), not part of the state key. */
  ev?: EventList;
  /** Trace mode only: the violations met on this path, part of the key (a buggy path is never folded
   * into a clean one). */
  vk?: string;
  /** Trace mode only: the state-graph vertex this state was enqueued as (for counting folded paths). */
  vid?: number;
}

/**
 * Trace mode (the lifecycle simulator): the concrete steps of one path, recorded as the run goes. The
 * same evaluation as the rules' check mode; only the bookkeeping differs.
 */
export type TraceEvent =
  /** A primitive transition applied to a tracked object (state after it). */
  | { kind: 'op'; op: Op; key: string; at: SyntaxNode; call?: string; helper?: string; obj: ObjState }
  /** An object returned by an allocator or creator (state after it). */
  | { kind: 'create'; key: string; at: SyntaxNode; call: string; obj: ObjState }
  /** A call with a failure mode took one of its outcomes. */
  | { kind: 'fork'; call: string; outcome: 'ok' | 'fail'; fails: Failure; at: SyntaxNode }
  /** An undecided condition went one way. */
  | { kind: 'branch'; at: SyntaxNode; taken: boolean; loop: boolean }
  /** A call given a tracked object that the model does not know (opaque) or a same-file helper. */
  | { kind: 'call'; call: string; at: SyntaxNode; keys: string[]; helper: boolean }
  /** The object was stored or returned: ownership handed on. */
  | { kind: 'escape'; key: string; at: SyntaxNode; obj: ObjState }
  /** The model's state machine raised a violation here. */
  | {
      kind: 'violation';
      violation: ViolationKind;
      key: string;
      at: SyntaxNode;
      obj: ObjState;
      helper?: string;
    }
  | { kind: 'return'; at: SyntaxNode }
  /** The variable no longer points at the object (reassigned, a loop cursor's next turn). */
  | { kind: 'forget'; key: string; at: SyntaxNode };

export interface EventList {
  e: TraceEvent;
  prev?: EventList;
}

/** One path of a trace-mode run, ending at the function's exit. */
export interface TracePath {
  /** Events in order. */
  events: TraceEvent[];
  /** Object states at the exit. */
  exit: Record<string, ObjState>;
  retAt?: SyntaxNode;
  /** The return hands back an error (-E…, NULL, ERR_PTR, a negative status). */
  errorExit: boolean;
  /** How many concrete paths (through undecided conditions) reach this same exit state. */
  count: number;
}

export interface RunOptions {
  /** Trace mode: objects already known at entry (a module's statics as module_init left them). */
  start?: Record<string, ObjState>;
}

export interface Violation {
  kind: ViolationKind;
  /** Where the finding is anchored. */
  at: SyntaxNode;
  /** The object's state when it happened. */
  obj: ObjState;
  /** For leaks: the return that leaves the object behind (undefined: the end of the function). */
  exitAt?: SyntaxNode;
  /** The helper whose summary did it, when the transition came from a same-file call. */
  viaHelper?: string;
  trail: string[];
}

/** What a same-file function does to each of its pointer parameters, on every path. */
/**
 * What a same-file function does to one pointer parameter on every path (`mixed`: it differs by path,
 * so the caller stops following the object), and to objects reached through it (`->kobj` → ops).
 */
export type ParamEffect = ({ kind: 'ops'; ops: Op[] } | { kind: 'mixed' }) & {
  members?: Record<string, Op[] | 'mixed'>;
};
export type Summary = ParamEffect[];

export interface FunctionInfo {
  name: string;
  node: SyntaxNode;
  body: SyntaxNode;
  /** Parameter names in order ('' for unnamed). */
  params: string[];
}

export interface EngineHost {
  model: ApiModel;
  /** Summary of a same-file function, or undefined when it is not one (or cannot be summarized). */
  summary(name: string): Summary | undefined;
  /** Whether a same-file function used as a release frees anything (undefined: not in this file). */
  releaseFrees(name: string): boolean | undefined;
}

export interface RunResult {
  violations: Violation[];
  /** Object states at the function's exits (for summaries). */
  exitStates: Record<string, ObjState>[];
  /** For each CFG-visited syntax node id: the lives seen per object key (for fix safety). */
  livesAt: Map<number, Map<string, Set<string>>>;
  partial: boolean;
  /** Trace mode: every distinct path to the exit, in the order they were completed. */
  paths?: TracePath[];
}

const MAX_STATES_PER_NODE = 32;
const VARIABLE_INDEX = /\[[^\]0-9]/;
/** Variables that hold an errno status by kernel convention. */
const ERRNO_NAMES = /^(?:ret|err|rc|error|retval|status|rv)$/;
const PUT_LIKE = /(?:^|_)(?:put|unregister)(?:_|$)/;
/** Logging calls: a bare pointer argument is printed as a value (%p), not dereferenced. */
const LOGGING =
  /^(?:dev_(?:err|warn|info|dbg|notice|crit|alert|emerg|printk|vdbg)\w*|pr_\w+|printk\w*|netdev_\w+|trace_\w+|WARN\w*)$/;
/** Unknown callees whose names say they may keep what they are given. */
const KEEPER =
  /(?:^|_)(?:add|register|attach|set|store|bind|insert|push|enqueue|queue|create|hold|keep|devres|connect|install)(?:_|$)/;
/** Unknown callees whose names say they may initialize what they are given. */
const MAY_INIT = /(?:add|register|init|setup|create|attach|probe|alloc)/i;
/** Callees that never initialize or take over an object passed to them (names, logging, locks…). */
const NEUTRAL =
  /^(?:dev_|pr_|printk|netdev_|mutex_|spin_lock|raw_spin_lock|init_|INIT_|memset|memcpy|str|snprintf|sprintf|scnprintf|kasprintf|kstrdup|kobject_set_name|ida_|atomic_|refcount_|WARN|BUG|set_bit|clear_bit|test_bit|devm_|platform_get_|of_property_|device_property_|fwnode_property_|dma_set_|pci_read_|pci_write_|readl|writel|ioread|iowrite)/;
const UNEVALUATED = new Set([
  'struct_size',
  'flex_array_size',
  'typeof',
  '__typeof__',
  '__typeof',
  'typeof_member',
  'sizeof_field',
  'offsetof',
  'ARRAY_SIZE',
  'BUILD_BUG_ON',
]);
const MAX_STEPS = 40000;
const MAX_TRAIL = 12;

export function runFunction(
  fn: FunctionInfo,
  host: EngineHost,
  mode: 'check' | 'summary' | 'trace',
  options: RunOptions = {},
): RunResult {
  const tracing = mode === 'trace';
  const cfg: Cfg = buildCfg(fn.body);
  const locals = collectLocals(fn);
  const aliases = collectAliases(fn, locals);
  const fromCalls = collectFromCalls(fn, host.model);
  const autoPutVars = collectAutoPut(fn, host.model);
  const violations: Violation[] = [];
  const seenViolation = new Set<string>();
  const exitStates: Record<string, ObjState>[] = [];
  const livesAt = new Map<number, Map<string, Set<string>>>();
  const unbalancedRefs = new Map<string, { obj: ObjState; st: PathState }>();
  const balancedRefs = new Set<string>();

  /** Trace mode: append an event to the path (other modes: the state as it is). */
  const note = (st: PathState, e: TraceEvent): PathState =>
    tracing ? { ...st, ev: { e, prev: st.ev } } : st;

  const report = (
    kind: ViolationKind,
    at: SyntaxNode,
    obj: ObjState,
    st: PathState,
    extra: Partial<Violation> = {},
  ): PathState => {
    if (tracing) {
      const e: TraceEvent = { kind: 'violation', violation: kind, key: obj.key, at, obj };
      if (extra.viaHelper) e.helper = extra.viaHelper;
      const sig = `${kind}@${at.startPoint.row}`;
      const vk = st.vk?.split(' ').includes(sig) ? st.vk : st.vk ? `${st.vk} ${sig}` : sig;
      return { ...note(st, e), vk };
    }
    if (mode !== 'check') return st;
    // One use-after-put per object and line is enough (`dev_info(&s->dev, "%d", s->id)`).
    const where = kind === 'use-after-put' || kind === 'use-after-free' ? `L${at.startPoint.row}` : at.id;
    const id = `${kind}:${where}:${obj.key}`;
    if (seenViolation.has(id)) return st;
    seenViolation.add(id);
    violations.push({ kind, at, obj, trail: [...st.trail], ...extra });
    return st;
  };

  const noteLife = (at: SyntaxNode, obj: ObjState): void => {
    let m = livesAt.get(at.id);
    if (!m) livesAt.set(at.id, (m = new Map()));
    let s = m.get(obj.key);
    if (!s) m.set(obj.key, (s = new Set()));
    s.add(obj.life);
  };

  // ---- object resolution -------------------------------------------------------------------
  /** Which object (container key + embedded member) an argument expression points at. */
  const resolve = (e: SyntaxNode): { key: string; member: string } | undefined => {
    const u = unwrap(e);
    if (u.type === 'call_expression') {
      const name = calleeName(u);
      // `no_free_ptr(x)` and friends evaluate to their argument.
      if (name && host.model.passThrough.has(name) && args(u).length === 1) return resolve(args(u)[0]!);
      // get_device(x) and kobject_get(x) evaluate to x.
      const entry = name ? host.model.api.get(name) : undefined;
      if (entry && entry.object === 0 && entry.ops.length === 1 && entry.ops[0] === 'get' && args(u)[0])
        return resolve(args(u)[0]!);
      return undefined;
    }
    const ap = accessPath(u);
    if (!ap) return undefined;
    if (!ap.addr) {
      const alias = aliases.get(ap.path);
      if (alias) return alias;
      if (VARIABLE_INDEX.test(ap.path)) return undefined;
      return { key: ap.path, member: '' };
    }
    const split = splitAddr(ap.path);
    // `slots[i]->dev` names a different object on every iteration: not one we can follow.
    if (VARIABLE_INDEX.test(split.key)) return undefined;
    // `pdev = &priv->pdev; … put_device(&pdev->dev)` reaches priv.
    const via = aliases.get(split.key);
    if (via) return { key: via.key, member: via.member ? `${via.member}.${split.member}` : split.member };
    return split;
  };

  /**
   * The objects an expression hands on when returned or stored: itself, either arm of `a ? b : c`, or
   * what a converter (`to_foo(dev)`, `container_of(dev, …)`) is given — the same object seen as its
   * container.
   */
  const handedOn = (e: SyntaxNode): { key: string; member: string }[] => {
    const u = unwrap(e);
    if (u.type === 'conditional_expression') {
      return [u.field('consequence'), u.field('alternative')].flatMap((x) => (x ? handedOn(x) : []));
    }
    const direct = resolve(u);
    if (direct) return [direct];
    const name = u.type === 'call_expression' ? calleeName(u) : undefined;
    const first = u.type === 'call_expression' ? args(u)[0] : undefined;
    if (name && first && CONVERTER.test(name)) return handedOn(first);
    return [];
  };

  /** The tracked object that a plain path expression belongs to (for uses), if any. */
  const ownerOf = (path: string, st: PathState): ObjState | undefined => {
    const alias = aliases.get(path) ?? aliases.get(rootOf(path));
    if (alias && st.objs[alias.key]) return st.objs[alias.key];
    for (const key in st.objs) {
      if (belongsTo(path, key)) return st.objs[key];
    }
    return undefined;
  };

  // ---- conditions ----------------------------------------------------------------------------
  const valueOf = (e: SyntaxNode, st: PathState): Val | undefined => {
    const u = unwrap(e);
    if (u.type === 'call_expression') {
      const v = st.calls[u.id];
      if (v) return v;
      const name = calleeName(u);
      const a = args(u);
      if ((name === 'IS_ERR' || name === 'IS_ERR_OR_NULL' || name === 'PTR_ERR_OR_ZERO') && a.length === 1) {
        const inner = valueOf(a[0]!, st);
        if (!inner) return undefined;
        if (name === 'IS_ERR')
          return inner === 'err' ? 'nonzero' : inner === 'zero' || inner === 'nonnull' ? 'zero' : undefined;
        if (name === 'IS_ERR_OR_NULL')
          return inner === 'err' || inner === 'zero' ? 'nonzero' : inner === 'nonnull' ? 'zero' : undefined;
        return inner === 'err' ? 'neg' : inner === 'nonnull' || inner === 'zero' ? 'zero' : undefined;
      }
      return undefined;
    }
    if (u.type === 'identifier') return st.cons[u.text];
    // Field values tested earlier on this path (`if (io->blocking)`), until something may change them.
    if (u.type === 'field_expression') {
      const ap = accessPath(u);
      if (ap && !ap.addr) return st.cons[ap.path];
    }
    if (u.type === 'assignment_expression' && u.field('operator')?.text === '=') {
      const l = u.field('left');
      return l ? valueOf(l, st) : undefined;
    }
    if (u.type === 'null' || (u.type === 'number_literal' && /^0+[uUlL]*$/.test(u.text))) return 'zero';
    if (u.type === 'identifier' && u.text === 'NULL') return 'zero';
    if (u.type === 'unary_expression' && u.field('operator')?.text === '!') {
      const v = u.field('argument') && valueOf(u.field('argument')!, st);
      return v === undefined ? undefined : v === 'zero' ? 'nonzero' : 'zero';
    }
    if (u.type === 'binary_expression') {
      const op = u.field('operator')?.text;
      const l = u.field('left');
      const r = u.field('right');
      if (!l || !r) return undefined;
      const isZero = (n: SyntaxNode): boolean => {
        const x = unwrap(n);
        return (
          x.type === 'null' ||
          x.text === 'NULL' ||
          (x.type === 'number_literal' && /^0+[uUlL]*$/.test(x.text))
        );
      };
      const other = isZero(r) ? l : isZero(l) ? r : undefined;
      if (!other) return undefined;
      const v = valueOf(other, st);
      if (!v) return undefined;
      const truthy = v !== 'zero';
      const flip = other === r; // `0 < ret` reads the other way round
      switch (op) {
        case '==':
          return truthy ? 'zero' : 'nonzero';
        case '!=':
          return truthy ? 'nonzero' : 'zero';
        case '<':
          if (flip) return v === 'zero' || v === 'neg' ? 'zero' : undefined;
          return v === 'neg' ? 'nonzero' : v === 'zero' ? 'zero' : undefined;
        case '>=':
          if (flip) return undefined;
          return v === 'neg' ? 'zero' : v === 'zero' ? 'nonzero' : undefined;
        case '>':
          if (flip) return v === 'neg' ? 'nonzero' : v === 'zero' ? 'zero' : undefined;
          return v === 'neg' || v === 'zero' ? 'zero' : undefined;
        case '<=':
          if (flip) return undefined;
          return v === 'neg' || v === 'zero' ? 'nonzero' : undefined;
        default:
          return undefined;
      }
    }
    return undefined;
  };

  const decide = (e: SyntaxNode, st: PathState): boolean | undefined => {
    const v = valueOf(e, st);
    return v === undefined ? undefined : v !== 'zero';
  };

  // ---- expression evaluation ------------------------------------------------------------------
  const setObj = (st: PathState, obj: ObjState): PathState => ({
    ...st,
    objs: { ...st.objs, [obj.key]: obj },
  });
  const dropObj = (st: PathState, key: string): PathState => {
    const objs = { ...st.objs };
    delete objs[key];
    return { ...st, objs };
  };
  const addTrail = (st: PathState, line: string): PathState =>
    st.trail.length >= MAX_TRAIL ? st : { ...st, trail: [...st.trail, line] };

  const lineOf = (n: SyntaxNode): number => n.startPoint.row + 1;

  const useOf = (n: SyntaxNode, path: string, states: PathState[]): PathState[] => {
    const bare = n.type === 'identifier' && !pointerValueIsUsed(n);
    return states.map((st) => {
      const obj = ownerOf(path, st);
      if (!obj) return st;
      // Testing or printing the pointer's value (`while (dev)`, `p == q`, "%p") touches no memory.
      if (bare && path === obj.key) return st;
      const v = useCheck(obj, n);
      return v ? report(v, n, obj, st) : st;
    });
  };

  /** Apply a table entry's transitions (or a helper summary's) to one object, reporting violations. */
  const applyOps = (
    st: PathState,
    key: string,
    member: string,
    ops: readonly Op[],
    at: SyntaxNode,
    entry: ApiEntry | undefined,
    helper: string | undefined,
  ): PathState => {
    let obj = st.objs[key];
    if (!obj) {
      if (ops.every((o) => o === 'escape')) return st;
      obj = newObject(key, 'unknown', 'unknown');
      const root = rootOf(key.startsWith('&') ? key.slice(1) : key);
      obj = { ...obj, external: fn.params.includes(root) || !locals.has(root) || fromCalls.has(root) };
      if (autoPutVars.has(key)) obj = { ...obj, autoPut: true };
    }
    // `&priv->chans[i].dev`: one refcount per element. Only the memory's origin is known (devm);
    // counting them as one object would be wrong.
    if (VARIABLE_INDEX.test(member)) {
      const array = st.objs[`${key}->${member.split('[')[0]}`];
      for (const mem of [st.objs[key], array]) {
        if (mem?.devm && mem.origin === 'alloc' && ops.includes('init'))
          st = report('refcounted-in-devm', at, mem, st);
      }
      return st;
    }
    if (member && obj.member === undefined) obj = { ...obj, member };
    // Two refcounted members of one container (`port->dev` and `port->sm_dev`): which one's release
    // frees the container is not ours to guess — stop following it.
    if (member && obj.member && !sameMember(obj.member, member)) {
      return setObj(st, { ...obj, escaped: true, life: obj.life === 'raw' ? 'unknown' : obj.life });
    }
    if (entry?.put && !obj.putName && entry.family !== 'memory') obj = { ...obj, putName: entry.put };
    noteLife(at, obj);
    // A looked-up reference dropped with another subsystem's put (of_node_put() on a device).
    const callName = calleeName(at);
    if (
      !helper &&
      entry?.ops.length === 1 &&
      entry.ops[0] === 'put' &&
      obj.origin === 'reference' &&
      callName &&
      !putMatches(obj.putName, callName)
    ) {
      st = report('wrong-put', at, obj, st);
    }
    let first = true;
    let prev: Op | undefined;
    for (const op of ops) {
      const t = applyOp(obj, op, at, entry?.family, prev);
      prev = op;
      if (t.violation && (first || !helper)) {
        st = report(t.violation, at, obj, st, helper ? { viaHelper: helper } : {});
      }
      obj = t.state;
      first = false;
      if (tracing) {
        const e: TraceEvent = { kind: 'op', op, key, at, obj };
        if (callName) e.call = callName;
        if (helper) e.helper = helper;
        st = note(st, e);
      }
    }
    return setObj(st, obj);
  };

  const evalCall = (call: SyntaxNode, states: PathState[], into?: string): PathState[] => {
    const name = calleeName(call);
    // typeof(*dev->p) and friends name a type: nothing is evaluated.
    if (name && UNEVALUATED.has(name)) return states;
    const a = args(call);
    const entry = name ? host.model.api.get(name) : undefined;
    // kref_put(&x->ref, rel) whose rel frees nothing (it only completes, say) ends no lifetime.
    const krefRelease =
      entry?.family === 'kref' && entry.ops.includes('put') ? a[1] && unwrap(a[1]) : undefined;
    if (krefRelease?.type === 'identifier' && host.releaseFrees(krefRelease.text) === false) {
      for (const arg of a) states = evalExpr(arg, states);
      return states;
    }
    if (entry) {
      const objArg = typeof entry.object === 'number' ? a[entry.object] : undefined;
      for (const arg of a) {
        if (arg === objArg && resolve(arg)) continue;
        states = evalExpr(arg, states);
      }
      if (entry.object === 'ret') return createObject(call, entry, states, into);
      // `&obj`, `&obj.kobj`, `&objs[i].dev`: the object is a named variable, not heap memory.
      const named =
        objArg && entry.ops.includes('init') && entry.family !== 'kref' ? accessPath(objArg) : undefined;
      if (named?.addr && !named.path.includes('->') && states[0]) {
        report('static-object', call, newObject(`&${rootOf(named.path)}`, 'unknown', 'unknown'), states[0]);
      }
      const ref = objArg ? resolve(objArg) : undefined;
      if (!ref) return states;
      const out: PathState[] = [];
      for (let st of states) {
        // A get whose result nobody tests (`get_device(&x->dev);`) cannot fail on a real object.
        // (or whose result is passed straight on: `kobject_create_and_add("x", kobject_get(p))`).
        const untested =
          entry.fails === 'null' &&
          (call.parent?.type === 'expression_statement' || call.parent?.type === 'argument_list');
        if (entry.fails && !untested) {
          const ok = applyOps(
            note(st, { kind: 'fork', call: name!, outcome: 'ok', fails: entry.fails, at: call }),
            ref.key,
            ref.member,
            entry.ops,
            call,
            entry,
            undefined,
          );
          // errno calls succeed with 0 and fail negative; pointer calls (get_device()) the other way.
          const okVal: Val = entry.fails === 'errno' ? 'zero' : 'nonnull';
          const badVal: Val = entry.fails === 'errno' ? 'neg' : 'zero';
          out.push(
            addTrail(
              { ...ok, calls: { ...ok.calls, [call.id]: okVal } },
              `${name}() succeeds (line ${lineOf(call)})`,
            ),
          );
          let bad = applyOps(
            note(st, { kind: 'fork', call: name!, outcome: 'fail', fails: entry.fails, at: call }),
            ref.key,
            ref.member,
            entry.onFailure ?? [],
            call,
            entry,
            undefined,
          );
          const obj = bad.objs[ref.key];
          if (obj && entry.ops.includes('add')) bad = setObj(bad, { ...obj, failAt: call });
          out.push(
            addTrail(
              { ...bad, calls: { ...bad.calls, [call.id]: badVal } },
              `${name}() fails (line ${lineOf(call)})`,
            ),
          );
        } else {
          st = applyOps(st, ref.key, ref.member, entry.ops, call, entry, undefined);
          if (entry.family !== 'sink' && entry.family !== 'memory')
            st = addTrail(st, `${name}() (line ${lineOf(call)})`);
          else if (entry.ops.includes('free')) st = addTrail(st, `${name}() frees it (line ${lineOf(call)})`);
          out.push(st);
        }
      }
      return out;
    }
    const summary = name ? host.summary(name) : undefined;
    if (tracing && name) {
      const refs = a.flatMap((x) => handedOn(x).map((r) => r.key));
      states = states.map((st) => {
        const keys = refs.filter((k) => st.objs[k]);
        return note(st, { kind: 'call', call: name, at: call, keys, helper: summary !== undefined });
      });
    }
    if (name && summary) {
      states = forgetFields(states, a);
      for (let i = 0; i < a.length; i++) {
        const effect = summary[i];
        const ref = resolve(a[i]!);
        const members = effect?.members ?? {};
        if (
          !effect ||
          !ref ||
          (effect.kind === 'ops' && effect.ops.length === 0 && Object.keys(members).length === 0)
        ) {
          states = evalExpr(a[i]!, states);
          continue;
        }
        states = applyEffect(states, ref.key, ref.member, effect, call, a[i]!, name);
        // What the helper does to objects hanging off the parameter (`p->kobj`), for a whole container.
        if (ref.member === '') {
          for (const [suffix, m] of Object.entries(members)) {
            const ops = m === 'mixed' ? ({ kind: 'mixed' } as const) : ({ kind: 'ops', ops: m } as const);
            states = applyEffect(states, `${ref.key}${suffix}`, '', ops, call, a[i]!, name);
          }
        }
      }
      return states;
    }
    if (call.field('function')?.type !== 'identifier') states = evalExpr(call.field('function')!, states);
    // A callee may change the fields of whatever it is given: forget what was known about them.
    states = forgetFields(states, a);
    // An unknown `*_put()` after a put drops another reference (subsys_put()): not a use.
    if (name && PUT_LIKE.test(name)) return states;
    for (const arg of a) states = evalExpr(arg, states);
    if (name && !NEUTRAL.test(name) && KEEPER.test(name)) {
      // A looked-up reference handed to something that keeps things (devres_add(), *_attach(),
      // *_register()) may now be that thing's to drop.
      states = states.map((st) => {
        for (const arg of a) {
          for (const ref of handedOn(arg)) {
            const o = st.objs[ref.key];
            if (o && o.origin === 'reference') {
              st = setObj(st, { ...o, escaped: true, ops: [...o.ops, 'escape'] });
              st = note(st, { kind: 'escape', key: ref.key, at: call, obj: st.objs[ref.key]! });
            }
          }
        }
        return st;
      });
    }
    if (!name || NEUTRAL.test(name) || !MAY_INIT.test(name)) return states;
    // An unknown registration-like function handed an uninitialized object may initialize it
    // (rio_add_device() calls device_register()): from here on its state is not ours to claim.
    return states.map((st) => {
      for (const arg of a) {
        const ref = resolve(arg);
        const o = ref && st.objs[ref.key];
        if (o && o.life === 'raw') st = setObj(st, { ...o, life: 'unknown', known: false });
      }
      return st;
    });
  };

  const applyEffect = (
    states: PathState[],
    key: string,
    member: string,
    effect: ParamEffect,
    call: SyntaxNode,
    arg: SyntaxNode,
    name: string,
  ): PathState[] => {
    const ops: readonly Op[] = effect.kind === 'mixed' ? ['escape'] : effect.ops;
    if (ops.length === 0) return states;
    return states.map((st) => {
      if (effect.kind === 'mixed' && !st.objs[key]) return st;
      const before = st.objs[key];
      if (before) {
        const v = useCheck(before);
        if (v && !ops.some((o) => o === 'put' || o === 'free')) st = report(v, arg, before, st);
      }
      let next = applyOps(st, key, member, ops, call, undefined, name);
      const after = next.objs[key];
      // A helper that initializes on some paths only: the object may be initialized now.
      if (effect.kind === 'mixed' && after?.life === 'raw')
        next = setObj(next, { ...after, life: 'unknown', known: false });
      return effect.kind === 'ops'
        ? addTrail(next, `${name}() does ${ops.join(', ')} (line ${lineOf(call)})`)
        : next;
    });
  };

  const createObject = (
    call: SyntaxNode,
    entry: ApiEntry,
    states: PathState[],
    into: string | undefined,
  ): PathState[] => {
    const out: PathState[] = [];
    const name = calleeName(call) ?? '';
    const consumed = entry.consumes !== undefined ? args(call)[entry.consumes] : undefined;
    const from = consumed ? resolve(consumed) : undefined;
    // Stored straight into a field or a global: handed on as it arrives.
    const stored = into !== undefined && (!locals.has(into) || /->|\.|\[/.test(into));
    for (let st of states) {
      // `pci_get_device(v, d, from)` drops the reference on `from` itself.
      if (from && st.objs[from.key])
        st = applyOps(st, from.key, from.member, ['put'], call, undefined, undefined);
      const previous = into !== undefined ? st.objs[into] : undefined;
      // `dev = bus_find_next_device(bus, dev)`: the previous element's reference is never dropped.
      if (previous && dropCheck(previous) && previous.allocAt) {
        st = report('reference-leak', previous.allocAt, previous, st, { exitAt: call });
      }
      if (into !== undefined) st = dropObj(st, into);
      if (into !== undefined) {
        const origin = entry.ops.includes('alloc')
          ? 'alloc'
          : entry.family === 'reference'
            ? 'reference'
            : 'create';
        let obj = newObject(into, origin, entry.ops.includes('alloc') ? 'raw' : 'unknown');
        obj = { ...obj, devm: entry.devm === true, allocAt: call };
        if (entry.family !== 'memory')
          obj = { ...obj, member: '', putName: entry.put ?? 'put_device', family: entry.family };
        if (autoPutVars.has(into)) obj = { ...obj, autoPut: true };
        for (const op of entry.ops) {
          if (op === 'alloc') continue;
          obj = applyOp(obj, op, call, entry.family).state;
        }
        if (entry.family === 'reference') obj = { ...obj, known: false };
        if (stored) obj = { ...obj, escaped: true };
        let traced = st;
        if (entry.fails)
          traced = note(traced, { kind: 'fork', call: name, outcome: 'ok', fails: entry.fails, at: call });
        traced = note(traced, { kind: 'create', key: into, at: call, call: name, obj });
        const ok = setObj(traced, obj);
        out.push(
          addTrail(
            { ...ok, calls: { ...ok.calls, [call.id]: 'nonnull' } },
            `${name}() returns an object (line ${lineOf(call)})`,
          ),
        );
      } else {
        out.push({ ...st, calls: { ...st.calls, [call.id]: 'nonnull' } });
      }
      if (entry.fails) {
        const failVal: Val = entry.fails === 'errptr' ? 'err' : 'zero';
        const failed = note(st, { kind: 'fork', call: name, outcome: 'fail', fails: entry.fails, at: call });
        out.push(
          addTrail(
            { ...failed, calls: { ...failed.calls, [call.id]: failVal } },
            `${name}() fails (line ${lineOf(call)})`,
          ),
        );
        if (entry.fails === 'errptr-or-null')
          out.push({ ...failed, calls: { ...failed.calls, [call.id]: 'err' } });
      }
    }
    return out;
  };

  const evalAssign = (
    lhs: SyntaxNode,
    rhs: SyntaxNode | undefined,
    op: string,
    states: PathState[],
  ): PathState[] => {
    const lp = accessPath(lhs);
    const lhsPath = lp && !lp.addr ? lp.path : undefined;
    const r = rhs ? unwrap(rhs) : undefined;
    const rName = r && r.type === 'call_expression' ? calleeName(r) : undefined;
    const rEntry = rName ? host.model.api.get(rName) : undefined;
    let created: string | undefined;
    if (r && rEntry && rEntry.object === 'ret' && lhsPath && op === '=') {
      states = evalCall(r, states, lhsPath);
      created = lhsPath;
    } else if (r) {
      states = evalExpr(r, states);
    }
    if (!lhsPath) {
      // `*out = dev`, `table[i] = dev`: stored where the caller can reach it.
      states = evalExpr(lhs, states);
      const stored = r && op === '=' ? handedOn(r) : [];
      return states.map((st) => {
        for (const ref of stored) {
          const o = st.objs[ref.key];
          if (o) {
            st = setObj(st, { ...o, escaped: true, ops: [...o.ops, 'escape'] });
            st = note(st, { kind: 'escape', key: ref.key, at: lhs, obj: st.objs[ref.key]! });
          }
        }
        return st;
      });
    }
    const stores = !locals.has(lhsPath) || /->|\.|\[/.test(lhsPath);
    const rref = r && op === '=' ? (stores ? handedOn(r)[0] : resolve(r)) : undefined;
    return states.map((st) => {
      // Writing into a member of a tracked object is a use of it.
      if (lhsPath.includes('->') || lhsPath.includes('.') || lhsPath.includes('[')) {
        const owner = ownerOf(lhsPath, st);
        if (owner && owner.key !== lhsPath) {
          const v = useCheck(owner, lhs);
          if (v) st = report(v, lhs, owner, st);
        }
      }
      if (op !== '=') {
        const cons = { ...st.cons };
        delete cons[lhsPath];
        return { ...st, cons };
      }
      // Reassigning the pointer forgets the object it held (and anything reached through it).
      for (const key of Object.keys(st.objs)) {
        if (key === created) continue;
        if (key === lhsPath || key.startsWith(`${lhsPath}->`) || key.startsWith(`${lhsPath}.`)) {
          const old = st.objs[key]!;
          // A helper's summary must still see what it did to `p->obj` before `p->obj = NULL`.
          if (mode === 'summary' && fn.params.includes(rootOf(key)) && old.ops.length > 0) {
            st = setObj(st, { ...old, escaped: true });
          } else {
            st = note(dropObj(st, key), { kind: 'forget', key, at: lhs });
          }
        }
      }
      // `struct device *d __free(put_device) = &x->dev;` hands x's reference to the scope-exit put.
      if (rref && autoPutVars.has(lhsPath) && st.objs[rref.key])
        st = setObj(st, { ...st.objs[rref.key]!, autoPut: true });
      // Copied into another local (`dev = next`) or stored anywhere: no longer ours to follow.
      if (rref && !created && rref.key !== lhsPath && !aliases.has(lhsPath)) {
        // Stored somewhere that outlives the function: whatever happens later is someone else's.
        const o = st.objs[rref.key] ?? newObject(rref.key, 'unknown', 'unknown');
        st = setObj(st, { ...o, escaped: true, ops: [...o.ops, 'escape'] });
        if (tracing && st.objs[rref.key] && o.life !== 'unknown')
          st = note(st, { kind: 'escape', key: rref.key, at: lhs, obj: st.objs[rref.key]! });
      }
      const cons = { ...st.cons };
      const v = r ? (literalVal(r) ?? valueOf(r, st)) : undefined;
      if (v) cons[lhsPath] = v;
      else delete cons[lhsPath];
      return { ...st, cons };
    });
  };

  const evalExpr = (n: SyntaxNode, states: PathState[]): PathState[] => {
    if (states.length === 0) return states;
    switch (n.type) {
      case 'call_expression':
        return evalCall(n, states);
      case 'assignment_expression': {
        const l = n.field('left');
        const op = n.field('operator')?.text ?? '=';
        return l ? evalAssign(l, n.field('right'), op, states) : states;
      }
      case 'identifier':
      case 'field_expression':
      case 'subscript_expression': {
        const ap = accessPath(n);
        if (ap) {
          states = useOf(n, ap.path, states);
          if (n.type === 'subscript_expression' && n.field('index'))
            return evalExpr(n.field('index')!, states);
          return states;
        }
        break;
      }
      case 'pointer_expression': {
        const ap = accessPath(n);
        if (ap) return useOf(n, ap.path, states);
        break;
      }
      case 'macro_type_specifier':
      case 'type_descriptor':
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'offsetof_expression':
      case 'string_literal':
      case 'concatenated_string':
      case 'number_literal':
      case 'char_literal':
      case 'comment':
        return states;
      case 'declaration':
        return evalDeclaration(n, states);
      case 'update_expression': {
        const arg = n.field('argument');
        if (arg) {
          const ap = accessPath(arg);
          if (ap) {
            return useOf(arg, ap.path, states).map((st) => {
              if (!(ap.path in st.cons)) return st;
              const cons = { ...st.cons };
              delete cons[ap.path];
              return { ...st, cons };
            });
          }
        }
        break;
      }
      default:
        break;
    }
    for (const k of n.kids) states = evalExpr(k, states);
    return states;
  };

  const evalDeclaration = (n: SyntaxNode, states: PathState[]): PathState[] => {
    for (const d of n.kids) {
      if (d.type === 'init_declarator') {
        const name = declaratorName(d.field('declarator'));
        const value = d.field('value');
        if (name && value && value.type !== 'initializer_list') {
          states = evalAssign(name, value, '=', states);
        } else if (value) {
          states = evalExpr(value, states);
        }
      }
    }
    return states;
  };

  const evalReturn = (n: SyntaxNode, states: PathState[]): PathState[] => {
    const e = n.kids[0];
    if (!e) return states.map((st) => note({ ...st, retAt: n }, { kind: 'return', at: n }));
    states = evalExpr(e, states);
    const refs = handedOn(e);
    return states.map((st) => {
      let s: PathState = { ...st, retAt: n };
      for (const ref of refs) {
        const obj = s.objs[ref.key] ?? ownerOf(ref.key, s);
        if (obj && obj.key === ref.key) {
          s = setObj(s, { ...obj, escaped: true, ops: [...obj.ops, 'escape'] });
          s = note(s, { kind: 'escape', key: ref.key, at: n, obj: s.objs[ref.key]! });
        }
      }
      return note(s, { kind: 'return', at: n });
    });
  };

  // ---- the worklist ---------------------------------------------------------------------------
  const initial: PathState = { objs: {}, cons: {}, calls: {}, trail: [] };
  let start = initial;
  if (mode === 'summary') {
    const objs: Record<string, ObjState> = {};
    for (const p of fn.params) if (p) objs[p] = newObject(p, 'unknown', 'unknown');
    start = { ...initial, objs };
  }
  if (options.start) start = { ...start, objs: { ...start.objs, ...options.start } };
  const seen = new Map<number, Set<string>>();
  // Trace mode: the graph of (CFG node, state) vertices, with one incoming edge per arrival, so the
  // number of concrete paths folded into each exit state can be counted afterwards.
  const vertexOf = new Map<string, number>();
  const incoming: number[][] = [];
  const paths: { st: PathState; vid: number }[] = [];
  const queue: { node: number; st: PathState }[] = [{ node: cfg.entry, st: start }];
  let steps = 0;
  let partial = false;

  const enqueue = (node: number, st: PathState): void => {
    const key = keyOf(st);
    let set = seen.get(node);
    if (!set) seen.set(node, (set = new Set()));
    if (set.has(key)) {
      if (tracing) incoming[vertexOf.get(`${node} ${key}`)!]!.push(st.vid ?? -1);
      return;
    }
    if (set.size >= MAX_STATES_PER_NODE) {
      partial = true;
      return;
    }
    set.add(key);
    if (tracing) {
      const vid = incoming.length;
      incoming.push([st.vid ?? -1]);
      vertexOf.set(`${node} ${key}`, vid);
      queue.push({ node, st: { ...st, vid } });
      return;
    }
    queue.push({ node, st });
  };

  while (queue.length) {
    if (++steps > MAX_STEPS) {
      partial = true;
      break;
    }
    const { node: id, st: raw } = queue.pop()!;
    const node = cfg.nodes[id]!;
    const st: PathState = Object.keys(raw.calls).length ? { ...raw, calls: {} } : raw;
    switch (node.kind) {
      case 'entry':
      case 'nop':
        for (const s of node.succ) enqueue(s, st);
        break;
      case 'stmt': {
        const out = evalExpr(node.syntax!, [st]);
        for (const o of out) for (const s of node.succ) enqueue(s, o);
        break;
      }
      case 'return': {
        const out = evalReturn(node.syntax!, [st]);
        for (const o of out) for (const s of node.succ) enqueue(s, o);
        break;
      }
      case 'iterate': {
        // The macro's arguments that are plain variables are its cursors: reassigned every turn.
        let out = st;
        walk(node.syntax!, (n) => {
          if (
            n.type === 'identifier' &&
            n.parent?.type !== 'field_expression' &&
            n.parent?.type !== 'call_expression'
          ) {
            for (const key of Object.keys(out.objs))
              if (rootOf(key) === n.text && !key.startsWith('&'))
                out = note(dropObj(out, key), { kind: 'forget', key, at: n });
            if (n.text in out.cons) {
              const cons = { ...out.cons };
              delete cons[n.text];
              out = { ...out, cons };
            }
          }
          return n.type !== 'call_expression';
        });
        node.succ.forEach((s, i) =>
          enqueue(s, note(out, { kind: 'branch', at: node.syntax!, taken: i === 0, loop: true })),
        );
        break;
      }
      case 'branch': {
        const cond = node.syntax!;
        const out = evalExpr(cond, [st]);
        const loop = tracing && isLoopCondition(cond);
        for (const o of out) {
          const d = decide(cond, o);
          const mark = (taken: boolean, x: PathState): PathState =>
            d === undefined ? note(x, { kind: 'branch', at: cond, taken, loop }) : x;
          if (d !== false) enqueue(node.succ[0]!, mark(true, refine(cond, o, true)));
          if (d !== true) enqueue(node.succ[1]!, mark(false, refine(cond, o, false)));
        }
        break;
      }
      case 'exit': {
        if (tracing) paths.push({ st, vid: st.vid ?? -1 });
        exitStates.push({ ...st.objs });
        for (const key in st.objs) {
          const obj = st.objs[key]!;
          const v = exitCheck(obj);
          if (v === 'leak') report(v, obj.failAt!, obj, st, st.retAt ? { exitAt: st.retAt } : {});
          // A reference kept on a success exit is often kept on purpose (stored in ways one function
          // cannot see, dropped by a paired remove, handed to a thread): only an error exit that loses
          // it, in a function that drops or hands it on at another exit, proves a forgotten put.
          else if (v === 'reference-leak' && obj.allocAt) {
            const id = `${obj.key}@${obj.allocAt.id}`;
            if (!unbalancedRefs.has(id) && st.retAt && returnsError(st.retAt, st))
              unbalancedRefs.set(id, { obj, st });
          } else if (v === 'double-put') report(v, obj.putAt!, obj, st);
          if (!v && obj.origin === 'reference' && obj.allocAt)
            balancedRefs.add(`${obj.key}@${obj.allocAt.id}`);
        }
        break;
      }
    }
  }
  for (const [id, { obj, st }] of unbalancedRefs) {
    if (balancedRefs.has(id) && st.retAt)
      report('reference-leak', obj.allocAt!, obj, st, { exitAt: st.retAt });
  }
  if (!tracing) return { violations, exitStates, livesAt, partial };
  // Concrete paths into each vertex: the sum over its arrivals (an arrival from a vertex still being
  // counted is a loop's back edge: another turn that changed nothing, not another path).
  const count = new Map<number, number>();
  const counting = new Set<number>();
  const pathsInto = (v: number): number => {
    if (v < 0) return 1;
    const known = count.get(v);
    if (known !== undefined) return known;
    if (counting.has(v)) return 0;
    counting.add(v);
    // An explicit stack would be needed only for graphs deeper than the state bound allows.
    let n = 0;
    for (const u of incoming[v]!) n = Math.min(n + pathsInto(u), MAX_COUNTED_PATHS);
    counting.delete(v);
    count.set(v, n);
    return n;
  };
  const traced: TracePath[] = paths.map(({ st, vid }) => {
    const events: TraceEvent[] = [];
    for (let l = st.ev; l; l = l.prev) events.push(l.e);
    events.reverse();
    const p: TracePath = {
      events,
      exit: { ...st.objs },
      errorExit: st.retAt ? returnsError(st.retAt, st) : false,
      count: Math.max(1, pathsInto(vid)),
    };
    if (st.retAt) p.retAt = st.retAt;
    return p;
  });
  return { violations, exitStates, livesAt, partial, paths: traced };
}

/** Paths are counted up to this many (a figure for people, not an exact census). */
const MAX_COUNTED_PATHS = 1_000_000;

/** Is this condition the one a loop tests each turn (`while (c)`, `for (…; c; …)`, `do … while (c)`)? */
function isLoopCondition(cond: SyntaxNode): boolean {
  let n: SyntaxNode | undefined = cond;
  while (n && n.parent) {
    const p: SyntaxNode = n.parent;
    if (p.type === 'while_statement' || p.type === 'for_statement' || p.type === 'do_statement')
      return p.field('condition') === n || (p.type === 'for_statement' && p.field('condition') === n);
    if (/statement$/.test(p.type) || p.type === 'compound_statement') return false;
    n = p;
  }
  return false;
}

/** Does this return hand back an error: -E…, a negative errno variable, ERR_PTR(), NULL or false? */
function returnsError(ret: SyntaxNode, st: PathState): boolean {
  const e = ret.kids[0] && unwrap(ret.kids[0]);
  if (!e) return false;
  if (e.type === 'null' || e.text === 'NULL' || e.type === 'false') return true;
  if (e.type === 'unary_expression' && e.field('operator')?.text === '-') return true;
  if (e.type === 'call_expression' && /^(?:ERR_PTR|ERR_CAST)$/.test(calleeName(e) ?? '')) return true;
  // `return ret;` after `if (ret < 0)` or `if (ret)`: in kernel style a nonzero status is an errno.
  if (e.type === 'identifier') {
    const v = st.cons[e.text];
    return v === 'neg' || (v === 'nonzero' && ERRNO_NAMES.test(e.text));
  }
  return false;
}

/** After `if (p)` / `if (!p)` on a plain variable, the branch knows whether it is zero. */
function refine(cond: SyntaxNode, st: PathState, taken: boolean): PathState {
  let u = unwrap(cond);
  let truth = taken;
  if (u.type === 'binary_expression') {
    const op = u.field('operator')?.text;
    const r = u.field('right');
    const l = u.field('left');
    const isZero = (n: SyntaxNode | undefined): boolean =>
      !!n && (literalVal(unwrap(n)) === 'zero' || n.text === 'NULL');
    if ((op === '==' || op === '!=') && l && isZero(r)) {
      u = unwrap(l);
      truth = op === '!=' ? taken : !taken;
    } else if (
      op === '<' &&
      l &&
      isZero(r) &&
      unwrap(l).type === 'identifier' &&
      !(unwrap(l).text in st.cons)
    ) {
      // `if (ret < 0)`: negative on the taken branch.
      return taken ? { ...st, cons: { ...st.cons, [unwrap(l).text]: 'neg' } } : st;
    } else return st;
  }
  if (u.type === 'assignment_expression' && u.field('operator')?.text === '=') u = unwrap(u.field('left')!);
  const path =
    u.type === 'identifier' ? u.text : u.type === 'field_expression' ? accessPath(u)?.path : undefined;
  if (path && !(path in st.cons)) {
    return { ...st, cons: { ...st.cons, [path]: truth ? 'nonzero' : 'zero' } };
  }
  return st;
}

/** Drop constraints on fields reachable from the call's arguments (`foo(x)` may change `x->flag`). */
function forgetFields(states: PathState[], argNodes: SyntaxNode[]): PathState[] {
  const roots = new Set<string>();
  for (const arg of argNodes) {
    walk(arg, (n) => {
      if (n.type === 'identifier') roots.add(n.text);
      return true;
    });
  }
  return states.map((st) => {
    let cons: Record<string, Val> | undefined;
    for (const key of Object.keys(st.cons)) {
      if (!key.includes('->') && !key.includes('.')) continue;
      const root = /^[A-Za-z_]\w*/.exec(key)?.[0];
      if (root && (roots.has(root) || !roots.size)) {
        cons ??= { ...st.cons };
        delete cons[key];
      }
    }
    return cons ? { ...st, cons } : st;
  });
}

function keyOf(st: PathState): string {
  const parts: string[] = st.vk ? [st.vk, '|'] : [];
  for (const k of Object.keys(st.objs).sort()) parts.push(`${k}=${stateKey(st.objs[k]!)}`);
  parts.push('|');
  for (const k of Object.keys(st.cons).sort()) parts.push(`${k}:${st.cons[k]}`);
  return parts.join(' ');
}

function literalVal(n: SyntaxNode): Val | undefined {
  if (n.type === 'null' || n.text === 'NULL' || n.type === 'false') return 'zero';
  if (n.type === 'true') return 'nonzero';
  if (n.type === 'number_literal') return /^0+[uUlL]*$|^0x0+$/.test(n.text) ? 'zero' : 'nonzero';
  if (n.type === 'unary_expression' && n.field('operator')?.text === '-') {
    const a = n.field('argument');
    if (a && (a.type === 'identifier' || a.type === 'number_literal') && /^E[A-Z0-9]+$|^[1-9]/.test(a.text))
      return 'neg';
  }
  return undefined;
}

/** `&x->dev` → container `x`, member `dev`; `&s.dev` → container `&s`; `&obj` → container `&obj`. */
function splitAddr(path: string): { key: string; member: string } {
  const arrow = path.lastIndexOf('->');
  if (arrow >= 0) {
    const key = path.slice(0, arrow);
    const rest = path.slice(arrow + 2);
    // `&x->a.b.c`: the member is `a.b.c` of container x.
    return { key, member: rest };
  }
  const dot = path.indexOf('.');
  if (dot >= 0) return { key: `&${path.slice(0, dot)}`, member: path.slice(dot + 1) };
  return { key: `&${path}`, member: '' };
}

function rootOf(path: string): string {
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path);
  return m ? m[0] : path;
}

/**
 * Does this bare pointer expression reach memory? Not when it is only compared, tested or printed
 * with a logging call; yes when passed to a function, returned or dereferenced by its parent.
 */
function pointerValueIsUsed(n: SyntaxNode): boolean {
  const p = n.parent;
  if (!p) return true;
  switch (p.type) {
    case 'binary_expression':
    case 'unary_expression':
    case 'parenthesized_expression':
    case 'if_statement':
    case 'while_statement':
    case 'conditional_expression':
      return false;
    case 'argument_list': {
      const name = p.parent ? calleeName(p.parent) : undefined;
      return !(name && LOGGING.test(name));
    }
    default:
      return true;
  }
}

/** `subsys` and `subsys.kobj` name the same refcount (a kset's kobject); `dev` and `sm_dev` do not. */
function sameMember(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** Does the expression path denote the object with this key or a member of it? */
function belongsTo(path: string, key: string): boolean {
  if (key.startsWith('&')) {
    const base = key.slice(1);
    return path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
  }
  return (
    path === key || path.startsWith(`${key}->`) || path.startsWith(`${key}.`) || path.startsWith(`${key}[`)
  );
}

/** Names declared in the function (parameters and locals). */
function collectLocals(fn: FunctionInfo): Set<string> {
  const out = new Set(fn.params.filter(Boolean));
  walk(fn.body, (n) => {
    if (n.type === 'declaration') {
      for (const d of n.kids) {
        const name = declaratorName(d.type === 'init_declarator' ? d.field('declarator') : d);
        if (name && d.type !== 'primitive_type' && d.type !== 'type_identifier') out.add(name.text);
      }
    }
  });
  return out;
}

/**
 * Local pointers assigned exactly once from `&container->member` (`struct device *dev = &pdev->dev;`)
 * or another path are aliases of that object for the whole function.
 */
function collectAliases(fn: FunctionInfo, locals: Set<string>): Map<string, { key: string; member: string }> {
  const assigned = new Map<string, SyntaxNode[]>();
  const note = (name: string, value: SyntaxNode): void => {
    if (!locals.has(name) || fn.params.includes(name)) return;
    const list = assigned.get(name) ?? [];
    list.push(value);
    assigned.set(name, list);
  };
  walk(fn.body, (n) => {
    if (n.type === 'init_declarator') {
      const name = declaratorName(n.field('declarator'));
      const v = n.field('value');
      if (name && v) note(name.text, v);
    } else if (n.type === 'assignment_expression') {
      const l = n.field('left');
      const r = n.field('right');
      if (l && r && unwrap(l).type === 'identifier')
        note(unwrap(l).text, n.field('operator')?.text === '=' ? r : l);
    }
  });
  const out = new Map<string, { key: string; member: string }>();
  for (const [name, values] of assigned) {
    if (values.length !== 1) continue;
    // `sw = to_role_switch(dev)`: the same object seen as its container.
    const v = unwrap(values[0]!);
    const conv = v.type === 'call_expression' && CONVERTER.test(calleeName(v) ?? '') ? args(v)[0] : undefined;
    const plain = conv && accessPath(conv);
    if (plain && !plain.addr && !VARIABLE_INDEX.test(plain.path) && plain.path !== name) {
      out.set(name, { key: plain.path, member: '' });
      continue;
    }
    const ap = accessPath(values[0]!);
    if (!ap || !ap.addr) continue;
    const { key, member } = splitAddr(ap.path);
    if (key === name) continue;
    out.set(name, { key, member });
  }
  return out;
}

/** Converters that compute a container address from a member: the result carries no reference. */
const CONVERTER =
  /^(?:container_of\w*|list_\w*entry\w*|hlist_\w*entry\w*|to_\w+|\w+_to_\w+|dev_get_drvdata|platform_get_drvdata|i2c_get_clientdata|spi_get_drvdata|pci_get_drvdata)$/;

/**
 * Locals assigned from a function call that is not a converter: such a function usually hands its
 * caller a reference (an allocator in the same file, a lookup we do not know): treat them like
 * parameters, whose refcount is not ours to count.
 */
function collectFromCalls(fn: FunctionInfo, model: ApiModel): Set<string> {
  const out = new Set<string>();
  const note = (name: string | undefined, value: SyntaxNode | undefined): void => {
    const v = value && unwrap(value);
    if (!name || !v || v.type !== 'call_expression') return;
    const callee = calleeName(v);
    if (!callee || CONVERTER.test(callee) || model.api.has(callee)) return;
    out.add(name);
  };
  walk(fn.body, (n) => {
    if (n.type === 'init_declarator') note(declaratorName(n.field('declarator'))?.text, n.field('value'));
    else if (n.type === 'assignment_expression') {
      const l = n.field('left');
      if (l && unwrap(l).type === 'identifier') note(unwrap(l).text, n.field('right'));
    }
  });
  return out;
}

/** Variables declared with `__free(<put>)`: the put runs at scope exit (include/linux/cleanup.h). */
function collectAutoPut(fn: FunctionInfo, model: ApiModel): Set<string> {
  const out = new Set<string>();
  walk(fn.body, (n) => {
    if (n.type !== 'declaration') return true;
    const m = /__free\s*\(\s*([A-Za-z_]\w*)\s*\)/.exec(n.text);
    if (m && model.api.get(m[1]!)?.ops.includes('put')) {
      for (const d of n.kids) {
        const name = declaratorName(d.type === 'init_declarator' ? d.field('declarator') : d);
        if (name && (d.type === 'init_declarator' || d.type.endsWith('declarator'))) out.add(name.text);
      }
    }
    return false;
  });
  return out;
}
