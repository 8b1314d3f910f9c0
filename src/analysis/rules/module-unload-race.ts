// module-unload-race: the seed's bug. An object whose memory, release or sysfs callbacks belong to this
// module gets its final put on the module_exit path, and nothing waits for the (possibly delayed)
// cleanup before the module's memory and code are freed.
import { accessPath, args, calleeName, walk, type SyntaxNode } from '../syntax';
import { structTypes, type FileFacts } from '../facts';
import { fileFinding, type FileRuleContext, type RuleDefinition } from './rule';
import type { FunctionInfo } from '../engine';
import type { Finding, Fix, Range } from '../types';
import { indentOf, indentUnit } from './rule';

export const rule: RuleDefinition = {
  id: 'module-unload-race',
  description: 'Final put of a module-owned object in module_exit with nothing waiting for its release.',
  severity: 'error',
  confidence: 'high',
  kinds: [],
  messages: {
    staticObject:
      "{obj} lives in this module's static data; {call}() drops its last reference on the module_exit " +
      'path and nothing waits for the cleanup, which runs later with CONFIG_DEBUG_KOBJECT_RELEASE (or while ' +
      'anyone else holds a reference): it then touches the object in freed module memory{callbacks}. ' +
      'Allocate the object instead (its release freeing it), or wait for a completion that a release in ' +
      'core code signals.',
    staticObjectDel:
      "{obj} lives in this module's static data; {del} makes its sysfs callbacks unreachable, but the " +
      'cleanup after {call}() may still run after the module is gone (CONFIG_DEBUG_KOBJECT_RELEASE, other ' +
      'holders) and touch the object in freed module memory. Allocate it instead, or wait for a completion ' +
      'that a release in core code signals.',
    heapObject:
      '{call}() drops the last reference to {obj} on the module_exit path, but {why}: if the cleanup is ' +
      'delayed (CONFIG_DEBUG_KOBJECT_RELEASE, another holder) it runs after the module is gone. {fix}',
  },
  checkFile(ctx) {
    const { facts } = ctx;
    if (!facts.isModule || !facts.moduleExit) return [];
    const exitPath = reachable(facts, facts.moduleExit);
    const out: Finding[] = [];
    const hasCallbacks = facts.sysfsCallbacks.size > 0;
    for (const fn of exitPath) {
      if (fn.node.hasError) continue;
      const types = structTypes(fn);
      const calls = callsIn(fn);
      calls.forEach((call, i) => {
        const name = calleeName(call)!;
        const entry = ctx.model.api.get(name);
        // A bare kref_put() releases at once: there is no delayed cleanup and no sysfs entry.
        if (
          !entry ||
          typeof entry.object !== 'number' ||
          !entry.ops.includes('put') ||
          entry.family === 'kref'
        )
          return;
        const arg = args(call)[entry.object];
        const obj = arg && objectOf(arg, fn, types, facts);
        if (!obj) return;
        // Only the last put of an object in a function can be the final one (the others balance gets).
        if (calls.slice(i + 1).some((c) => sameObject(c, obj, fn, types, facts, ctx, 'put'))) return;
        const info = describe(obj, ctx);
        if (info.borrowed) return;
        const later = calls.slice(i + 1);
        const earlier = calls.slice(0, i);
        const waits = later.some((c) => /^wait_for_completion/.test(calleeName(c) ?? ''));
        const delCall = entry.ops.includes('del')
          ? call
          : (earlier.find((c) => removesAttributes(c, obj, fn, types, facts)) ??
            earlier.find((c) => sameObject(c, obj, fn, types, facts, ctx, 'del')));
        const delName = delCall ? (calleeName(delCall) ?? 'the del') + '()' : '';
        const callbacks = hasCallbacks && info.callbacks;
        if (obj.kind === 'static') {
          if (waits && !info.releaseInModule) return;
          const id = delCall ? 'staticObjectDel' : 'staticObject';
          const cb =
            callbacks && !delCall
              ? ', and its sysfs show/store callbacks (code of this module) can still be called'
              : '';
          const fix = completionScaffold(obj.name, call, ctx);
          out.push(
            fileFinding(rule, id, { obj: obj.name, call: name, del: delName, callbacks: cb }, call.range, {
              fn: fn.name,
              fixes: fix ? [fix] : [],
            }),
          );
          return;
        }
        const reasons: string[] = [];
        if (callbacks && !delCall)
          reasons.push(
            'its sysfs show/store callbacks are code of this module and stay reachable until the cleanup (no kobject_del()/device_del() first)',
          );
        if (info.releaseInModule && !waits)
          reasons.push('its release is code of this module and nothing waits for it');
        if (reasons.length === 0) return;
        const fix =
          !delCall && callbacks
            ? 'Call kobject_del()/device_del() before the put.'
            : 'Move the release into core code and wait for a completion it signals, or make the release not need the module.';
        out.push(
          fileFinding(
            rule,
            'heapObject',
            { call: name, obj: obj.name, why: reasons.join(', and '), fix },
            call.range,
            { fn: fn.name },
          ),
        );
      });
    }
    return out;
  },
};

