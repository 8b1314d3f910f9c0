// empty-release: a function used as a release that frees nothing and does nothing.
import { fileFinding, functionNameNode, type FileRuleContext, type RuleDefinition } from './rule';
import type { ReleaseUse } from '../facts';
import type { Finding } from '../types';

export const rule: RuleDefinition = {
  id: 'empty-release',
  description: 'A release callback whose body frees nothing and does nothing.',
  severity: 'warning',
  confidence: 'high',
  kinds: [],
  messages: {
    emptyRelease:
      '{fn}() is the release of {use} but frees nothing and does nothing: when the last reference goes the ' +
      'container is never freed (a leak), and code that kfree()s it right after the put frees memory that ' +
      'a delayed cleanup (CONFIG_DEBUG_KOBJECT_RELEASE, another holder) still uses. Free the container here.',
  },
  checkFile(ctx) {
    const out: Finding[] = [];
    for (const r of ctx.facts.releases.values()) {
      const fn = ctx.facts.functions.get(r.name);
      if (!r.defined || !fn || fn.node.hasError || !(r.empty || r.doesNothing)) continue;
      if (r.kind === 'kref' && !krefReleaseOwnsHeap(r.name, ctx)) continue;
      if (staticOnlyForever(r.uses, ctx)) continue;
      const use = r.uses[0];
      out.push(
        fileFinding(
          rule,
          'emptyRelease',
          { fn: r.name, use: use ? describeUse(use.kind, use.via) : 'an object' },
          functionNameNode(fn).range,
          {
            fn: r.name,
            related: r.uses.map((u) => ({ range: u.range, message: `used as a release here (${u.via})` })),
          },
        ),
      );
    }
    return out;
  },
};

function describeUse(kind: string, via: string): string {
  switch (kind) {
    case 'kobj_type':
      return `kobj_type ${via}`;
    case 'device_type':
      return `device_type ${via}`;
    case 'class':
      return `class ${via}`;
    case 'kref':
      return `a kref (${via})`;
    default:
      return `a struct device (${via})`;
  }
}

/**
 * A kref release that does nothing is a bug only for a heap object the kref owns: some function
 * allocates the container and kref_init()s it, and no kref_put() caller acts on its return value
 * (which is how pool slots and lookup tables free on zero themselves).
 */
function krefReleaseOwnsHeap(release: string, ctx: FileRuleContext): boolean {
  let heap = false;
  for (const fn of ctx.facts.functions.values()) {
    const body = fn.body.text;
    if (new RegExp(`(?:if\\s*\\(\\s*!?|=\\s*|return\\s+)kref_put\\w*\\s*\\([^;]*\\b${release}\\b`).test(body))
      return false;
    for (const m of body.matchAll(/\bkref_init\s*\(\s*&\s*([A-Za-z_]\w*)\s*->/g)) {
      if (new RegExp(`\\b${m[1]}\\s*=\\s*k[vz]?[mzc]alloc\\w*\\s*\\(`).test(body)) heap = true;
    }
  }
  return heap;
}

/**
 * Every object using the release is a static one in code that never unloads (built-in, or a module
 * without module_exit): the release can never matter. static-kobject reports those objects.
 */
function staticOnlyForever(uses: readonly ReleaseUse[], ctx: FileRuleContext): boolean {
  const unloads = ctx.facts.isModule && !!ctx.facts.moduleExit;
  if (unloads || uses.length === 0) return false;
  return uses.every((u) => ctx.facts.statics.has(/^[A-Za-z_]\w*/.exec(u.via)?.[0] ?? ''));
}
