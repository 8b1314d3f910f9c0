// The files a simulation can see: the simulated file and its neighbours (the other .c/.h files of its
// folder, or the editor's workspace), parsed once and indexed by function, struct and ktype, with what
// is a module (its data and code vanish at unload) and what is built in. Reads no files itself.
import { summarize } from '../analysis/analyze';
import type { EngineHost, FunctionInfo, Summary } from '../analysis/engine';
import { collectFacts, releaseFrees, type FileFacts } from '../analysis/facts';
import type { ApiModel } from '../analysis/model/model';
import { normalizeKernelC } from '../analysis/normalize';
import type { CParser } from '../analysis/parser';
import { copyTree, walk, type SyntaxNode } from '../analysis/syntax';

export interface ParsedFile {
  file: string;
  text: string;
  root: SyntaxNode;
  facts: FileFacts;
  /** module_init/module_exit/MODULE_LICENSE or a module_*_driver macro: data and code go at unload. */
  module: boolean;
}

export interface Located {
  file: ParsedFile;
  fn: FunctionInfo;
}

/** Parses a file (kernel macro shapes normalised, offsets kept). Undefined when the parser gives up. */
export function parseFile(parser: CParser, file: string, text: string): ParsedFile | undefined {
  const tree = parser.parse(normalizeKernelC(text));
  if (!tree) return undefined;
  let root: SyntaxNode;
  try {
    root = copyTree(tree, text);
  } finally {
    tree.delete();
  }
  const facts = collectFacts(root);
  return { file, text, root, facts, module: facts.isModule };
}

/** A cache of parsed files keyed by name, reparsed only when the text changes. */
export class ParseCache {
  private readonly files = new Map<string, ParsedFile | undefined>();
  private readonly texts = new Map<string, string>();
  constructor(private readonly parser: CParser) {}

  get(file: string, text: string): ParsedFile | undefined {
    if (this.texts.get(file) === text && this.files.has(file)) return this.files.get(file);
    const parsed = parseFile(this.parser, file, text);
    this.texts.set(file, text);
    this.files.set(file, parsed);
    // A long editor session opens many files: keep the cache bounded (oldest first out).
    if (this.texts.size > 256) {
      const oldest = this.texts.keys().next().value!;
      this.texts.delete(oldest);
      this.files.delete(oldest);
    }
    return parsed;
  }
}

/** The simulated file first, then the neighbours in name order (deterministic lookups). */
export class Project {
  readonly files: ParsedFile[];
  private readonly byName = new Map<string, Located>();
  private readonly memo = new Map<string, Summary | undefined>();
  readonly host: EngineHost;

  constructor(
    readonly main: ParsedFile,
    neighbours: ParsedFile[],
    readonly model: ApiModel,
  ) {
    this.files = [main, ...neighbours.filter((f) => f.file !== main.file)];
    for (const file of this.files) {
      for (const fn of file.facts.functions.values()) {
        if (!this.byName.has(fn.name)) this.byName.set(fn.name, { file, fn });
      }
    }
    this.host = {
      model,
      releaseFrees: (name) => {
        const at = this.byName.get(name);
        return at ? releaseFrees(at.fn) : undefined;
      },
      summary: (name) => this.summary(name),
    };
  }

  /** A function defined in one of the files (the simulated file wins over neighbours). */
  find(name: string): Located | undefined {
    return this.byName.get(name);
  }

  /** Summaries across files, memoised; recursion reads as "mixed" (as in the analyzer). */
  summary(name: string): Summary | undefined {
    if (this.memo.has(name)) return this.memo.get(name);
    const at = this.byName.get(name);
    if (!at) return undefined;
    const mixed: Summary = at.fn.params.map(() => ({ kind: 'mixed' }));
    this.memo.set(name, mixed);
    const s = at.fn.node.hasError ? mixed : summarize(at.fn, this.host);
    this.memo.set(name, s);
    return s;
  }

  /** The struct types that releases are armed for, across files: type → release function names. */
  releasesFor(type: string): string[] {
    const out = new Set<string>();
    for (const f of this.files) for (const r of f.facts.releasesByType.get(type) ?? []) out.add(r);
    return [...out].sort();
  }

  /** The refcounted kinds a struct embeds, from whichever file defines it. */
  embedsOf(type: string): ('kobject' | 'device' | 'kref' | 'kset')[] {
    for (const f of this.files) {
      const s = f.facts.structs.get(type) ?? f.facts.structs.get(f.facts.typedefs.get(type) ?? '');
      if (s) return s.embeds.map((e) => e.kind);
    }
    return [];
  }

