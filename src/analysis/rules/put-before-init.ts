// put-before-init: a put on an error path reached before the object was initialized.
import { calleeName } from '../syntax';
import { finding, objectName, onlyLives, related, type RuleDefinition } from './rule';
import type { Fix } from '../types';

export const rule: RuleDefinition = {
  id: 'put-before-init',
  description:
    'Put on an error path reached before the object was initialized (WARNs, never releases: leak).',
  severity: 'warning',
  confidence: 'medium',
  kinds: ['put-uninitialized'],
  messages: {
    putUninitialized:
      '{put}() on {obj} before it was initialized on this path: a put of an uninitialized kobject only ' +
      'WARNs ("is not initialized, yet kobject_put() is being called") and never runs the release, so the ' +
      'memory leaks. Initialize it earlier (init early, add late), or free it with kfree() on this path.',
  },
  check(v, ctx) {
    const o = v.obj;
    const put = calleeName(v.at) ?? 'put';
    const fixes: Fix[] = [];
    // Only every-path-uninitialized puts can become kfree() without breaking another path.
    if (o.origin === 'alloc' && onlyLives(ctx, v.at, o.key, ['raw'])) {
      fixes.push({
        title: `Replace ${put}() with kfree(${objectName(o)})`,
        safe: true,
        edits: [{ range: v.at.range, newText: `kfree(${objectName(o)})` }],
      });
    }
    return finding(rule, 'putUninitialized', { put, obj: objectName(o) }, v, ctx, {
      related: related(o.allocAt, 'allocated here, not yet initialized'),
      fixes,
    });
  },
};
