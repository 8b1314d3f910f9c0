// File-level facts the rules need: functions, file-scope variables, and release callbacks named by
// kobj_type / device_type / class initializers, with whether each release frees anything.
import { declaratorName, walk, type SyntaxNode } from './syntax';
import type { FunctionInfo } from './engine';

export interface FileFacts {
  functions: Map<string, FunctionInfo>;
  globals: Set<string>;
  /** Initializer name (`foo_ktype`) → its `.release` function name. */
  releaseOf: Map<string, string>;
  /**
   * Container struct name → the release functions this file arms for objects of that type
   * (`x->dev.release = fn`, `kobject_init(&x->kobj, &ktype)` with ktype's `.release`).
   */
  releasesByType: Map<string, Set<string>>;
}

/** `struct foo *x` declarations and parameters of one function: variable → struct name. */
export function structTypes(fn: FunctionInfo): Map<string, string> {
  const out = new Map<string, string>();
  const note = (decl: SyntaxNode): void => {
    const t = decl.field('type');
    if (t?.type !== 'struct_specifier') return;
    const name = t.field('name')?.text;
    if (!name) return;
    for (const d of decl.kids) {
      if (d === t) continue;
      const target = d.type === 'init_declarator' ? d.field('declarator') : d;
      const v = declaratorName(target);
      if (v) out.set(v.text, name);
    }
  };
  for (const p of fn.node.field('declarator')?.field('parameters')?.kids ?? [])
    if (p.type === 'parameter_declaration') note(p);
  let d = fn.node.field('declarator');
  while (d && d.type !== 'function_declarator') d = d.field('declarator');
  for (const p of d?.field('parameters')?.kids ?? []) if (p.type === 'parameter_declaration') note(p);
  walk(fn.body, (n) => {
    if (n.type === 'declaration') note(n);
  });
  return out;
}

const FREE_CALLS =
  /\b(?:kfree|kvfree|kfree_sensitive|vfree|kmem_cache_free|kfree_rcu|kvfree_rcu|call_rcu|free_\w+|\w+_free|\w+_release|\w+_destroy|put_device|kobject_put)\s*\(/;

export function collectFacts(root: SyntaxNode): FileFacts {
  const functions = new Map<string, FunctionInfo>();
  const globals = new Set<string>();
  const releaseOf = new Map<string, string>();
  const tops: SyntaxNode[] = [];
  // File-scope items, including those inside #ifdef CONFIG_… blocks.
  const gather = (n: SyntaxNode): void => {
    for (const k of n.kids) {
      if (k.type.startsWith('preproc_if') || k.type === 'preproc_else' || k.type.startsWith('preproc_elif'))
        gather(k);
      else tops.push(k);
    }
  };
  gather(root);
  for (const top of tops) {
    if (top.type === 'function_definition') {
      const info = functionInfo(top);
      if (info) functions.set(info.name, info);
    } else if (top.type === 'declaration') {
      for (const d of top.kids) {
        if (d.type !== 'init_declarator' && !d.type.endsWith('declarator') && d.type !== 'identifier')
          continue;
        const name = declaratorName(d.type === 'init_declarator' ? d.field('declarator') : d);
        if (!name) continue;
        globals.add(name.text);
        const value = d.type === 'init_declarator' ? d.field('value') : undefined;
        if (value?.type === 'initializer_list') {
          const rel = designated(value, 'release') ?? designated(value, 'dev_release');
          if (rel) releaseOf.set(name.text, rel);
        }
      }
    }
  }
  return { functions, globals, releaseOf, releasesByType: releasesByType(functions, releaseOf) };
}

function releasesByType(
  functions: Map<string, FunctionInfo>,
  releaseOf: Map<string, string>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (type: string | undefined, fn: string | undefined): void => {
    if (!type || !fn) return;
    const set = out.get(type) ?? new Set<string>();
    set.add(fn);
    out.set(type, set);
  };
  for (const fn of functions.values()) {
    if (!/\brelease\b|kobject_init/.test(fn.body.text)) continue;
    const types = structTypes(fn);
    // `struct device *dev = &foo->dev;` lets `dev->release = …` arm foo's release.
    const via = new Map<string, string>();
    walk(fn.body, (n) => {
      if (n.type === 'init_declarator' || n.type === 'assignment_expression') {
        const l = n.type === 'init_declarator' ? declaratorName(n.field('declarator')) : n.field('left');
        const r = n.field(n.type === 'init_declarator' ? 'value' : 'right');
        const m = r && /^&\s*([A-Za-z_]\w*)\s*->/.exec(r.text);
        if (l && m && types.has(m[1]!)) via.set(l.text, types.get(m[1]!)!);
      }
      return true;
    });
    const typeOf = (root: string): string | undefined => via.get(root) ?? types.get(root);
    walk(fn.body, (n) => {
      if (n.type === 'assignment_expression') {
        const l = n.field('left')?.text ?? '';
        const r = n.field('right');
        const m = /^([A-Za-z_]\w*)\s*(?:->|\.)(?:.*[.>])?\s*release$/.exec(l.replace(/\s+/g, ''));
        if (m && r?.type === 'identifier') add(typeOf(m[1]!), r.text);
      } else if (n.type === 'call_expression') {
        const m =
          /^kobject_init(?:_and_add)?\s*\(\s*&\s*([A-Za-z_]\w*)\s*->\s*\w+\s*,\s*&\s*([A-Za-z_]\w*)/.exec(
            n.text,
          );
        if (m) add(typeOf(m[1]!), releaseOf.get(m[2]!));
      }
      return true;
    });
  }
  return out;
}

/** `.field = ident` inside an initializer list. */
function designated(list: SyntaxNode, field: string): string | undefined {
  for (const pair of list.kids) {
    if (pair.type !== 'initializer_pair') continue;
    const d = pair.kids[0];
    const v = pair.field('value');
    if (d?.type === 'field_designator' && d.text === `.${field}` && v?.type === 'identifier') return v.text;
  }
  return undefined;
}

export function functionInfo(def: SyntaxNode): FunctionInfo | undefined {
  let d = def.field('declarator');
  while (d && d.type !== 'function_declarator') d = d.field('declarator');
  const name = d?.field('declarator');
  const body = def.field('body');
  if (!d || !name || name.type !== 'identifier' || !body) return undefined;
  const params: string[] = [];
  for (const p of d.field('parameters')?.kids ?? []) {
    if (p.type !== 'parameter_declaration') continue;
    params.push(declaratorName(p.field('declarator'))?.text ?? '');
  }
  return { name: name.text, node: def, body, params };
}

/** Does this release function free (or hand to something that frees) anything? */
export function releaseFrees(fn: FunctionInfo | undefined): boolean | undefined {
  if (!fn) return undefined;
  let frees = false;
  walk(fn.body, (n) => {
    if (n.type === 'call_expression' && FREE_CALLS.test(n.text)) frees = true;
    return !frees;
  });
  return frees;
}
