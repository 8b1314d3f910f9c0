// The server's pure parts with the real analyzer: findings as diagnostics, code actions from
// Diagnostic.data alone, the ignore comment, fix-all, hover, settings.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyEdits, type Finding, type TextEdit } from '../../src/analysis';
import {
  FIX_ALL_KIND,
  ignoreEdit,
  kindWanted,
  provideFixAll,
  provideQuickFixes,
  selectSafeFixEdits,
} from '../../src/server/code-actions';
import {
  readDiagnosticData,
  toDiagnostic,
  toDiagnostics,
  type DiagnosticData,
} from '../../src/server/diagnostics';
import { exceedsBytes, isCDocument } from '../../src/server/documents';
import { escapeMarkdown, provideHover } from '../../src/server/hover';
import { DEFAULT_SETTINGS, extensionKey, mergeConfig, readSettings } from '../../src/server/settings';
import { loadAnalyzer, ROOT } from './helpers';

const DOCS = join(ROOT, 'docs', 'rules');
const URI = 'file:///src/drivers/acme.c';

const WIDGET = `struct acme_widget {
\tint id;
\tstruct device dev;
};

static void acme_widget_release(struct device *dev)
{
\tkfree(container_of(dev, struct acme_widget, dev));
}

int acme_widget_create(struct device *parent)
{
\tstruct acme_widget *w = kzalloc(sizeof(*w), GFP_KERNEL);
\tint ret;

\tif (!w)
\t\treturn -ENOMEM;
\tw->dev.release = acme_widget_release;
\tret = device_register(&w->dev);
\tif (ret) {
\t\tkfree(w);
\t\treturn ret;
\t}
\treturn 0;
}
`;

async function findingsOf(text: string): Promise<Finding[]> {
  return (await loadAnalyzer()).analyze(text).findings;
}

function doc(text: string, version = 3): TextDocument {
  return TextDocument.create(URI, 'c', version, text);
}

function applied(document: TextDocument, edits: TextEdit[]): string {
  return TextDocument.applyEdits(document, edits);
}

describe('diagnostics', () => {
  test('a finding becomes a diagnostic with code, source, doc link, related locations and fix data', async () => {
    const [finding] = await findingsOf(WIDGET);
    assert.ok(finding);
    const d = toDiagnostic(finding, { uri: URI, version: 3, docsDir: DOCS });
    assert.equal(d.code, 'kfree-instead-of-put');
    assert.equal(d.source, 'kobject-lifetime');
    assert.equal(d.severity, 1);
    assert.deepEqual(d.range, finding.range);
    assert.equal(d.message, finding.message);
    // The link points at the page the registry test checks exists.
    assert.ok(existsSync(fileURLToPath(d.codeDescription!.href)));
    assert.match(d.codeDescription!.href, /docs\/rules\/kfree-instead-of-put\.md$/);
    assert.deepEqual(
      d.relatedInformation!.map((r) => [r.location.uri, r.location.range.start.line, r.message]),
      finding.related.map((r) => [URI, r.range.start.line, r.message]),
    );
    const data = d.data as DiagnosticData;
    assert.equal(data.rule, 'kfree-instead-of-put');
    assert.equal(data.version, 3);
    assert.deepEqual(data.fixes, finding.fixes);
    assert.equal(d.tags, undefined, 'no tag fits a lifetime bug');
    // Data survives a JSON round trip through the client and is read back intact.
    assert.deepEqual(readDiagnosticData(JSON.parse(JSON.stringify(d))), data);
  });

  test('severity follows the finding (user setting, lowered confidence)', async () => {
    const a = await loadAnalyzer();
    const [f] = a.analyze(WIDGET, { severities: { 'kfree-instead-of-put': 'hint' } }).findings;
    assert.equal(toDiagnostic(f!, { uri: URI, version: 1, docsDir: DOCS }).severity, 4);
    const [g] = a.analyze(WIDGET, { severities: { 'kfree-instead-of-put': 'info' } }).findings;
    assert.equal(toDiagnostic(g!, { uri: URI, version: 1, docsDir: DOCS }).severity, 3);
    assert.deepEqual(a.analyze(WIDGET, { severities: { 'kfree-instead-of-put': 'off' } }).findings, []);
  });

  test("other sources' diagnostics and malformed data are not ours", () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    assert.equal(readDiagnosticData({ range, message: 'x', source: 'gcc', data: { rule: 'a' } }), undefined);
    assert.equal(readDiagnosticData({ range, message: 'x', source: 'kobject-lifetime' }), undefined);
    assert.equal(
      readDiagnosticData({ range, message: 'x', source: 'kobject-lifetime', data: { rule: 1 } }),
      undefined,
    );
    const bad = readDiagnosticData({
      range,
      message: 'x',
      source: 'kobject-lifetime',
      data: { rule: 'r', version: 2, fixes: [{ title: 't' }, 'x', null] },
    });
    assert.deepEqual(bad?.fixes, []);
  });
});

