// devm-refcounted: a refcounted object embedded in devres-managed memory.
import { args, calleeName } from '../syntax';
import { finding, lineOf, objectName, related, type RuleDefinition } from './rule';
import type { Fix } from '../types';

const PLAIN: Readonly<Record<string, string>> = {
  devm_kzalloc: 'kzalloc',
  devm_kmalloc: 'kmalloc',
  devm_kcalloc: 'kcalloc',
};

export const rule: RuleDefinition = {
  id: 'devm-refcounted',
  description:
    'A kobject/device/kref embedded in devm_kzalloc() memory: devres frees it at unbind while references may live on.',
  severity: 'warning',
  confidence: 'high',
  kinds: ['refcounted-in-devm'],
  messages: {
    devmRefcounted:
      '{obj} was allocated with {alloc}() (line {allocLine}), but {init}() makes it refcounted: devres frees ' +
      'that memory when the driver unbinds, while references from sysfs, open files or other subsystems may ' +
      'still be held. Allocate it with {plain}() and free it in the release.',
  },
  check(v, ctx) {
    const o = v.obj;
    const alloc = o.allocAt ? (calleeName(o.allocAt) ?? 'devm_kzalloc') : 'devm_kzalloc';
    const plain = PLAIN[alloc] ?? 'kzalloc';
    const fixes: Fix[] = [];
    const a = o.allocAt ? args(o.allocAt) : [];
    const fn = o.allocAt?.field('function');
    if (fn && a.length >= 2 && PLAIN[alloc]) {
      // Dropping the devres owner argument: the release must now free the memory (needs a look).
      fixes.push({
        title: `Allocate with ${plain}() (the release must free it)`,
        safe: false,
        edits: [{ range: { start: fn.range.start, end: a[1]!.range.start }, newText: `${plain}(` }],
      });
    }
    return finding(
      rule,
      'devmRefcounted',
      {
        obj: objectName(o),
        alloc,
        allocLine: o.allocAt ? String(lineOf(o.allocAt)) : '?',
        init: calleeName(v.at) ?? 'the init',
        plain,
      },
      v,
      ctx,
      { related: related(o.allocAt, 'devres-managed memory allocated here'), fixes },
    );
  },
};
