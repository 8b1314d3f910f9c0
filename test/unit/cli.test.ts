// The command line: argument parsing, file walking, the output formats (pure functions fed hand-made
// findings), the per-file guard of the runner, and end-to-end runs of the built dist/cli.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisResult, Finding, RuleInfo } from '../../src/analysis';
import { MAX_JOBS, parseArgs, UsageError } from '../../src/cli/args';
import { collectFiles, IoError, looksBinary } from '../../src/cli/files';
import {
  formatJson,
  formatText,
  sarifUri,
  summaryLine,
  toJsonReport,
  toSarif,
  type Report,
} from '../../src/cli/format';
import { checkFile, checkFiles, DEFAULT_CHECK, summarize, type FileAnalyzer } from '../../src/cli/runner';
import { ROOT } from './helpers';

const CLI = join(ROOT, 'dist', 'cli.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string = ROOT, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, KOBJECT_LIFETIME_DEBUG: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          helpUri: string;
          defaultConfiguration: { level: string };
        }[];
      };
    };
    results: unknown[];
  }[];
}

/** A driver with a use after put_device(): the engine may or may not report it yet. */
function buggyDriver(name: string): string {
  return `#include <linux/device.h>

static void ${name}_release(struct device *dev)
{
\tkfree(container_of(dev, struct ${name}, dev));
}

static int ${name}_probe(struct ${name} *d)
{
\tint ret;

\tdevice_initialize(&d->dev);
\td->dev.release = ${name}_release;
\tret = device_add(&d->dev);
\tif (ret)
\t\treturn ret;
\tput_device(&d->dev);
\td->count = 0;
\treturn 0;
}
`;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kobject-lifetime-cli-'));
}

function withTemp(body: (dir: string) => void): void {
  const dir = tempDir();
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A finding as the engine would report it: 0-based line and UTF-16 column. */
function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'missing-put-on-error',
    severity: 'warning',
    confidence: 'high',
    messageId: 'leak',
    message: "reference from 'kobject_init_and_add' leaks on this error path",
    range: { start: { line: 4, character: 2 }, end: { line: 4, character: 14 } },
    function: 'foo_probe',
    related: [
      {
        range: { start: { line: 1, character: 8 }, end: { line: 1, character: 28 } },
        message: 'reference taken here',
      },
    ],
    fixes: [
      {
        title: 'Add kobject_put() before return',
        safe: true,
        edits: [
          {
            range: { start: { line: 4, character: 2 }, end: { line: 4, character: 2 } },
            newText: 'kobject_put(&d->kobj);\n\t',
          },
        ],
      },
    ],
    trace: ['kobject_init_and_add() succeeds', 'returns -ENOMEM'],
    ...over,
  };
}

const RULES: RuleInfo[] = [
  {
    id: 'missing-put-on-error',
    description: 'A reference is not dropped on an error path.',
    severity: 'warning',
  },
  {
    id: 'use-after-put',
    description: 'An object is used after its last reference is dropped.',
    severity: 'error',
  },
  { id: 'style-hint', description: 'A hint.', severity: 'hint' },
];

function sampleReport(): Report {
  return {
    filesChecked: 3,
    stats: { filesParsed: 2, functions: 9, lifetimeFunctions: 4, lifetimeFunctionsWhole: 3 },
    results: [
      { file: 'drivers/a.c', findings: [finding()] },
      {
        file: 'drivers/b c.c',
        findings: [
          finding({
            rule: 'use-after-put',
            severity: 'error',
            message: 'use after\nput',
            range: { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } },
            function: undefined,
            related: [],
            fixes: [],
          }),
          finding({ rule: 'style-hint', severity: 'hint', range: finding().range }),
        ],
      },
    ],
  };
}

// -------------------------------------------------------------------------------------------- args

test('parseArgs: check with options, in any order, with = or a separate value', () => {
  assert.deepEqual(
    parseArgs(
      ['check', '--format=json', 'a.c', '--rule', 'x', '--rule=y', '--rule', 'x', '--jobs', '3', 'dir'],
      4,
    ),
    { kind: 'check', format: 'json', rules: ['x', 'y'], jobs: 3, normalize: true, paths: ['a.c', 'dir'] },
  );
  assert.deepEqual(parseArgs(['check', '--', '--odd.c'], 2), {
    kind: 'check',
    format: 'text',
    rules: [],
    jobs: 2,
    normalize: true,
    paths: ['--odd.c'],
  });
  // --no-normalize is hidden from --help: it only exists to measure what the normaliser buys.
  const raw = parseArgs(['check', '--no-normalize', 'a.c'], 1);
  assert.equal(raw.kind === 'check' && raw.normalize, false);
  const capped = parseArgs(['check', 'a.c', '--jobs', '99']);
  assert.equal(capped.kind === 'check' && capped.jobs, MAX_JOBS);
  assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
  assert.deepEqual(parseArgs(['check', '-h']), { kind: 'help' });
  assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
});