describe('quick fixes from Diagnostic.data', () => {
  test('the safe fix is preferred, then ignore, disable and documentation', async () => {
    const document = doc(WIDGET);
    const diagnostics = toDiagnostics(await findingsOf(WIDGET), { uri: URI, version: 3, docsDir: DOCS });
    const actions = provideQuickFixes(document, diagnostics, { documentChanges: true });
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]),
      [
        ['Replace kfree() with put_device(&w->dev)', 'quickfix', true],
        ['Ignore kfree-instead-of-put on this line', 'quickfix', false],
        ['Disable kfree-instead-of-put in this workspace', 'quickfix', false],
        ['Show documentation for kfree-instead-of-put', 'quickfix', false],
      ],
    );
    const fix = actions[0]!.edit!.documentChanges![0] as { textDocument: unknown; edits: TextEdit[] };
    assert.deepEqual(fix.textDocument, { uri: URI, version: 3 });
    const fixed = applied(document, fix.edits);
    assert.match(fixed, /\t\tput_device\(&w->dev\);\n\t\treturn ret;/);
    assert.deepEqual(await findingsOf(fixed), []);
    assert.deepEqual(actions[2]!.command, {
      title: 'Disable kfree-instead-of-put',
      command: 'kobjectLifetime.disableRule',
      arguments: ['kfree-instead-of-put'],
    });
    assert.deepEqual(actions[3]!.command?.arguments, ['kfree-instead-of-put']);
    assert.equal(actions[3]!.command?.command, 'kobjectLifetime.showRuleDoc');
  });

  test('without documentChanges support the edit is a plain changes map', async () => {
    const diagnostics = toDiagnostics(await findingsOf(WIDGET), { uri: URI, version: 3, docsDir: DOCS });
    const [first] = provideQuickFixes(doc(WIDGET), diagnostics, { documentChanges: false });
    assert.deepEqual(Object.keys(first!.edit!.changes!), [URI]);
  });

  test('a stale diagnostic (another version) offers no edits, only the commands', async () => {
    const diagnostics = toDiagnostics(await findingsOf(WIDGET), { uri: URI, version: 2, docsDir: DOCS });
    const actions = provideQuickFixes(doc(WIDGET, 3), diagnostics, { documentChanges: true });
    assert.deepEqual(
      actions.map((a) => a.command?.command),
      ['kobjectLifetime.disableRule', 'kobjectLifetime.showRuleDoc'],
    );
    assert.ok(actions.every((a) => a.edit === undefined));
  });

  test('an unsafe fix is offered, never preferred, and says it needs a look', async () => {
    const text = `struct acme_led { int id; struct device dev; };

int acme_led_add(struct device *parent)
{
\tstruct acme_led *led = kzalloc(sizeof(*led), GFP_KERNEL);

\tif (!led)
\t\treturn -ENOMEM;
\tled->dev.parent = parent;
\tif (device_register(&led->dev)) {
\t\tput_device(&led->dev);
\t\treturn -EIO;
\t}
\treturn 0;
}
`;
    const findings = await findingsOf(text);
    const unsafe = findings.find((f) => f.fixes.length > 0 && f.fixes.every((x) => !x.safe));
    assert.ok(unsafe, 'the missing-release fix is unsafe');
    const actions = provideQuickFixes(
      doc(text),
      toDiagnostics([unsafe], { uri: URI, version: 3, docsDir: DOCS }),
      { documentChanges: true },
    );
    assert.ok(actions.every((a) => !a.isPreferred));
    assert.match(actions[0]!.title, /\(review: changes behaviour on other paths\)$/);
  });
});

