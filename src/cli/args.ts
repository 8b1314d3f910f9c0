// Command-line parsing: argv (without node and the script) → a Command, or a UsageError with one line.
import { availableParallelism } from 'node:os';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** Workers are capped here: past a handful, start-up and memory cost more than they bring. */
export const MAX_JOBS = 8;

export interface CheckCommand {
  kind: 'check';
  format: OutputFormat;
  /** Rule ids from --rule, in the order given, without duplicates (empty: every rule). */
  rules: string[];
  /** --config FILE (default: .kobject-lifetime.json in the current folder, when present). */
  config?: string;
  jobs: number;
  /** False only with --no-normalize: parse without the kernel-macro normaliser. */
  normalize: boolean;
  paths: string[];
}

export interface SimulateCommand {
  kind: 'simulate';
  file: string;
  function?: string;
  /** 1-based. */
  line?: number;
  format: 'text' | 'json';
  options: { debugKobjectRelease: boolean; sysfsReader: boolean; moduleUnload: boolean };
}

export type Command = CheckCommand | SimulateCommand | { kind: 'help' } | { kind: 'version' };

/** A mistake in the command line: main prints `kobject-lifetime: <message>` and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: kobject-lifetime check [options] PATH...
       kobject-lifetime simulate FILE (--function NAME | --line N) [options]

Finds object-lifetime bugs (kobject, struct device, kref) in Linux kernel C code.
Folders are searched recursively for .c and .h files (names starting with a dot are skipped).

Options:
  --format text|json|sarif  output format (default: text)
  --rule ID                 run only this rule (repeatable)
  --jobs N                  analyse with N worker threads (default: CPUs, at most ${MAX_JOBS})
  --config FILE             configuration (default: .kobject-lifetime.json here, if present)
  -h, --help                show this help
  -V, --version             show the version

Simulate options (a step-by-step replay of one function, or of a module's life for
module_init/module_exit; the other .c/.h files of FILE's folder are read too):
  --function NAME           the function to simulate
  --line N                  the function containing line N (1-based)
  --debug-kobject-release   the release runs 1-4 s after the last put (default: at the put)
  --no-sysfs-reader         no concurrent reader of the object's sysfs files
  --no-unload               the module is not unloaded after module_exit
  --format text|json        output format (default: text)

Exit status: 0 no finding (simulate: every path ok), 1 findings (a path with a violation),
2 usage or I/O error.
`;

export function parseSimulateArgs(argv: readonly string[]): SimulateCommand {
  let format: 'text' | 'json' = 'text';
  const options = { debugKobjectRelease: false, sysfsReader: true, moduleUnload: true };
  let fn: string | undefined;
  let line: number | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--debug-kobject-release') options.debugKobjectRelease = true;
    else if (arg === '--no-sysfs-reader') options.sysfsReader = false;
    else if (arg === '--no-unload') options.moduleUnload = false;
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (name !== '--function' && name !== '--line' && name !== '--format')
        throw new UsageError(`unknown option: ${name}`);
      let value: string;
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('-')) throw new UsageError(`${name} needs a value`);
        value = next;
        i++;
      }
      if (name === '--function') {
        if (!/^[A-Za-z_]\w*$/.test(value))
          throw new UsageError(`--function needs a C function name, not '${value}'`);
        fn = value;
      } else if (name === '--line') {
        if (!/^[0-9]+$/.test(value) || Number(value) < 1)
          throw new UsageError(`--line needs a positive whole number, not '${value}'`);
        line = Number(value);
      } else {
        if (value !== 'text' && value !== 'json')
          throw new UsageError(`unknown format: ${value} (simulate prints text or json)`);
        format = value;
      }
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option: ${arg}`);
    else files.push(arg);
  }
  if (files.length === 0) throw new UsageError('simulate needs a FILE');
  if (files.length > 1) throw new UsageError('simulate takes one FILE');
  if (files[0] === '') throw new UsageError('empty FILE');
  if (fn === undefined && line === undefined)
    throw new UsageError('simulate needs --function NAME or --line N');
  if (fn !== undefined && line !== undefined) throw new UsageError('give --function or --line, not both');
  return {
    kind: 'simulate',
    file: files[0]!,
    format,
    options,
    ...(fn !== undefined ? { function: fn } : {}),
    ...(line !== undefined ? { line } : {}),
  };
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_JOBS));
}

function isFormat(value: string): value is OutputFormat {
  return (FORMATS as readonly string[]).includes(value);
}

function parseJobs(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--jobs needs a positive whole number, not '${value}'`);
  }
  return Math.min(Number(value), MAX_JOBS);
}

export function parseArgs(argv: readonly string[], jobsDefault: number = defaultJobs()): Command {
  // `simulate` has its own options; `--help`/`--version` anywhere still win.
  if (
    argv[0] === 'simulate' &&
    !argv.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version')
  )
    return parseSimulateArgs(argv.slice(1));
  let format: OutputFormat = 'text';
  const rules: string[] = [];
  let jobs = jobsDefault;
  let normalize = true;
  let config: string | undefined;
  const positionals: string[] = [];
  let help = false;
  let version = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '-V' || arg === '--version') {
      version = true;
      continue;
    }
    if (arg === '--no-normalize') {
      // Hidden on purpose (not in HELP): only for measuring how much parse coverage the normaliser
      // buys (scripts/field.mjs --coverage-baseline); findings without it are not meant for users.
      normalize = false;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (name !== '--format' && name !== '--rule' && name !== '--jobs' && name !== '--config') {
        throw new UsageError(`unknown option: ${name}`);
      }
      let value: string;
      if (eq !== -1) {
        value = arg.slice(eq + 1);
      } else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('-')) throw new UsageError(`${name} needs a value`);
        value = next;
        i++;
      }
      if (name === '--format') {
        if (!isFormat(value)) {
          throw new UsageError(`unknown format: ${value} (expected ${FORMATS.join(', ')})`);
        }
        format = value;
      } else if (name === '--config') {
        if (value === '') throw new UsageError('--config needs a value');
        config = value;
      } else if (name === '--rule') {
        if (value === '') throw new UsageError('--rule needs a value');
        if (!rules.includes(value)) rules.push(value);
      } else {
        jobs = parseJobs(value);
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option: ${arg}`);
    }
    positionals.push(arg);
  }

  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('missing command (try --help)');
  if (command !== 'check') throw new UsageError(`unknown command: ${command} (try --help)`);
  if (paths.length === 0) throw new UsageError('check needs at least one PATH');
  if (paths.includes('')) throw new UsageError('empty PATH');
  return {
    kind: 'check',
    format,
    rules,
    jobs,
    normalize,
    paths,
    ...(config !== undefined ? { config } : {}),
  };
}
