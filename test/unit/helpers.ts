// Shared test setup: the real analyzer, loaded from the .wasm files the build copied into dist/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer, type Analyzer } from '../../src/analysis';
import { normalizeKernelC } from '../../src/analysis/normalize';
import { createCParser, type CParser } from '../../src/analysis/parser';
import { copyTree, type SyntaxNode } from '../../src/analysis/syntax';

/** Repository root (tests run from dist/test/). */
export const ROOT = join(__dirname, '..', '..');

const wasm = () => ({
  runtime: readFileSync(join(ROOT, 'dist', 'web-tree-sitter.wasm')),
  grammar: readFileSync(join(ROOT, 'dist', 'tree-sitter-c.wasm')),
});

let analyzer: Promise<Analyzer> | undefined;

export function loadAnalyzer(): Promise<Analyzer> {
  analyzer ??= createAnalyzer(wasm());
  return analyzer;
}

let parser: Promise<CParser> | undefined;

/** Parse C as the analyzer does (kernel macros normalised, tree copied into plain nodes): the root. */
export async function parseToRoot(text: string): Promise<SyntaxNode> {
  parser ??= createCParser(wasm());
  const tree = (await parser).parse(normalizeKernelC(text));
  if (!tree) throw new Error('the parser gave up');
  try {
    return copyTree(tree, text);
  } finally {
    tree.delete();
  }
}

/**
 * A Linux 6.12 tree holding the kernel files the tests read: KERNEL_TREE, or the files that
 * `node scripts/kernel-tree.mjs` (run by `npm test`) extracted from Debian's linux-source-6.12.
 */
export function kernelTree(): string {
  const tree = process.env['KERNEL_TREE'] ?? join(ROOT, '.cache', 'kernel', 'linux-source-6.12');
  if (!existsSync(join(tree, 'drivers', 'base', 'core.c')))
    throw new Error(
      `no kernel files in ${tree}: run node scripts/kernel-tree.mjs (npm test does) or set KERNEL_TREE`,
    );
  return tree;
}
