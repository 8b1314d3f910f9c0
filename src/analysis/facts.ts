// File-level facts the rules need: functions, file-scope variables, the structs defined here and the
// refcounted objects they embed, kobj_type / device_type / class initializers, the functions used as
// releases (and what they free), sysfs callbacks, module entry points and objects with static storage.
// One pass over the file-scope nodes; function bodies are walked only when their text can hold a fact.
import type { FunctionInfo } from './engine';
import { KNOWN_CONTAINERS, KNOWN_CONVERTERS } from './model/containers';
import { matchParen } from './normalize';
import { accessPath, args, calleeName, declaratorName, unwrap, walk, type SyntaxNode } from './syntax';
import type { Position, Range } from './types';

/** The refcounted building blocks (`kobject.h`, `device.h`, `kref.h`). */
export type ObjectKind = 'kobject' | 'device' | 'kref' | 'kset';

/** A refcounted object embedded (not pointed to) in a struct, directly or through embedded structs. */
export interface EmbeddedObject {
  /** The struct's own member that holds it: `dev`, or `pdev` for `struct platform_device pdev`. */
  member: string;
  kind: ObjectKind;
  /**
   * The object sits at offset 0 of the struct (first member at every level), so a pointer to it is a
   * pointer to the container. Always false in a struct marked `__randomize_layout`.
   */
  first: boolean;
  /** Full member path when the object comes through another struct (`pdev.dev`); absent when direct. */
  via?: string;
  /** The member (or one on the way) is an array: `struct kobject kobjs[4]`. */
  array?: boolean;
}

export interface StructFacts {
  /** The struct tag, or the typedef name of an anonymous typedef'd struct. */
  name: string;
  /** The struct's name (or its `struct` keyword when anonymous). */
  range: Range;
  /** Every refcounted object the struct embeds, in member order. Pointers are not embedding. */
  embeds: EmbeddedObject[];
  /** Marked `__randomize_layout`: member order, and so offset 0, is not guaranteed. */
  randomized: boolean;
}

export type InitializerKind = 'kobj_type' | 'device_type' | 'class' | 'kset_uevent_ops' | 'other';

export interface InitializerFacts {
  /** `other`: any other struct initializer that names a `.release` / `.dev_release` (file_operations…). */
  kind: InitializerKind;
  /** The declared struct type (`kobj_type`, `file_operations`…). */
  type: string;
  /** `.release` (kobj_type, device_type, other) or `.dev_release` (class). */
  release?: string;
  /** `.sysfs_ops = &foo_ops` → `foo_ops`. */
  sysfsOps?: string;
  /** `.default_groups`, `.groups`, `.dev_groups`, `.class_groups`. */
  groups?: string[];
  /** The variable's name. */
  range: Range;
}

/** How a function is armed as a release. */
export type ReleaseKind = 'kobj_type' | 'device' | 'device_type' | 'class' | 'kref';

export interface FreeCall {
  /** `kfree`, `kvfree`, `kmem_cache_free`, `kfree_rcu`, `call_rcu`… */
  call: string;
  /** The freed argument as written (`foo`, `&foo->rcu` for call_rcu). */
  argText: string;
  range: Range;
}

export interface ReleaseUse {
  kind: ReleaseKind;
  /** What arms it: the initializer's variable, the assignment target (`x->dev.release`), or `kref_put`. */
  via: string;
  range: Range;
}

export interface ReleaseFacts {
  name: string;
  /** The kind of its first use (file-scope initializers, then function bodies, then static objects). */
  kind: ReleaseKind;
  /** Every place that names it as a release. */
  uses: ReleaseUse[];
  /** Defined in this file (otherwise the body facts below are empty / false). */
  defined: boolean;
  /** Direct frees in the body. */
  frees: FreeCall[];
  /** Every function the body calls, once each, in order (helpers that may free on its behalf). */
  calls: string[];
  /** The body has no statement at all (comments only). */
  empty: boolean;
  /** Nothing but logging (`pr_debug`, `dev_dbg`…), local conversions and `return;`. */
  doesNothing: boolean;
  /** The container the body converts its argument to: `container_of(x, struct T, m)` or a `to_T()`. */
  container?: ContainerConversion;
}

export interface ContainerConversion {
  type: string;
  member: string;
  /** The converter helper used instead of a direct `container_of` (`to_foo`). */
  helper?: string;
  range: Range;
}

export interface SysfsCallbackFacts {
  kind: 'show' | 'store';
  /** The sysfs file name (`foo` for `DEVICE_ATTR_RW(foo)`); `*` for a `sysfs_ops` (all attributes). */
  attribute: string;
  /** Every attribute this function serves (a show shared by `temp1_input` and `temp2_input`). */
  attributes: string[];
  /** The variable holding the attribute (`dev_attr_foo`, `foo_attr`, the sysfs_ops), when known. */
  variable?: string;
  /** The defining macro (`DEVICE_ATTR_RW`, `__ATTR`…); absent for designated `.show =` initializers. */
  macro?: string;
  /** The macro invocation or the `.show = fn` value. */
  range: Range;
}

export interface StaticObjectFacts {
  /** The declared type: `kobject`, `device`, or the container struct (tag or typedef name). */
  type: string;
  /** `container`: a struct that embeds one of the four (see `embeds`). */
  kind: ObjectKind | 'container';
  storage: 'file' | 'static-local';
  /** The variable's name. */
  range: Range;
  /** The function a static local lives in. */
  function?: string;
  array?: boolean;
  /** What a container embeds. */
  embeds?: EmbeddedObject[];
}

export interface FileFacts {
  functions: Map<string, FunctionInfo>;
  globals: Set<string>;
  /** Initializer name (`foo_ktype`) → its `.release` (or a class's `.dev_release`) function name. */
  releaseOf: Map<string, string>;
  /**
   * Container struct name → the release functions this file arms for objects of that type
   * (`x->dev.release = fn`, `kobject_init(&x->kobj, &ktype)` with ktype's `.release`).
   */
  releasesByType: Map<string, Set<string>>;
  /** File-scope variables of struct type (objects or pointers): name → struct name. */
  globalTypes: Map<string, string>;
  /** Every struct defined in the file (file scope, #ifdef arms, nested, typedef'd) by tag. */
  structs: Map<string, StructFacts>;
  /** Typedef name → the key of the struct it names in `structs` (or the tag, when defined elsewhere). */
  typedefs: Map<string, string>;
  /** File-scope kobj_type / device_type / class / kset_uevent_ops initializers (and others with a release). */
  initializers: Map<string, InitializerFacts>;
  /** Functions used as a release (initializer field, `->release =` assignment, `kref_put` argument). */
  releases: Map<string, ReleaseFacts>;
  /** Helpers that convert to a container: `#define to_foo(d) container_of(d, struct foo, dev)`. */
  converters: Map<string, { type: string; member: string }>;
  /** Function name → the sysfs attribute it shows or stores. */
  sysfsCallbacks: Map<string, SysfsCallbackFacts>;
  /** `module_init(fn)`. */
  moduleInit?: string;
  /** `module_exit(fn)`. */
  moduleExit?: string;
  /** Drivers (or devices) registered by `module_platform_driver(x)`, `module_driver(x, …)` and kin. */
  moduleDriver: string[];
  /** The file can be built as a module: module_init/exit, MODULE_LICENSE or a module_*_driver macro. */
  isModule: boolean;
  /** Objects with static storage (file scope or `static` locals) that are or embed a refcounted object. */
  statics: Map<string, StaticObjectFacts>;
}

