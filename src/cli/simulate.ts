// `kobject-lifetime simulate FILE (--function NAME | --line N)`: the lifecycle simulator on the command
// line. The neighbours are the other .c/.h files of FILE's folder (callees, structs, ktypes and
// releases defined there are resolved); the simulator itself reads no files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createSimulator, formatSimulationText } from '../simulator';
import { comparePaths, describeIoError, IoError } from './files';
import { GRAMMAR_WASM, RUNTIME_WASM } from './load-analyzer';
import type { SimulateCommand } from './args';

/** Neighbour files are read up to this many (a huge folder costs parse time, not correctness). */
const MAX_NEIGHBOURS = 200;
/** Files larger than this are not read as neighbours. */
const MAX_NEIGHBOUR_BYTES = 2 * 1024 * 1024;

function readText(path: string): string {
  let buf: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new IoError(`is a directory: ${path}`);
    buf = readFileSync(path);
  } catch (error) {
    if (error instanceof IoError) throw error;
    throw new IoError(describeIoError(error, path));
  }
  if (buf.subarray(0, 8192).includes(0)) throw new IoError(`not a text file: ${path}`);
  return buf.toString('utf8');
}

function readWasm(dir: string, name: string): Uint8Array {
  try {
    return readFileSync(join(dir, name));
  } catch {
    throw new IoError(
      `cannot load the simulator: ${name} is missing beside the CLI bundle (run npm run build)`,
    );
  }
}

/** The other .c/.h files of the file's folder, by name. */
export function neighbourFiles(file: string): { file: string; text: string }[] {
  const dir = dirname(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { file: string; text: string }[] = [];
  for (const name of names.sort(comparePaths)) {
    if (!/\.[ch]$/.test(name) || name.startsWith('.') || name === basename(file)) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size > MAX_NEIGHBOUR_BYTES) continue;
      const buf = readFileSync(path);
      if (buf.subarray(0, 8192).includes(0)) continue;
      out.push({ file: path, text: buf.toString('utf8') });
    } catch {
      continue; // an unreadable neighbour only means fewer resolved callees (said in the notes)
    }
    if (out.length >= MAX_NEIGHBOURS) break;
  }
  return out;
}

export async function simulate(command: SimulateCommand, dir: string = __dirname): Promise<number> {
  const text = readText(command.file);
  const simulator = await createSimulator({
    runtime: readWasm(dir, RUNTIME_WASM),
    grammar: readWasm(dir, GRAMMAR_WASM),
  });
  const result = simulator.simulate({
    file: command.file,
    text,
    ...(command.function !== undefined ? { function: command.function } : {}),
    ...(command.line !== undefined ? { line: command.line } : {}),
    options: command.options,
    neighbours: neighbourFiles(command.file),
  });
  if (!result.ok) throw new IoError(result.error);
  const sim = result.simulation;
  process.stdout.write(
    command.format === 'json' ? `${JSON.stringify(sim, null, 2)}\n` : formatSimulationText(sim),
  );
  return sim.paths.some((p) => p.verdict === 'bug') ? 1 : 0;
}