type Obj =
  | { kind: 'static'; name: string }
  | { kind: 'global'; name: string }
  | { kind: 'typed'; name: string; type: string };

/** Functions reached from module_exit through calls to functions of this file (the exit path). */
function reachable(facts: FileFacts, start: string): FunctionInfo[] {
  const seen = new Map<string, FunctionInfo>();
  const queue = [start];
  while (queue.length && seen.size < 64) {
    const name = queue.shift()!;
    const fn = facts.functions.get(name);
    if (!fn || seen.has(name)) continue;
    seen.set(name, fn);
    for (const c of callsIn(fn)) {
      const callee = calleeName(c);
      if (callee && facts.functions.has(callee) && !seen.has(callee)) queue.push(callee);
    }
  }
  return [...seen.values()];
}

/** Calls in source order (a call's arguments before the call). */
function callsIn(fn: FunctionInfo): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walk(fn.body, (n) => {
    if (n.type === 'call_expression' && calleeName(n)) out.push(n);
    return true;
  });
  return out.sort((a, b) => a.start - b.start);
}

/** Which module-owned object a put's argument names, if any. */
function objectOf(
  arg: SyntaxNode,
  fn: FunctionInfo,
  types: ReadonlyMap<string, string>,
  facts: FileFacts,
): Obj | undefined {
  const ap = accessPath(arg);
  if (!ap) return undefined;
  const root = /^[A-Za-z_]\w*/.exec(ap.path)?.[0];
  if (!root) return undefined;
  const local =
    fn.params.includes(root) ||
    types.has(root) ||
    new RegExp(`\\b${root}\\b\\s*[;=,)]`).test(declarationsOf(fn));
  if (!local && facts.statics.has(root) && ap.addr && !ap.path.includes('->'))
    return { kind: 'static', name: root };
  if (!local && facts.globals.has(root)) return { kind: 'global', name: root };
  const type = types.get(root);
  return type ? { kind: 'typed', name: root, type } : undefined;
}

function declarationsOf(fn: FunctionInfo): string {
  const parts: string[] = [];
  walk(fn.body, (n) => {
    if (n.type === 'declaration') parts.push(n.text);
    return n.type !== 'declaration';
  });
  return parts.join('\n');
}

/** Does this call act (with the given transition) on the same object? */
/** sysfs_remove_group(obj, …) and kin take this module's callbacks off the object before the put. */
function removesAttributes(
  call: SyntaxNode,
  obj: Obj,
  fn: FunctionInfo,
  types: ReadonlyMap<string, string>,
  facts: FileFacts,
): boolean {
  if (
    !/^(?:sysfs_remove_(?:file|files|group|groups|bin_file)|device_remove_(?:file|groups?|bin_file))$/.test(
      calleeName(call) ?? '',
    )
  )
    return false;
  const a = args(call)[0];
  const other = a && objectOf(a, fn, types, facts);
  return !!other && other.kind === obj.kind && other.name === obj.name;
}

function sameObject(
  call: SyntaxNode,
  obj: Obj,
  fn: FunctionInfo,
  types: ReadonlyMap<string, string>,
  facts: FileFacts,
  ctx: FileRuleContext,
  op: 'del' | 'put',
): boolean {
  const entry = ctx.model.api.get(calleeName(call) ?? '');
  if (!entry || typeof entry.object !== 'number' || !entry.ops.includes(op)) return false;
  const arg = args(call)[entry.object];
  const other = arg && objectOf(arg, fn, types, facts);
  return !!other && other.kind === obj.kind && other.name === obj.name;
}

interface ObjectInfo {
  releaseInModule: boolean;
  callbacks: boolean;
  /** Obtained from a lookup: the object is someone else's, this put is never the final one. */
  borrowed: boolean;
}

/**
 * What the whole file says about the object: the ktypes and releases it is given, whether the core
 * created it (its release is the core's), and whether attributes with this module's callbacks hang on it.
 */