test('parseArgs: mistakes are UsageErrors with a one-line message', () => {
  for (const argv of [
    [],
    ['lint', 'a.c'],
    ['check'],
    ['check', '--format', 'xml', 'a.c'],
    ['check', '--format'],
    ['check', '--jobs', '0', 'a.c'],
    ['check', '--jobs', 'two', 'a.c'],
    ['check', '--bogus', 'a.c'],
    ['check', '-x', 'a.c'],
    ['check', '--rule', '--jobs', '2', 'a.c'],
  ]) {
    assert.throws(
      () => parseArgs(argv, 1),
      (e: unknown) => e instanceof UsageError && !e.message.includes('\n'),
      argv.join(' '),
    );
  }
});

// ------------------------------------------------------------------------------------------- files

test('collectFiles: recursive, sorted, .c/.h only, hidden entries and link loops skipped, paths as given', () => {
  withTemp((dir) => {
    mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'src', '.git'));
    writeFileSync(join(dir, 'src', 'b.c'), 'int b;\n');
    writeFileSync(join(dir, 'src', 'a.h'), 'int a;\n');
    writeFileSync(join(dir, 'src', 'notes.txt'), 'text\n');
    writeFileSync(join(dir, 'src', 'sub', 'c.c'), 'int c;\n');
    writeFileSync(join(dir, 'src', '.git', 'd.c'), 'int d;\n');
    writeFileSync(join(dir, 'src', '.e.c'), 'int e;\n');
    writeFileSync(join(dir, 'top.txt'), 'named explicitly\n');
    symlinkSync('..', join(dir, 'src', 'sub', 'up'));
    symlinkSync('missing.c', join(dir, 'src', 'broken.c'));
    const list = collectFiles([join(dir, 'src'), join(dir, 'top.txt'), join(dir, 'src', 'b.c')]);
    assert.deepEqual(list.files, [
      join(dir, 'src', 'a.h'),
      join(dir, 'src', 'b.c'),
      join(dir, 'src', 'sub', 'c.c'),
      join(dir, 'top.txt'),
    ]);
    assert.deepEqual(list.notes, [
      { file: join(dir, 'src', 'broken.c'), text: 'skipped: broken symbolic link' },
    ]);
    assert.throws(() => collectFiles([join(dir, 'nope.c')]), IoError);
  });
});

test('looksBinary: a NUL in the first 8 KiB', () => {
  assert.equal(looksBinary(Buffer.from('int x;\n')), false);
  assert.equal(looksBinary(Buffer.from('int\0x;\n')), true);
  const late = Buffer.alloc(9000, 0x20);
  late[8500] = 0;
  assert.equal(looksBinary(late), false);
});

// ----------------------------------------------------------------------------------------- formats

test('text: file:line:col: severity: message [rule], 1-based, one line per finding', () => {
  const report = sampleReport();
  assert.equal(
    formatText(report),
    "drivers/a.c:5:3: warning: reference from 'kobject_init_and_add' leaks on this error path [missing-put-on-error]\n" +
      'drivers/b c.c:1:1: error: use after put [use-after-put]\n' +
      "drivers/b c.c:5:3: hint: reference from 'kobject_init_and_add' leaks on this error path [style-hint]\n",
  );
  assert.equal(summaryLine(report), '3 findings in 2 files (3 files checked)');
  assert.equal(summaryLine({ filesChecked: 1, results: [] }), '0 findings in 0 files (1 file checked)');
  assert.equal(
    summaryLine({ filesChecked: 1, results: [{ file: 'x.c', findings: [finding()] }] }),
    '1 finding in 1 file (1 file checked)',
  );
});

