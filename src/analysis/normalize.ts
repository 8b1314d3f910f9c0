// Same-length rewriting of kernel-macro shapes that tree-sitter-c cannot parse. Every offset of the
// output maps to the same offset of the user's text, so ranges need no translation.
// What each rewrite does, and why, is measured in docs/field-report.md ("parse coverage").

/** Annotation macros without arguments that only decorate a declaration: blanked. */
const ANNOTATIONS = [
  '__user',
  '__iomem',
  '__init',
  '__exit',
  '__initdata',
  '__initconst',
  '__exitdata',
  '__ref',
  '__refdata',
  '__must_check',
  '__rcu',
  '__percpu',
  '__force',
  '__always_unused',
  '__maybe_unused',
  '__always_inline',
  '__noinline',
  'noinline',
  '__cold',
  '__weak',
  '__read_mostly',
  '__ro_after_init',
  '__devinit',
  '__devexit',
  '__kprobes',
  'notrace',
  '__noreturn',
  '__pure',
  '__visible',
  '__used',
  '__latent_entropy',
  '__nocast',
  '__safe',
  '__private',
  '__bitwise',
  '__sched',
  '__deprecated',
  '__meminit',
  '__meminitdata',
  '__init_or_module',
  '__iomem_ptr',
  '__kernel',
  '__counted_by_ptr',
  '__acquires_shared',
  '__randomize_layout',
  '__no_randomize_layout',
  '__packed',
  '__nonstring',
];

/** Annotation macros with one parenthesised argument list: blanked with their arguments. */
const ANNOTATIONS_WITH_ARGS = [
  '__free',
  '__aligned',
  '__counted_by',
  '__acquires',
  '__releases',
  '__must_hold',
  '__guarded_by',
  '__section',
  '__printf',
  '__scanf',
  '__cleanup',
  '__alloc_size',
  '__assume_aligned',
  '__malloc',
  '__cond_acquires',
  '__cond_releases',
  '__no_context_analysis',
];

/** Macros that take a block (or statement) after their argument list, like a loop header. */
const BLOCK_MACRO = /^(?:\w*for_each\w*|scoped_guard|scoped_cond_guard|\w*_for_each)$/;

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Same-length rewrites, in increasing offset order: [from, replacement]. */
type Patches = [number, string][];

/** Blank text[from, to) keeping line breaks. */
function blank(patches: Patches, text: string, from: number, to: number): void {
  patches.push([from, text.slice(from, to).replace(/[^\r\n]/g, ' ')]);
}

function applyPatches(text: string, patches: Patches): string {
  if (patches.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const [from, repl] of patches) {
    parts.push(text.slice(at, from), repl);
    at = from + repl.length;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

const ANNOTATION_SET = new Set(ANNOTATIONS);
const WITH_ARGS_SET = new Set(ANNOTATIONS_WITH_ARGS);

/** [A-Za-z_] */
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** [A-Za-z0-9_] */
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** Index just past the parenthesised group starting at `open` (which must be '('), or -1. */
export function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */) {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      i = skipQuoted(text, i);
    } else if (c === 59 /* ; */ || c === 123 /* { */) {
      // A macro argument list never holds a statement end or a block: give up (unbalanced).
      return -1;
    }
  }
  return -1;
}

function skipQuoted(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === q || text[i] === '\n') return i;
  }
  return text.length;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/**
 * Rewrite kernel-macro shapes into shapes tree-sitter-c parses, keeping the length and every newline.
 * Comments and strings are left as they are (the scanner skips them).
 */
export function normalizeKernelC(text: string): string {
  if (text.length === 0) return text;
  const patches: Patches = [];
  const annotations = ANNOTATION_SET;
  const withArgs = WITH_ARGS_SET;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    // Fast path: most characters are neither the start of a word nor of a comment, string or directive.
    if (!isIdentStart(code) && code !== 47 /* / */ && code !== 34 && code !== 39 && code !== 35 /* # */) {
      i++;
      continue;
    }
    const c = text[i]!;
    // Skip comments, strings and preprocessor lines (a #define body is not C we analyse).
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipQuoted(text, i) + 1;
      continue;
    }
    if (c === '#' && isLineStart(text, i)) {
      i = endOfDirective(text, i);
      continue;
    }
    if (!isIdentStart(code) || (i > 0 && isIdentChar(text.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    IDENT.lastIndex = i;
    const m = IDENT.exec(text);
    if (!m) {
      i++;
      continue;
    }
    const word = m[0];
    const end = i + word.length;
    if (annotations.has(word)) {
      blank(patches, text, i, end);
      i = end;
      continue;
    }
    if (withArgs.has(word)) {
      const open = skipSpace(text, end);
      if (text[open] === '(') {
        const close = matchParen(text, open);
        if (close > 0) {
          blank(patches, text, i, close);
          i = close;
          continue;
        }
      }
      i = end;
      continue;
    }
    if (word === 'struct' || word === 'union') {
      // A type passed as a macro argument: `container_of(p, struct foo, member)` → `struct_foo`.
      const before = prevNonSpace(text, i);
      if (before === ',' || before === '(') {
        const nameStart = skipSpace(text, end);
        IDENT.lastIndex = nameStart;
        const name = IDENT.exec(text);
        if (name && nameStart === end + 1) {
          const after = skipSpace(text, nameStart + name[0].length);
          if (text[after] === ',' || text[after] === ')') {
            patches.push([end, '_']);
            i = nameStart + name[0].length;
            continue;
          }
        }
      }
      i = end;
      continue;
    }
    if (BLOCK_MACRO.test(word)) {
      const open = skipSpace(text, end);
      if (text[open] === '(') {
        const close = matchParen(text, open);
        if (close > 0) {
          const next = skipSpace(text, close);
          // `for_each_x(a, b);` is a plain call; anything else is a loop header followed by its body.
          if (
            text[next] !== ';' &&
            text[next] !== ')' &&
            text[next] !== ',' &&
            word.length >= 5 &&
            !isDefinitionName(text, i)
          ) {
            patches.push([i, 'while' + ' '.repeat(end - i - 5)]);
            // The argument list becomes the loop condition: make it one comma expression.
            i = close;
            continue;
          }
        }
      }
      i = end;
      continue;
    }
    i = end;
  }
  return applyPatches(text, patches);
}

function isLineStart(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = text[j];
    if (c === '\n') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

function endOfDirective(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    if (text[j] === '\n' && text[j - 1] !== '\\' && !(text[j - 1] === '\r' && text[j - 2] === '\\')) return j;
  }
  return text.length;
}

function prevNonSpace(text: string, i: number): string | undefined {
  for (let j = i - 1; j >= 0; j--) {
    if (!/\s/.test(text[j]!)) return text[j];
  }
  return undefined;
}

/** True when the identifier at i is being declared (a type or `static` stands before it). */
function isDefinitionName(text: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t' || text[j] === '*')) j--;
  if (j < 0 || text[j] === '\n' || text[j] === ';' || text[j] === '{' || text[j] === '}' || text[j] === ')')
    return false;
  return /[A-Za-z0-9_]/.test(text[j]!);
}
