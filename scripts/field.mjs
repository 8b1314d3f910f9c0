// Field run: checks a whole kernel tree with the built CLI (JSON) and prints speed, parse coverage,
// findings per rule and confidence, and the partial/failed notes; --out writes the findings sorted.
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const USAGE = 'usage: npm run field -- <kernel-tree> [--jobs N] [--out FILE] [--coverage-baseline]';
const CONFIDENCES = ['high', 'medium', 'low'];
/** Notes listed one by one in the report (all of them are counted). */
const NOTES_LISTED = 20;

/** A usage mistake exits 2, a failed check run 1, success 0; errors are one line on stderr. */
class UsageError extends Error {}

function parseArgs(argv) {
  const options = { tree: undefined, jobs: undefined, out: undefined, baseline: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--coverage-baseline') options.baseline = true;
    else if (arg === '--out') options.out = value();
    else if (arg === '--jobs') {
      options.jobs = value();
      if (!/^[1-9][0-9]*$/.test(options.jobs)) throw new UsageError(`--jobs needs a positive whole number`);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option: ${arg}`);
    else if (options.tree === undefined) options.tree = arg;
    else throw new UsageError(`one tree only (got ${options.tree} and ${arg})`);
  }
  if (options.help) return options;
  if (options.tree === undefined) throw new UsageError(`missing kernel tree (${USAGE})`);
  if (!existsSync(options.tree) || !statSync(options.tree).isDirectory()) {
    throw new UsageError(`not a directory: ${options.tree}`);
  }
  if (options.out !== undefined && !existsSync(dirname(resolve(options.out)))) {
    throw new UsageError(`no such directory for --out: ${dirname(options.out)}`);
  }
  if (!existsSync(CLI)) throw new UsageError('dist/cli.js is missing: run npm run build first');
  return options;
}

/** One `check --format json` run of the CLI: its parsed report, its stderr notes, its wall time. */
function runCheck(tree, jobs, extra) {
  const args = [CLI, 'check', '--format', 'json', ...(jobs ? ['--jobs', jobs] : []), ...extra, '--', tree];
  const started = process.hrtime.bigint();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error) => reject(new Error(`cannot start the CLI: ${error.message}`)));
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stderr = Buffer.concat(err).toString('utf8');
      // The CLI exits 1 when it has findings: that is a successful run.
      if (code !== 0 && code !== 1) {
        const last = stderr.trim().split('\n').pop() || `killed by ${signal}`;
        reject(new Error(`the check run failed (exit ${code ?? signal}): ${last}`));
        return;
      }
      let report;
      try {
        report = JSON.parse(Buffer.concat(out).toString('utf8'));
      } catch (error) {
        reject(new Error(`the CLI's JSON output does not parse: ${error.message}`));
        return;
      }
      if (report.stats === undefined) {
        reject(new UsageError('dist/cli.js is out of date (no stats in its JSON): run npm run build first'));
        return;
      }
      resolveRun({ report, notes: parseNotes(stderr), seconds });
    });
  });
}

/** `file: note: text` lines from the CLI's stderr. */
function parseNotes(stderr) {
  const notes = [];
  for (const line of stderr.split('\n')) {
    const at = line.indexOf(': note: ');
    if (at !== -1) notes.push({ file: line.slice(0, at), text: line.slice(at + ': note: '.length) });
  }
  return notes;
}

const pad = (value, width) => String(value).padStart(width);

function coverage(stats) {
  const { lifetimeFunctions: all, lifetimeFunctionsWhole: whole } = stats;
  const pct = all === 0 ? 'n/a' : `${((100 * whole) / all).toFixed(1)} %`;
  return { pct, text: `${pct} (${whole} of ${all} lifetime functions parsed without an error)` };
}

