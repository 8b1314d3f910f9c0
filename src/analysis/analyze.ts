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
import { copyTree } from './syntax';
import type { AnalysisResult, Finding, FunctionStats } from './types';

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
  const stats: FunctionStats = { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 };
  const tree = parse(options.normalize === false ? text : normalizeKernelC(text));
  if (!tree) return { findings: [], stats, partial: 'the parser gave up on this file' };
  let root;
  try {
    root = copyTree(tree, text);
  } finally {
    tree.delete();
  }
  const facts = collectFacts(root);
  const rules = RULES.filter(
    (r) => (!options.rules || options.rules.includes(r.id)) && options.severities?.[r.id] !== 'off',
  );
  const deadline = Date.now() + (options.timeBudgetMs ?? 2000);
  const host = summaryHost(facts, model);
  const findings: Finding[] = [];
  let partial: string | undefined;
  for (const fn of facts.functions.values()) {
    stats.functions++;
    if (!model.triggers.test(fn.body.text)) continue;
    stats.lifetimeFunctions++;
    // A function with a parse error is skipped whole: its findings could depend on what was lost.
    if (fn.node.hasError) continue;
    stats.lifetimeFunctionsWhole++;
    if (Date.now() > deadline) {
      partial = `time budget of ${options.timeBudgetMs ?? 2000} ms spent; later functions were not analyzed`;
      continue;
    }
    let run;
    try {
      run = runFunction(fn, host, 'check');
    } catch (e) {
      // One pathological function (nesting deeper than the stack) costs its own findings only.
      partial = `${fn.name}: not analyzed (${e instanceof Error ? e.message : String(e)})`;
      continue;
    }
    if (run.partial) partial ??= `${fn.name}: too many paths; findings there are partial`;
    for (const v of run.violations) {
      for (const rule of rules) {
        if (!rule.check || !rule.kinds.includes(v.kind)) continue;
        const f = rule.check(v, { fn, run, facts, text });
        // An error rule's finding that rests on weaker proof (an object whose refcount we never saw)
        // is shown as a warning: severity says how sure we are, as the field triage measured.
        if (f && f.severity === 'error' && f.confidence !== 'high') f.severity = 'warning';
        const setting = options.severities?.[rule.id];
        if (f && setting && setting !== 'off') f.severity = setting;
        if (f) findings.push(f);
      }
    }
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

/** Summaries of same-file functions, computed on demand and memoised; recursion reads as "mixed". */
function summaryHost(facts: FileFacts, model: ApiModel): EngineHost {
  const memo = new Map<string, Summary | undefined>();
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
      const mixed: Summary = fn.params.map(() => ({ kind: 'mixed' }));
      memo.set(name, mixed);
      const s = fn.node.hasError ? mixed : summarize(fn, host);
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
