// leaked-reference: a reference handed out by a lookup function is never dropped on some path, or is
// dropped with the wrong put.
import { calleeName, type SyntaxNode } from '../syntax';
import {
  finding,
  indentOf,
  lineOf,
  objectName,
  related,
  type RuleContext,
  type RuleDefinition,
} from './rule';
import type { Fix } from '../types';
import type { ObjState } from '../model/transitions';

export const rule: RuleDefinition = {
  id: 'leaked-reference',
  description:
    'A reference returned by a lookup function is not dropped on some path, or dropped with the wrong put.',
  severity: 'warning',
  confidence: 'high',
  kinds: ['reference-leak', 'wrong-put'],
  messages: {
    leakAtReturn:
      '{lookup}() takes a reference on {obj} for this function; the path returning on line {line} ' +
      'neither drops it with {put}() nor hands it on: the object can never be freed.',
    leakAtOverwrite:
      '{lookup}() takes a reference on {obj} for this function; line {line} overwrites the pointer ' +
      'without {put}() (an iterator such as bus_find_next_device() does not drop the previous element).',
    leakAtEnd:
      '{lookup}() takes a reference on {obj} for this function; the function ends without ' +
      'dropping it with {put}() or handing it on: the object can never be freed.',
    wrongPut:
      '{call}() does not drop the reference {lookup}() took on {obj}: that reference is dropped with {put}().',
  },
  check(v, ctx) {
    const o = v.obj;
    const taken = o.allocAt;
    const lookup = taken ? (calleeName(taken) ?? 'the lookup') : 'the lookup';
    const put = o.putName ?? 'put_device';
    if (v.kind === 'wrong-put') {
      const call = calleeName(v.at) ?? 'this call';
      const fn = v.at.field('function');
      const fixes: Fix[] = fn
        ? [{ title: `Use ${put}()`, safe: true, edits: [{ range: fn.range, newText: put }] }]
        : [];
      return finding(rule, 'wrongPut', { call, lookup, obj: objectName(o), put }, v, ctx, {
        related: related(o.allocAt, 'reference taken here'),
        fixes,
      });
    }
    const exit = v.exitAt;
    const overwrite = exit && exit.type === 'call_expression';
    const id = !exit ? 'leakAtEnd' : overwrite ? 'leakAtOverwrite' : 'leakAtReturn';
    const fix = exit && !overwrite ? putBeforeReturn(exit, o, put, ctx) : undefined;
    return finding(
      rule,
      id,
      { lookup, obj: objectName(o), put, line: exit ? String(lineOf(exit)) : '' },
      v,
      ctx,
      {
        related: related(exit, overwrite ? 'overwritten here' : 'leaves here without a put'),
        fixes: fix ? [fix] : [],
      },
    );
  },
};

/** `put(obj);` on its own line before a return that sits in a block and does not read the object. */
function putBeforeReturn(ret: SyntaxNode, o: ObjState, put: string, ctx: RuleContext): Fix | undefined {
  if (ret.parent?.type !== 'compound_statement') return undefined;
  if (new RegExp(`\\b${o.key.replace(/[^\w]/g, '\\$&')}\\b`).test(ret.text)) return undefined;
  const line = ret.startPoint.row;
  return {
    title: `Drop the reference with ${put}() before returning`,
    // Another path may reach this return without the reference (after its own put): needs a look.
    safe: false,
    edits: [
      {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        newText: `${indentOf(ret, ctx.text)}${put}(${o.key});\n`,
      },
    ],
  };
}