test('json: version, files checked, findings with 1-based positions, related and fixes', () => {
  const json = toJsonReport(sampleReport());
  assert.equal(json.version, 1);
  assert.equal(json.files, 3);
  assert.equal(json.findings.length, 3);
  assert.deepEqual(json.findings[0], {
    file: 'drivers/a.c',
    line: 5,
    column: 3,
    endLine: 5,
    endColumn: 15,
    rule: 'missing-put-on-error',
    severity: 'warning',
    confidence: 'high',
    message: "reference from 'kobject_init_and_add' leaks on this error path",
    function: 'foo_probe',
    related: [{ line: 2, column: 9, message: 'reference taken here' }],
    fixes: [
      {
        title: 'Add kobject_put() before return',
        safe: true,
        edits: [{ line: 5, column: 3, endLine: 5, endColumn: 3, newText: 'kobject_put(&d->kobj);\n\t' }],
      },
    ],
  });
  assert.equal(json.findings[1]!.function, null);
  assert.deepEqual(json.stats, {
    filesParsed: 2,
    functions: 9,
    lifetimeFunctions: 4,
    lifetimeFunctionsWhole: 3,
  });
  assert.equal(json.findings[1]!.message, 'use after\nput');
  // The text is the same object, stringified.
  assert.deepEqual(JSON.parse(formatJson(sampleReport())), json);
});

test('sarif: 2.1.0 log with rules, results, regions, related locations and fixes', () => {
  const cwd = join(tmpdir(), 'repo');
  const log = toSarif(sampleReport(), { version: '9.9.9', rules: RULES }, cwd) as {
    $schema: string;
    version: string;
    runs: {
      tool: { driver: Record<string, unknown> & { rules: Record<string, unknown>[] } };
      results: Record<string, unknown>[];
    }[];
  };
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run0 = log.runs[0]!;
  assert.equal(run0.tool.driver['name'], 'kobject-lifetime');
  assert.equal(run0.tool.driver['version'], '9.9.9');
  assert.equal('informationUri' in run0.tool.driver, false);
  assert.deepEqual(run0.tool.driver.rules[1], {
    id: 'use-after-put',
    shortDescription: { text: 'An object is used after its last reference is dropped.' },
    helpUri: 'docs/rules/use-after-put.md',
    defaultConfiguration: { level: 'error' },
  });
  assert.deepEqual(
    run0.tool.driver.rules.map((r) => (r['defaultConfiguration'] as { level: string }).level),
    ['warning', 'error', 'note'],
  );
  assert.equal(run0.results.length, 3);
  assert.deepEqual(run0.results[0], {
    ruleId: 'missing-put-on-error',
    ruleIndex: 0,
    level: 'warning',
    message: { text: "reference from 'kobject_init_and_add' leaks on this error path" },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: 'drivers/a.c' },
          region: { startLine: 5, startColumn: 3, endLine: 5, endColumn: 15 },
        },
        logicalLocations: [{ name: 'foo_probe', kind: 'function' }],
      },
    ],
    relatedLocations: [
      {
        id: 0,
        message: { text: 'reference taken here' },
        physicalLocation: {
          artifactLocation: { uri: 'drivers/a.c' },
          region: { startLine: 2, startColumn: 9, endLine: 2, endColumn: 29 },
        },
      },
    ],
    fixes: [
      {
        description: { text: 'Add kobject_put() before return' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'drivers/a.c' },
            replacements: [
              {
                deletedRegion: { startLine: 5, startColumn: 3, endLine: 5, endColumn: 3 },
                insertedContent: { text: 'kobject_put(&d->kobj);\n\t' },
              },
            ],
          },
        ],
        properties: { safe: true },
      },
    ],
    properties: { confidence: 'high', messageId: 'leak' },
  });
  const second = run0.results[1]!;
  assert.equal(second['level'], 'error');
  assert.equal('relatedLocations' in second, false);
  assert.equal('fixes' in second, false);
  assert.equal(
    (second['locations'] as { physicalLocation: { artifactLocation: { uri: string } } }[])[0]!
      .physicalLocation.artifactLocation.uri,
    'drivers/b%20c.c',
  );
  assert.equal(run0.results[2]!['level'], 'note');
});

test('sarifUri: relative, forward slashes, no ./, percent-encoded', () => {
  const cwd = join(tmpdir(), 'repo');
  assert.equal(sarifUri('./drivers/base/core.c', cwd), 'drivers/base/core.c');
  assert.equal(sarifUri(join(cwd, 'drivers', 'my file#1.c'), cwd), 'drivers/my%20file%231.c');
  assert.equal(sarifUri(join(cwd, '..', 'other', 'x.c'), cwd), '../other/x.c');
});

