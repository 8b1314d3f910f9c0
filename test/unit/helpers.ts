// Shared test setup: the real analyzer, loaded from the .wasm files the build copied into dist/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer, type Analyzer } from '../../src/analysis';

/** Repository root (tests run from dist/test/). */
export const ROOT = join(__dirname, '..', '..');

let analyzer: Promise<Analyzer> | undefined;

export function loadAnalyzer(): Promise<Analyzer> {
  analyzer ??= createAnalyzer({
    runtime: readFileSync(join(ROOT, 'dist', 'web-tree-sitter.wasm')),
    grammar: readFileSync(join(ROOT, 'dist', 'tree-sitter-c.wasm')),
  });
  return analyzer;
}
