// An edited document: keeps its parse tree, its plain copy and its per-function results between
// analyses, so that a keystroke costs a re-parse of what changed, a copy of the changed top-level
// declarations and a re-run of the functions whose inputs changed — not a whole-file analysis.
import { Edit, type Tree } from 'web-tree-sitter';
import { analyzeRoot, type FunctionCache } from './analyze';
import type { ApiModel } from './model/model';
import { normalizeKernelC } from './normalize';
import type { CParser } from './parser';
import { copyTree, copyTreeIncremental, SourceText, type IdCounter, type SyntaxNode } from './syntax';
import type { AnalysisResult } from './types';
import type { AnalyzeFileOptions } from './analyze';

export interface IncrementalDocument {
  update(text: string): void;
  analyze(options?: AnalyzeFileOptions): AnalysisResult;
  dispose(): void;
}

interface Parsed {
  /** The user's text the tree was built from, and its normalised form (what tree-sitter saw). */
  text: string;
  normalized: string;
  tree: Tree;
  root: SyntaxNode;
  src: SourceText;
}

/**
 * Which documents keep their parse state (tree, copy, per-function results) between analyses: the
 * most recently analyzed ones, up to a limit. The others keep only their text; the next analysis of
 * one of them starts from scratch (as its first did). Shared by the documents of one analyzer.
 */
export class Retention {
  private readonly recent = new Set<() => void>();

  constructor(readonly limit: number) {}

  /** `release` frees a document's parse state; calling touch again marks it most recent. */
  touch(release: () => void): void {
    this.recent.delete(release);
    this.recent.add(release);
    while (this.recent.size > this.limit) {
      const oldest = this.recent.values().next().value as () => void;
      this.recent.delete(oldest);
      oldest();
    }
  }

  forget(release: () => void): void {
    this.recent.delete(release);
  }
}

export function createIncrementalDocument(
  parser: CParser,
  model: ApiModel,
  initial: string,
  retention?: Retention,
): IncrementalDocument {
  let text = initial;
  let parsed: Parsed | undefined;
  let edited = false;
  const ids: IdCounter = { next: 1 };
  const cache: FunctionCache = { context: '', entries: new Map(), words: new Map(), summaries: new Map() };

  const drop = (): void => {
    parsed?.tree.delete();
    parsed = undefined;
  };
  /** Free everything but the text (the document went cold, or is closed). */
  const release = (): void => {
    drop();
    cache.context = '';
    cache.entries.clear();
    cache.words.clear();
    cache.summaries.clear();
  };

  /** Bring the tree up to date with `text`: incrementally from the last tree when there is one. */
  const sync = (): Parsed | undefined => {
    if (parsed && parsed.text === text) return parsed;
    const normalized = normalizeKernelC(text);
    if (!parsed) {
      const tree = parser.parse(normalized);
      if (!tree) return undefined;
      const src = new SourceText(text);
      parsed = { text, normalized, tree, root: copyTree(tree, src, ids), src };
      return parsed;
    }
    // The changed span: the user's text and the normalised text may differ in extent (a rewrite
    // that starts or stops applying), so take the span covering both.
    const prefix = Math.min(commonPrefix(parsed.text, text), commonPrefix(parsed.normalized, normalized));
    const suffix = Math.min(
      commonSuffix(parsed.text, text, prefix),
      commonSuffix(parsed.normalized, normalized, prefix),
    );
    const edit = { start: prefix, oldEnd: parsed.text.length - suffix, newEnd: text.length - suffix };
    // Points before the edit are the same in both texts; the old end is read from the old text.
    const startPoint = parsed.src.point(edit.start);
    const oldEndPoint = parsed.src.point(edit.oldEnd);
    // Old nodes read their text through the shared SourceText: from here on it is the new one (a
    // failed parse below drops them all).
    parsed.src.text = text;
    const newEndPoint = parsed.src.point(edit.newEnd);
    parsed.tree.edit(
      new Edit({
        startIndex: edit.start,
        oldEndIndex: edit.oldEnd,
        newEndIndex: edit.newEnd,
        startPosition: startPoint,
        oldEndPosition: oldEndPoint,
        newEndPosition: newEndPoint,
      }),
    );
    const tree = parser.parse(normalized, parsed.tree);
    parsed.tree.delete();
    if (!tree) {
      parsed = undefined;
      return undefined;
    }
    const root = copyTreeIncremental(tree, parsed.src, parsed.root, edit, ids);
    parsed = { text, normalized, tree, root, src: parsed.src };
    return parsed;
  };

  return {
    update(next: string): void {
      if (next !== text) edited = true;
      text = next;
    },
    analyze(options: AnalyzeFileOptions = {}): AnalysisResult {
      if (options.normalize === false) {
        throw new Error('an incremental document always normalises; use analyze(text) to compare');
      }
      let p: Parsed | undefined;
      try {
        p = sync();
      } catch (e) {
        // A failed incremental step must not poison later ones: start again from scratch next time.
        drop();
        throw e;
      }
      if (!p) {
        const stats = { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 };
        return { findings: [], stats, partial: 'the parser gave up on this file' };
      }
      const result = analyzeRoot(p.root, text, model, options, cache);
      // A document that is only read (opened, never edited) need not keep what makes edits fast.
      if (retention && !edited) release();
      else retention?.touch(release);
      return result;
    },
    dispose(): void {
      retention?.forget(release);
      release();
    },
  };
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Common suffix length that does not overlap a prefix of length `prefix`. */
function commonSuffix(a: string, b: string, prefix: number): number {
  const n = Math.min(a.length, b.length) - prefix;
  let i = 0;
  while (i < n && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}
