// Control-flow graph of one C function: statements, conditions (split on && || !), goto ladders,
// loops, switch and early returns. Built backwards (each statement is given its successor).
import { unwrap, type SyntaxNode } from './syntax';

/** Statements that never return (include/asm-generic/bug.h, kernel/panic.c). */
const NORETURN = /^\s*(?:BUG|panic|do_exit|__builtin_unreachable|unreachable)\s*\(/;

export type CfgNodeKind = 'entry' | 'exit' | 'stmt' | 'branch' | 'return' | 'nop' | 'iterate';

export interface CfgNode {
  id: number;
  kind: CfgNodeKind;
  /** The statement (stmt/return) or the condition expression (branch). */
  syntax?: SyntaxNode;
  /** Successors. A branch has exactly two: [whenTrue, whenFalse]. */
  succ: number[];
  /** For nop nodes: a human label ("label err", "loop head"). */
  label?: string;
}

export interface Cfg {
  nodes: CfgNode[];
  entry: number;
  exit: number;
}

interface Ctx {
  breakTo?: number;
  continueTo?: number;
  labels: Map<string, number>;
}

/** Build the CFG of a function body (a compound_statement). */
export function buildCfg(body: SyntaxNode): Cfg {
  const nodes: CfgNode[] = [];
  const add = (kind: CfgNodeKind, syntax?: SyntaxNode, succ: number[] = [], label?: string): number => {
    const node: CfgNode = { id: nodes.length, kind, succ };
    if (syntax) node.syntax = syntax;
    if (label) node.label = label;
    nodes.push(node);
    return node.id;
  };
  const exit = add('exit');
  const labels = new Map<string, number>();
  collectLabels(body, (name) => {
    if (!labels.has(name)) labels.set(name, add('nop', undefined, [exit], `label ${name}`));
  });

  const cond = (expr: SyntaxNode, t: number, f: number): number => {
    const e = unwrap(expr);
    if (e.type === 'unary_expression' && e.field('operator')?.text === '!' && e.field('argument')) {
      return cond(e.field('argument')!, f, t);
    }
    if (e.type === 'binary_expression') {
      const op = e.field('operator')?.text;
      const l = e.field('left');
      const r = e.field('right');
      if (l && r && op === '&&') return cond(l, cond(r, t, f), f);
      if (l && r && op === '||') return cond(l, t, cond(r, t, f));
    }
    if (e.type === 'number_literal') {
      return /^0+[uUlL]*$|^0x0+[uUlL]*$/.test(e.text) ? f : t;
    }
    if (e.type === 'true') return t;
    if (e.type === 'false' || e.type === 'null') return f;
    return add('branch', e, [t, f]);
  };

  const build = (s: SyntaxNode | undefined, next: number, ctx: Ctx): number => {
    if (!s) return next;
    switch (s.type) {
      case 'compound_statement': {
        let n = next;
        for (let i = s.kids.length - 1; i >= 0; i--) n = build(s.kids[i], n, ctx);
        return n;
      }
      case 'comment':
      case ';':
        return next;
      case 'expression_statement':
        if (s.kids.length === 0) return next;
        // BUG() and panic() never return: nothing after them is a path.
        if (NORETURN.test(s.text)) return add('stmt', s, []);
        return add('stmt', s, [next]);
      case 'if_statement': {
        const c = s.field('condition');
        const thenTo = build(s.field('consequence'), next, ctx);
        const alt = s.field('alternative');
        const elseTo = alt ? build(alt.type === 'else_clause' ? alt.kids[0] : alt, next, ctx) : next;
        return c ? cond(c, thenTo, elseTo) : thenTo;
      }
      case 'else_clause':
        return build(s.kids[0], next, ctx);
      case 'while_statement': {
        // `scoped_guard(mutex, &m) { … }` (a `while` after normalisation) runs its body exactly once.
        if (/^scoped_guard\b/.test(s.text)) return build(s.field('body'), next, ctx);
        const head = add('nop', undefined, [], 'loop head');
        const bodyTo = build(s.field('body'), head, { ...ctx, breakTo: next, continueTo: head });
        const c = s.field('condition');
        // An iterator macro (`list_for_each_entry(pos, …) {`, rewritten to `while` by the normaliser):
        // each turn assigns the cursor variables; the loop may run zero or more times.
        if (c && !s.text.startsWith('while')) {
          nodes[head]!.succ = [add('iterate', c, [bodyTo, next])];
          return head;
        }
        nodes[head]!.succ = [c ? cond(c, bodyTo, next) : bodyTo];
        return head;
      }
      case 'do_statement': {
        const head = add('nop', undefined, [], 'loop head');
        const c = s.field('condition');
        const condTo = c ? cond(c, head, next) : head;
        const bodyTo = build(s.field('body'), condTo, { ...ctx, breakTo: next, continueTo: condTo });
        nodes[head]!.succ = [bodyTo];
        return head;
      }
      case 'for_statement': {
        const head = add('nop', undefined, [], 'loop head');
        const update = s.field('update');
        const updateTo = update ? add('stmt', update, [head]) : head;
        const bodyTo = build(s.field('body'), updateTo, { ...ctx, breakTo: next, continueTo: updateTo });
        const c = s.field('condition');
        nodes[head]!.succ = [c ? cond(c, bodyTo, next) : bodyTo];
        const init = s.field('initializer');
        return init ? add('stmt', init, [head]) : head;
      }
      case 'switch_statement': {
        const body = s.field('body');
        const inner: Ctx = { ...ctx, breakTo: next };
        const targets: number[] = [];
        let hasDefault = false;
        let n = next;
        const cases = body ? body.kids.filter((k) => k.type === 'case_statement') : [];
        for (let i = cases.length - 1; i >= 0; i--) {
          const c = cases[i]!;
          const stmts = c.kids.filter((k) => k !== c.field('value'));
          for (let j = stmts.length - 1; j >= 0; j--) n = build(stmts[j], n, inner);
          targets.unshift(n);
          if (!c.field('value')) hasDefault = true;
        }
        if (!hasDefault) targets.push(next);
        const sw = add('nop', undefined, targets, 'switch');
        const value = s.field('condition');
        return value ? add('stmt', value, [sw]) : sw;
      }
      case 'case_statement': {
        let n = next;
        for (let j = s.kids.length - 1; j >= 0; j--) {
          if (s.kids[j] !== s.field('value')) n = build(s.kids[j], n, ctx);
        }
        return n;
      }
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef': {
        // Either arm of a conditional-compilation block may be what the kernel is built with.
        const skip = new Set([s.field('name'), s.field('condition'), s.field('alternative')]);
        let n = next;
        const body = s.kids.filter((k) => !skip.has(k));
        for (let i = body.length - 1; i >= 0; i--) n = build(body[i], n, ctx);
        const alt = s.field('alternative');
        const other = alt ? build(alt, next, ctx) : next;
        return n === other ? n : add('nop', undefined, [n, other], '#if');
      }
      case 'preproc_else': {
        let n = next;
        for (let i = s.kids.length - 1; i >= 0; i--) n = build(s.kids[i], n, ctx);
        return n;
      }
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
        return next;
      case 'break_statement':
        return ctx.breakTo ?? next;
      case 'continue_statement':
        return ctx.continueTo ?? next;
      case 'return_statement':
        return add('return', s, [exit]);
      case 'goto_statement': {
        const l = s.field('label');
        return (l && labels.get(l.text)) ?? exit;
      }
      case 'labeled_statement': {
        const l = s.field('label');
        const id = l ? labels.get(l.text) : undefined;
        const inner = s.kids.find((k) => k !== l && k.type !== 'comment');
        const to = build(inner, next, ctx);
        if (id === undefined) return to;
        nodes[id]!.succ = [to];
        return id;
      }
      default:
        // Declarations, ERROR nodes and anything else evaluate in place.
        return add('stmt', s, [next]);
    }
  };

  const first = build(body, exit, { labels });
  const entry = add('entry', undefined, [first]);
  return { nodes, entry, exit };
}

function collectLabels(n: SyntaxNode, onLabel: (name: string) => void): void {
  if (n.type === 'labeled_statement') {
    const l = n.field('label');
    if (l) onLabel(l.text);
  }
  for (const k of n.kids) {
    if (k.type !== 'function_definition') collectLabels(k, onLabel);
  }
}
