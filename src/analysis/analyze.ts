// One file, start to finish: normalise, parse, copy the tree, gather facts, run the state machine over
// every function that uses a lifetime API, and turn the model's violations into findings.
import type { Tree } from 'web-tree-sitter';
import { runFunction, type EngineHost, type FunctionInfo, type ParamEffect, type Summary } from './engine';
import { collectFacts, releaseFrees, type FileFacts } from './facts';
import type { Op } from './model/api-table';
import type { ApiModel } from './model/model';
import type { RuleSetting } from './config';
import { normalizeKernelC } from './normalize';
import { RULES } from './rules';
import type { RuleDefinition } from './rules/rule';
import { copyTree, type SyntaxNode } from './syntax';
import { indentUnit } from './rules/rule';
import type { AnalysisResult, Finding, FunctionStats, Range } from './types';

export interface AnalyzeFileOptions {
  rules?: readonly string[];
  timeBudgetMs?: number;
  /** Rewrite kernel-macro shapes before parsing (default true; false only to measure what it buys). */
  normalize?: boolean;
  /** Per-rule severity from the user's configuration; 'off' disables the rule. */
  severities?: Readonly<Record<string, RuleSetting>>;
}

const IGNORE =
  /\/\*\s*kobject-lifetime:\s*ignore\s+([\w-]+(?:\s*,\s*[\w-]+)*)\s*\*\/|\/\/\s*kobject-lifetime:\s*ignore\s+([\w-]+(?:\s*,\s*[\w-]+)*)/g;

export function analyzeText(
  text: string,
  parse: (normalized: string) => Tree | null,
  model: ApiModel,
  options: AnalyzeFileOptions = {},
): AnalysisResult {
  const tree = parse(options.normalize === false ? text : normalizeKernelC(text));
  if (!tree) {
    const stats: FunctionStats = { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 };
    return { findings: [], stats, partial: 'the parser gave up on this file' };
  }
  let root;
  try {
    root = copyTree(tree, text);
  } finally {
    tree.delete();
  }
  return analyzeRoot(root, text, model, options);
}

/**
 * Per-function results kept between analyses of an edited document. A function's findings are taken
 * from here when nothing they depend on changed: its own text, the file's facts and release functions,
 * the options, and the answers its run got about other functions (their summaries, whether a release
 * frees) — recorded as the run asked and compared by value, so an edit that leaves a callee's summary
 * as it was does not re-run the callee's callers.
 *
 * A function's text is compared through its node id: an edited document keeps the node of a top-level
 * declaration only while its text is unchanged, and never gives a new node an old id.
 */
export interface FunctionCache {
  /** What every function's result depends on besides its own text and callees (facts, options). */
  context: string;
  entries: Map<string, CachedFunction>;
  /** Function node id → the identifiers its body names (the candidates for same-file callees). */
  words: Map<number, string[]>;
  /** Summaries by function name; `cycle` names the call cycle the function was on (node ids). */
  summaries: Map<string, { id: number; cycle: string; deps: Deps; summary: Summary }>;
}

/** What a run asked the host, and the answers it got (serialised): `s:name` summaries, `r:name` releases. */
type Deps = Map<string, string>;

interface CachedFunction {
  id: number;
  /** Line and column where the function started when its findings were computed. */
  line: number;
  column: number;
  deps: Deps;
  /**
   * Set when a range of its findings lies outside the function (a release to add, a struct), or a rule
   * that reads the whole file judged it: such findings are reused only for the same file text.
   */
  text?: string;
  findings: Finding[];
  partial?: string;
}

/** A host that notes every question a run asks and the answer. */
function recording(host: EngineHost): { host: EngineHost; deps: Deps } {
  const deps: Deps = new Map();
  return {
    deps,
    host: {
      model: host.model,
      summary(name: string) {
        const s = host.summary(name);
        if (!deps.has(`s:${name}`)) deps.set(`s:${name}`, JSON.stringify(s ?? null));
        return s;
      },
      releaseFrees(name: string) {
        const r = host.releaseFrees(name);
        if (!deps.has(`r:${name}`)) deps.set(`r:${name}`, String(r));
        return r;
      },
    },
  };
}

/** Whether every recorded question still gets the recorded answer. */
function stillValid(deps: Deps, host: EngineHost): boolean {
  for (const [key, answer] of deps) {
    const name = key.slice(2);
    const now = key.startsWith('s:')
      ? JSON.stringify(host.summary(name) ?? null)
      : String(host.releaseFrees(name));
    if (now !== answer) return false;
  }
  return true;
}

