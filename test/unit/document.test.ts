// An edited document (the language server's view of an open file) must give exactly what a fresh
// analysis of the same text gives, whatever the edits: typing, deleting, new lines, opening a comment,
// breaking and repairing the syntax, moving functions up and down.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { KEPT_DOCUMENTS } from '../../src/analysis';
import { kernelTree, loadAnalyzer, ROOT } from './helpers';

/** Deterministic pseudo-random numbers (a test that fails must fail the same way again). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SNIPPETS = [
  'x',
  ' ',
  '\n',
  ';',
  '}',
  '{',
  '/*',
  '*/',
  '\n\n\n',
  'kfree(p);',
  'put_device(&d->dev);',
  '#if 0\n',
];

/** One random edit: insert a snippet, delete a span, or duplicate a line. */
function edit(text: string, rand: () => number): string {
  const at = Math.floor(rand() * (text.length + 1));
  const r = rand();
  if (r < 0.5) {
    const snip = SNIPPETS[Math.floor(rand() * SNIPPETS.length)]!;
    return text.slice(0, at) + snip + text.slice(at);
  }
  if (r < 0.8) {
    const len = 1 + Math.floor(rand() * 40);
    return text.slice(0, at) + text.slice(at + len);
  }
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd + 1);
  return text.slice(0, lineStart) + line + text.slice(lineStart);
}

function fixtures(): string[] {
  const out: string[] = [];
  const dir = join(ROOT, 'test', 'fixtures', 'rules');
  for (const rule of readdirSync(dir)) {
    if (!statSync(join(dir, rule)).isDirectory()) continue;
    for (const f of readdirSync(join(dir, rule))) {
      if (f.endsWith('.c') && !f.endsWith('.fixed.c')) out.push(join(dir, rule, f));
    }
  }
  return out.sort();
}

test('an edited document reports what a fresh analysis of its text reports', async () => {
  const analyzer = await loadAnalyzer();
  const files = fixtures();
  assert.ok(files.length >= 40, `expected the rule fixtures, found ${files.length}`);
  let steps = 0;
  let nonEmpty = 0;
  for (const [i, file] of files.entries()) {
    const rand = rng(i + 1);
    let text = readFileSync(file, 'utf8');
    const doc = analyzer.createDocument(text);
    try {
      for (let step = 0; step < 12; step++) {
        const got = doc.analyze();
        const want = analyzer.analyze(text);
        assert.deepEqual(got, want, `${file}, after ${step} edits:\n${text}`);
        steps++;
        if (want.findings.length) nonEmpty++;
        text = edit(text, rand);
        doc.update(text);
      }
    } finally {
      doc.dispose();
    }
  }
  // The comparison must have covered texts with findings, not only broken ones.
  assert.ok(nonEmpty > steps / 4, `only ${nonEmpty} of ${steps} steps had findings`);
});

test('moving a function down keeps its findings, moved with it', async () => {
  const analyzer = await loadAnalyzer();
  const file = join(ROOT, 'test', 'fixtures', 'rules', 'kfree-instead-of-put', 'bad-device.c');
  const text = readFileSync(file, 'utf8');
  const doc = analyzer.createDocument(text);
  try {
    const before = doc.analyze();
    assert.ok(before.findings.length > 0);
    const moved = '\n\n\n' + text;
    doc.update(moved);
    const after = doc.analyze();
    assert.deepEqual(
      after.findings.map((f) => f.range.start.line),
      before.findings.map((f) => f.range.start.line + 3),
    );
    assert.deepEqual(after, analyzer.analyze(moved));
  } finally {
    doc.dispose();
  }
});

test('a document survives hostile edits and disposal', async () => {
  const analyzer = await loadAnalyzer();
  const doc = analyzer.createDocument('');
  for (const t of ['', '\0\0\0', '{'.repeat(5000), 'int f(void) { kobject_put(', '\uFEFFint x;']) {
    doc.update(t);
    const r = doc.analyze();
    assert.ok(Array.isArray(r.findings));
  }
  doc.dispose();
  doc.dispose();
});

test('edits on kernel files give the same result as fresh analyses', async () => {
  const tree = kernelTree();
  const analyzer = await loadAnalyzer();
  for (const rel of ['drivers/base/core.c', 'drivers/base/bus.c', 'lib/kobject.c']) {
    let text: string = readFileSync(join(tree, rel), 'utf8');
    const rand = rng(7);
    const doc = analyzer.createDocument(text);
    try {
      for (let step = 0; step < 15; step++) {
        assert.deepEqual(doc.analyze(), analyzer.analyze(text), `${rel} after ${step} edits`);
        text = edit(text, rand);
        doc.update(text);
      }
    } finally {
      doc.dispose();
    }
  }
});

test('documents beyond the most recent few drop their trees and still answer right', async () => {
  const analyzer = await loadAnalyzer();
  const file = join(ROOT, 'test', 'fixtures', 'rules', 'kfree-instead-of-put', 'bad-device.c');
  const text = readFileSync(file, 'utf8');
  const docs = Array.from({ length: KEPT_DOCUMENTS + 4 }, () => analyzer.createDocument(text));
  const want = analyzer.analyze(text);
  try {
    // Two rounds: in the second every document was released by the others in between.
    for (let round = 0; round < 2; round++) {
      for (const [i, doc] of docs.entries()) {
        const edited = text + `\n/* ${round} ${i} */\n`;
        doc.update(edited);
        assert.deepEqual(doc.analyze().findings, want.findings);
      }
    }
  } finally {
    for (const doc of docs) doc.dispose();
  }
});

test("a rule that reads other functions sees an edit there (static-kobject's teardown search)", async () => {
  const analyzer = await loadAnalyzer();
  const withPut = `static struct kobject acme_kobj;
static struct kobj_type acme_ktype;

static int acme_setup(void)
{
\treturn kobject_init_and_add(&acme_kobj, &acme_ktype, NULL, "acme");
}

static void acme_teardown(void)
{
\tkobject_put(&acme_kobj);
}
`;
  const withoutPut = withPut.replace('\tkobject_put(&acme_kobj);\n', '\tpr_info("bye\\n");\n');
  const doc = analyzer.createDocument(withPut);
  try {
    doc.update(withPut + '\n');
    const before = doc.analyze();
    doc.update(withoutPut + '\n');
    const after = doc.analyze();
    assert.deepEqual(after, analyzer.analyze(withoutPut + '\n'));
    // The verdict on acme_setup() changes with acme_teardown()'s body: the comparison must be able to fail.
    assert.notDeepEqual(
      before.findings.map((f) => f.messageId),
      after.findings.map((f) => f.messageId),
    );
  } finally {
    doc.dispose();
  }
});