function describe(obj: Obj, ctx: FileRuleContext): ObjectInfo {
  const { facts } = ctx;
  const info: ObjectInfo = { releaseInModule: false, callbacks: false, borrowed: false };
  const inModule = (fn: string | undefined): boolean => !!fn && fn !== 'NULL' && facts.functions.has(fn);
  const type =
    obj.kind === 'typed' ? obj.type : obj.kind === 'static' ? facts.statics.get(obj.name)?.type : undefined;
  for (const r of (type && facts.releasesByType.get(type)) || [])
    if (inModule(r)) info.releaseInModule = true;
  for (const fn of facts.functions.values()) {
    const types = structTypes(fn);
    walk(fn.body, (n) => {
      if (n.type === 'assignment_expression') {
        const left = n.field('left');
        const right = n.field('right');
        const ap = left && accessPath(left);
        if (!ap || !right || !matches(ap.path, obj, types, facts)) return true;
        if (/(?:->|\.)release$/.test(ap.path) && inModule(right.text.trim())) info.releaseInModule = true;
        if (/(?:->|\.)groups$/.test(ap.path)) info.callbacks = true;
        // `dir = kobject_create_and_add(…)`: the core's object and release.
        const creator = right.type === 'call_expression' ? calleeName(right) : undefined;
        if (creator && ctx.model.api.get(creator)?.family === 'reference') info.borrowed = true;
        if (creator && /_with_groups$|_groups$/.test(creator)) info.callbacks = true;
        return true;
      }
      if (n.type !== 'call_expression') return true;
      const name = calleeName(n) ?? '';
      const a = args(n);
      const first = a[0] && accessPath(a[0]);
      if (!first || !matches(first.path, obj, types, facts)) return true;
      if (/^kobject_init(?:_and_add)?$/.test(name) && a[1]) {
        const ktype = facts.initializers.get(a[1].text.replace(/^&\s*/, ''));
        if (ktype && inModule(ktype.release)) info.releaseInModule = true;
        if (ktype && ((ktype.groups?.length ?? 0) > 0 || ktype.sysfsOps)) info.callbacks = true;
      }
      if (
        /^(?:sysfs_create_(?:file|files|group|groups|bin_file|link)|device_create_file|device_add_groups?|sysfs_update_groups?)$/.test(
          name,
        )
      )
        info.callbacks = true;
      return true;
    });
  }
  return info;
}

/** Does an access path in some function name the object? */
function matches(path: string, obj: Obj, types: ReadonlyMap<string, string>, facts: FileFacts): boolean {
  const root = /^[A-Za-z_]\w*/.exec(path)?.[0];
  if (!root) return false;
  // Objects of the same struct type: locals and parameters, and the file's static ones.
  if (obj.kind === 'typed') return (types.get(root) ?? facts.statics.get(root)?.type) === obj.type;
  return root === obj.name;
}

const at = (line: number): Range => ({ start: { line, character: 0 }, end: { line, character: 0 } });

/** The statement a call sits in. */
function statementOf(n: SyntaxNode): SyntaxNode | undefined {
  let s: SyntaxNode | undefined = n;
  while (s && s.type !== 'expression_statement' && s.type !== 'declaration') s = s.parent;
  return s;
}

/**
 * The completion pattern the 2016 thread discussed, as an unsafe scaffold: a `released` completion in
 * the object, complete() at the end of its release, init_completion() before the object is set up,
 * wait_for_completion() after the final put. While the release itself is module code this narrows
 * the window but does not close it (the message says so); moving the release into core code does.
 */
function completionScaffold(name: string, put: SyntaxNode, ctx: FileRuleContext): Fix | undefined {
  const { facts } = ctx;
  const type = facts.statics.get(name)?.type;
  const struct = type ? facts.structs.get(type) : undefined;
  const release = [...facts.releases.values()].find((r) => r.defined && r.container?.type === type);
  const relFn = release && facts.functions.get(release.name);
  const putStmt = statementOf(put);
  if (!type || !struct || !release?.container || !relFn || !putStmt) return undefined;
  const structEnd = closingBraceLine(ctx.text, struct.range);
  let init: SyntaxNode | undefined;
  for (const fn of facts.functions.values()) {
    walk(fn.body, (n) => {
      if (init) return false;
      if (
        n.type === 'call_expression' &&
        /^(?:kobject_init\w*|device_(?:initialize|register)|kset_register)$/.test(calleeName(n) ?? '')
      ) {
        const a = args(n)[0];
        if (a && new RegExp(`^&\\s*${name}\\b`).test(a.text)) init = n;
      }
      return true;
    });
    if (init) break;
  }
  const initStmt = init && statementOf(init);
  if (structEnd < 0 || !initStmt) return undefined;
  const unit = indentUnit(ctx.text);
  const param = relFn.params[0] ?? 'kobj';
  const closing = relFn.node.endPoint.row;
  return {
    title: `Scaffold a completion that ${release.name}() signals and module_exit waits for`,
    safe: false,
    edits: [
      { range: at(structEnd), newText: `${unit}struct completion released;\n` },
      {
        range: at(closing),
        newText: `${unit}complete(&container_of(${param}, struct ${type}, ${release.container.member})->released);\n`,
      },
      {
        range: at(initStmt.startPoint.row),
        newText: `${indentOf(initStmt, ctx.text)}init_completion(&${name}.released);\n`,
      },
      {
        range: at(putStmt.endPoint.row + 1),
        newText: `${indentOf(putStmt, ctx.text)}wait_for_completion(&${name}.released);\n`,
      },
    ],
  };
}

/** The line of the `}` closing the struct whose name is at `name`, when it stands alone on its line. */
function closingBraceLine(text: string, name: Range): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < name.end.line; i++) offset += lines[i]!.length + 1;
  const open = text.indexOf('{', offset + name.end.character);
  if (open < 0) return -1;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) {
      const lineStart = text.lastIndexOf('\n', i - 1) + 1;
      if (text.slice(lineStart, i).trim() !== '') return -1;
      return text.slice(0, lineStart).split('\n').length - 1;
    }
  }
  return -1;
}
