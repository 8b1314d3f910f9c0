// double-put: a reference dropped twice on one path, or an explicit put of a __free(put_device) variable.
import { calleeName } from '../syntax';
import {
  deleteStatement,
  finding,
  lineOf,
  objectName,
  related,
  statementOf,
  type RuleDefinition,
} from './rule';
import type { Fix } from '../types';

export const rule: RuleDefinition = {
  id: 'double-put',
  description:
    'The same reference is dropped twice on one path, or a __free(put_device) variable is put explicitly.',
  severity: 'error',
  confidence: 'high',
  kinds: ['double-put'],
  messages: {
    doublePut:
      '{put}() drops a reference to {obj} that was already dropped on this path by {first}() on line ' +
      '{firstLine}, with no get in between: the refcount underflows and the object is released twice.',
    autoPut:
      '{obj} is declared __free(...), so it is put automatically when it goes out of scope; this explicit ' +
      '{put}() makes that a second put. Remove it, or hand the pointer on with no_free_ptr().',
  },
  check(v, ctx) {
    const o = v.obj;
    const put = calleeName(v.at) ?? 'put';
    if (o.autoPut && v.at === o.putAt) {
      const stmt = statementOf(v.at);
      const fixes: Fix[] = [];
      if (stmt && stmt.type === 'expression_statement' && stmt.kids[0] === v.at) {
        fixes.push({
          title: `Remove the explicit ${put}()`,
          safe: true,
          edits: [deleteStatement(stmt, ctx.text)],
        });
      }
      return finding(rule, 'autoPut', { obj: objectName(o), put }, v, ctx, { fixes });
    }
    // Without a counted refcount a second put may drop another holder's reference (the field
    // triage found such reports wrong): only counted references are claimed.
    if (!o.known) return undefined;
    const first = o.putAt && o.putAt !== v.at ? o.putAt : undefined;
    return finding(
      rule,
      'doublePut',
      {
        put,
        obj: objectName(o),
        first: first ? (calleeName(first) ?? 'put') : 'an earlier put',
        firstLine: first ? String(lineOf(first)) : '?',
      },
      v,
      ctx,
      { related: related(first, 'first put here'), confidence: o.known ? 'high' : 'medium' },
    );
  },
};
