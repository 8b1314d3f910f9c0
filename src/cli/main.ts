// Entry point of dist/cli.js. The same bundle runs as the command line and, started by the pool with
// WorkerInit as workerData, as a worker thread.
import { isMainThread, workerData } from 'node:worker_threads';
import { version } from '../../package.json';
import { HELP, parseArgs, UsageError, type CheckCommand } from './args';
import { existsSync, readFileSync } from 'node:fs';
import { parseConfig, type Config } from '../analysis';
import { collectFiles, describeIoError, IoError } from './files';
import { countFindings, formatJson, formatSarif, formatText, summaryLine } from './format';
import { loadAnalyzer } from './load-analyzer';
import { runPool } from './pool';
import { checkFiles, summarize, type FileOutcome } from './runner';
import { isWorkerInit, runWorker } from './worker';
import { simulate } from './simulate';

const NAME = 'kobject-lifetime';
const CONFIG_FILE = '.kobject-lifetime.json';

/** Below this many files, worker start-up (each loads its own parser) costs more than it saves. */
const WORKER_MIN_FILES = 50;

/** The configuration file: --config, else `.kobject-lifetime.json` in the current folder if present. */
function loadConfig(command: CheckCommand, ruleIds: readonly string[]): Config | undefined {
  const path = command.config ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new IoError(describeIoError(error, path));
  }
  const { config, errors } = parseConfig(text, ruleIds);
  // Invalid parts are named and ignored; the rest of the configuration still applies.
  for (const e of errors) process.stderr.write(`${NAME}: ${path}: ${e} (ignored)\n`);
  return config;
}

async function check(command: CheckCommand): Promise<number> {
  let analyzer = await loadAnalyzer();
  const config = loadConfig(
    command,
    analyzer.rules.map((r) => r.id),
  );
  const extension = config && Object.keys(config.extension).length > 0 ? config.extension : undefined;
  if (extension) analyzer = await loadAnalyzer(__dirname, extension);
  const severities = config && Object.keys(config.rules).length > 0 ? config.rules : undefined;
  const known = new Set(analyzer.rules.map((r) => r.id));
  const unknown = command.rules.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const valid = known.size > 0 ? `valid rules: ${[...known].sort().join(', ')}` : 'no rules are available';
    throw new UsageError(`unknown rule${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (${valid})`);
  }

  const { files, notes: walkNotes } = collectFiles(command.paths);
  const options = {
    rules: command.rules,
    normalize: command.normalize,
    ...(severities ? { severities } : {}),
  };
  const inThisThread = (list: readonly string[]): FileOutcome[] => checkFiles(analyzer, list, options);
  const useWorkers = command.jobs > 1 && files.length > WORKER_MIN_FILES;
  if (process.env['KOBJECT_LIFETIME_DEBUG']) {
    const threads = useWorkers ? Math.min(command.jobs, files.length) : 0;
    process.stderr.write(`${NAME}: debug: ${files.length} files, ${threads} worker threads\n`);
  }
  const outcomes = useWorkers
    ? await runPool(files, {
        script: __filename,
        jobs: command.jobs,
        rules: command.rules,
        normalize: command.normalize,
        ...(extension ? { extension } : {}),
        ...(severities ? { severities } : {}),
        fallback: inThisThread,
      })
    : inThisThread(files);

  const { report, notes, ioError } = summarize(outcomes);
  if (ioError !== undefined) throw new IoError(ioError);

  // Notes first, then the findings, then (text only) the summary as the last line.
  let notesText = '';
  for (const note of [...walkNotes, ...notes]) notesText += `${note.file}: note: ${note.text}\n`;
  if (notesText !== '') process.stderr.write(notesText);
  if (command.format === 'json') {
    process.stdout.write(formatJson(report));
  } else if (command.format === 'sarif') {
    process.stdout.write(formatSarif(report, { version, rules: analyzer.rules }, process.cwd()));
  } else {
    process.stdout.write(formatText(report));
    process.stderr.write(summaryLine(report) + '\n');
  }
  return countFindings(report) > 0 ? 1 : 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseArgs(argv);
    if (command.kind === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (command.kind === 'version') {
      process.stdout.write(`${version}\n`);
      return 0;
    }
    if (command.kind === 'simulate') return await simulate(command);
    return await check(command);
  } catch (error) {
    if (error instanceof UsageError || error instanceof IoError) {
      process.stderr.write(`${NAME}: ${error.message}\n`);
    } else {
      // Never a stack trace for the user; KOBJECT_LIFETIME_DEBUG=1 shows it.
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${NAME}: internal error: ${message.split('\n', 1)[0]}\n`);
      if (process.env['KOBJECT_LIFETIME_DEBUG']) console.error(error);
    }
    return 2;
  }
}

if (!isMainThread && isWorkerInit(workerData)) {
  void runWorker();
} else {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`${NAME}: cannot write the output: ${error.message}\n`);
    process.exit(2);
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
