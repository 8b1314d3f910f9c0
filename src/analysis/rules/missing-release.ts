// missing-release: a kobj_type without .release, or a struct device this file registers for which no
// release (dev->release, its device_type's, its class's) is set anywhere in the file.
import { accessPath, args, calleeName, walk, type SyntaxNode } from '../syntax';
import { structTypes } from '../facts';
import { fileFinding, type FileRuleContext, type RuleDefinition } from './rule';
import type { Finding, Fix, Range } from '../types';
import type { FunctionInfo } from '../engine';
import { indentOf, indentUnit } from './rule';

export const rule: RuleDefinition = {
  id: 'missing-release',
  description:
    'A kobj_type without .release, or a registered struct device with no release anywhere in the file.',
  severity: 'warning',
  confidence: 'high',
  kinds: [],
  messages: {
    ktypeWithoutRelease:
      'kobj_type {name} has no .release: when the last reference to a kobject of this type goes, nothing ' +
      'frees its container (kobject_cleanup() only logs "does not have a release() function"), so every ' +
      'object leaks — or is freed by hand while references remain. Add a release that frees the container.',
    deviceWithoutRelease:
      '{call}() on a struct {type} device, but this file sets no release for it (no dev->release, no ' +
      'device_type or class with one): the last put_device() WARNs ("does not have a release() function, ' +
      'it is broken and must be fixed") and leaks the container.',
  },
  checkFile(ctx) {
    const out: Finding[] = [];
    for (const [name, init] of ctx.facts.initializers) {
      if (init.kind === 'kobj_type' && (!init.release || init.release === 'NULL')) {
        const fix = ktypeReleaseFix(name, init.range, ctx);
        out.push(fileFinding(rule, 'ktypeWithoutRelease', { name }, init.range, { fixes: fix ? [fix] : [] }));
      }
    }
    const armed = devicesWithRelease(ctx);
    for (const fn of ctx.facts.functions.values()) {
      // A function with a parse error yields nothing: what was lost may set the release.
      if (fn.node.hasError || !/\bdevice_(?:register|initialize)\s*\(/.test(fn.body.text)) continue;
      const types = structTypes(fn);
      walk(fn.body, (n) => {
        if (n.type !== 'call_expression') return true;
        const call = calleeName(n);
        const entry = call ? ctx.model.api.get(call) : undefined;
        if (!entry || entry.family !== 'device' || !entry.ops.includes('init')) return true;
        const ap = args(n)[0] && accessPath(args(n)[0]!);
        // `&x->dev` on a container whose struct this file defines (else its release may live elsewhere).
        const m = ap?.addr ? /^([A-Za-z_]\w*)->(\w+)$/.exec(ap.path) : null;
        const type = m ? types.get(m[1]!) : undefined;
        if (!type || !ctx.facts.structs.has(type) || armed.has(type)) return true;
        const embeds = ctx.facts.structs.get(type)!.embeds;
        if (!embeds.some((e) => e.kind === 'device' && e.member === m![2])) return true;
        const fix = deviceReleaseFix(fn, n, m![1]!, m![2]!, type, ctx);
        out.push(
          fileFinding(rule, 'deviceWithoutRelease', { call: call!, type }, n.range, {
            fn: fn.name,
            fixes: fix ? [fix] : [],
          }),
        );
        return true;
      });
    }
    return out;
  },
};

/**
 * Container types for which the file arms a release or hands the device to a type or class that may
 * have one (`x->dev.release =`, `x->dev.type =`, `x->dev.class =`, directly or through `dev = &x->dev`).
 */
function devicesWithRelease(ctx: FileRuleContext): Set<string> {
  const out = new Set<string>(ctx.facts.releasesByType.keys());
  for (const fn of ctx.facts.functions.values()) {
    if (!/\b(?:release|type|class)\s*=/.test(fn.body.text)) continue;
    const types = structTypes(fn);
    const via = new Map<string, string>();
    walk(fn.body, (n: SyntaxNode) => {
      if (n.type === 'init_declarator' || n.type === 'assignment_expression') {
        const left = n.type === 'init_declarator' ? n.field('declarator') : n.field('left');
        const right = n.field(n.type === 'init_declarator' ? 'value' : 'right');
        const target = right && /^&\s*([A-Za-z_]\w*)\s*->/.exec(right.text);
        const name = left && /([A-Za-z_]\w*)\s*$/.exec(left.text);
        if (target && name && types.has(target[1]!)) via.set(name[1]!, types.get(target[1]!)!);
        if (n.type === 'assignment_expression') {
          const l = (left?.text ?? '').replace(/\s+/g, '');
          const set = /^([A-Za-z_]\w*)(?:->|\.)(?:[\w.>-]*[.>])?(release|type|class)$/.exec(l);
          const owner = set ? (via.get(set[1]!) ?? types.get(set[1]!)) : undefined;
          // A type or class defined in this file counts only if it has a release; one from elsewhere may.
          const init = right && /^&\s*([A-Za-z_]\w*)\s*$/.exec(right.text);
          const local = init ? ctx.facts.initializers.get(init[1]!) : undefined;
          const hasRelease =
            set?.[2] === 'release' || !local || (!!local.release && local.release !== 'NULL');
          if (owner && hasRelease) out.add(owner);
        }
      }
      return true;
    });
  }
  return out;
}

const at = (line: number, character = 0): Range => ({ start: { line, character }, end: { line, character } });

/** A release that frees the container, named after the kobj_type (`foo_ktype` → `foo_release`). */
function releaseFunction(
  name: string,
  param: string,
  paramType: string,
  type: string,
  member: string,
  unit: string,
): string {
  return `static void ${name}(struct ${paramType} *${param})\n{\n${unit}kfree(container_of(${param}, struct ${type}, ${member}));\n}\n\n`;
}

/**
 * Generate `static void foo_release(struct kobject *kobj) { kfree(container_of(…)); }` above the
 * kobj_type and wire it in, when the file shows which container the type is used for.
 */
function ktypeReleaseFix(ktype: string, range: Range, ctx: FileRuleContext): Fix | undefined {
  let container: { type: string; member: string } | undefined;
  for (const fn of ctx.facts.functions.values()) {
    const m = new RegExp(
      `kobject_init(?:_and_add)?\\s*\\(\\s*&\\s*([A-Za-z_]\\w*)\\s*->\\s*(\\w+)\\s*,\\s*&\\s*${ktype}\\b`,
    ).exec(fn.body.text);
    const type = m ? structTypes(fn).get(m[1]!) : undefined;
    if (m && type) container = { type, member: m[2]! };
    if (container) break;
  }
  if (!container) return undefined;
  const lines = ctx.text.split('\n');
  const declLine = range.start.line;
  const brace = lines.findIndex((l, i) => i >= declLine && l.includes('{'));
  if (brace < 0) return undefined;
  const unit = indentUnit(ctx.text);
  const name = `${ktype.replace(/_?k?type$/, '')}_release`;
  const startOfDecl = { line: declLine, character: 0 };
  return {
    title: `Add ${name}() freeing the struct ${container.type} and set it as .release`,
    // The container may be static or owned elsewhere: a person must confirm kfree() is right.
    safe: false,
    edits: [
      {
        range: { start: startOfDecl, end: startOfDecl },
        newText: releaseFunction(name, 'kobj', 'kobject', container.type, container.member, unit),
      },
      { range: at(brace + 1), newText: `${unit}.release = ${name},\n` },
    ],
  };
}

/** Generate a release for the device's container above the function and set it before the call. */
function deviceReleaseFix(
  fn: FunctionInfo,
  call: SyntaxNode,
  v: string,
  member: string,
  type: string,
  ctx: FileRuleContext,
): Fix | undefined {
  let stmt: SyntaxNode | undefined = call;
  while (
    stmt &&
    stmt.type !== 'expression_statement' &&
    stmt.type !== 'declaration' &&
    stmt.type !== 'if_statement'
  )
    stmt = stmt.parent;
  if (!stmt) return undefined;
  const name = `${type}_release`;
  if (ctx.facts.functions.has(name)) return undefined;
  const unit = indentUnit(ctx.text);
  const fnStart = { line: fn.node.startPoint.row, character: 0 };
  return {
    title: `Add ${name}() freeing the struct ${type} and set ${v}->${member}.release`,
    safe: false,
    edits: [
      {
        range: { start: fnStart, end: fnStart },
        newText: releaseFunction(name, 'dev', 'device', type, member, unit),
      },
      {
        range: at(stmt.startPoint.row),
        newText: `${indentOf(stmt, ctx.text)}${v}->${member}.release = ${name};\n`,
      },
    ],
  };
}
