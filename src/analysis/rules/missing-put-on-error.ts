// missing-put-on-error: add/register failed and the path returns without dropping the reference.
import { calleeName, unwrap, walk, type SyntaxNode } from '../syntax';
import {
  finding,
  indentOf,
  indentUnit,
  lineOf,
  objectName,
  putCall,
  related,
  type RuleContext,
  type RuleDefinition,
} from './rule';
import type { ObjState } from '../model/transitions';
import type { Fix } from '../types';

export const rule: RuleDefinition = {
  id: 'missing-put-on-error',
  description:
    'kobject_add/device_add/device_register failed and the error path returns without a put (leak).',
  severity: 'error',
  confidence: 'high',
  kinds: ['leak'],
  messages: {
    leakOnFailure:
      'When {call}() fails, {obj} is still initialized and holds a reference, but the error path returns ' +
      '(line {retLine}) without {put}: the object and its name leak. Drop the reference with {put} (never kfree).',
  },
  check(v, ctx) {
    const o = v.obj;
    const call = calleeName(v.at) ?? 'the call';
    const values = {
      call,
      obj: objectName(o),
      put: putCall(o),
      retLine: v.exitAt ? String(lineOf(v.exitAt)) : 'end of function',
    };
    const fix = insertPutFix(v.at, o, ctx);
    return finding(rule, 'leakOnFailure', values, v, ctx, {
      related: [...related(o.allocAt, 'allocated here'), ...related(v.exitAt, 'returns here without a put')],
      fixes: fix ? [fix] : [],
    });
  },
};

/**
 * Insert the put at the start of the branch that tests the failing call: `if (ret) { … }` right after
 * `ret = device_register(…)`, or `if (device_register(…))`. Safe when that branch returns directly.
 */
function insertPutFix(failing: SyntaxNode, o: ObjState, ctx: RuleContext): Fix | undefined {
  const ifStmt = failureBranch(failing);
  if (!ifStmt) return undefined;
  const cons = ifStmt.field('consequence');
  const cond = ifStmt.field('condition');
  if (!cons || !cond) return undefined;
  // Only a branch taken on failure gets the put: `if (!ret)` / `ret == 0` / `ret >= 0` test success.
  const test = cond.text.replace(/^\(\s*|\s*\)$/g, '').replace(/^(?:unlikely|likely)\s*\(/, '');
  if (/^!\s*\(?\s*\w+\s*\)?\s*$|==\s*0\b|>=\s*0\b|^!\s*\w+\s*\(/.test(test)) return undefined;
  const put = `${putCall(o)};`;
  const ind = indentOf(ifStmt, ctx.text);
  const unit = indentUnit(ctx.text);
  const returns =
    cons.type === 'return_statement' ||
    (cons.type === 'compound_statement' && cons.kids.some((k) => k.type === 'return_statement'));
  const safe = returns && !hasGoto(cons);
  if (cons.type === 'compound_statement') {
    const first = cons.kids.find((k) => k.type !== 'comment');
    if (!first) return undefined;
    return {
      title: `Add ${put.slice(0, -1)} on this error path`,
      safe,
      edits: [
        {
          range: {
            start: { line: first.startPoint.row, character: 0 },
            end: { line: first.startPoint.row, character: 0 },
          },
          newText: `${ind}${unit}${put}\n`,
        },
      ],
    };
  }
  // Brace the single statement; anything between the condition and it (a comment) stays.
  const sameLine = cons.startPoint.row === cond.endPoint.row;
  const at = (p: { line: number; character: number }) => ({ start: p, end: p });
  return {
    title: `Add ${put.slice(0, -1)} on this error path`,
    safe,
    edits: [
      { range: at(cond.range.end), newText: ' {' },
      sameLine
        ? { range: at(cons.range.start), newText: `\n${ind}${unit}${put}\n${ind}${unit}` }
        : { range: at({ line: cons.startPoint.row, character: 0 }), newText: `${ind}${unit}${put}\n` },
      { range: at(cons.range.end), newText: `\n${ind}}` },
    ],
  };
}

function hasGoto(n: SyntaxNode): boolean {
  let found = false;
  walk(n, (k) => {
    if (k.type === 'goto_statement') found = true;
    return !found;
  });
  return found;
}

/** The if-statement whose condition tests the failing call (directly or through the variable it set). */
function failureBranch(call: SyntaxNode): SyntaxNode | undefined {
  // `if (device_register(...))`
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'if_statement') return p;
    if (p.type.endsWith('statement') || p.type === 'declaration') break;
  }
  // `ret = device_register(...);` then the next statement `if (ret …)`
  let variable: string | undefined;
  let stmt: SyntaxNode | undefined;
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'assignment_expression') variable = unwrap(p.field('left')!).text;
    if (p.type === 'init_declarator') variable = p.field('declarator')?.text;
    if (p.type === 'expression_statement' || p.type === 'declaration') {
      stmt = p;
      break;
    }
  }
  if (!variable || !stmt?.parent) return undefined;
  const siblings = stmt.parent.kids.filter((k) => k.type !== 'comment');
  const next = siblings[siblings.indexOf(stmt) + 1];
  if (
    next?.type === 'if_statement' &&
    new RegExp(`\\b${variable}\\b`).test(next.field('condition')?.text ?? '')
  )
    return next;
  return undefined;
}
