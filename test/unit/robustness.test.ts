// Bad input never throws and never hangs: malformed C, binary junk, huge and deeply nested files,
// CRLF line ends and non-ASCII text all give a result (partial at worst), with ranges still right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAnalyzer } from './helpers';

const BUG = `struct foo { int id; struct device dev; };
static int foo_add(struct device *parent)
{
	struct foo *f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->dev.release = foo_release;
	if (device_register(&f->dev))
		goto err;
	return 0;
err:
	kfree(f);
	return -EINVAL;
}
`;

test('malformed and hostile inputs give a result, never an exception', async () => {
  const a = await loadAnalyzer();
  const inputs = [
    '',
    '\0\0\0\x7fELF\x01\x02',
    '/* unterminated comment',
    'static int f(void) { device_register(&x->dev); if (',
    '"unterminated string\n{{{{{{{{',
    'list_for_each_entry(a, b, c list_for_each_entry(',
    String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65536)),
  ];
  for (const text of inputs) {
    const r = a.analyze(text);
    assert.ok(Array.isArray(r.findings));
  }
});

test('a function with a parse error gives no findings, the others still do', async () => {
  const a = await loadAnalyzer();
  const broken = BUG.replace('struct foo *f', 'struct foo *f = = ;').replace('foo_add', 'foo_broken');
  const r = a.analyze(broken + BUG);
  assert.deepEqual(
    r.findings.map((f) => [f.rule, f.function]),
    [['kfree-instead-of-put', 'foo_add']],
  );
});

test('deep nesting returns (partial at worst) instead of overflowing', async () => {
  const a = await loadAnalyzer();
  const depth = 3000;
  const body = 'if (x) {'.repeat(depth) + 'device_register(&f->dev);' + '}'.repeat(depth);
  const r = a.analyze(`int f(struct foo *f, int x) { ${body} return 0; }\n` + BUG);
  assert.ok(
    r.findings.some((f) => f.function === 'foo_add'),
    'other functions are still analyzed',
  );
  const parens = `int g(void) { return ${'('.repeat(5000)}1${')'.repeat(5000)}; }\n`;
  assert.ok(Array.isArray(a.analyze(parens).findings));
});

test('a 2 MB file completes', async () => {
  const a = await loadAnalyzer();
  const many = Array.from({ length: 2_000_000 / BUG.length }, (_, i) =>
    BUG.replace('foo_add', `foo_add_${i}`),
  ).join('');
  const r = a.analyze(many, { timeBudgetMs: 60_000 });
  assert.ok(r.findings.length > 1000);
});

test('CRLF line ends and non-ASCII text keep ranges on the right line and UTF-16 column', async () => {
  const a = await loadAnalyzer();
  const text = (
    '/* capteur « thermique » — 温度 */\n' + BUG.replace('\tkfree(f);', '\t/* é */ kfree(f);')
  ).replace(/\n/g, '\r\n');
  const [f] = a.analyze(text).findings;
  assert.ok(f);
  const line = text.split('\r\n')[f.range.start.line]!;
  assert.equal(line.slice(f.range.start.character, f.range.end.character), 'kfree(f)');
});
