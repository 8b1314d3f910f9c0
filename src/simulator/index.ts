// The lifecycle simulator's public face: one object that parses C text and replays a function (or a
// module's life) step by step with the analyzer's lifetime model. Pure TypeScript: no Node, no editor
// APIs; the host passes the .wasm bytes, the file's text and its neighbours' texts in.
import type { ModelExtension } from '../analysis/model/model';
import { buildModel } from '../analysis/model/model';
import { createCParser, type WasmBytes } from '../analysis/parser';
import type { SimulatableFunction, SimulateResult, SimulationOptions } from '../protocol/simulation';
import { lineOf, ParseCache, Project, type ParsedFile } from './project';
import { simulateFunction } from './simulate';

export { formatSimulationText } from './text';

export interface SimulateRequest {
  /** The file's name as it should appear in the simulation (a path relative to the user's folder). */
  file: string;
  text: string;
  /** The function to simulate, or… */
  function?: string;
  /** …the 1-based line inside it. */
  line?: number;
  options: SimulationOptions;
  /** Other files whose callees, structs, ktypes and releases may be involved (same folder, workspace). */
  neighbours?: { file: string; text: string }[];
}

export interface Simulator {
  simulate(req: SimulateRequest): SimulateResult;
  /**
   * Functions worth simulating (they call a lifetime API, or are module_init/module_exit); with
   * `all`, every function of the file.
   */
  functions(text: string, options?: { all?: boolean }): SimulatableFunction[];
}

export async function createSimulator(wasm: WasmBytes, extension?: ModelExtension): Promise<Simulator> {
  const parser = await createCParser(wasm);
  const model = buildModel(extension);
  const cache = new ParseCache(parser);
  const scratch = '\u0000functions';
  let last: { main: ParsedFile; neighbours: ParsedFile[]; project: Project } | undefined;
  return {
    functions(text: string, options: { all?: boolean } = {}): SimulatableFunction[] {
      try {
        const parsed = cache.get(scratch, text);
        if (!parsed) return [];
        const { facts } = parsed;
        const out: SimulatableFunction[] = [];
        for (const fn of facts.functions.values()) {
          const entry = fn.name === facts.moduleInit || fn.name === facts.moduleExit;
          if (!entry && !options.all && !model.triggers.test(fn.body.text)) continue;
          out.push({ name: fn.name, startLine: lineOf(fn.node), endLine: fn.node.endPoint.row + 1 });
        }
        return out.sort((a, b) => a.startLine - b.startLine);
      } catch {
        return [];
      }
    },
    simulate(req: SimulateRequest): SimulateResult {
      try {
        if (typeof req.text !== 'string') return { ok: false, error: 'no text given' };
        const main = cache.get(req.file, req.text);
        if (!main) return { ok: false, error: `${req.file}: the parser gave up on this file` };
        let fn = req.function !== undefined ? main.facts.functions.get(req.function) : undefined;
        if (req.function !== undefined && !fn)
          return { ok: false, error: `${req.file}: no function named '${req.function}'` };
        if (!fn && req.line !== undefined) {
          for (const f of main.facts.functions.values()) {
            if (lineOf(f.node) <= req.line && req.line <= f.node.endPoint.row + 1) fn = f;
          }
          if (!fn) return { ok: false, error: `${req.file}: line ${req.line} is not inside a function` };
        }
        if (!fn) return { ok: false, error: 'say which function to simulate (a name or a line)' };
        const neighbours = [...(req.neighbours ?? [])]
          .filter((n) => n.file !== req.file)
          .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
          .flatMap((n) => {
            const p = cache.get(n.file, n.text);
            return p ? [p] : [];
          });
        // The same files as last time (the editor re-asking, a benchmark): keep the summaries.
        const same =
          last &&
          last.main === main &&
          last.neighbours.length === neighbours.length &&
          last.neighbours.every((n, i) => n === neighbours[i]);
        const project = same && last ? last.project : new Project(main, neighbours, model);
        last = { main, neighbours, project };
        const simulation = simulateFunction(project, { file: main, fn }, req.options);
        const skipped = (req.neighbours ?? []).length - neighbours.length;
        if (skipped > 0)
          simulation.notes.push(`${skipped} neighbour file${skipped === 1 ? '' : 's'} could not be parsed`);
        return { ok: true, simulation };
      } catch (e) {
        return { ok: false, error: `simulation failed: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  };
}
