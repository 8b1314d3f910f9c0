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
 * keep the nodes of unchanged code and only swap the text. Nodes keep offsets only; rows and columns
 * come from the line table here.
 */
export class SourceText {
  private lines: Uint32Array | undefined;
  private current: string;

  constructor(text: string) {
    this.current = text;
  }

  get text(): string {
    return this.current;
  }

  set text(text: string) {
    this.current = text;
    this.lines = undefined;
  }

  /** Row and column (UTF-16 units) of an offset. */
  point(offset: number): Point {
    const lines = (this.lines ??= lineStarts(this.current));
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lines[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: offset - lines[lo]! };
  }
}

function lineStarts(text: string): Uint32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  const out = new Uint32Array(count);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out[k++] = i + 1;
  return out;
}

const NO_KIDS: SyntaxNode[] = [];
const NO_FIELDS: Record<string, SyntaxNode> = {};
Object.freeze(NO_KIDS);
Object.freeze(NO_FIELDS);

export class SyntaxNode {
  /** Named children in order (a shared empty array until the first one is added). */
  kids: SyntaxNode[] = NO_KIDS;
  /** Children by field name; anonymous operator tokens are kept here under their field. */
  fields: Record<string, SyntaxNode> = NO_FIELDS;
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
  ) {}

  get source(): string {
    return this.src.text;
  }

  get text(): string {
    return this.src.text.slice(this.start, this.end);
  }

  get startPoint(): Point {
    return this.src.point(this.start);
  }

  get endPoint(): Point {
    return this.src.point(this.end);
  }

  field(name: string): SyntaxNode | undefined {
    return this.fields[name];
  }

  get range(): Range {
    const s = this.startPoint;
    const e = this.endPoint;
    return { start: { line: s.row, character: s.column }, end: { line: e.row, character: e.column } };
  }
}

/** Hands out node ids; an edited document keeps one so that new nodes never reuse an id. */
export interface IdCounter {
  next: number;
}

type Cursor = ReturnType<Tree['walk']>;

/** Copy the node under the cursor and its subtree; the cursor ends where it started. */
function copySubtree(cursor: Cursor, src: SourceText, ids: IdCounter, names: Names): SyntaxNode {
  const { types, fields } = names;
  const top = new SyntaxNode(src, cursor.nodeType, cursor.startIndex, cursor.endIndex);
  top.id = ids.next++;
  if (top.type === 'ERROR' || cursor.nodeIsMissing) top.hasError = true;
  if (!cursor.gotoFirstChild()) return top;
  const stack: SyntaxNode[] = [top];
  for (;;) {
    const parent = stack[stack.length - 1]!;
    // Each cursor getter is a call into wasm: read each property once.
    const typeId = cursor.nodeTypeId;
    const named = cursor.nodeIsNamed;
    const fieldId = cursor.currentFieldId;
    const type = types[typeId] ?? cursor.nodeType;
    // Comments are extras that may sit anywhere (`err: /* x */ kfree(p);`): the analysis never needs
    // them (ignore comments are read from the text), so they are not copied.
    if (type !== 'comment') {
      const missing = cursor.nodeIsMissing;
      if (named || fieldId || missing) {
        const node = new SyntaxNode(src, type, cursor.startIndex, cursor.endIndex);
        node.id = ids.next++;
        if (type === 'ERROR' || missing) node.hasError = true;
        node.parent = parent;
        if (named) {
          if (parent.kids === NO_KIDS) parent.kids = [];
          parent.kids.push(node);
        }
        if (fieldId) {
          const fieldName = fields[fieldId] ?? cursor.currentFieldName;
          if (fieldName) {
            if (parent.fields === NO_FIELDS) parent.fields = {};
            if (!(fieldName in parent.fields)) parent.fields[fieldName] = node;
          }
        }
        if (node.hasError) markError(parent);
        if (named && cursor.gotoFirstChild()) {
          stack.push(node);
          continue;
        }
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

/** Node type and field names by id, so that no string crosses from wasm per node. */
interface Names {
  types: readonly (string | undefined)[];
  fields: readonly (string | null | undefined)[];
}

const namesCache = new WeakMap<object, Names>();

function namesOf(tree: Tree): Names {
  const language = tree.language;
  let names = namesCache.get(language);
  if (!names) {
    const types: string[] = [];
    for (let id = 0; id < language.nodeTypeCount; id++) types.push(language.nodeTypeForId(id) ?? '');
    names = { types, fields: language.fields };
    namesCache.set(language, names);
  }
  return names;
}

/** Copy the tree into plain objects. `text` is the user's original text (same length as the parsed one). */
export function copyTree(tree: Tree, text: string | SourceText, ids: IdCounter = { next: 1 }): SyntaxNode {
  const src = typeof text === 'string' ? new SourceText(text) : text;
  const cursor = tree.walk();
  try {
    return copySubtree(cursor, src, ids, namesOf(tree));
  } finally {
    cursor.delete();
  }
}

/** One text change between two versions of a document, in offsets. */
export interface TextChange {
  start: number;
  oldEnd: number;
  newEnd: number;
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
  edit: TextChange,
  ids: IdCounter,
): SyntaxNode {
  const cursor = tree.walk();
  const names = namesOf(tree);
  const types = names.types;
  try {
    const root = new SyntaxNode(src, cursor.nodeType, cursor.startIndex, cursor.endIndex);
    root.id = ids.next++;
    if (root.type === 'ERROR') root.hasError = true;
    if (!cursor.gotoFirstChild()) return root;
    const before = new Map<number, SyntaxNode>();
    for (const k of old.kids) before.set(k.start, k);
    const delta = edit.newEnd - edit.oldEnd;
    root.kids = [];
    do {
      const type = types[cursor.nodeTypeId] ?? cursor.nodeType;
      if (type === 'comment' || !(cursor.nodeIsNamed || cursor.nodeIsMissing)) continue;
      const s = cursor.startIndex;
      const e = cursor.endIndex;
      let node: SyntaxNode | undefined;
      if (e <= edit.start) {
        const cand = before.get(s);
        if (cand && cand.end === e && cand.type === type && !cand.hasError) node = cand;
      } else if (s >= edit.newEnd) {
        const cand = before.get(s - delta);
        if (cand && cand.end === e - delta && cand.type === type && !cand.hasError) {
          node = cand;
          if (delta) shiftSubtree(node, delta);
        }
      }
      node ??= copySubtree(cursor, src, ids, names);
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

/** Move a subtree that lies after an edit by the edit's change in length. */
function shiftSubtree(top: SyntaxNode, delta: number): void {
  const stack = [top];
  const mark = ++shiftMark;
  while (stack.length) {
    const n = stack.pop()!;
    if (n.mark === mark) continue;
    n.mark = mark;
    n.start += delta;
    n.end += delta;
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