  /** The members through which a struct embeds its refcounted objects (`kobj`, `dev`, `pdev.dev`). */
  memberNames(type: string): string[] {
    for (const f of this.files) {
      const s = f.facts.structs.get(type) ?? f.facts.structs.get(f.facts.typedefs.get(type) ?? '');
      if (s) return s.embeds.map((e) => e.via ?? e.member);
    }
    return [];
  }

  /** The file-scope variable `name` of the file defining it (static objects and pointers). */
  globalOf(name: string, prefer: ParsedFile): ParsedFile | undefined {
    if (prefer.facts.globals.has(name)) return prefer;
    return this.files.find((f) => f.facts.globals.has(name));
  }

  /** Converter helpers (`to_foo()`) from every file: name → container type. */
  converterType(name: string): string | undefined {
    for (const f of this.files) {
      const c = f.facts.converters.get(name);
      if (c) return c.type;
    }
    return undefined;
  }

  private readonly containers = new Map<FunctionInfo, Set<string>>();

  /** The struct types a function converts its arguments into (container_of, to_foo()). */
  containersUsedBy(fn: FunctionInfo): Set<string> {
    const known = this.containers.get(fn);
    if (known) return known;
    const out = new Set<string>();
    this.containers.set(fn, out);
    walk(fn.body, (n) => {
      if (n.type === 'call_expression') {
        const callee = n.field('function')?.text ?? '';
        if (/^container_of/.test(callee)) {
          const m = /,\s*(?:struct\s+)?(?:struct_)?([A-Za-z_]\w*)\s*,/.exec(n.text);
          if (m) out.add(m[1]!);
        } else {
          const t = this.converterType(callee);
          if (t) out.add(t);
        }
      }
      return true;
    });
    return out;
  }
}

/**
 * The attribute variables a file attaches to an object named `expr` (a variable, or a member such as
 * `->kobj`): `sysfs_create_group(expr, &grp)`, `sysfs_create_groups()`, `sysfs_create_file(expr,
 * &attr.attr)`, `sysfs_create_files()`, `device_create_with_groups(…, groups, …)` with the object
 * assigned from it, and `expr->groups = groups`. Groups are followed to their `.attrs` arrays and
 * `ATTRIBUTE_GROUPS(x)`.
 */
export function attributesAttached(text: string, expr: RegExp): Set<string> {
  const roots: string[] = [];
  const call = /\bsysfs_create_(?:group|groups|file|files|link)\s*\(\s*([^,()]+?)\s*,\s*&?\s*([A-Za-z_]\w*)/g;
  for (const m of text.matchAll(call)) if (expr.test(m[1]!.replace(/\s+/g, ''))) roots.push(m[2]!);
  const groupsField = /([A-Za-z_][\w.>-]*)\s*(?:->|\.)\s*(?:dev_)?groups\s*=\s*([A-Za-z_]\w*)/g;
  for (const m of text.matchAll(groupsField)) if (expr.test(m[1]!.replace(/\s+/g, ''))) roots.push(m[2]!);
  const created = /([A-Za-z_][\w.>-]*)\s*=\s*device_create_with_groups\s*\(([^;]*)\)\s*;/g;
  for (const m of text.matchAll(created)) {
    if (!expr.test(m[1]!.replace(/\s+/g, ''))) continue;
    const g = m[2]!.split(',')[4]?.trim();
    if (g && /^[A-Za-z_]\w*$/.test(g)) roots.push(g);
  }
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string, depth: number): void => {
    if (seen.has(name) || depth > 4) return;
    seen.add(name);
    out.add(name);
    // ATTRIBUTE_GROUPS(x) declares x_group and x_groups over x_attrs.
    const base = /^(\w+?)_groups?$/.exec(name)?.[1];
    if (base && new RegExp(`\\bATTRIBUTE_GROUPS\\s*\\(\\s*${base}\\s*\\)`).test(text))
      visit(`${base}_attrs`, depth + 1);
    const init = new RegExp(`\\b${name}\\s*(?:\\[\\s*\\w*\\s*\\])?\\s*=\\s*\\{([^;]*)\\}\\s*;`).exec(text);
    if (!init) return;
    for (const m of init[1]!.matchAll(
      /&\s*([A-Za-z_]\w*)|\.attrs\s*=\s*([A-Za-z_]\w*)|\b([A-Za-z_]\w*_groups?)\b/g,
    )) {
      const next = m[1] ?? m[2] ?? m[3];
      if (next) visit(next, depth + 1);
    }
  };
  for (const r of roots) visit(r, 0);
  return out;
}

/** 1-based first line of a node. */
export function lineOf(n: SyntaxNode): number {
  return n.startPoint.row + 1;
}
