// Loads the analyzer from the .wasm files that the build copies beside dist/cli.js.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer, type Analyzer, type ModelExtension } from '../analysis';
import { IoError } from './files';

export const RUNTIME_WASM = 'web-tree-sitter.wasm';
export const GRAMMAR_WASM = 'tree-sitter-c.wasm';

function readWasm(dir: string, name: string): Uint8Array {
  try {
    return readFileSync(join(dir, name));
  } catch {
    throw new IoError(
      `cannot load the analyzer: ${name} is missing beside the CLI bundle (run npm run build)`,
    );
  }
}

/** `dir` is the folder holding the bundle (the bundle's `__dirname`). */
export async function loadAnalyzer(dir: string = __dirname, extension?: ModelExtension): Promise<Analyzer> {
  const runtime = readWasm(dir, RUNTIME_WASM);
  const grammar = readWasm(dir, GRAMMAR_WASM);
  return createAnalyzer({ runtime, grammar }, extension);
}
