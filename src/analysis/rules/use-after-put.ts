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
    // Only a release this file shows freeing the container makes the put free memory: with none in
    // sight, or one that frees nothing, there is no use after free to prove (missing-release and
    // empty-release are the findings for those designs).
    // A child added under the object pins it (kobject_add() takes a reference on the parent): the
    // put before the child's is not the last.
    if (hasChild(o.key, ctx)) return undefined;
    const own = releaseName(v, ctx);
    const releases = own ? [own] : (releasesOfContainer(v, ctx) ?? []);
    const freeing = releases.filter((r) => releaseFrees(ctx.facts.functions.get(r)) === true);
    // Objects the core created (platform_device_alloc(), kobject_create_and_add()) have the core's
    // release, which frees them.
    if (freeing.length === 0 && o.origin !== 'create') return undefined;
    const release = freeing.length === 1 ? freeing[0] : undefined;
    const put = o.putAt ? (calleeName(o.putAt) ?? 'put') : 'put';
    const may = o.life === 'dead' ? 'has' : 'may have';
    const base = { obj: objectName(o), put, putLine: o.putAt ? String(lineOf(o.putAt)) : '?', may };
    const rel = related(
      o.putAt,
      o.life === 'dead' ? 'last reference dropped here' : 'reference dropped here',
    );
    if (v.kind === 'free-after-put') {
      const stmt = statementOf(v.at);
      const fixes: Fix[] = [];
      if (stmt && stmt.type === 'expression_statement' && stmt.kids[0] === v.at) {
        fixes.push({
          title: `Remove ${calleeName(v.at) ?? 'the'}() (the release frees it)`,
          safe: o.life === 'dead',
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
          // put + kfree with a freeing release is wrong whether or not the put was the last.
          confidence: 'high',
        },
      );
    }
    // For an object whose refcount we never saw, another holder (the caller, an open file, a child
    // kobject, a registration) kept it alive in almost every case the field triage looked at: a
    // plain use is reported only after the last put of a reference this function counted.
    if (o.life !== 'dead') return undefined;
    return finding(rule, 'useAfterPut', base, v, ctx, {
      related: rel,
      confidence: o.life === 'dead' ? 'high' : 'medium',
    });
  },
};

/**
 * The releases for objects of the container's struct type: those the file arms for it, else the
 * release-shaped functions that convert back to it (`container_of(dev, struct T, m)`) and free.
 */
function releasesOfContainer(v: Violation, ctx: RuleContext): string[] | undefined {
  const type = structTypes(ctx.fn).get(v.obj.key);
  if (!type) return undefined;
  const set = ctx.facts.releasesByType.get(type);
  if (set) return [...set];
  const back = new RegExp(`container_of\\s*\\(\\s*\\w+\\s*,\\s*struct\\s+${type}\\s*,`);
  const found = [...ctx.facts.functions.values()]
    .filter((f) => /release/.test(f.name) && f.params.length === 1 && back.test(f.body.text))
    .map((f) => f.name);
  return found.length ? found : undefined;
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

/** Does the function add a kobject or device under this object (as the parent argument)? */
function hasChild(key: string, ctx: RuleContext): boolean {
  const k = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/->/g, '\\s*->\\s*');
  const asParent = `&?\\s*${k}\\s*->\\s*\\w+`;
  return new RegExp(
    `\\b(?:kobject_(?:init_and_)?add|kobject_create_and_add|kset_create_and_add)\\s*\\([^;]*,\\s*${asParent}\\s*[,)]`,
  ).test(ctx.fn.body.text);
}
