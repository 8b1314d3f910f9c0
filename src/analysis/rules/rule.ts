// What a rule is: metadata, message templates keyed by id, and a function from the model's violations
// to findings. Rules never interpret the kernel API themselves; they read the state machine's verdicts.
import type { FunctionInfo, RunResult, Violation } from '../engine';
import type { FileFacts } from '../facts';
import type { ObjState, ViolationKind } from '../model/transitions';
import type { SyntaxNode } from '../syntax';
import type { Confidence, Finding, Fix, Range, RelatedLocation, Severity, TextEdit } from '../types';
import type { ApiModel } from '../model/model';

export interface RuleContext {
  fn: FunctionInfo;
  run: RunResult;
  facts: FileFacts;
  text: string;
}

/** What a file-level rule sees: the file's facts, its text, its tree and the one model. */
export interface FileRuleContext {
  facts: FileFacts;
  text: string;
  root: SyntaxNode;
  model: ApiModel;
}

export interface RuleDefinition {
  id: string;
  description: string;
  severity: Severity;
  /** How often a finding of this rule is right, as measured on real kernel code (docs/field-report.md). */
  confidence: Confidence;
  messages: Readonly<Record<string, string>>;
  /** The violation kinds this rule reports (path rules). */
  kinds: readonly ViolationKind[];
  check?(v: Violation, ctx: RuleContext): Finding | undefined;
  /**
   * `check` reads more than its function, the file's facts and release functions (other functions'
   * bodies, the whole text): an edited document then reuses its verdicts only for identical text.
   */
  readsWholeFile?: boolean;
  /** File rules look across the whole file once (releases, initializers, module exit paths). */
  checkFile?(ctx: FileRuleContext): Finding[];
}

/** A finding of a file rule, anchored at a range, optionally inside a function. */
export function fileFinding(
  rule: RuleDefinition,
  messageId: string,
  values: Record<string, string>,
  range: Range,
  extra: {
    fn?: string;
    related?: RelatedLocation[];
    fixes?: Fix[];
    confidence?: Confidence;
    severity?: Severity;
    trace?: string[];
  } = {},
): Finding {
  const f: Finding = {
    rule: rule.id,
    severity: extra.severity ?? rule.severity,
    confidence: extra.confidence ?? rule.confidence,
    messageId,
    message: fill(rule.messages[messageId] ?? messageId, values),
    range,
    related: extra.related ?? [],
    fixes: extra.fixes ?? [],
    trace: extra.trace ?? [],
  };
  if (extra.fn) f.function = extra.fn;
  return f;
}

/** The identifier naming a function definition. */
export function functionNameNode(fn: FunctionInfo): SyntaxNode {
  let d = fn.node.field('declarator');
  while (d && d.type !== 'function_declarator') d = d.field('declarator');
  return d?.field('declarator') ?? fn.node;
}

/** `x`, `chan->dev`; a static object's key `&foo` reads as `foo`. */
export function objectName(o: ObjState): string {
  return o.key.startsWith('&') ? o.key.slice(1) : o.key;
}

/** The expression that names the refcounted part: `&x->dev`, `x`, `&foo.kobj`. */
export function refExpr(o: ObjState): string {
  if (!o.member) return o.key;
  if (o.key.startsWith('&')) return `&${o.key.slice(1)}.${o.member}`;
  return `&${o.key}->${o.member}`;
}

/** The put that drops this object's reference: `put_device(&x->dev)`. */
export function putCall(o: ObjState): string {
  const put = o.putName && o.putName !== 'kref_put' ? o.putName : 'put_device';
  const arg = o.family === 'platform' ? o.key : refExpr(o);
  return `${put}(${arg})`;
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

export function lineOf(n: SyntaxNode): number {
  return n.startPoint.row + 1;
}

export function related(n: SyntaxNode | undefined, message: string): RelatedLocation[] {
  return n ? [{ range: n.range, message }] : [];
}

export function finding(
  rule: RuleDefinition,
  messageId: string,
  values: Record<string, string>,
  v: Violation,
  ctx: RuleContext,
  extra: { related?: RelatedLocation[]; fixes?: Fix[]; confidence?: Confidence; at?: SyntaxNode } = {},
): Finding {
  const at = extra.at ?? v.at;
  return {
    rule: rule.id,
    severity: rule.severity,
    confidence: extra.confidence ?? rule.confidence,
    messageId,
    message: fill(rule.messages[messageId] ?? messageId, values),
    range: at.range,
    function: ctx.fn.name,
    related: extra.related ?? [],
    fixes: extra.fixes ?? [],
    trace: v.trail,
  };
}

/** The statement that contains a node (expression_statement / declaration / return). */
export function statementOf(n: SyntaxNode): SyntaxNode | undefined {
  for (let p: SyntaxNode | undefined = n; p; p = p.parent) {
    if (p.type === 'expression_statement' || p.type === 'return_statement' || p.type === 'declaration')
      return p;
    if (p.type === 'compound_statement' || p.type === 'function_definition') return undefined;
  }
  return undefined;
}

/** Edit that deletes a statement, with its whole line when it is alone on it. */
export function deleteStatement(stmt: SyntaxNode, text: string): TextEdit {
  const lineStart = text.lastIndexOf('\n', stmt.start - 1) + 1;
  const before = text.slice(lineStart, stmt.start);
  let lineEnd = text.indexOf('\n', stmt.end);
  if (lineEnd < 0) lineEnd = text.length;
  const after = text.slice(stmt.end, lineEnd);
  if (/^\s*$/.test(before) && /^\s*$/.test(after)) {
    return {
      range: {
        start: { line: stmt.startPoint.row, character: 0 },
        end: { line: stmt.endPoint.row + 1, character: 0 },
      },
      newText: '',
    };
  }
  return { range: stmt.range, newText: '' };
}

/** The indentation of the line a node starts on. */
export function indentOf(n: SyntaxNode, text: string): string {
  const lineStart = text.lastIndexOf('\n', n.start - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** One indentation step in the kernel's style (a tab), or what the file uses. */
export function indentUnit(text: string): string {
  const m = /\n( {2,8})\S/.exec(text);
  return /\n\t/.test(text) || !m ? '\t' : m[1]!;
}

/** True when every state that reached `at` had the object in one of these lives. */
export function onlyLives(ctx: RuleContext, at: SyntaxNode, key: string, lives: readonly string[]): boolean {
  const seen = ctx.run.livesAt.get(at.id)?.get(key);
  if (!seen || seen.size === 0) return false;
  for (const l of seen) if (!lives.includes(l)) return false;
  return true;
}
