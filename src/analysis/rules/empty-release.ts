// empty-release: a function used as a release that frees nothing and does nothing.
import { fileFinding, functionNameNode, type RuleDefinition } from './rule';
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
