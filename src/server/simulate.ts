// The simulator's side of the server: SIMULATE_REQUEST (the panel asks for one function's lifecycle
// simulation) and a "Simulate lifecycle" CodeLens above each function that uses a lifetime API. The
// simulated file sees the other .c/.h files of its folder (open documents first, else the disk).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CodeLens, CodeLensParams, Connection } from 'vscode-languageserver';
import type { ModelExtension } from '../analysis';
import { GRAMMAR_WASM, RUNTIME_WASM } from '../cli/load-analyzer';
import { COMMANDS, SIMULATE_REQUEST, type SimulateParams } from '../protocol/requests';
import {
  DEFAULT_SIMULATION_OPTIONS,
  type SimulatableFunction,
  type SimulateResult,
} from '../protocol/simulation';
import { createSimulator, type Simulator } from '../simulator';
import type { ServerContext, ServerFeature } from './context';
import { extensionKey } from './settings';

/** At most this many neighbours are read (a huge folder such as drivers/staging/ costs its first files). */
export const MAX_NEIGHBOURS = 64;

export const LENS_TITLE = 'Simulate lifecycle';

export interface SourceFile {
  file: string;
  text: string;
}

/** The file name the simulator and the panel show: a path for file:// URIs, the URI otherwise. */
export function fileOfUri(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

/** One lens per simulatable function, on its first line; the command opens the panel there. */
export function provideCodeLenses(uri: string, functions: readonly SimulatableFunction[]): CodeLens[] {
  return functions.map((f) => {
    const line = Math.max(f.startLine - 1, 0);
    return {
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      command: { title: LENS_TITLE, command: COMMANDS.simulate, arguments: [uri, line] },
    };
  });
}

/**
 * Answers SIMULATE_REQUEST for a document's text: the editor's 0-based line becomes the simulator's
 * 1-based one; missing options take the defaults. Never throws.
 */
export function provideSimulation(
  simulator: Simulator,
  params: SimulateParams,
  main: SourceFile,
  neighbours: readonly SourceFile[],
): SimulateResult {
  try {
    return simulator.simulate({
      file: main.file,
      text: main.text,
      ...(params.function !== undefined ? { function: params.function } : {}),
      ...(params.line !== undefined ? { line: params.line + 1 } : {}),
      options: { ...DEFAULT_SIMULATION_OPTIONS, ...params.options },
      neighbours: [...neighbours],
    });
  } catch (e) {
    return { ok: false, error: `The simulation failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function isSource(name: string): boolean {
  return /\.[ch]$/.test(name) && !name.startsWith('.');
}

/**
 * The other .c/.h files of the file's folder, by name; an open document's text wins over the disk.
 * Files larger than maxSize and unreadable ones are left out.
 */
export function readNeighbours(
  file: string,
  openText: (file: string) => string | undefined,
  maxSize: number,
): SourceFile[] {
  let names: string[];
  try {
    names = readdirSync(dirname(file)).filter(isSource).sort();
  } catch {
    return [];
  }
  const out: SourceFile[] = [];
  for (const name of names) {
    if (out.length >= MAX_NEIGHBOURS) break;
    const path = join(dirname(file), name);
    if (name === basename(file)) continue;
    const open = openText(path);
    if (open !== undefined) {
      if (open.length <= maxSize) out.push({ file: path, text: open });
      continue;
    }
    try {
      if (!statSync(path).isFile() || statSync(path).size > maxSize) continue;
      out.push({ file: path, text: readFileSync(path, 'utf8') });
    } catch {
      // Unreadable: the simulation does without it (an unresolved callee becomes a note).
    }
  }
  return out;
}

/** The feature: one simulator per model extension (the folder's API entries), created on first use. */
export function simulateFeature(wasmDir: string = __dirname): ServerFeature {
  const simulators = new Map<string, Promise<Simulator>>();
  const simulatorFor = (extension: ModelExtension): Promise<Simulator> => {
    const key = extensionKey(extension);
    let s = simulators.get(key);
    if (s === undefined) {
      const wasm = {
        runtime: readFileSync(join(wasmDir, RUNTIME_WASM)),
        grammar: readFileSync(join(wasmDir, GRAMMAR_WASM)),
      };
      s = createSimulator(wasm, extension);
      // A failed start is not cached: the next request tries again.
      s.catch(() => simulators.delete(key));
      simulators.set(key, s);
    }
    return s;
  };

  return {
    capabilities: { codeLensProvider: { resolveProvider: false } },
    register(connection: Connection, ctx: ServerContext): void {
      const openText = (file: string): string | undefined =>
        ctx.documents.get(pathToFileURL(file).href)?.getText();

      connection.onRequest(SIMULATE_REQUEST, async (params: SimulateParams): Promise<SimulateResult> => {
        try {
          const settings = await ctx.settingsFor(params.uri);
          const file = fileOfUri(params.uri);
          let text = ctx.documents.get(params.uri)?.getText();
          if (text === undefined && params.uri.startsWith('file:')) {
            try {
              text = readFileSync(file, 'utf8');
            } catch {
              return { ok: false, error: `Cannot read ${file}.` };
            }
          }
          if (text === undefined) return { ok: false, error: `The document ${params.uri} is not open.` };
          const simulator = await simulatorFor(settings.extension);
          const neighbours = params.uri.startsWith('file:')
            ? readNeighbours(file, openText, settings.maxFileSize)
            : [];
          return provideSimulation(simulator, params, { file, text }, neighbours);
        } catch (e) {
          ctx.log.error(`simulate: ${e instanceof Error ? e.message : String(e)}`);
          return { ok: false, error: `The simulation failed: ${e instanceof Error ? e.message : String(e)}` };
        }
      });

      connection.onCodeLens(async (params: CodeLensParams): Promise<CodeLens[]> => {
        try {
          const doc = ctx.documents.get(params.textDocument.uri);
          if (doc === undefined) return [];
          const settings = await ctx.settingsFor(doc.uri);
          const text = doc.getText();
          if (!settings.enable || text.length > settings.maxFileSize) return [];
          const simulator = await simulatorFor(settings.extension);
          return provideCodeLenses(doc.uri, simulator.functions(text));
        } catch (e) {
          ctx.log.error(`codeLens: ${e instanceof Error ? e.message : String(e)}`);
          return [];
        }
      });
    },
  };
}
