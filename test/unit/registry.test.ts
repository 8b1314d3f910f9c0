// Every rule is registered, documented (with a Bad and a Good example that the analyzer judges as the
// page says) and has fixtures with enough positive and negative functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAnalyzer, ROOT } from './helpers';

const RULE_DIR = join(ROOT, 'src', 'analysis', 'rules');
const ruleFiles = readdirSync(RULE_DIR)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'rule.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

function codeBlock(page: string, heading: string): string {
  const m = new RegExp(`## ${heading}\\s*\\n\`\`\`c\\n([\\s\\S]*?)\`\`\``).exec(page);
  assert.ok(m, `section "## ${heading}" with a c block`);
  return m[1]!;
}

/** Function definitions in a fixture file: a line starting a body after a signature. */
function functions(text: string): number {
  return (text.match(/^[a-z][^;{}()]*\([^;{}]*\)\s*\n\{/gm) ?? []).length;
}

test('every rule file is registered under its file name', async () => {
  const analyzer = await loadAnalyzer();
  assert.deepEqual(analyzer.rules.map((r) => r.id).sort(), ruleFiles);
});

for (const id of ruleFiles) {
  test(`rule ${id}: documented, examples judged as documented`, async () => {
    const analyzer = await loadAnalyzer();
    const page = readFileSync(join(ROOT, 'docs', 'rules', `${id}.md`), 'utf8');
    assert.match(page, new RegExp(`^# ${id}\\n`));
    const bad = analyzer.analyze(codeBlock(page, 'Bad')).findings;
    assert.deepEqual(
      bad.map((f) => f.rule),
      [id],
      'the Bad example has exactly one finding, of this rule',
    );
    const good = analyzer.analyze(codeBlock(page, 'Good')).findings;
    assert.deepEqual(
      good.map((f) => `${f.rule}:${f.range.start.line + 1}`),
      [],
      'the Good example is silent',
    );
    assert.ok(
      readFileSync(join(ROOT, 'docs', 'rules', 'README.md'), 'utf8').includes(`](${id}.md)`),
      'listed in the index',
    );
  });

  test(`rule ${id}: at least 8 positive and 8 negative fixture functions`, () => {
    const dir = join(ROOT, 'test', 'fixtures', 'rules', id);
    assert.ok(existsSync(dir));
    let positives = 0;
    let negatives = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.c') && !x.endsWith('.fixed.c'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.startsWith('bad-'))
        positives += (text.match(new RegExp(`// expect: .*\\b${id}\\b`, 'g')) ?? []).length;
      if (f.startsWith('good-')) negatives += functions(text);
    }
    assert.ok(positives >= 8, `${positives} positives`);
    assert.ok(negatives >= 8, `${negatives} negative functions`);
  });
}

test('the bundled examples show every rule', async () => {
  const analyzer = await loadAnalyzer();
  const dir = join(ROOT, 'examples');
  const seen = new Set<string>();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.c'));
  for (const f of files) {
    for (const finding of analyzer.analyze(readFileSync(join(dir, f), 'utf8')).findings)
      seen.add(finding.rule);
  }
  assert.deepEqual([...seen].sort(), ruleFiles);
});

test('examples/module-static: the 2016 module-unload race and its fixes, as the README says', async () => {
  const analyzer = await loadAnalyzer();
  const race = (file: string) =>
    analyzer
      .analyze(readFileSync(join(ROOT, 'examples', 'module-static', file), 'utf8'))
      .findings.filter((f) => f.rule === 'module-unload-race');
  assert.equal(race('static-put-only.c').length, 1, 'a static object put in module_exit is flagged');
  assert.deepEqual(
    race('core-allocated-del.c'),
    [],
    'a core-allocated kobject deleted before the put is not',
  );
  const delOnly = race('static-del-only.c');
  assert.equal(delOnly.length, 1, 'kobject_del() alone does not save a static object');
  assert.match(delOnly[0]!.message, /kobject_del\(\) makes its sysfs callbacks unreachable, but the cleanup/);
});
