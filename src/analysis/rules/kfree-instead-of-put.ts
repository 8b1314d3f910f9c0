// kfree-instead-of-put: the container of an initialized kobject/device is freed directly.
import { args, calleeName } from '../syntax';
import { finding, lineOf, onlyLives, putCall, related, objectName, type RuleDefinition } from './rule';
import type { Fix } from '../types';

export const rule: RuleDefinition = {
  id: 'kfree-instead-of-put',
  description:
    'Container freed with kfree() after its kobject/device was initialized; drop the reference instead.',
  severity: 'error',
  confidence: 'high',
  kinds: ['free-while-referenced'],
  messages: {
    freeInitialized:
      '{free}() frees {obj} while its {what} holds a reference (initialized by {init}() on line {initLine}): ' +
      'once initialized, the memory belongs to the refcount and only the release may free it. Use {put} instead.',
    helperFrees:
      '{free}() frees {obj} while its {what} holds a reference (initialized by {init}() on line {initLine}): ' +
      'drop the reference with {put} and let the release free it.',
  },
  check(v, ctx) {
    const o = v.obj;
    const init = o.initAt ? (calleeName(o.initAt) ?? 'init') : 'device_add';
    const what =
      o.family === 'kobject' || o.family === 'kset'
        ? 'kobject'
        : o.family === 'kref'
          ? 'kref'
          : 'struct device';
    const free = calleeName(v.at) ?? 'kfree';
    const values = {
      free,
      obj: objectName(o),
      what,
      init,
      initLine: o.initAt ? String(lineOf(o.initAt)) : '?',
      put: putCall(o),
    };
    const fixes: Fix[] = [];
    // Only a direct free call is rewritten; safe when every path reaching it has the object initialized.
    if (!v.viaHelper && o.family !== 'kref' && args(v.at).length >= 1) {
      fixes.push({
        title: `Replace ${free}() with ${putCall(o)}`,
        safe: onlyLives(ctx, v.at, o.key, ['live']),
        edits: [{ range: v.at.range, newText: putCall(o) }],
      });
    }
    return finding(rule, v.viaHelper ? 'helperFrees' : 'freeInitialized', values, v, ctx, {
      related: [
        ...related(o.initAt, 'initialized here'),
        ...related(
          o.failAt,
          `${o.failAt ? calleeName(o.failAt) : ''}() fails here, yet the object stays initialized`,
        ),
      ],
      fixes,
    });
  },
};