// ------------------------------------------------------------------------------------------ runner

/** Reports one finding per line that says FIND; throws on a file that says BOOM. */
function fakeAnalyzer(calls: string[] = []): FileAnalyzer {
  return {
    mayHaveFindings: (text) => !text.includes('NOTHING'),
    analyze(text): AnalysisResult {
      calls.push(text);
      if (text.includes('BOOM')) throw new Error('engine exploded\n    at somewhere (engine.ts:1:1)');
      const findings = text
        .split('\n')
        .flatMap((line, i) =>
          line.includes('FIND')
            ? [finding({ range: { start: { line: i, character: 0 }, end: { line: i, character: 4 } } })]
            : [],
        )
        .reverse();
      return {
        findings,
        // One function per line, a lifetime one per FIND line; a SLOW file's did not parse whole.
        stats: {
          functions: text.split('\n').length - 1,
          lifetimeFunctions: findings.length,
          lifetimeFunctionsWhole: text.includes('SLOW') ? 0 : findings.length,
        },
        ...(text.includes('SLOW') ? { partial: 'time budget exceeded' } : {}),
      };
    },
  };
}

const SOURCES: Record<string, string> = {
  'z.c': 'FIND\nx\nFIND\n',
  'boom.c': 'FIND\nBOOM\n',
  'a.c': 'FIND\n',
  'quiet.c': 'NOTHING FIND\n',
  'slow.c': 'SLOW FIND\n',
  'bin.c': '\0',
};

function fakeRead(file: string): { kind: 'text'; text: string } | { kind: 'binary' } {
  const text = SOURCES[file];
  if (text === undefined) throw new IoError(`permission denied: ${file}`);
  return text.includes('\0') ? { kind: 'binary' } : { kind: 'text', text };
}

test('runner: an exception inside analyze costs one file a note, not the run', () => {
  const calls: string[] = [];
  const outcomes = checkFiles(
    fakeAnalyzer(calls),
    ['z.c', 'boom.c', 'a.c', 'quiet.c', 'slow.c', 'bin.c'],
    DEFAULT_CHECK,
    fakeRead,
  );
  // quiet.c was ruled out by mayHaveFindings and never parsed; bin.c was never read as text.
  assert.equal(calls.length, 4);
  const boom = outcomes.find((o) => o.file === 'boom.c')!;
  assert.deepEqual(boom, {
    file: 'boom.c',
    status: 'checked',
    findings: [],
    notes: ['analysis failed: engine exploded'],
  });
  const { report, notes, ioError } = summarize(outcomes);
  assert.equal(ioError, undefined);
  assert.equal(report.filesChecked, 5);
  // Stats come from the files analyze returned for (z.c, a.c, slow.c): not quiet.c, bin.c or boom.c.
  assert.deepEqual(report.stats, {
    filesParsed: 3,
    functions: 5,
    lifetimeFunctions: 4,
    lifetimeFunctionsWhole: 3,
  });
  assert.deepEqual(
    report.results.map((r) => [r.file, r.findings.map((f) => f.range.start.line)]),
    [
      ['a.c', [0]],
      ['slow.c', [0]],
      ['z.c', [0, 2]],
    ],
  );
  assert.deepEqual(notes, [
    { file: 'bin.c', text: 'skipped: binary file' },
    { file: 'boom.c', text: 'analysis failed: engine exploded' },
    { file: 'slow.c', text: 'analysis incomplete: time budget exceeded' },
  ]);
});

test('runner: rule filter is passed on; an unreadable file becomes the run’s I/O error', () => {
  let seen: unknown;
  const analyzer: FileAnalyzer = {
    mayHaveFindings: () => true,
    analyze(_text, options) {
      seen = options;
      return { findings: [], stats: { functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 } };
    },
  };
  checkFile(analyzer, 'a.c', { rules: ['use-after-put'], normalize: true }, fakeRead);
  assert.deepEqual(seen, { rules: ['use-after-put'] });
  checkFile(analyzer, 'a.c', DEFAULT_CHECK, fakeRead);
  assert.deepEqual(seen, {});
  checkFile(analyzer, 'a.c', { rules: [], normalize: false }, fakeRead);
  assert.deepEqual(seen, { normalize: false });
  const outcomes = checkFiles(analyzer, ['a.c', 'secret.c', 'locked.c'], DEFAULT_CHECK, fakeRead);
  assert.equal(summarize(outcomes).ioError, 'permission denied: locked.c');
});

