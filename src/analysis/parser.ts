// Owns web-tree-sitter: loads the runtime and the C grammar from bytes the host provides, parses text.
// No Node APIs here (analysis/ must run in a web worker too): the host reads the .wasm files.
import { Language, Parser, type Tree } from 'web-tree-sitter';

export interface WasmBytes {
  /** web-tree-sitter.wasm */
  runtime: Uint8Array;
  /** tree-sitter-c.wasm */
  grammar: Uint8Array;
}

export interface CParser {
  parse(text: string, old?: Tree): Tree | null;
}

let initialised: Promise<void> | undefined;

export async function createCParser(wasm: WasmBytes): Promise<CParser> {
  initialised ??= Parser.init({ wasmBinary: wasm.runtime });
  await initialised;
  const language = await Language.load(wasm.grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(text: string, old?: Tree): Tree | null {
      return parser.parse(text, old ?? null);
    },
  };
}
