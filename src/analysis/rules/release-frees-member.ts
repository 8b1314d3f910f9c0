// release-frees-member: a release that frees the embedded member's pointer (not at offset 0 of its
// container), or an object other than its container.
import { fileFinding, type FileRuleContext, type RuleDefinition } from './rule';
import { KNOWN_CONTAINERS } from '../model/containers';
import type { ReleaseFacts } from '../facts';
import type { Finding, Fix } from '../types';

export const rule: RuleDefinition = {
  id: 'release-frees-member',
  description:
    'A release frees the embedded member pointer (not at offset 0) or an object other than its container.',
  severity: 'error',
  confidence: 'high',
  kinds: [],
  messages: {
    freesMember:
      '{fn}() frees {arg}, the {kind} embedded in struct {type} as "{member}", which is not its first member: ' +
      '{call}() is handed a pointer into the middle of the allocation (slab corruption). Free the container: ' +
      '{call}({fix}).',
    freesParent:
      '{fn}() frees {arg}, the parent object, not the container being released: the parent is still ' +
      'referenced (it is pinned by this child until now) and the container leaks.',
  },
  checkFile(ctx) {
    const out: Finding[] = [];
    for (const r of ctx.facts.releases.values()) {
      const fn = ctx.facts.functions.get(r.name);
      const param = fn?.params[0];
      if (!r.defined || !fn || fn.node.hasError || !param || fn.params.length !== 1) continue;
      const owners = ownerTypes(r, ctx);
      // Locals that hold the parent: `hub = container_of(dev->parent, …)`, `p = kobj->parent`.
      const parents = new Set<string>();
      for (const m of fn.body.text.matchAll(
        new RegExp(`([A-Za-z_]\\w*)\\s*=\\s*(?:[A-Za-z_]\\w*\\s*\\(\\s*)?${param}\\s*->\\s*parent\\b`, 'g'),
      )) {
        parents.add(m[1]!);
      }
      for (const free of r.frees) {
        const arg = free.argText.replace(/\s+/g, '');
        if (arg === param) {
          const target = embeddingOf(r, owners, ctx);
          if (!target || target.first) continue;
          // The file's own to_foo() helper reads better than a spelled-out container_of().
          const helper =
            r.container?.helper ??
            [...ctx.facts.converters].find(
              ([, c]) => c.type === target.type && c.member === target.member,
            )?.[0];
          const conv = helper
            ? `${helper}(${param})`
            : `container_of(${param}, struct ${target.type}, ${target.member})`;
          const fix: Fix = {
            title: `Free the container: ${free.call}(${conv})`,
            safe: true,
            edits: [{ range: argRange(free.range, free.call, ctx.text), newText: conv }],
          };
          out.push(
            fileFinding(
              rule,
              'freesMember',
              {
                fn: r.name,
                arg,
                kind: target.kind,
                type: target.type,
                member: target.member,
                call: free.call,
                fix: conv,
              },
              free.range,
              { fn: r.name, fixes: [fix] },
            ),
          );
        } else if (arg === `${param}->parent` || parents.has(arg)) {
          out.push(fileFinding(rule, 'freesParent', { fn: r.name, arg }, free.range, { fn: r.name }));
        }
      }
    }
    return out;
  },
};

/** The container types this file arms the release for. */
function ownerTypes(r: ReleaseFacts, ctx: FileRuleContext): string[] {
  const out: string[] = [];
  for (const [type, set] of ctx.facts.releasesByType) if (set.has(r.name)) out.push(type);
  return out;
}

interface Target {
  type: string;
  member: string;
  kind: string;
  first: boolean;
}

/** Where the released object sits in its container: from container_of(), else from the armed type. */
function embeddingOf(r: ReleaseFacts, owners: string[], ctx: FileRuleContext): Target | undefined {
  const want = r.kind === 'kobj_type' ? 'kobject' : r.kind === 'kref' ? 'kref' : 'device';
  const lookup = (type: string, member?: string): Target | undefined => {
    const embeds =
      ctx.facts.structs.get(type)?.embeds ??
      KNOWN_CONTAINERS[type]?.map((k) => ({ ...k, via: undefined })) ??
      [];
    const e = embeds.find((x) =>
      member ? (x.via ?? x.member) === member || x.member === member : x.kind === want,
    );
    return e ? { type, member: e.via ?? e.member, kind: e.kind, first: e.first } : undefined;
  };
  if (r.container) return lookup(r.container.type, r.container.member);
  // Without a conversion, only a single unambiguous owner type tells where the pointer points.
  if (owners.length !== 1) return undefined;
  return lookup(owners[0]!);
}

/** The argument's range inside `kfree(arg)`. */
function argRange(
  call: { start: { line: number; character: number }; end: { line: number; character: number } },
  name: string,
  text: string,
) {
  const lines = text.split('\n');
  const line = lines[call.start.line] ?? '';
  const open = line.indexOf('(', call.start.character + name.length - 1);
  const close = call.end.line === call.start.line ? call.end.character - 1 : line.length;
  return {
    start: { line: call.start.line, character: open + 1 },
    end: { line: call.start.line, character: close },
  };
}