describe('ignore comment', () => {
  test('inserted above with the flagged line’s indentation, and the analyzer honours it', async () => {
    const document = doc(WIDGET);
    const [finding] = await findingsOf(WIDGET);
    const edit = ignoreEdit(document, finding!.range.start.line, finding!.rule);
    assert.deepEqual(edit.range, {
      start: { line: finding!.range.start.line, character: 0 },
      end: { line: finding!.range.start.line, character: 0 },
    });
    assert.equal(edit.newText, '\t\t/* kobject-lifetime: ignore kfree-instead-of-put */\n');
    const silenced = applied(document, [edit]);
    assert.deepEqual(await findingsOf(silenced), []);
  });

  test('joins an ignore comment already above, once', () => {
    const text = 'void f(void)\n{\n    /* kobject-lifetime: ignore double-put */\n    kobject_put(k);\n}\n';
    const document = doc(text);
    const edit = ignoreEdit(document, 3, 'use-after-put');
    assert.equal(
      applied(document, [edit]),
      'void f(void)\n{\n    /* kobject-lifetime: ignore double-put, use-after-put */\n    kobject_put(k);\n}\n',
    );
    assert.equal(applied(document, [ignoreEdit(document, 3, 'double-put')]), text);
  });

  test('keeps a multi-line macro continued, CRLF line ends, and the first line', () => {
    const macro = '#define PUT(x) \\\n\tdo { \\\n\t\tkobject_put(x); \\\n\t} while (0)\n';
    assert.equal(
      applied(doc(macro), [ignoreEdit(doc(macro), 2, 'double-put')]),
      '#define PUT(x) \\\n\tdo { \\\n\t\t/* kobject-lifetime: ignore double-put */ \\\n\t\tkobject_put(x); \\\n\t} while (0)\n',
    );
    const crlf = 'int a;\r\n  kfree(x);\r\n';
    assert.equal(
      applied(doc(crlf), [ignoreEdit(doc(crlf), 1, 'r')]),
      'int a;\r\n  /* kobject-lifetime: ignore r */\r\n  kfree(x);\r\n',
    );
    assert.equal(
      applied(doc('kfree(x);'), [ignoreEdit(doc('kfree(x);'), 0, 'r')]),
      '/* kobject-lifetime: ignore r */\nkfree(x);',
    );
  });
});

describe('fix all safe problems', () => {
  test('matches the blessed .fixed.c of every fixture with safe fixes', async () => {
    const base = join(ROOT, 'test', 'fixtures', 'rules');
    let compared = 0;
    for (const rule of readdirSync(base)) {
      for (const name of readdirSync(join(base, rule))) {
        if (!name.endsWith('.fixed.c')) continue;
        const source = readFileSync(join(base, rule, name.replace(/\.fixed\.c$/, '.c')), 'utf8');
        const expected = readFileSync(join(base, rule, name), 'utf8');
        const document = doc(source);
        const action = provideFixAll(document, await findingsOf(source), { documentChanges: false });
        assert.ok(action, `${rule}/${name}: a fix-all action`);
        assert.equal(action.kind, FIX_ALL_KIND);
        const edits = action.edit!.changes![URI]!;
        assert.equal(applied(document, edits), expected, `${rule}/${name}: as an editor applies them`);
        assert.equal(applyEdits(source, edits), expected, `${rule}/${name}: as the CLI applies them`);
        compared++;
      }
    }
    assert.ok(compared >= 5, `compared ${compared} fixtures`);
  });

  test('a fix is taken whole or not at all; edits never overlap', () => {
    const at = (line: number, from: number, to: number, newText: string): TextEdit => ({
      range: { start: { line, character: from }, end: { line, character: to } },
      newText,
    });
    const finding = (edits: TextEdit[], safe = true): Finding => ({
      rule: 'r',
      severity: 'error',
      confidence: 'high',
      messageId: 'm',
      message: 'm',
      range: edits[0]!.range,
      related: [],
      trace: [],
      fixes: [{ title: 't', safe, edits }],
    });
    const edits = selectSafeFixEdits([
      finding([at(1, 0, 5, 'a'), at(3, 0, 0, 'b')]),
      // Overlaps the first fix's first edit: this whole fix waits for the next run.
      finding([at(1, 2, 4, 'c'), at(7, 0, 0, 'd')]),
      // An insertion strictly inside a replaced range conflicts too.
      finding([at(1, 3, 3, 'e')]),
      // Touching and same-point insertions do not.
      finding([at(1, 5, 6, 'f'), at(3, 0, 0, 'g')]),
      finding([at(9, 0, 1, 'h')], false),
    ]);
    assert.deepEqual(
      edits.map((e) => e.newText),
      ['a', 'f', 'b', 'g'],
    );
  });

  test('no safe fix: no action', async () => {
    assert.equal(
      provideFixAll(doc('int x;\n'), await findingsOf('int x;\n'), { documentChanges: true }),
      undefined,
    );
  });

  test('kinds: quick fixes and fix-all answer the right `only` filters', () => {
    assert.ok(kindWanted('quickfix', undefined));
    assert.ok(kindWanted(FIX_ALL_KIND, ['source']));
    assert.ok(kindWanted(FIX_ALL_KIND, ['source.fixAll']));
    assert.ok(!kindWanted(FIX_ALL_KIND, ['source.organizeImports']));
    assert.ok(!kindWanted('quickfix', ['source.fixAll']));
    assert.ok(!kindWanted('quickfix', ['quick']));
  });
});