// ------------------------------------------------------------------------------------- end to end

function assertOneLineError(r: Run, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^kobject-lifetime: [^\n]+\n$/);
  assert.match(r.stderr, pattern);
}

test('cli: --help and --version', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: kobject-lifetime check/);
  const version = run(['--version']);
  assert.equal(version.status, 0);
  assert.equal(version.stdout, `${VERSION}\n`);
});

test('cli: usage errors exit 2 with one line on stderr', () => {
  assertOneLineError(run([]), /missing command/);
  assertOneLineError(run(['frobnicate']), /unknown command: frobnicate/);
  assertOneLineError(run(['check']), /at least one PATH/);
  assertOneLineError(run(['check', '--format', 'xml', '.']), /unknown format: xml/);
  assertOneLineError(run(['check', '--jobs', '0', '.']), /--jobs/);
  assertOneLineError(run(['check', '--colour', '.']), /unknown option: --colour/);
  assertOneLineError(run(['check', '--rule', 'no-such-rule', '.']), /unknown rule: no-such-rule/);
});

test('cli: a missing path exits 2 with one line', () => {
  withTemp((dir) => {
    writeFileSync(join(dir, 'ok.c'), 'int x;\n');
    assertOneLineError(
      run(['check', 'ok.c', 'missing.c'], dir),
      /^kobject-lifetime: no such file or directory: missing\.c\n$/,
    );
  });
});

test('cli: an empty folder is fine', () => {
  withTemp((dir) => {
    const text = run(['check', dir]);
    assert.equal(text.status, 0);
    assert.equal(text.stdout, '');
    assert.equal(text.stderr, '0 findings in 0 files (0 files checked)\n');
    const json = run(['check', '--format', 'json', dir]);
    assert.equal(json.status, 0);
    assert.deepEqual(JSON.parse(json.stdout), {
      version: 1,
      files: 0,
      findings: [],
      stats: { filesParsed: 0, functions: 0, lifetimeFunctions: 0, lifetimeFunctionsWhole: 0 },
    });
    assert.equal(json.stderr, '');
    const sarif = run(['check', '--format', 'sarif', dir]);
    assert.equal(sarif.status, 0);
    const log = JSON.parse(sarif.stdout) as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(log.runs[0]!.results, []);
    const driver = log.runs[0]!.tool.driver;
    assert.equal(driver.name, 'kobject-lifetime');
    assert.equal(driver.version, VERSION);
    for (const rule of driver.rules) {
      assert.match(rule.id, /^[a-z0-9-]+$/);
      assert.equal(typeof rule.shortDescription.text, 'string');
      assert.equal(rule.helpUri, `docs/rules/${rule.id}.md`);
      assert.match(rule.defaultConfiguration.level, /^(error|warning|note)$/);
    }
  });
});