const structTypesMemo = new WeakMap<SyntaxNode, ReadonlyMap<string, string>>();

/**
 * `struct foo *x` declarations and parameters of one function: variable → struct name. Memoised on
 * the function's node (an edited document keeps the nodes of functions it did not change).
 */
export function structTypes(fn: FunctionInfo): ReadonlyMap<string, string> {
  let memo = structTypesMemo.get(fn.node);
  if (!memo) structTypesMemo.set(fn.node, (memo = computeStructTypes(fn)));
  return memo;
}

function computeStructTypes(fn: FunctionInfo): Map<string, string> {
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

/** Memory-freeing primitives → the index of the argument they free (or hand to a freeing callback). */
const FREES: Record<string, number> = {
  kfree: 0,
  kvfree: 0,
  kfree_sensitive: 0,
  kvfree_sensitive: 0,
  kfree_const: 0,
  kzfree: 0,
  vfree: 0,
  kmem_cache_free: 1,
  kfree_rcu: 0,
  kvfree_rcu: 0,
  kfree_rcu_mightsleep: 0,
  kvfree_rcu_mightsleep: 0,
  call_rcu: 0,
  call_rcu_hurry: 0,
  call_srcu: 1,
  devm_kfree: 1,
  free_netdev: 0,
};

/** Logging calls: a release made of these alone does nothing. */
const LOG_CALL =
  /^(?:pr_\w+|printk\w*|dev_(?:dbg|vdbg|info|notice|warn|err|crit|alert|emerg|printk)\w*|netdev_(?:dbg|info|warn|err)\w*|kobj_debug|no_printk)$/;

const BASE_KINDS: Record<string, ObjectKind> = {
  kobject: 'kobject',
  device: 'device',
  kref: 'kref',
  kset: 'kset',
};

const INITIALIZER_KINDS: Record<string, InitializerKind> = {
  kobj_type: 'kobj_type',
  device_type: 'device_type',
  class: 'class',
  kset_uevent_ops: 'kset_uevent_ops',
};

/** Struct types whose `.show` / `.store` are sysfs callbacks. */
const SYSFS_TYPES =
  /^(?:sysfs_ops|(?:device|kobj|class|driver|bus|module|dev_ext|sensor_device|iio_dev|kernel)_attr(?:ibute)?(?:_2)?)$/;

// Attribute-definition macros (include/linux/sysfs.h, device.h, device/{bus,class,driver}.h,
// hwmon-sysfs.h, iio/sysfs.h). `explicit`: (name, mode, show, store, …); `named`: (name, …) with
// callbacks name_show / name_store; `func`: (name, func, …) with callbacks func_show / func_store.
interface AttrMacro {
  shape: 'explicit' | 'named' | 'func';
  show: boolean;
  store: boolean;
  /** The variable the macro declares is prefix + name (`dev_attr_foo`). */
  prefix?: string;
}

const ATTR_MACROS: Record<string, AttrMacro> = (() => {
  const out: Record<string, AttrMacro> = {};
  const access = { RW: [true, true], RO: [true, false], WO: [false, true] } as const;
  const explicit = (name: string, prefix?: string): void => {
    out[name] = { shape: 'explicit', show: true, store: true, ...(prefix ? { prefix } : {}) };
  };
  const family = (
    base: string,
    shape: 'named' | 'func',
    prefix: string | undefined,
    extra: string[] = [],
  ): void => {
    for (const [suffix, [show, store]] of Object.entries(access)) {
      for (const name of [`${base}_${suffix}`, ...extra.map((e) => `${base}_${e}_${suffix}`)])
        out[name] = { shape, show, store, ...(prefix ? { prefix } : {}) };
    }
  };
  for (const m of ['DEVICE_ATTR', 'DEVICE_ATTR_PREALLOC', 'DEVICE_ATTR_IGNORE_LOCKDEP'])
    explicit(m, 'dev_attr_');
  for (const m of [
    '__ATTR',
    '__ATTR_PREALLOC',
    '__ATTR_IGNORE_LOCKDEP',
    'SENSOR_ATTR',
    'SENSOR_ATTR_2',
    'IIO_ATTR',
  ])
    explicit(m);
  explicit('SENSOR_DEVICE_ATTR', 'sensor_dev_attr_');
  explicit('SENSOR_DEVICE_ATTR_2', 'sensor_dev_attr_');
  explicit('IIO_DEVICE_ATTR', 'iio_dev_attr_');
  family('DEVICE_ATTR', 'named', 'dev_attr_', ['ADMIN']);
  family('__ATTR', 'named', undefined);
  out['__ATTR_RO_MODE'] = { shape: 'named', show: true, store: false };
  out['__ATTR_RW_MODE'] = { shape: 'named', show: true, store: true };
  family('DRIVER_ATTR', 'named', 'driver_attr_');
  family('BUS_ATTR', 'named', 'bus_attr_');
  family('CLASS_ATTR', 'named', 'class_attr_');
  family('IIO_ATTR', 'named', undefined);
  family('IIO_DEVICE_ATTR', 'named', 'iio_dev_attr_');
  family('SENSOR_ATTR', 'func', undefined, ['2']);
  family('SENSOR_DEVICE_ATTR', 'func', 'sensor_dev_attr_', ['2']);
  return out;
})();

const ATTR_CALL = /\b([A-Z_][A-Z0-9_]*ATTR[A-Z0-9_]*)\s*\(/g;
const MODULE_CALL =
  /\b(module_init|module_exit|MODULE_LICENSE|module_misc_device|module_\w*driver\w*|\w+_module_driver)\s*\(\s*([A-Za-z_]\w*)?/g;
const CONTAINER_OF = /^container_of(?:_const)?$/;

export function collectFacts(root: SyntaxNode): FileFacts {
  const functions = new Map<string, FunctionInfo>();
  const globals = new Set<string>();
  /** File-scope variables of struct type (objects or pointers): name → struct name. */
  const globalTypes = new Map<string, string>();
  const releaseOf = new Map<string, string>();
  const tops: SyntaxNode[] = [];
  // Items inside a file-scope ERROR (one `#ifdef` in an else-if chain can swallow the rest of a file):
  // they feed the new facts, but not `functions` / `globals`, whose meaning predates this recovery.
  const recovered: SyntaxNode[] = [];
  const errors: SyntaxNode[] = [];
  // File-scope items, including those inside #ifdef CONFIG_… blocks.
  const gather = (n: SyntaxNode, into: SyntaxNode[]): void => {
    for (const k of n.kids) {
      if (k.type.startsWith('preproc_if') || k.type === 'preproc_else' || k.type.startsWith('preproc_elif'))
        gather(k, into);
      else if (k.type === 'ERROR' && n.type !== 'ERROR') {
        errors.push(k);
        gather(k, recovered);
      } else into.push(k);
    }
  };
  gather(root, tops);

  const c = new Collector(root.source);
  const allFunctions = new Map<string, FunctionInfo>();
  for (const top of tops) {
    if (top.type === 'declaration') {
      for (const d of top.kids) {
        if (d.type !== 'init_declarator' && !d.type.endsWith('declarator') && d.type !== 'identifier')
          continue;
        const name = declaratorName(d.type === 'init_declarator' ? d.field('declarator') : d);
        if (!name) continue;
        globals.add(name.text);
        const t = top.field('type');
        if (t?.type === 'struct_specifier' && t.field('name'))
          globalTypes.set(name.text, t.field('name')!.text);
      }
    }
  }
  for (const top of [...tops, ...recovered]) {
    if (top.type === 'function_definition') {
      const info = functionInfo(top);
      if (!info) continue;
      if (!recovered.includes(top)) functions.set(info.name, info);
      if (!allFunctions.has(info.name)) allFunctions.set(info.name, info);
      continue;
    }
    if (top.type === 'preproc_function_def') {
      c.macroConverter(top);
      continue;
    }
    if (top.type.startsWith('preproc_')) continue;
    c.findStructs(top);
    if (top.type === 'declaration') c.fileDeclaration(top);
  }
  // Macro invocations are read from the text: of each file-scope node, and of the stretches of an
  // ERROR between the function definitions recovered from it (their bodies are not file scope).
  for (const top of tops) {
    if (top.type !== 'function_definition' && !top.type.startsWith('preproc_'))
      c.scanText(top, top.start, top.end);
  }
  for (const error of errors) {
    const pos = new PositionCursor(error);
    let from = error.start;
    for (const k of error.kids) {
      if (k.type !== 'function_definition') continue;
      c.scanText(error, from, k.start, pos);
      from = k.end;
    }
    c.scanText(error, from, error.end, pos);
  }
  for (const fn of allFunctions.values()) c.functionConverter(fn);
  c.resolveStructs();
  for (const fn of allFunctions.values()) c.functionBody(fn);
  c.finishStatics();
  c.finishReleases(allFunctions);
  for (const [name, init] of c.initializers) if (init.release) releaseOf.set(name, init.release);

  return {
    functions,
    globals,
    releaseOf,
    releasesByType: releasesByType(functions, releaseOf, c.structs, globalTypes),
    globalTypes,
    structs: c.structs,
    typedefs: c.typedefs,
    initializers: c.initializers,
    releases: c.releases,
    converters: c.converters,
    sysfsCallbacks: c.sysfs,
    ...(c.moduleInit ? { moduleInit: c.moduleInit } : {}),
    ...(c.moduleExit ? { moduleExit: c.moduleExit } : {}),
    moduleDriver: c.moduleDriver,
    isModule: c.isModule,
    statics: c.statics,
  };
}

// ------------------------------------------------------------------------------------------ collector

/** One member of a struct body as written (before embedding is resolved). */
interface RawField {
  name: string;
  /** Struct tag or typedef name of the member's type. */
  type?: string;
  /** An anonymous struct type written in place: `struct { struct kref ref; } inner;`. */
  inline?: RawField[];
  pointer: boolean;
  array: boolean;
  /** At offset 0 of the outermost struct being described. */
  zero: boolean;
}

interface RawStruct {
  name: string;
  range: Range;
  fields: RawField[];
  randomized: boolean;
}

/** A declaration with static storage waiting for struct embedding to be known. */
interface StaticCandidate {
  name: string;
  type?: string;
  inline?: RawField[];
  array: boolean;
  range: Range;
  storage: 'file' | 'static-local';
  function?: string;
}

/** A designated-initializer release of a static object: `.dev = { .release = fn }`. */
interface StaticInit {
  name: string;
  type?: string;
  inline?: RawField[];
  list: SyntaxNode;
}

/** The named declarators of a declaration (`struct foo a, *b = …;` → a, b) with their shape. */
function declaratorsOf(
  decl: SyntaxNode,
): { d: SyntaxNode; target: SyntaxNode | undefined; shape: ReturnType<typeof declShape> }[] {
  const t = decl.field('type');
  const out: { d: SyntaxNode; target: SyntaxNode | undefined; shape: ReturnType<typeof declShape> }[] = [];
  for (const d of decl.kids) {
    if (
      d === t ||
      (d.type !== 'init_declarator' && !d.type.endsWith('declarator') && d.type !== 'identifier')
    )
      continue;
    const target = d.type === 'init_declarator' ? d.field('declarator') : d;
    const shape = declShape(target);
    if (shape.name) out.push({ d, target, shape });
  }
  return out;
}

class Collector {
  readonly structs = new Map<string, StructFacts>();
  readonly typedefs = new Map<string, string>();
  readonly initializers = new Map<string, InitializerFacts>();
  readonly releases = new Map<string, ReleaseFacts>();
  readonly converters = new Map<string, { type: string; member: string }>();
  readonly sysfs = new Map<string, SysfsCallbackFacts>();
  readonly statics = new Map<string, StaticObjectFacts>();
  readonly moduleDriver: string[] = [];
  moduleInit: string | undefined;
  moduleExit: string | undefined;
  isModule = false;

  private readonly raw = new Map<string, RawStruct>();
  private readonly embedsMemo = new Map<string, EmbeddedObject[]>();
  private readonly resolving = new Set<string>();
  /** File-scope variable → its struct tag or typedef name (pointer or not), for typing assignments. */
  private readonly globalTypes = new Map<string, string>();
  private readonly staticCandidates: StaticCandidate[] = [];
  private readonly staticInits: StaticInit[] = [];
  private readonly pendingUses: { name: string; use: ReleaseUse }[] = [];

  constructor(private readonly source: string) {}

  // ---------------------------------------------------------------------------------------- structs

  /** Record every struct definition inside a file-scope node (never inside initializers or bodies). */
  findStructs(top: SyntaxNode): void {
    walk(top, (n) => {
      if (n.type === 'initializer_list' || n.type === 'compound_statement') return false;
      if (n.type === 'type_definition') this.typedef(n);
      if (n.type === 'struct_specifier' && n.field('body')) {
        const name = n.field('name')?.text ?? typedefNameOf(n);
        if (name && !this.raw.has(name)) {
          const randomized = /^\s*(?:__\w+\s*(?:\([^)]*\)\s*)?)*__randomize_layout\b/.test(
            this.source.slice(n.end, n.end + 200),
          );
          this.raw.set(name, {
            name,
            range: (n.field('name') ?? n).range,
            fields: this.fields(n.field('body')!, !randomized, false),
            randomized,
          });
        }
      }
      return true;
    });
  }

  private typedef(n: SyntaxNode): void {
    const t = n.field('type');
    if (t?.type !== 'struct_specifier') return;
    const tag = t.field('name')?.text;
    for (const d of n.kids) {
      if (d === t || d.type !== 'type_identifier') continue;
      this.typedefs.set(d.text, tag ?? d.text);
    }
  }

  /** The members of a struct or union body, anonymous members flattened into it. */
  private fields(body: SyntaxNode, zero: boolean, union: boolean, out: RawField[] = []): RawField[] {
    let index = 0;
    const visit = (list: SyntaxNode): void => {
      for (const k of list.kids) {
        if (k.type.startsWith('preproc_')) {
          visit(k);
          continue;
        }
        if (k.type !== 'field_declaration') continue;
        const t = k.field('type');
        const decls = k.kids.filter(
          (d) => d !== t && (d.type === 'field_identifier' || d.type.endsWith('_declarator')),
        );
        const spec = t && (t.type === 'struct_specifier' || t.type === 'union_specifier') ? t : undefined;
        const atZero = zero && (union || index === 0);
        if (decls.length === 0) {
          // An anonymous struct or union member: its members belong to this struct.
          if (spec?.field('body'))
            this.fields(spec.field('body')!, atZero, spec.type === 'union_specifier', out);
          index++;
          continue;
        }
        for (const d of decls) {
          const shape = declShape(d);
          const f: RawField = {
            name: shape.name,
            pointer: shape.pointer,
            array: shape.array,
            zero: zero && (union || index === 0),
          };
          index++;
          if (!shape.name) continue;
          if (spec?.type === 'struct_specifier') {
            const tag = spec.field('name')?.text;
            if (tag) f.type = tag;
            else if (spec.field('body')) f.inline = this.fields(spec.field('body')!, true, false);
          } else if (t?.type === 'type_identifier') f.type = t.text;
          out.push(f);
        }
      }
    };
    visit(body);
    return out;
  }

  /** The struct tag or typedef name a declaration's type names, or its in-place anonymous body. */
  private declaredType(t: SyntaxNode | undefined): { type?: string; inline?: RawField[] } {
    if (t?.type === 'type_identifier') return { type: t.text };
    if (t?.type !== 'struct_specifier') return {};
    const tag = t.field('name')?.text;
    if (tag) return { type: tag };
    const body = t.field('body');
    return body ? { inline: this.fields(body, true, false) } : {};
  }

  resolveStructs(): void {
    for (const s of this.raw.values()) {
      this.structs.set(s.name, {
        name: s.name,
        range: s.range,
        embeds: this.embedsOfStruct(s.name) ?? [],
        randomized: s.randomized,
      });
    }
  }

  /** Embedded objects of a struct named by tag or typedef: this file's definition first, then the table. */
  private embedsOfStruct(name: string): EmbeddedObject[] | undefined {
    const key = this.raw.has(name) ? name : (this.typedefs.get(name) ?? name);
    const memo = this.embedsMemo.get(key);
    if (memo) return memo;
    const raw = this.raw.get(key);
    if (raw) {
      if (this.resolving.has(key)) return [];
      this.resolving.add(key);
      const out = this.embedsOfFields(raw.fields);
      this.resolving.delete(key);
      this.embedsMemo.set(key, out);
      return out;
    }
    const known = KNOWN_CONTAINERS[key];
    if (!known) return undefined;
    return known.map((k) => {
      const dot = k.member.indexOf('.');
      return dot < 0
        ? { member: k.member, kind: k.kind, first: k.first }
        : { member: k.member.slice(0, dot), kind: k.kind, first: k.first, via: k.member };
    });
  }

  private embedsOfFields(fields: RawField[]): EmbeddedObject[] {
    const out: EmbeddedObject[] = [];
    for (const f of fields) {
      if (f.pointer) continue;
      const base = f.type ? BASE_KINDS[f.type] : undefined;
      if (base) {
        out.push({ member: f.name, kind: base, first: f.zero, ...(f.array ? { array: true } : {}) });
        continue;
      }
      const inner = f.inline
        ? this.embedsOfFields(f.inline)
        : f.type
          ? this.embedsOfStruct(f.type)
          : undefined;
      for (const e of inner ?? []) {
        const array = f.array || e.array;
        out.push({
          member: f.name,
          kind: e.kind,
          first: f.zero && e.first,
          via: `${f.name}.${e.via ?? e.member}`,
          ...(array ? { array: true } : {}),
        });
      }
    }
    return out;
  }

  /** The kind of object, or embeds, for a declared type. */
  private objectOf(
    type: string | undefined,
    inline: RawField[] | undefined,
  ): StaticObjectFacts['kind'] | undefined {
    const resolved = type ? (this.typedefs.get(type) ?? type) : undefined;
    if (resolved && !this.raw.has(resolved) && BASE_KINDS[resolved]) return BASE_KINDS[resolved];
    const embeds = inline ? this.embedsOfFields(inline) : type ? this.embedsOfStruct(type) : undefined;
    return embeds && embeds.length > 0 ? 'container' : undefined;
  }

  /** The type of `member` inside struct `type`, when this file or the container table knows it. */
  private memberType(type: string, member: string): string | undefined {
    const key = this.raw.has(type) ? type : (this.typedefs.get(type) ?? type);
    const raw = this.raw.get(key);
    if (raw) return raw.fields.find((f) => f.name === member)?.type;
    if (key === 'device' && member === 'kobj') return 'kobject';
    const known = KNOWN_CONTAINERS[key]?.find((k) => k.member === member);
    return known ? known.kind : undefined;
  }

  // ---------------------------------------------------------------------------- file declarations

  fileDeclaration(top: SyntaxNode): void {
    const t = top.field('type');
    const storage = top.kids.filter((k) => k.type === 'storage_class_specifier').map((k) => k.text);
    const { type, inline } = this.declaredType(t);
    for (const { d, target, shape } of declaratorsOf(top)) {
      if (shape.function) continue;
      const nameNode = declaratorName(target)!;
      if (type) this.globalTypes.set(shape.name, type);
      const value = d.type === 'init_declarator' ? d.field('value') : undefined;
      if (!shape.pointer && !storage.includes('extern') && !storage.includes('typedef')) {
        this.staticCandidates.push({
          name: shape.name,
          ...(type ? { type } : {}),
          ...(inline ? { inline } : {}),
          array: shape.array,
          range: nameNode.range,
          storage: 'file',
        });
        if (value?.type === 'initializer_list' && !shape.array)
          this.staticInits.push({
            name: shape.name,
            ...(type ? { type } : {}),
            ...(inline ? { inline } : {}),
            list: value,
          });
      }
      if (value?.type !== 'initializer_list' || !type) continue;
      if (!shape.pointer && !shape.array) this.initializer(shape.name, type, value, nameNode.range);
      if (SYSFS_TYPES.test(type))
        this.attributeInitializer(value, type, shape.array ? undefined : shape.name);
    }
  }

  private initializer(name: string, type: string, list: SyntaxNode, range: Range): void {
    const kind = INITIALIZER_KINDS[type] ?? 'other';
    const release =
      kind === 'class'
        ? designated(list, 'dev_release')
        : (designated(list, 'release') ?? designated(list, 'dev_release'));
    if (kind === 'other' && !release) return;
    const groups: string[] = [];
    for (const f of ['default_groups', 'groups', 'dev_groups', 'class_groups']) {
      const g = designated(list, f);
      if (g) groups.push(g);
    }
    const sysfsOps = designated(list, 'sysfs_ops');
    this.initializers.set(name, {
      kind,
      type,
      ...(release ? { release } : {}),
      ...(sysfsOps ? { sysfsOps } : {}),
      ...(groups.length ? { groups } : {}),
      range,
    });
    const releaseKind: ReleaseKind | undefined =
      kind === 'kobj_type' || kind === 'device_type' || kind === 'class' ? kind : undefined;
    if (release && releaseKind) this.use(release, { kind: releaseKind, via: name, range });
  }

  /** `.show = fn` / `.store = fn` in attribute and sysfs_ops initializers, nested lists included. */
  private attributeInitializer(
    list: SyntaxNode,
    type: string | undefined,
    variable: string | undefined,
  ): void {
    const attribute = type === 'sysfs_ops' ? '*' : (attributeName(list) ?? variable);
    for (const k of list.kids) {
      if (k.type === 'initializer_list') {
        this.attributeInitializer(k, type, undefined);
        continue;
      }
      if (k.type !== 'initializer_pair') continue;
      const value = k.field('value');
      if (!value) continue;
      const path = designatorPath(k);
      const fn = functionName(value);
      if ((path === 'show' || path === 'store') && fn && attribute) {
        this.sysfsCallback(fn, {
          kind: path,
          attribute,
          ...(variable ? { variable } : {}),
          range: value.range,
        });
      } else if (value.type === 'initializer_list') {
        this.attributeInitializer(value, undefined, variable);
      }
    }
  }

  private sysfsCallback(fn: string, cb: Omit<SysfsCallbackFacts, 'attributes'>): void {
    const seen = this.sysfs.get(fn);
    if (seen) {
      if (!seen.attributes.includes(cb.attribute)) seen.attributes.push(cb.attribute);
      return;
    }
    this.sysfs.set(fn, { ...cb, attributes: [cb.attribute] });
  }

  // --------------------------------------------------------------------------- text-level macros

  /**
   * Attribute and module macros, read from the original text of a file-scope node. Their parse
   * depends on the shape: `static DEVICE_ATTR_RW(x);` is a declaration of `x` with a type named
   * DEVICE_ATTR_RW, `static DEVICE_ATTR(x, 0644, s, t);` an ERROR inside a macro type, and without
   * `static` an expression statement; one scan of the text covers them all.
   */
  scanText(top: SyntaxNode, from: number, to: number, pos?: PositionCursor): void {
    const text = this.source.slice(from, to);
    const hasAttr = text.includes('ATTR');
    const hasModule = text.includes('odule_') || text.includes('MODULE_LICENSE');
    if (!hasAttr && !hasModule) return;
    const masked = maskCommentsAndStrings(text);
    pos ??= new PositionCursor(top);
    if (hasAttr) {
      for (const m of masked.matchAll(ATTR_CALL)) {
        const macro = ATTR_MACROS[m[1]!];
        if (!macro) continue;
        const open = m.index + m[0].length - 1;
        const close = matchParen(masked, open);
        if (close < 0) continue;
        const a = splitArgs(masked.slice(open + 1, close - 1));
        const name = a[0];
        if (!name || !/^\w+$/.test(name)) continue;
        const variable = macro.prefix
          ? macro.prefix + name
          : /(?:^|[^.\w])([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)?=\s*$/.exec(
              masked.slice(Math.max(0, m.index - 200), m.index),
            )?.[1];
        const range = pos.range(from + m.index, from + close);
        const add = (kind: 'show' | 'store', fn: string | undefined): void => {
          if (fn && /^[A-Za-z_]\w*$/.test(fn) && fn !== 'NULL')
            this.sysfsCallback(fn, {
              kind,
              attribute: name,
              ...(variable ? { variable } : {}),
              macro: m[1]!,
              range,
            });
        };
        if (macro.shape === 'explicit') {
          add('show', a[2]);
          add('store', a[3]);
        } else {
          const base = macro.shape === 'named' ? name : a[1];
          if (!base || !/^\w+$/.test(base)) continue;
          if (macro.show) add('show', `${base}_show`);
          if (macro.store) add('store', `${base}_store`);
        }
      }
    }
    if (hasModule) {
      for (const m of masked.matchAll(MODULE_CALL)) {
        const macro = m[1]!;
        const arg = m[2];
        this.isModule = true;
        if (macro === 'module_init') this.moduleInit ??= arg;
        else if (macro === 'module_exit') this.moduleExit ??= arg;
        else if (macro !== 'MODULE_LICENSE' && arg && !this.moduleDriver.includes(arg))
          this.moduleDriver.push(arg);
      }
    }
  }

  // ------------------------------------------------------------------------------------ converters

  /** `#define to_foo(d) container_of(d, struct foo, dev)`. */
  macroConverter(def: SyntaxNode): void {
    const name = def.field('name')?.text;
    const value = def.field('value')?.text.replace(/\\\r?\n/g, ' ');
    if (!name || !value) return;
    const m =
      /^\s*\(?\s*container_of(?:_const)?\s*\(\s*\(?\s*\w+\s*\)?\s*,\s*(?:(?:struct|union)\s+)?(\w+)\s*,\s*([\w.]+)\s*\)\s*\)?\s*$/.exec(
        value,
      );
    if (m) this.converters.set(name, { type: m[1]!, member: m[2]! });
  }

  /** `static inline struct foo *to_foo(struct device *d) { return container_of(d, struct foo, dev); }` */
  functionConverter(fn: FunctionInfo): void {
    const only = fn.body.kids.length === 1 ? fn.body.kids[0]! : undefined;
    if (only?.type !== 'return_statement' || !only.kids[0]) return;
    const call = unwrap(only.kids[0]);
    if (call.type !== 'call_expression' || !CONTAINER_OF.test(calleeName(call) ?? '')) return;
    const conv = containerOfArgs(call);
    if (conv && fn.params.includes(unwrap(args(call)[0]!).text)) this.converters.set(fn.name, conv);
  }

  // -------------------------------------------------------------------------------- function bodies

  /** Static locals, `->release = fn` assignments and `kref_put(ref, fn)`: walked only when named. */
  functionBody(fn: FunctionInfo): void {
    const text = fn.body.text;
    const statics = /\bstatic\b/.test(text);
    const releases = /\b(?:dev_)?release\s*=[^=]|\bkref_put/.test(text);
    if (!statics && !releases) return;
    let types: ReadonlyMap<string, string> | undefined;
    walk(fn.body, (n) => {
      if (
        statics &&
        n.type === 'declaration' &&
        n.kids.some((k) => k.type === 'storage_class_specifier' && k.text === 'static')
      )
        this.staticLocal(n, fn.name);
      if (!releases) return true;
      if (n.type === 'call_expression') {
        const callee = calleeName(n);
        if (callee === 'kref_put' || callee === 'kref_put_mutex' || callee === 'kref_put_lock') {
          const a = args(n)[1];
          const name = a && functionName(a);
          if (name) this.use(name, { kind: 'kref', via: callee, range: a.range });
        }
      } else if (n.type === 'assignment_expression' && n.field('operator')?.text === '=') {
        const left = unwrap(n.field('left')!);
        const right = n.field('right');
        const field = left.type === 'field_expression' ? left.field('field')?.text : undefined;
        const name = right && functionName(right);
        if ((field === 'release' || field === 'dev_release') && name) {
          types ??= structTypes(fn);
          const kind = this.assignedReleaseKind(left, field, types);
          if (kind) this.use(name, { kind, via: left.text.replace(/\s+/g, ''), range: right.range });
        }
      }
      return true;
    });
  }

  /** What `obj->release = fn` arms, by the type of `obj`; undefined when it is not an object release. */
  private assignedReleaseKind(
    left: SyntaxNode,
    field: string,
    types: ReadonlyMap<string, string>,
  ): ReleaseKind | undefined {
    const obj = left.field('argument');
    const path = obj && accessPath(obj);
    if (!path || path.addr) return undefined;
    const segments = path.path.replace(/\[[^\]]*\]/g, '').split(/->|\./);
    let type: string | undefined = types.get(segments[0]!) ?? this.globalTypes.get(segments[0]!);
    for (let i = 1; i < segments.length && type; i++) type = this.memberType(type, segments[i]!);
    if (type) type = this.typedefs.get(type) ?? type;
    if (field === 'dev_release') return type === undefined || type === 'class' ? 'class' : undefined;
    if (type === 'device') return 'device';
    if (type === 'kobj_type' || type === 'device_type') return type;
    // Unknown type: only `….dev.release` is taken to be a device (prefer silence).
    return type === undefined && segments.length > 1 && segments[segments.length - 1] === 'dev'
      ? 'device'
      : undefined;
  }

  private staticLocal(decl: SyntaxNode, fn: string): void {
    const t = decl.field('type');
    const { type, inline } = this.declaredType(t);
    for (const { target, shape } of declaratorsOf(decl)) {
      if (shape.pointer || shape.function) continue;
      this.staticCandidates.push({
        name: shape.name,
        ...(type ? { type } : {}),
        ...(inline ? { inline } : {}),
        array: shape.array,
        range: declaratorName(target)!.range,
        storage: 'static-local',
        function: fn,
      });
    }
  }

  finishStatics(): void {
    for (const s of this.staticCandidates) {
      const kind = this.objectOf(s.type, s.inline);
      if (!kind) continue;
      const key = s.storage === 'file' || !this.statics.has(s.name) ? s.name : `${s.function}:${s.name}`;
      if (this.statics.has(key)) continue;
      const embeds =
        kind === 'container'
          ? s.inline
            ? this.embedsOfFields(s.inline)
            : this.embedsOfStruct(s.type!)
          : undefined;
      this.statics.set(key, {
        type: s.type ?? '<anonymous>',
        kind,
        storage: s.storage,
        range: s.range,
        ...(s.function ? { function: s.function } : {}),
        ...(s.array ? { array: true } : {}),
        ...(embeds ? { embeds } : {}),
      });
    }
    // A static device (or container of one) with `.release = fn` (or `.dev = { .release = fn }`).
    for (const s of this.staticInits) {
      const kind = this.objectOf(s.type, s.inline);
      if (!kind) continue;
      const paths: string[][] = [];
      if (kind === 'device') paths.push([]);
      else if (kind === 'container') {
        const embeds = s.inline ? this.embedsOfFields(s.inline) : this.embedsOfStruct(s.type!);
        for (const e of embeds ?? []) if (e.kind === 'device') paths.push((e.via ?? e.member).split('.'));
      }
      for (const p of paths) {
        const value = designatedPath(s.list, [...p, 'release']);
        const name = value && functionName(value);
        if (name)
          this.use(name, { kind: 'device', via: [s.name, ...p, 'release'].join('.'), range: value.range });
      }
    }
  }

  // -------------------------------------------------------------------------------------- releases

  private use(name: string, use: ReleaseUse): void {
    this.pendingUses.push({ name, use });
  }

  finishReleases(functions: Map<string, FunctionInfo>): void {
    for (const { name, use } of this.pendingUses) {
      const seen = this.releases.get(name);
      if (seen) {
        seen.uses.push(use);
        continue;
      }
      const fn = functions.get(name);
      this.releases.set(name, { name, kind: use.kind, uses: [use], ...this.releaseBody(fn) });
    }
  }

  private releaseBody(fn: FunctionInfo | undefined): Omit<ReleaseFacts, 'name' | 'kind' | 'uses'> {
    if (!fn) return { defined: false, frees: [], calls: [], empty: false, doesNothing: false };
    const frees: FreeCall[] = [];
    const calls: string[] = [];
    const conversions: { conv: ContainerConversion; arg: string }[] = [];
    walk(fn.body, (n) => {
      if (n.type !== 'call_expression') return true;
      const callee = calleeName(n);
      if (!callee) return true;
      if (!calls.includes(callee)) calls.push(callee);
      const a = args(n);
      const freed = FREES[callee];
      if (freed !== undefined && a[freed])
        frees.push({ call: callee, argText: a[freed].text, range: n.range });
      const known = CONTAINER_OF.test(callee)
        ? containerOfArgs(n)
        : (this.converters.get(callee) ?? KNOWN_CONVERTERS[callee]);
      if (known && a[0]) {
        const conv: ContainerConversion = { ...known, range: n.range };
        if (!CONTAINER_OF.test(callee)) conv.helper = callee;
        conversions.push({ conv, arg: pathRootOf(a[0]) });
      }
      return true;
    });
    const container = (conversions.find((c) => fn.params.includes(c.arg)) ?? conversions[0])?.conv;
    const empty = fn.body.kids.length === 0;
    const doesNothing = fn.body.kids.every((s) => this.isNoop(s));
    return { defined: true, frees, calls, empty, doesNothing, ...(container ? { container } : {}) };
  }

  /** A statement with no effect a release could rely on: logging, a local conversion, `return;`. */
  private isNoop(s: SyntaxNode): boolean {
    if (s.type === 'return_statement') return s.kids.length === 0;
    if (s.type === 'expression_statement') {
      if (s.kids.length === 0) return true;
      const e = unwrap(s.kids[0]!);
      if (e.type === 'identifier' || e.type === 'field_expression') return true;
      return e.type === 'call_expression' && LOG_CALL.test(calleeName(e) ?? '');
    }
    if (s.type === 'declaration') {
      return s.kids.every((d) => {
        if (d.type !== 'init_declarator') return true;
        const v = d.field('value');
        if (!v) return true;
        const e = unwrap(v);
        if (e.type === 'identifier' || e.type === 'field_expression' || e.type === 'pointer_expression')
          return true;
        const callee = e.type === 'call_expression' ? calleeName(e) : undefined;
        return (
          !!callee && (CONTAINER_OF.test(callee) || this.converters.has(callee) || callee in KNOWN_CONVERTERS)
        );
      });
    }
    return false;
  }
}

// ------------------------------------------------------------------------------------------- helpers

/** The name, and whether it is a pointer / array / function, of a declarator. */
function declShape(d: SyntaxNode | undefined): {
  name: string;
  pointer: boolean;
  array: boolean;
  function: boolean;
} {
  let pointer = false;
  let array = false;
  let fn = false;
  for (let x = d; x;) {
    if (x.type === 'identifier' || x.type === 'field_identifier')
      return { name: x.text, pointer, array, function: fn };
    if (x.type === 'pointer_declarator') pointer = true;
    else if (x.type === 'array_declarator') array = true;
    else if (x.type === 'function_declarator') fn = !pointer;
    x =
      x.field('declarator') ??
      x.kids.find((k) => k.type.endsWith('declarator') || k.type.endsWith('identifier'));
  }
  return { name: '', pointer, array, function: fn };
}

/** `typedef struct { … } foo_t;` → `foo_t` for the anonymous struct. */
function typedefNameOf(spec: SyntaxNode): string | undefined {
  const p = spec.parent;
  if (p?.type !== 'type_definition' || p.field('type') !== spec) return undefined;
  return p.kids.find((k) => k !== spec && k.type === 'type_identifier')?.text;
}

/** `.field = ident` (or `&ident`, or a cast of one) inside an initializer list. */
function designated(list: SyntaxNode, field: string): string | undefined {
  for (const pair of list.kids) {
    if (pair.type !== 'initializer_pair') continue;
    const v = pair.field('value');
    if (v && designatorPath(pair) === field) {
      const name = functionName(v);
      if (name) return name;
    }
  }
  return undefined;
}

/** The designators of an initializer pair as a dotted path: `.dev.release` → `dev.release`. */
function designatorPath(pair: SyntaxNode): string {
  const value = pair.field('value');
  const parts: string[] = [];
  for (const k of pair.kids) {
    if (k === value) break;
    if (k.type !== 'field_designator') return '';
    parts.push(k.text.replace(/^\s*\.\s*/, ''));
  }
  return parts.join('.');
}

/** The value designated by a member path, through nested lists and dotted designators alike. */
function designatedPath(list: SyntaxNode, path: string[]): SyntaxNode | undefined {
  for (const pair of list.kids) {
    if (pair.type !== 'initializer_pair') continue;
    const d = designatorPath(pair).split('.');
    const v = pair.field('value');
    if (!v || d.length > path.length || d.some((x, i) => x !== path[i])) continue;
    if (d.length === path.length) return v;
    if (v.type === 'initializer_list') {
      const found = designatedPath(v, path.slice(d.length));
      if (found) return found;
    }
  }
  return undefined;
}

/** `.attr = { .name = "foo" }` (or `.attr.name`, or one level deeper as in `.dev_attr`). */
function attributeName(list: SyntaxNode): string | undefined {
  const v = designatedPath(list, ['attr', 'name']) ?? designatedPath(list, ['dev_attr', 'attr', 'name']);
  if (v?.type !== 'string_literal') return undefined;
  return v.kids.find((k) => k.type === 'string_content')?.text;
}

/** A function named as a value: `fn`, `&fn`, `(cast)fn`. */
function functionName(v: SyntaxNode): string | undefined {
  let e = unwrap(v);
  if (e.type === 'pointer_expression' && e.field('operator')?.text === '&') e = unwrap(e.field('argument')!);
  return e.type === 'identifier' && e.text !== 'NULL' ? e.text : undefined;
}

/** `container_of(x, struct T, m)` → T and m (the parsed text says `struct_T`; `text` is the user's). */
function containerOfArgs(call: SyntaxNode): { type: string; member: string } | undefined {
  const a = args(call);
  if (a.length !== 3) return undefined;
  const t = /^(?:(?:struct|union)\s+)?([A-Za-z_]\w*)$/.exec(a[1]!.text.trim());
  const member = a[2]!.text.replace(/\s+/g, '');
  return t && member ? { type: t[1]!, member } : undefined;
}

function pathRootOf(n: SyntaxNode): string {
  const p = accessPath(n);
  return p ? (/^[A-Za-z_]\w*/.exec(p.path)?.[0] ?? '') : '';
}

/** Blank comments and string/char literal contents, keeping length and newlines. */
function maskCommentsAndStrings(s: string): string {
  let out = '';
  let from = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const ch = s[i];
    let end = -1;
    if (ch === '/' && s[i + 1] === '*') {
      const e = s.indexOf('*/', i + 2);
      end = e < 0 ? n : e + 2;
    } else if (ch === '/' && s[i + 1] === '/') {
      const e = s.indexOf('\n', i);
      end = e < 0 ? n : e;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < n && s[j] !== ch && s[j] !== '\n') j += s[j] === '\\' ? 2 : 1;
      // Keep the quotes so that the argument count of a macro does not change.
      out += s.slice(from, i + 1) + s.slice(i + 1, Math.min(j, n)).replace(/[^\n]/g, ' ');
      from = Math.min(j, n);
      i = from;
      continue;
    }
    if (end >= 0) {
      out += s.slice(from, i) + s.slice(i, end).replace(/[^\n]/g, ' ');
      from = end;
      i = end - 1;
    }
  }
  return out + s.slice(from);
}