describe('hover', () => {
  test('on the flagged range: message, the path as a list, related lines and the rule page', async () => {
    const findings = await findingsOf(WIDGET);
    const f = findings[0]!;
    const hover = provideHover(findings, f.range.start, DOCS);
    assert.ok(hover);
    const value = (hover.contents as { kind: string; value: string }).value;
    assert.match(value, /^\*\*kfree-instead-of-put\*\* \(error, high confidence\)/);
    assert.ok(value.includes(escapeMarkdown(f.message)));
    assert.ok(f.trace.length > 0);
    for (const step of f.trace) assert.ok(value.includes(`\n- ${escapeMarkdown(step)}`), step);
    assert.match(value, /- line 19: initialized here/);
    assert.match(
      value,
      /\[Rule documentation: kfree-instead-of-put\]\(file:\/\/.*kfree-instead-of-put\.md\)$/,
    );
    assert.deepEqual(hover.range, f.range);
    assert.equal(provideHover(findings, { line: 0, character: 0 }, DOCS), null);
    assert.ok(provideHover(findings, f.range.end, DOCS));
  });

  test('markdown in messages is escaped', () => {
    assert.equal(escapeMarkdown('put_device(*dev) [x]'), 'put\\_device(\\*dev) \\[x\\]');
  });
});

describe('settings', () => {
  const rules = ['kfree-instead-of-put', 'double-put'];

  test('defaults, valid values and named errors', () => {
    assert.deepEqual(readSettings(undefined, rules), { settings: DEFAULT_SETTINGS, errors: [] });
    const { settings, errors } = readSettings(
      {
        enable: false,
        maxFileSize: 5000,
        rules: { 'double-put': 'off', nope: 'error', 'kfree-instead-of-put': 'loud' },
        api: { acme_find: { returns: 'reference', put: 'acme_put' }, acme_put2: 'put', 'bad name': 'put' },
        trace: { server: 'verbose' },
      },
      rules,
    );
    assert.equal(settings.enable, false);
    assert.equal(settings.maxFileSize, 5000);
    assert.deepEqual(settings.rules, { 'double-put': 'off' });
    assert.deepEqual(settings.extension, {
      lookups: { acme_find: { put: 'acme_put' } },
      wrappers: { acme_put2: 'put' },
    });
    assert.deepEqual(errors, [
      'kobjectLifetime.api.bad name: not a C function name',
      'kobjectLifetime.rules.nope: no such rule',
      'kobjectLifetime.rules.kfree-instead-of-put: must be one of error, warning, info, hint, off',
    ]);
    assert.deepEqual(readSettings({ maxFileSize: -1, enable: 'yes' }, rules).errors, [
      'kobjectLifetime.enable: must be true or false',
      'kobjectLifetime.maxFileSize: must be a positive number of bytes',
    ]);
    assert.deepEqual(readSettings(7, rules).errors, ['kobjectLifetime: must be an object']);
  });

  test('the settings override the config file per rule and per API function', () => {
    const merged = mergeConfig(
      {
        rules: { 'double-put': 'hint', 'kfree-instead-of-put': 'off' },
        extension: { lookups: { a_find: { put: 'a_put' }, b_find: { put: 'b_put' } } },
      },
      {
        ...DEFAULT_SETTINGS,
        rules: { 'kfree-instead-of-put': 'warning' },
        extension: { wrappers: { a_find: 'get' } },
      },
    );
    assert.deepEqual(merged.rules, { 'double-put': 'hint', 'kfree-instead-of-put': 'warning' });
    assert.deepEqual(merged.extension, {
      lookups: { b_find: { put: 'b_put' } },
      wrappers: { a_find: 'get' },
    });
    assert.equal(
      extensionKey({ wrappers: { b: 'put', a: 'get' } }),
      extensionKey({ wrappers: { a: 'get', b: 'put' } }),
    );
    assert.notEqual(extensionKey({}), extensionKey({ wrappers: { a: 'get' } }));
  });

  test('size gate and which documents are C', () => {
    assert.equal(exceedsBytes('abc', 3), false);
    assert.equal(exceedsBytes('abcd', 3), true);
    assert.equal(exceedsBytes('é'.repeat(2), 3), true, 'UTF-8 bytes, not UTF-16 units');
    assert.equal(exceedsBytes('é', 3), false);
    assert.ok(isCDocument('file:///a/b.c', 'c'));
    assert.ok(isCDocument('file:///a/b.h', 'cpp'));
    assert.ok(isCDocument('untitled:Untitled-1', 'c'));
    assert.ok(!isCDocument('file:///a/b.rs', 'rust'));
    assert.ok(!isCDocument('file:///a/b.cpp', 'cpp'));
  });
});