function printReport(tree, jobs, { report, notes, seconds }) {
  const { stats } = report;
  const lines = [
    `Field run: ${tree} (jobs ${jobs ?? 'default'})`,
    `  files checked    ${report.files}`,
    `  files parsed     ${stats.filesParsed}`,
    `  wall time        ${seconds.toFixed(1)} s`,
    `  files/s          ${(report.files / seconds).toFixed(1)}`,
    `  functions        ${stats.functions} (in parsed files)`,
    `  parse coverage   ${coverage(stats).text}`,
    '',
    `Findings: ${report.findings.length}`,
    `  ${'rule'.padEnd(24)}${CONFIDENCES.map((c) => pad(c, 8)).join('')}${pad('total', 8)}`,
  ];
  const byRule = new Map();
  for (const f of report.findings) {
    const counts = byRule.get(f.rule) ?? Object.fromEntries(CONFIDENCES.map((c) => [c, 0]));
    counts[f.confidence] = (counts[f.confidence] ?? 0) + 1;
    byRule.set(f.rule, counts);
  }
  const row = (name, counts) => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return `  ${name.padEnd(24)}${CONFIDENCES.map((c) => pad(counts[c] ?? 0, 8)).join('')}${pad(total, 8)}`;
  };
  const all = Object.fromEntries(CONFIDENCES.map((c) => [c, 0]));
  for (const rule of [...byRule.keys()].sort()) {
    const counts = byRule.get(rule);
    lines.push(row(rule, counts));
    for (const [c, n] of Object.entries(counts)) all[c] = (all[c] ?? 0) + n;
  }
  lines.push(row('all', all));

  // Partial and failed analyses, grouped by reason (a leading function name is left out of the key).
  const serious = notes.filter((n) => /^analysis (incomplete|failed):/.test(n.text));
  const failed = serious.filter((n) => n.text.startsWith('analysis failed:')).length;
  lines.push(
    '',
    `Notes on stderr: ${notes.length} (partial ${serious.length - failed}, analysis failed ${failed}, ` +
      `other ${notes.length - serious.length})`,
  );
  const groups = new Map();
  for (const n of notes) {
    const key = n.text.replace(/^(analysis \w+: )[A-Za-z_]\w*: /, '$1<function>: ');
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  for (const [key, n] of [...groups].sort((a, b) => b[1] - a[1])) lines.push(`  ${pad(n, 6)}  ${key}`);
  for (const n of serious.slice(0, NOTES_LISTED)) lines.push(`    ${relative(tree, n.file)}: ${n.text}`);
  if (serious.length > NOTES_LISTED) lines.push(`    … and ${serious.length - NOTES_LISTED} more`);
  process.stdout.write(lines.join('\n') + '\n');
}

function writeFindings(tree, findings, out) {
  const rows = findings.map((f) => ({ ...f, path: relative(tree, f.file) }));
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  rows.sort(
    (a, b) =>
      cmp(a.path, b.path) ||
      a.line - b.line ||
      a.column - b.column ||
      cmp(a.rule, b.rule) ||
      cmp(a.message, b.message),
  );
  const text = rows.map(
    (f) =>
      `${f.path}:${f.line}: ${f.rule} [${f.confidence}] ${f.function ?? '-'}: ${f.message.replace(/\s*\n\s*/g, ' ')}\n`,
  );
  writeFileSync(out, text.join(''));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const { tree, jobs } = options;
  const run = await runCheck(tree, jobs, []);
  printReport(tree, jobs, run);
  if (options.out !== undefined) {
    writeFindings(tree, run.report.findings, options.out);
    process.stdout.write(`\nFindings written to ${options.out}\n`);
  }
  if (options.baseline) {
    const raw = await runCheck(tree, jobs, ['--no-normalize']);
    const before = coverage(raw.report.stats);
    const after = coverage(run.report.stats);
    const points = (stats) => (100 * stats.lifetimeFunctionsWhole) / Math.max(1, stats.lifetimeFunctions);
    const gain = points(run.report.stats) - points(raw.report.stats);
    process.stdout.write(
      [
        '',
        `Parse coverage before vs after normalisation (second run with --no-normalize, ${raw.seconds.toFixed(1)} s):`,
        `  before  ${before.text}`,
        `  after   ${after.text}`,
        `  gain    ${gain >= 0 ? '+' : ''}${gain.toFixed(1)} percentage points`,
        '',
      ].join('\n'),
    );
  }
}

main().catch((error) => {
  // One line, never a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`field: ${message.split('\n', 1)[0]}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