export function analyzeRoot(
  root: SyntaxNode,
  text: string,
  model: ApiModel,
  options: AnalyzeFileOptions = {},
  cache?: FunctionCache,
): AnalysisResult {
  const stats: FunctionStats = { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 };
  const facts = collectFacts(root);
  const rules = RULES.filter(
    (r) => (!options.rules || options.rules.includes(r.id)) && options.severities?.[r.id] !== 'off',
  );
  const deadline = Date.now() + (options.timeBudgetMs ?? 2000);
  const findings: Finding[] = [];
  let partial: string | undefined;
  const direct = namedFunctions(facts, cache?.words ?? new Map());
  if (cache) {
    const context = cacheContext(facts, text, options);
    if (context !== cache.context) {
      cache.context = context;
      cache.entries.clear();
      cache.summaries.clear();
    }
  }
  const host = summaryHost(facts, model, direct, cache);
  const seen = new Set<string>();
  for (const fn of facts.functions.values()) {
    stats.functions++;
    if (!model.triggers.test(fn.body.text)) continue;
    stats.lifetimeFunctions++;
    // A function with a parse error is skipped whole: its findings could depend on what was lost.
    if (fn.node.hasError) continue;
    stats.lifetimeFunctionsWhole++;
    const hit = cache?.entries.get(fn.name);
    seen.add(fn.name);
    if (
      hit &&
      hit.id === fn.node.id &&
      hit.column === fn.node.startPoint.column &&
      stillValid(hit.deps, host)
    ) {
      const rows = fn.node.startPoint.row - hit.line;
      if (hit.text === undefined || hit.text === text) {
        for (const f of hit.findings) findings.push(rows ? moveFinding(f, rows) : f);
        if (hit.partial) partial ??= hit.partial;
        continue;
      }
    }
    if (Date.now() > deadline) {
      partial = `time budget of ${options.timeBudgetMs ?? 2000} ms spent; later functions were not analyzed`;
      continue;
    }
    let run;
    // With a cache, the run's questions to the host are recorded (what its reuse depends on).
    const rec = cache ? recording(host) : undefined;
    try {
      run = runFunction(fn, rec ? rec.host : host, 'check');
    } catch (e) {
      // One pathological function (nesting deeper than the stack) costs its own findings only.
      partial = `${fn.name}: not analyzed (${e instanceof Error ? e.message : String(e)})`;
      continue;
    }
    const own: Finding[] = [];
    const ownPartial = run.partial ? `${fn.name}: too many paths; findings there are partial` : undefined;
    if (ownPartial) partial ??= ownPartial;
    let readsWholeFile = false;
    for (const v of run.violations) {
      for (const rule of rules) {
        if (!rule.check || !rule.kinds.includes(v.kind)) continue;
        if (rule.readsWholeFile) readsWholeFile = true;
        const f = rule.check(v, { fn, run, facts, text });
        // An error rule's finding that rests on weaker proof (an object whose refcount we never saw)
        // is shown as a warning: severity says how sure we are, as the field triage measured.
        if (f && f.severity === 'error' && f.confidence !== 'high') f.severity = 'warning';
        const setting = options.severities?.[rule.id];
        if (f && setting && setting !== 'off') f.severity = setting;
        if (f) own.push(f);
      }
    }
    findings.push(...own);
    if (cache && rec) {
      const entry: CachedFunction = {
        id: fn.node.id,
        deps: rec.deps,
        line: fn.node.startPoint.row,
        column: fn.node.startPoint.column,
        findings: own,
      };
      if (readsWholeFile || !own.every((f) => findingInside(f, fn.node))) entry.text = text;
      if (ownPartial) entry.partial = ownPartial;
      cache.entries.set(fn.name, entry);
    }
  }
  if (cache) {
    for (const name of cache.entries.keys()) if (!seen.has(name)) cache.entries.delete(name);
    // Old versions of edited bodies pile up while typing: start afresh once they outnumber the live ones.
    if (cache.words.size > 2 * facts.functions.size + 16) cache.words.clear();
  }
  for (const rule of rules) {
    if (!rule.checkFile) continue;
    try {
      for (const f of rule.checkFile({ facts, text, root, model })) {
        const setting = options.severities?.[rule.id];
        if (setting && setting !== 'off') f.severity = setting;
        findings.push(f);
      }
    } catch (e) {
      partial ??= `${rule.id}: not checked (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  // Functions that use no lifetime API are counted too (for the parse-coverage figure).
  const kept = applyIgnores(findings, text);
  kept.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.rule.localeCompare(b.rule),
  );
  return partial ? { findings: kept, stats, partial } : { findings: kept, stats };
}

/**
 * The file-wide inputs of every function's findings: the facts (without their positions: a finding
 * that points outside its function is only reused where its function did not move), the bodies of
 * the release functions (what a put ends up freeing), the indentation style (fix text) and options.
 */
function cacheContext(facts: FileFacts, text: string, options: AnalyzeFileOptions): string {
  const { functions, ...rest } = facts;
  const plain = JSON.stringify(rest, (key, value: unknown) => {
    if (key === 'range' || key === 'node') return undefined;
    if (value instanceof Map) return [...value.entries()];
    if (value instanceof Set) return [...value];
    return value;
  });
  // What path rules read of release functions (the named ones and any `*release*`): whether each frees,
  // its arity and the containers it converts back to (use-after-put's search for a type's release).
  const releases = [...functions.values()]
    .filter((f) => facts.releases.has(f.name) || /release/.test(f.name))
    .map((f) => {
      const back = [...f.body.text.matchAll(CONTAINER_OF_STRUCT)].map((m) => m[1]).join('+');
      return `${f.name}:${String(releaseFrees(f))}:${f.params.length}:${back}`;
    })
    .join(',');
  const opts = JSON.stringify([options.rules, options.severities, options.normalize]);
  return `${plain}\u0001${releases}\u0001${indentUnit(text)}\u0001${opts}`;
}

/** Same-file functions a function names in its body (callees, releases, callbacks), by name. */
function namedFunctions(facts: FileFacts, words: Map<number, string[]>): (fn: FunctionInfo) => string[] {
  const names = new Map<string, string[]>();
  return (fn) => {
    let out = names.get(fn.name);
    if (!out) {
      let all = words.get(fn.node.id);
      if (!all) {
        all = [...new Set(fn.body.text.match(/[A-Za-z_]\w*/g) ?? [])];
        words.set(fn.node.id, all);
      }
      out = all.filter((w) => facts.functions.has(w));
      names.set(fn.name, out);
    }
    return out;
  };
}

/** Functions on a call cycle (mutual or self recursion) → an id of their strongly connected component. */
function cycles(facts: FileFacts, direct: (fn: FunctionInfo) => string[]): Map<string, number> {
  const out = new Map<string, number>();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let next = 0;
  let component = 0;
  // Tarjan's algorithm, iterative (call chains in big files are deep).
  for (const root of facts.functions.keys()) {
    if (index.has(root)) continue;
    const work: { name: string; kids: string[]; i: number }[] = [];
    const enter = (name: string): void => {
      index.set(name, next);
      low.set(name, next++);
      stack.push(name);
      onStack.add(name);
      work.push({ name, kids: direct(facts.functions.get(name)!), i: 0 });
    };
    enter(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.i < top.kids.length) {
        const k = top.kids[top.i++]!;
        if (!index.has(k)) enter(k);
        else if (onStack.has(k)) low.set(top.name, Math.min(low.get(top.name)!, index.get(k)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(top.name)!));
      if (low.get(top.name) !== index.get(top.name)) continue;
      const members: string[] = [];
      for (;;) {
        const m = stack.pop()!;
        onStack.delete(m);
        members.push(m);
        if (m === top.name) break;
      }
      const selfLoop = members.length === 1 && top.kids.includes(top.name);
      if (members.length > 1 || selfLoop) {
        for (const m of members) out.set(m, component);
        component++;
      }
    }
  }
  return out;
}

const CONTAINER_OF_STRUCT = /container_of\s*\(\s*\w+\s*,\s*struct\s+(\w+)\s*,/g;

const LINE_REF = /\bline (\d+)\b/g;

/**
 * Whether everything a finding points at lies inside the function (so it moves with it): its ranges,
 * and the "line N" references in its message and trace.
 */
function findingInside(f: Finding, node: SyntaxNode): boolean {
  const from = node.startPoint.row;
  const to = node.endPoint.row;
  const inside = (r: Range): boolean => r.start.line >= from && r.end.line <= to;
  const linesInside = (s: string): boolean => {
    for (const m of s.matchAll(LINE_REF)) {
      const row = Number(m[1]) - 1;
      if (row < from || row > to) return false;
    }
    return true;
  };
  return (
    inside(f.range) &&
    f.related.every((r) => inside(r.range) && linesInside(r.message)) &&
    f.fixes.every((x) => linesInside(x.title) && x.edits.every((e) => inside(e.range))) &&
    linesInside(f.message) &&
    f.trace.every(linesInside)
  );
}

function moveRange(r: Range, rows: number): Range {
  return {
    start: { line: r.start.line + rows, character: r.start.character },
    end: { line: r.end.line + rows, character: r.end.character },
  };
}

function moveFinding(f: Finding, rows: number): Finding {
  const lines = (s: string): string => s.replace(LINE_REF, (_, n: string) => `line ${Number(n) + rows}`);
  return {
    ...f,
    message: lines(f.message),
    range: moveRange(f.range, rows),
    related: f.related.map((r) => ({ ...r, message: lines(r.message), range: moveRange(r.range, rows) })),
    fixes: f.fixes.map((x) => ({
      ...x,
      title: lines(x.title),
      edits: x.edits.map((e) => ({ ...e, range: moveRange(e.range, rows) })),
    })),
    trace: f.trace.map(lines),
  };
}

/**
 * Summaries of same-file functions, computed on demand and memoised. A function on a call cycle is
 * summarized with the other functions of its cycle (and itself) read as "mixed": the result does not
 * depend on where the recursion was entered, so it is the same in every analysis and can be kept. With
 * a cache (an edited document), summaries are kept between analyses.
 */
function summaryHost(
  facts: FileFacts,
  model: ApiModel,
  direct: (fn: FunctionInfo) => string[],
  cache?: FunctionCache,
): EngineHost {
  const memo = new Map<string, Summary | undefined>();
  let onCycle: Map<string, number> | undefined;
  const mixedOf = (fn: FunctionInfo): Summary => fn.params.map(() => ({ kind: 'mixed' }));
  const host: EngineHost = {
    model,
    releaseFrees: (name: string) => {
      const fn = facts.functions.get(name);
      return fn ? releaseFrees(fn) : undefined;
    },
    summary(name: string): Summary | undefined {
      if (memo.has(name)) return memo.get(name);
      const fn = facts.functions.get(name);
      if (!fn) return undefined;
      // Placeholder while this summary is computed (only a cycle could ask for it meanwhile).
      memo.set(name, mixedOf(fn));
      onCycle ??= cycles(facts, direct);
      const component = onCycle.get(name);
      // A function on a cycle reads the other members (and itself) as mixed; which functions form the
      // cycle is part of what its kept summary depends on.
      let ask = host;
      let cycle = '';
      if (component !== undefined) {
        ask = {
          ...host,
          summary: (n: string) => {
            const f = facts.functions.get(n);
            return f && onCycle!.get(n) === component ? mixedOf(f) : host.summary(n);
          },
        };
        cycle = [...onCycle]
          .filter(([, c]) => c === component)
          .map(([n]) => facts.functions.get(n)!.node.id)
          .sort((a, b) => a - b)
          .join(',');
      }
      let s: Summary;
      const old = cache?.summaries.get(name);
      if (old && old.id === fn.node.id && old.cycle === cycle && stillValid(old.deps, ask)) s = old.summary;
      else if (fn.node.hasError) s = mixedOf(fn);
      else {
        const rec = recording(ask);
        s = summarize(fn, cache ? rec.host : ask);
        cache?.summaries.set(name, { id: fn.node.id, cycle, deps: rec.deps, summary: s });
      }
      memo.set(name, s);
      return s;
    },
  };
  return host;
}

export function summarize(fn: FunctionInfo, host: EngineHost): Summary {
  const run = runFunction(fn, host, 'summary');
  return fn.params.map((p): ParamEffect => {
    if (!p || run.partial || run.exitStates.length === 0) return { kind: 'mixed' };
    const opsOf = (key: string): string | undefined => {
      let ops: string | undefined;
      for (const st of run.exitStates) {
        const o = st[key];
        const these = o ? o.ops.join(',') : '';
        if (ops === undefined) ops = these;
        else if (ops !== these) return undefined;
      }
      return ops;
    };
    const split = (ops: string): Op[] => (ops ? (ops.split(',') as Op[]) : []);
    // Objects the helper reached through the parameter: `p->kobj`, `p->parent`.
    const members: Record<string, Op[] | 'mixed'> = {};
    for (const st of run.exitStates) {
      for (const key of Object.keys(st)) {
        if (!key.startsWith(`${p}->`) || key in members) continue;
        const ops = opsOf(key);
        members[key.slice(p.length)] = ops === undefined ? 'mixed' : split(ops);
      }
    }
    const own = run.exitStates.every((st) => st[p]) ? opsOf(p) : undefined;
    const effect: ParamEffect = own === undefined ? { kind: 'mixed' } : { kind: 'ops', ops: split(own) };
    return Object.keys(members).length ? { ...effect, members } : effect;
  });
}

function applyIgnores(findings: Finding[], text: string): Finding[] {
  if (!text.includes('kobject-lifetime:')) return findings;
  const ignored = new Map<number, Set<string>>();
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const m of text.matchAll(IGNORE)) {
    const ids = (m[1] ?? m[2] ?? '').split(/\s*,\s*/);
    const line = lineAt(m.index);
    for (const l of [line, line + 1]) {
      const set = ignored.get(l) ?? new Set<string>();
      for (const id of ids) set.add(id);
      ignored.set(l, set);
    }
  }
  return findings.filter((f) => {
    const set = ignored.get(f.range.start.line);
    return !set || !(set.has(f.rule) || set.has('all'));
  });
}

export function ruleInfo(r: RuleDefinition): {
  id: string;
  description: string;
  severity: RuleDefinition['severity'];
} {
  return { id: r.id, description: r.description, severity: r.severity };
}
