// use-after-put: the object is used, returned or freed after a put that may have been the last.
import { calleeName } from '../syntax';
import { releaseFrees, structTypes } from '../facts';
import {
  deleteStatement,
  finding,
  lineOf,
  objectName,
  related,
  statementOf,
  type RuleContext,
  type RuleDefinition,
} from './rule';
import type { Violation } from '../engine';
import type { Fix } from '../types';

export const rule: RuleDefinition = {
  id: 'use-after-put',
  description: 'Object used or freed after a put that may have dropped the last reference.',
  severity: 'error',
  confidence: 'medium',
  kinds: ['use-after-put', 'free-after-put'],
  messages: {
    useAfterPut:
      '{obj} is used after {put}() on line {putLine}, which {may} dropped the last reference: the release ' +
      'may already have freed it. Use it before the put, or take a reference of your own.',
    freeAfterPut:
      '{free}() frees {obj} after {put}() on line {putLine}, which {may} dropped the last reference: the ' +
      'release{release} frees the container, so this frees it twice. Let the release do the freeing.',
  },
  check(v, ctx) {
    const o = v.obj;
    // Every release this file arms for the container frees nothing: the put frees no memory (that
    // design is empty-release's business, not a use after free).
    const armed = releasesOfContainer(v, ctx);
    if (armed && armed.length > 0 && armed.every((r) => releaseFrees(ctx.facts.functions.get(r)) === false))
      return undefined;
    const put = o.putAt ? (calleeName(o.putAt) ?? 'put') : 'put';
    const may = o.life === 'dead' ? 'has' : 'may have';
    const base = { obj: objectName(o), put, putLine: o.putAt ? String(lineOf(o.putAt)) : '?', may };
    const rel = related(
      o.putAt,
      o.life === 'dead' ? 'last reference dropped here' : 'reference dropped here',
    );
    if (v.kind === 'free-after-put') {
      const release = releaseName(v, ctx) ?? (armed?.length === 1 ? armed[0] : undefined);
      // A release that deliberately frees nothing means the caller owns the memory: kfree is right then.
      if (release && releaseFrees(ctx.facts.functions.get(release)) === false) return undefined;
      const stmt = statementOf(v.at);
      const fixes: Fix[] = [];
      if (stmt && stmt.type === 'expression_statement' && stmt.kids[0] === v.at) {
        fixes.push({
          title: `Remove ${calleeName(v.at) ?? 'the'}() (the release frees it)`,
          safe: !!release && o.life === 'dead',
          edits: [deleteStatement(stmt, ctx.text)],
        });
      }
      return finding(
        rule,
        'freeAfterPut',
        { ...base, free: calleeName(v.at) ?? 'kfree', release: release ? ` (${release}())` : '' },
        v,
        ctx,
        {
          related: rel,
          fixes,
          confidence: o.life === 'dead' ? 'high' : 'medium',
        },
      );
    }
    return finding(rule, 'useAfterPut', base, v, ctx, {
      related: rel,
      confidence: o.life === 'dead' ? 'high' : 'medium',
    });
  },
};

/** The releases the file arms for objects of the container's struct type. */
function releasesOfContainer(v: Violation, ctx: RuleContext): string[] | undefined {
  const type = structTypes(ctx.fn).get(v.obj.key);
  const set = type ? ctx.facts.releasesByType.get(type) : undefined;
  return set ? [...set] : undefined;
}

/** The release that the object's put runs, when this file says: `x->dev.release = fn`, or the ktype. */
function releaseName(v: Violation, ctx: RuleContext): string | undefined {
  const key = v.obj.key;
  const body = ctx.fn.body.text;
  const esc = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/->/g, '\\s*->\\s*');
  const direct = new RegExp(`${esc}\\s*(?:->|\\.)\\s*\\w+\\s*\\.\\s*release\\s*=\\s*([A-Za-z_]\\w*)`).exec(
    body,
  );
  if (direct) return direct[1];
  const ktype = new RegExp(
    `kobject_init(?:_and_add)?\\s*\\(\\s*&?\\s*${esc}\\s*->\\s*\\w+\\s*,\\s*&\\s*([A-Za-z_]\\w*)`,
  ).exec(body);
  if (ktype) return ctx.facts.releaseOf.get(ktype[1]!);
  return undefined;
}
