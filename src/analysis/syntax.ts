// A plain-object copy of the tree-sitter tree (one cursor walk), so the analysis never calls into wasm
// again and the tree can be freed at once; plus small helpers over C expressions.
import type { Tree } from 'web-tree-sitter';
import type { Range } from './types';

export interface Point {
  row: number;
  column: number;
}

export class SyntaxNode {
  readonly kids: SyntaxNode[] = [];
  /** Children by field name; anonymous operator tokens are kept here under their field. */
  readonly fields: Record<string, SyntaxNode> = {};
  parent: SyntaxNode | undefined;
  /** True when this node or a descendant is an ERROR or MISSING node. */
  hasError = false;
  /** Sequential id, unique within one file. */
  id = 0;

  constructor(
    readonly source: string,
    readonly type: string,
    readonly start: number,
    readonly end: number,
    readonly startPoint: Point,
    readonly endPoint: Point,
  ) {}

  get text(): string {
    return this.source.slice(this.start, this.end);
  }

  field(name: string): SyntaxNode | undefined {
    return this.fields[name];
  }

  get range(): Range {
    return {
      start: { line: this.startPoint.row, character: this.startPoint.column },
      end: { line: this.endPoint.row, character: this.endPoint.column },
    };
  }
}

/** Copy the tree into plain objects. `text` is the user's original text (same length as the parsed one). */
export function copyTree(tree: Tree, text: string): SyntaxNode {
  const cursor = tree.walk();
  let nextId = 1;
  const make = (): SyntaxNode => {
    const n = new SyntaxNode(
      text,
      cursor.nodeType,
      cursor.startIndex,
      cursor.endIndex,
      cursor.startPosition,
      cursor.endPosition,
    );
    n.id = nextId++;
    if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) n.hasError = true;
    return n;
  };
  const root = make();
  const stack: SyntaxNode[] = [root];
  try {
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      const parent = stack[stack.length - 1]!;
      const fieldName = cursor.currentFieldName;
      const named = cursor.nodeIsNamed;
      // Comments are extras that may sit anywhere (`err: /* x */ kfree(p);`): the analysis never needs
      // them (ignore comments are read from the text), so they are not copied.
      if ((named || fieldName || cursor.nodeIsMissing) && cursor.nodeType !== 'comment') {
        const node = make();
        node.parent = parent;
        if (named) parent.kids.push(node);
        if (fieldName && !(fieldName in parent.fields)) parent.fields[fieldName] = node;
        if (node.hasError) markError(parent);
        if (named && cursor.gotoFirstChild()) {
          stack.push(node);
          continue;
        }
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
        const done = stack.pop()!;
        if (done.hasError && done.parent) markError(done.parent);
        if (stack.length === 0) return root;
      }
    }
  } finally {
    cursor.delete();
  }
}

function markError(n: SyntaxNode | undefined): void {
  for (let p = n; p && !p.hasError; p = p.parent) p.hasError = true;
}

/** Depth-first pre-order walk; return false from the visitor to skip a node's children. */
export function walk(node: SyntaxNode, visit: (n: SyntaxNode) => boolean | void): void {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    for (let i = n.kids.length - 1; i >= 0; i--) stack.push(n.kids[i]!);
  }
}

/** Strip parentheses, casts and `likely()`-style wrappers that do not change a value. */
export function unwrap(n: SyntaxNode): SyntaxNode {
  for (;;) {
    if (n.type === 'parenthesized_expression' && n.kids.length === 1) n = n.kids[0]!;
    else if (n.type === 'cast_expression' && n.field('value')) n = n.field('value')!;
    else if (n.type === 'call_expression' && PASS_THROUGH.has(calleeName(n) ?? '') && args(n).length === 1)
      n = args(n)[0]!;
    else return n;
  }
}

const PASS_THROUGH = new Set(['likely', 'unlikely', 'WARN_ON', 'WARN_ON_ONCE', 'READ_ONCE', '__must_check']);

/** The called function's name for `name(...)`, else undefined. */
export function calleeName(call: SyntaxNode): string | undefined {
  const f = call.field('function');
  return f && f.type === 'identifier' ? f.text : undefined;
}

export function args(call: SyntaxNode): SyntaxNode[] {
  const a = call.field('arguments');
  return a ? a.kids.filter((k) => k.type !== 'comment') : [];
}

/**
 * The access path of an lvalue-like expression: `x`, `x->a`, `x->a.b`, `(*x).a` → `x->a`.
 * `&` in front is reported separately. Undefined for anything else (calls, arithmetic…).
 */
export function accessPath(n: SyntaxNode): { path: string; addr: boolean } | undefined {
  n = unwrap(n);
  let addr = false;
  if (n.type === 'pointer_expression' && n.field('operator')?.text === '&') {
    addr = true;
    n = unwrap(n.field('argument')!);
  }
  const p = pathOf(n);
  return p === undefined ? undefined : { path: p, addr };
}

function pathOf(n: SyntaxNode): string | undefined {
  n = unwrap(n);
  if (n.type === 'identifier') return n.text;
  if (n.type === 'field_expression') {
    const base = n.field('argument');
    const field = n.field('field');
    const op = n.field('operator')?.text;
    if (!base || !field) return undefined;
    const b = pathOf(base);
    if (b === undefined) return undefined;
    return `${b}${op === '.' ? '.' : '->'}${field.text}`;
  }
  if (n.type === 'subscript_expression') {
    const base = n.field('argument');
    const index = n.field('index');
    if (!base || !index) return undefined;
    const b = pathOf(base);
    const i = unwrap(index);
    if (b === undefined || (i.type !== 'identifier' && i.type !== 'number_literal')) return undefined;
    return `${b}[${i.text}]`;
  }
  return undefined;
}

/** The name declared by a declarator (`*x`, `x[4]`, `x = …`), if any. */
export function declaratorName(d: SyntaxNode | undefined): SyntaxNode | undefined {
  while (d) {
    if (d.type === 'identifier' || d.type === 'field_identifier') return d;
    d = d.field('declarator') ?? d.kids.find((k) => k.type.endsWith('declarator') || k.type === 'identifier');
  }
  return undefined;
}

/** Is the node inside a loop body of its function (a `for`, `while`, `do` or iterator macro)? */
export function insideLoop(n: SyntaxNode): boolean {
  for (let p = n.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'while_statement' || p.type === 'do_statement') return true;
  }
  return false;
}