test('cli: binary files are skipped with a note; paths stay relative and sorted', () => {
  withTemp((dir) => {
    mkdirSync(join(dir, 'drivers', 'base'), { recursive: true });
    mkdirSync(join(dir, 'drivers', '.tmp'));
    writeFileSync(join(dir, 'drivers', 'base', 'core.c'), 'int core(void) { return 0; }\n');
    writeFileSync(join(dir, 'drivers', 'base', 'blob.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]));
    writeFileSync(join(dir, 'drivers', 'a.h'), Buffer.from('#define A 1\n\0'));
    writeFileSync(join(dir, 'drivers', '.tmp', 'hidden.c'), Buffer.from([0]));
    symlinkSync('..', join(dir, 'drivers', 'base', 'parent'));
    const r = run(['check', 'drivers'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `${join('drivers', 'a.h')}: note: skipped: binary file\n` +
        `${join('drivers', 'base', 'blob.c')}: note: skipped: binary file\n` +
        '0 findings in 0 files (1 file checked)\n',
    );
  });
});

test('cli: worker threads give the same output as --jobs 1', () => {
  withTemp((dir) => {
    for (let i = 0; i < 60; i++) {
      const sub = join(dir, `d${i % 4}`);
      mkdirSync(sub, { recursive: true });
      // Every third file cannot have findings (mayHaveFindings skips it), the others are drivers.
      const text = i % 3 === 0 ? `int f${i}(void) { return ${i}; }\n` : buggyDriver(`drv${i}`);
      writeFileSync(join(sub, `f${String(i).padStart(2, '0')}.c`), text);
    }
    writeFileSync(join(dir, 'd1', 'zz.c'), Buffer.from([1, 2, 0, 3]));
    const debug = { KOBJECT_LIFETIME_DEBUG: '1' };
    const strip = (s: string): string => s.replace(/^kobject-lifetime: debug: .*\n/m, '');
    for (const format of ['text', 'json', 'sarif']) {
      const one = run(['check', '--format', format, '--jobs', '1', '.'], dir, debug);
      const many = run(['check', '--format', format, '--jobs', '3', '.'], dir, debug);
      assert.match(one.stderr, /debug: 61 files, 0 worker threads/);
      assert.match(many.stderr, /debug: 61 files, 3 worker threads/);
      assert.equal(many.status, one.status);
      assert.equal(many.stdout, one.stdout);
      assert.equal(strip(many.stderr), strip(one.stderr));
      assert.match(strip(one.stderr), /zz\.c: note: skipped: binary file\n/);
    }
    const json = JSON.parse(run(['check', '--format', 'json', '--jobs', '2', '.'], dir).stdout) as {
      files: number;
      stats: { filesParsed: number; functions: number };
    };
    assert.equal(json.files, 60);
    // The 40 drivers (two functions each) were parsed, in whichever worker; the rest were ruled out.
    assert.equal(json.stats.filesParsed, 40);
    assert.equal(json.stats.functions, 80);
  });
});

test('cli: json stats sum the parsed files; --no-normalize parses the text as it is', () => {
  withTemp((dir) => {
    // Annotations the normaliser blanks: tree-sitter-c alone cannot parse this probe function.
    writeFileSync(
      join(dir, 'a.c'),
      buggyDriver('demo').replace(
        'static int demo_probe(struct demo *d)',
        'static int __init demo_probe(struct demo __iomem *d)',
      ),
    );
    writeFileSync(join(dir, 'b.c'), buggyDriver('other'));
    writeFileSync(join(dir, 'c.c'), 'int main(void) { return 0; }\n');
    type Stats = {
      filesParsed: number;
      functions: number;
      lifetimeFunctions: number;
      lifetimeFunctionsWhole: number;
    };
    const stats = (args: string[]): Stats =>
      (JSON.parse(run(['check', '--format', 'json', ...args, '.'], dir).stdout) as { stats: Stats }).stats;
    const normalized = stats([]);
    const raw = stats(['--no-normalize']);
    assert.equal(normalized.filesParsed, 2);
    assert.equal(normalized.functions, 4);
    assert.equal(normalized.lifetimeFunctions, 2);
    assert.equal(normalized.lifetimeFunctionsWhole, 2);
    assert.equal(raw.filesParsed, 2);
    assert.equal(raw.lifetimeFunctions, 2);
    assert.equal(raw.lifetimeFunctionsWhole, 1);
    // --rule changes which findings are kept, not what is parsed.
    assert.deepEqual(stats(['--rule', 'use-after-put']), normalized);
  });
});

test('cli: findings from the real analyzer, in every format, filtered by --rule', () => {
  withTemp((dir) => {
    writeFileSync(join(dir, 'a.c'), buggyDriver('demo'));
    writeFileSync(join(dir, 'b.c'), 'int main(void) { return 0; }\n');
    const json = run(['check', '--format', 'json', '.'], dir);
    const report = JSON.parse(json.stdout) as {
      files: number;
      findings: { file: string; line: number; column: number; rule: string }[];
    };
    assert.equal(report.files, 2);
    assert.equal(json.status, report.findings.length > 0 ? 1 : 0, json.stderr);
    for (const f of report.findings) {
      assert.equal(f.file, 'a.c');
      assert.ok(f.line >= 1 && f.column >= 1);
    }

    const text = run(['check', '.'], dir);
    assert.equal(text.status, json.status);
    const lines = text.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, report.findings.length);
    for (const [i, line] of lines.entries()) {
      const f = report.findings[i]!;
      assert.ok(line.startsWith(`a.c:${f.line}:${f.column}: `), line);
      assert.match(line, /^a\.c:\d+:\d+: (error|warning|info|hint): .+ \[[a-z0-9-]+\]$/);
    }
    const files = report.findings.length > 0 ? 1 : 0;
    assert.match(text.stderr, new RegExp(`in ${files} files? \\(2 files checked\\)\\n$`));

    const sarif = run(['check', '--format', 'sarif', '.'], dir);
    assert.equal(sarif.status, json.status);
    const log = JSON.parse(sarif.stdout) as SarifLog;
    assert.equal(log.runs[0]!.results.length, report.findings.length);

    // --rule keeps only that rule's findings.
    for (const { id } of log.runs[0]!.tool.driver.rules) {
      const only = run(['check', '--format', 'json', '--rule', id, '.'], dir);
      const filtered = JSON.parse(only.stdout) as typeof report;
      assert.deepEqual(
        filtered.findings,
        report.findings.filter((f) => f.rule === id),
      );
      assert.equal(only.status, filtered.findings.length > 0 ? 1 : 0);
    }
  });
});

// ------------------------------------------------------------------------------- scripts/field.mjs

test('field script: report with stats and per-rule counts, sorted --out lines, one-line usage errors', () => {
  withTemp((dir) => {
    mkdirSync(join(dir, 'tree', 'drivers'), { recursive: true });
    writeFileSync(join(dir, 'tree', 'drivers', 'a.c'), buggyDriver('demo'));
    writeFileSync(join(dir, 'tree', 'b.c'), 'int main(void) { return 0; }\n');
    const field = (args: string[]): Run => {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'field.mjs'), ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const r = field(['tree', '--jobs', '1', '--out', 'out.txt']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /files checked {4}2\n {2}files parsed {5}1\n/);
    assert.match(r.stdout, /parse coverage {3}100\.0 % \(1 of 1 lifetime functions/);
    const lines = readFileSync(join(dir, 'out.txt'), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    assert.match(r.stdout, new RegExp(`Findings: ${lines.length}\\n`));
    for (const line of lines) {
      assert.match(line, /^drivers\/a\.c:\d+: [a-z-]+ \[(high|medium|low)\] demo_probe: .+$/);
    }

    const missing = field([]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^field: missing kernel tree[^\n]*\n$/);
    const nowhere = field(['no-such-tree']);
    assert.equal(nowhere.status, 2);
    assert.equal(nowhere.stderr, 'field: not a directory: no-such-tree\n');
  });
});

test('cli: .kobject-lifetime.json turns rules off, adds API entries, names bad keys, and reaches the workers', () => {
  withTemp((dir) => {
    const lookup = `static int acme_poll(const char *name)
{
\tstruct acme_dev *a = acme_find_dev(name);

\tif (!a)
\t\treturn -ENODEV;
\tif (a->busy)
\t\treturn -EBUSY;
\tacme_dev_unref(a);
\treturn 0;
}
`;
    for (let i = 0; i < 60; i++)
      writeFileSync(
        join(dir, `f${String(i).padStart(2, '0')}.c`),
        lookup.replace('acme_poll', `acme_poll${i}`),
      );
    const rulesOf = (r: Run): string[] =>
      (JSON.parse(r.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule);
    // Without configuration acme_find_dev() means nothing.
    assert.deepEqual(rulesOf(run(['check', '--format', 'json', '--jobs', '1', '.'], dir)), []);
    writeFileSync(
      join(dir, '.kobject-lifetime.json'),
      JSON.stringify({
        api: { acme_find_dev: { returns: 'reference', put: 'acme_dev_unref' } },
        rules: { 'double-put': 'loud' },
      }),
    );
    for (const jobs of ['1', '2']) {
      const r = run(['check', '--format', 'json', '--jobs', jobs, '.'], dir);
      assert.equal(r.status, 1);
      assert.equal(rulesOf(r).length, 60);
      assert.ok(rulesOf(r).every((id) => id === 'leaked-reference'));
      assert.match(
        r.stderr,
        /^kobject-lifetime: \.kobject-lifetime\.json: rules\.double-put: must be one of .* \(ignored\)$/m,
      );
    }
    writeFileSync(join(dir, 'off.json'), '{ "rules": { "leaked-reference": "off" } }');
    const off = run(['check', '--config', 'off.json', 'f00.c'], dir);
    assert.equal(off.status, 0);
    const missing = run(['check', '--config', 'nope.json', 'f00.c'], dir);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^kobject-lifetime: .*nope\.json.*\n$/);
  });
});
