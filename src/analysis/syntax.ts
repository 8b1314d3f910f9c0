// A plain-object copy of the tree-sitter tree (one cursor walk), so the analysis never calls into wasm
// again and the tree can be freed at once; plus small helpers over C expressions.
import type { Tree } from 'web-tree-sitter';
import type { Range } from './types';

export interface Point {
  row: number;
  column: number;
}

/**
 * The text a tree was copied from. Nodes share one of these per document, so an edited document can
 * keep the nodes of unchanged code and only swap the text.
 */
export class SourceText {
  constructor(public text: string) {}
}

export class SyntaxNode {
  readonly kids: SyntaxNode[] = [];
  /** Children by field name; anonymous operator tokens are kept here under their field. */
  readonly fields: Record<string, SyntaxNode> = {};
  parent: SyntaxNode | undefined;
  /** True when this node or a descendant is an ERROR or MISSING node. */
  hasError = false;
  /** Id unique within one file (an edited document's nodes keep theirs; new nodes get fresh ones). */
  id = 0;
  /** Scratch mark for one walk over a subtree that reaches nodes twice (kids and fields). */
  mark = 0;

  constructor(
    readonly src: SourceText,
    readonly type: string,
    public start: number,
    public end: number,
    readonly startPoint: Point,
    readonly endPoint: Point,
  ) {}

  get source(): string {
    return this.src.text;
  }

  get text(): string {
    return this.src.text.slice(this.start, this.end);
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

/** Hands out node ids; an edited document keeps one so that new nodes never reuse an id. */
export interface IdCounter {
  next: number;
}

type Cursor = ReturnType<Tree['walk']>;

function makeNode(cursor: Cursor, src: SourceText, ids: IdCounter): SyntaxNode {
  const n = new SyntaxNode(
    src,
    cursor.nodeType,
    cursor.startIndex,
    cursor.endIndex,
    cursor.startPosition,
    cursor.endPosition,
  );
  n.id = ids.next++;
  if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) n.hasError = true;
  return n;
}

/** Whether the node under the cursor is copied: named nodes, field tokens, MISSING; never comments. */
function kept(cursor: Cursor): boolean {
  // Comments are extras that may sit anywhere (`err: /* x */ kfree(p);`): the analysis never needs
  // them (ignore comments are read from the text), so they are not copied.
  return (
    (cursor.nodeIsNamed || !!cursor.currentFieldName || cursor.nodeIsMissing) && cursor.nodeType !== 'comment'
  );
}

/** Copy the node under the cursor and its subtree; the cursor ends where it started. */
function copySubtree(cursor: Cursor, src: SourceText, ids: IdCounter): SyntaxNode {
  const top = makeNode(cursor, src, ids);
  if (!cursor.gotoFirstChild()) return top;
  const stack: SyntaxNode[] = [top];
  for (;;) {
    const parent = stack[stack.length - 1]!;
    if (kept(cursor)) {
      const node = makeNode(cursor, src, ids);
      const fieldName = cursor.currentFieldName;
      node.parent = parent;
      if (cursor.nodeIsNamed) parent.kids.push(node);
      if (fieldName && !(fieldName in parent.fields)) parent.fields[fieldName] = node;
      if (node.hasError) markError(parent);
      if (cursor.nodeIsNamed && cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
    }
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      const done = stack.pop()!;
      if (done.hasError && done.parent) markError(done.parent);
      if (stack.length === 0) return top;
    }
  }
}

/** Copy the tree into plain objects. `text` is the user's original text (same length as the parsed one). */
export function copyTree(tree: Tree, text: string | SourceText, ids: IdCounter = { next: 1 }): SyntaxNode {
  const src = typeof text === 'string' ? new SourceText(text) : text;
  const cursor = tree.walk();
  try {
    return copySubtree(cursor, src, ids);
  } finally {
    cursor.delete();
  }
}

/** One text change between two versions of a document, in offsets and points of both. */
export interface TextEdit2 {
  start: number;
  oldEnd: number;
  newEnd: number;
  oldEndPoint: Point;
  newEndPoint: Point;
}

/**
 * Copy a re-parsed tree, taking the top-level nodes that the edit did not touch from the previous copy
 * (moved by the edit's length when they come after it) instead of walking them again. A top-level node
 * is taken only when the new tree has a node of the same type over exactly the same text, and it had no
 * parse error.
 */
export function copyTreeIncremental(
  tree: Tree,
  src: SourceText,
  old: SyntaxNode,
  edit: TextEdit2,
  ids: IdCounter,
): SyntaxNode {
  const cursor = tree.walk();
  try {
    const root = makeNode(cursor, src, ids);
    if (!cursor.gotoFirstChild()) return root;
    const before = new Map<number, SyntaxNode>();
    for (const k of old.kids) before.set(k.start, k);
    const delta = edit.newEnd - edit.oldEnd;
    do {
      if (!kept(cursor)) continue;
      const s = cursor.startIndex;
      const e = cursor.endIndex;
      let node: SyntaxNode | undefined;
      if (e <= edit.start) {
        const cand = before.get(s);
        if (cand && cand.end === e && cand.type === cursor.nodeType && !cand.hasError) node = cand;
      } else if (s >= edit.newEnd) {
        const cand = before.get(s - delta);
        if (cand && cand.end === e - delta && cand.type === cursor.nodeType && !cand.hasError) {
          node = cand;
          shiftSubtree(node, edit);
        }
      }
      node ??= copySubtree(cursor, src, ids);
      node.parent = root;
      if (cursor.nodeIsNamed) root.kids.push(node);
      if (node.hasError) root.hasError = true;
    } while (cursor.gotoNextSibling());
    return root;
  } finally {
    cursor.delete();
  }
}

let shiftMark = 0;

/** Move a subtree that lies after an edit by the edit's change in length and lines. */
function shiftSubtree(top: SyntaxNode, edit: TextEdit2): void {
  const delta = edit.newEnd - edit.oldEnd;
  const rows = edit.newEndPoint.row - edit.oldEndPoint.row;
  const cols = edit.newEndPoint.column - edit.oldEndPoint.column;
  const oldRow = edit.oldEndPoint.row;
  if (delta === 0 && rows === 0 && cols === 0) return;
  const move = (p: Point): void => {
    if (p.row > oldRow) p.row += rows;
    else if (p.row === oldRow) {
      p.row += rows;
      p.column += cols;
    }
  };
  const stack = [top];
  const mark = ++shiftMark;
  while (stack.length) {
    const n = stack.pop()!;
    if (n.mark === mark) continue;
    n.mark = mark;
    n.start += delta;
    n.end += delta;
    move(n.startPoint);
    move(n.endPoint);
    for (const k of n.kids) stack.push(k);
    for (const f of Object.values(n.fields)) stack.push(f);
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
