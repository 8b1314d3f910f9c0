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

const CHUNK = 10 * 1024;

let initialised: Promise<void> | undefined;

export async function createCParser(wasm: WasmBytes): Promise<CParser> {
  initialised ??= Parser.init({ wasmBinary: wasm.runtime });
  await initialised;
  const language = await Language.load(wasm.grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(text: string, old?: Tree): Tree | null {
      // Hand the text over in chunks of the runtime's input buffer (10 K units): given the whole string,
      // web-tree-sitter slices the rest of the file at every read.
      return parser.parse(
        (index) => (index < text.length ? text.slice(index, index + CHUNK) : ''),
        old ?? null,
      );
    },
  };
}
