// static-kobject: a kobject, device or kset with static storage or on the stack made refcounted.
import { calleeName, walk } from '../syntax';
import { finding, objectName, type RuleContext, type RuleDefinition } from './rule';

export const rule: RuleDefinition = {
  id: 'static-kobject',
  description:
    'A kobject, device or kset with static storage or on the stack is initialized, added or registered.',
  severity: 'warning',
  confidence: 'high',
  kinds: ['static-object'],
  // Whether any other function puts the object, and whether the file is a module.
  readsWholeFile: true,
  messages: {
    staticObject:
      '{obj} has static storage ({where}) but {call}() makes it refcounted: no release can ever free it, ' +
      'its memory goes away with the {owner} instead of with the last reference, and registering it again ' +
      'reuses memory that may still be referenced. Allocate it (kzalloc) and free it in the release.',
    stackObject:
      '{obj} lives on the stack of {fn}() but {call}() makes it refcounted: references from sysfs or other ' +
      'subsystems can outlive the stack frame. Allocate it (kzalloc) and free it in the release.',
    bootSingleton:
      '{obj} is a static singleton made refcounted by {call}() and never released in this file: tolerable ' +
      'for a boot-time singleton in built-in code, but no release can ever run for it (and in a module it ' +
      'would still be registered after unload).',
  },
  check(v, ctx) {
    const name = objectName(v.obj);
    const call = calleeName(v.at) ?? 'the call';
    const storage = storageOf(name, ctx);
    if (storage === 'stack')
      return finding(rule, 'stackObject', { obj: name, fn: ctx.fn.name, call }, v, ctx);
    // A module with module_init() but no way out (no module_exit, no module_*_driver) never unloads.
    const module = isModule(ctx.text) && (!!ctx.facts.moduleExit || ctx.facts.moduleDriver.length > 0);
    // Never released anywhere: whether built in or not (Kconfig decides, which one file cannot see),
    // this reads as a permanent singleton — a hint, not a warning.
    if (!releasedAnywhere(name, ctx)) {
      const f = finding(rule, 'bootSingleton', { obj: name, call }, v, ctx, { confidence: 'medium' });
      return { ...f, severity: 'hint' };
    }
    return finding(
      rule,
      'staticObject',
      {
        obj: name,
        call,
        where: storage === 'static-local' ? `a static local of ${ctx.fn.name}()` : 'file scope',
        owner: module ? 'module at unload' : 'kernel image',
      },
      v,
      ctx,
    );
  },
};

/** Where a named object lives: declared in the function (static or not), else at file scope. */
function storageOf(name: string, ctx: RuleContext): 'file' | 'static-local' | 'stack' {
  let found: 'static-local' | 'stack' | undefined;
  walk(ctx.fn.node, (n) => {
    if (found) return false;
    if (n.type !== 'declaration' && n.type !== 'parameter_declaration') return true;
    if (new RegExp(`\\b${name}\\b`).test(n.text.replace(/=[\s\S]*$/, ''))) {
      found = /^\s*static\b/.test(n.text) ? 'static-local' : 'stack';
    }
    return false;
  });
  return found ?? 'file';
}

/** A file with module_init/module_exit/MODULE_LICENSE/module_*_driver can be built as a module. */
export function isModule(text: string): boolean {
  return /\bmodule_(?:init|exit)\s*\(|\bMODULE_LICENSE\s*\(|\bmodule_\w+_driver\s*\(/.test(text);
}

/**
 * Is the object put, unregistered or deleted by a teardown path: some function other than the one
 * registering it (whose own error path undoing a failed boot-time registration does not count)?
 */
function releasedAnywhere(name: string, ctx: RuleContext): boolean {
  const re = new RegExp(`\\b\\w*(?:put|unregister|_del)\\w*\\s*\\(\\s*&\\s*${name}\\b`);
  for (const fn of ctx.facts.functions.values()) if (fn !== ctx.fn && re.test(fn.body.text)) return true;
  return false;
}