/** Split a macro argument list at top-level commas; each argument trimmed. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** Offsets inside one node → positions, for offsets visited in increasing order. */
class PositionCursor {
  private offset: number;
  private line: number;
  private column: number;

  constructor(private readonly node: SyntaxNode) {
    this.offset = node.start;
    this.line = node.startPoint.row;
    this.column = node.startPoint.column;
  }

  at(offset: number): Position {
    if (offset < this.offset) {
      this.offset = this.node.start;
      this.line = this.node.startPoint.row;
      this.column = this.node.startPoint.column;
    }
    const src = this.node.source;
    for (; this.offset < offset; this.offset++) {
      if (src.charCodeAt(this.offset) === 10) {
        this.line++;
        this.column = 0;
      } else this.column++;
    }
    return { line: this.line, character: this.column };
  }

  range(start: number, end: number): Range {
    return { start: this.at(start), end: this.at(end) };
  }
}

function releasesByType(
  functions: Map<string, FunctionInfo>,
  releaseOf: Map<string, string>,
  structs: Map<string, StructFacts>,
  globalTypes: Map<string, string>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (type: string | undefined, fn: string | undefined): void => {
    if (!type || !fn || fn === 'NULL') return;
    const set = out.get(type) ?? new Set<string>();
    set.add(fn);
    out.set(type, set);
  };
  /** Does struct `type` embed (not point to) a refcounted object at `member`? Unknown layouts: no. */
  const embedsAt = (type: string, member: string): boolean => {
    const embeds = structs.get(type)?.embeds ?? KNOWN_CONTAINERS[type] ?? [];
    return embeds.some((e) => e.member === member || ('via' in e && e.via === member));
  };
  for (const fn of functions.values()) {
    if (!/\brelease\b|\btype\b|\bclass\b|kobject_init|kref_put/.test(fn.body.text)) continue;
    const types = new Map(structTypes(fn));
    // File-scope pointers and objects too (`static struct platform_device *pdev;`), unless shadowed.
    for (const [name, t] of globalTypes)
      if (!types.has(name) && !fn.params.includes(name)) types.set(name, t);
    // `struct device *dev = &foo->dev;` lets `dev->release = …` arm foo's release.
    const via = new Map<string, string>();
    walk(fn.body, (n) => {
      if (n.type === 'init_declarator' || n.type === 'assignment_expression') {
        const l = n.type === 'init_declarator' ? declaratorName(n.field('declarator')) : n.field('left');
        const r = n.field(n.type === 'init_declarator' ? 'value' : 'right');
        const m = r && /^&\s*([A-Za-z_]\w*)\s*->\s*(\w+)\s*$/.exec(r.text);
        if (l && m && types.has(m[1]!) && embedsAt(types.get(m[1]!)!, m[2]!))
          via.set(l.text, types.get(m[1]!)!);
      }
      return true;
    });
    /** The container type whose embedded object `lhs` (before `.release`/`.type`/`.class`) names. */
    const ownerOf = (lhs: string): string | undefined => {
      const direct = /^([A-Za-z_]\w*)->(\w+)$/.exec(lhs);
      if (direct) {
        const t = types.get(direct[1]!);
        return t && embedsAt(t, direct[2]!) ? t : undefined;
      }
      return /^[A-Za-z_]\w*$/.test(lhs) ? via.get(lhs) : undefined;
    };
    walk(fn.body, (n) => {
      if (n.type === 'assignment_expression') {
        const l = (n.field('left')?.text ?? '').replace(/\s+/g, '');
        const r = n.field('right');
        const m = /^(.+?)(?:->|\.)(release|type|class)$/.exec(l);
        if (!m || !r) return true;
        const owner = ownerOf(m[1]!);
        if (m[2] === 'release' && r.type === 'identifier') add(owner, r.text);
        // `x->dev.type = &foo_type` / `x->dev.class = &foo_class`: the initializer's release.
        const init = /^&\s*([A-Za-z_]\w*)$/.exec(r.text.trim());
        if (m[2] !== 'release' && init) add(owner, releaseOf.get(init[1]!));
      } else if (n.type === 'call_expression') {
        const m =
          /^kobject_init(?:_and_add)?\s*\(\s*&\s*([A-Za-z_]\w*)\s*->\s*(\w+)\s*,\s*&\s*([A-Za-z_]\w*)/.exec(
            n.text,
          );
        if (m && types.has(m[1]!)) add(types.get(m[1]!), releaseOf.get(m[3]!));
        const k = /^kref_put\w*\s*\(\s*&\s*([A-Za-z_]\w*)\s*->\s*(\w+)\s*,\s*([A-Za-z_]\w*)/.exec(n.text);
        if (k && types.has(k[1]!)) add(types.get(k[1]!), k[3]);
      }
      return true;
    });
  }
  return out;
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
