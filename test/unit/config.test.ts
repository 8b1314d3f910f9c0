// Configuration: user API entries extend the one model, rule settings change severity or turn a rule
// off, and every invalid part is named by its key and ignored without a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer, parseConfig } from '../../src/analysis';
import { loadAnalyzer, ROOT } from './helpers';

const wasm = () => ({
  runtime: readFileSync(join(ROOT, 'dist', 'web-tree-sitter.wasm')),
  grammar: readFileSync(join(ROOT, 'dist', 'tree-sitter-c.wasm')),
});

const LOOKUP = `static int acme_poll(const char *name)
{
	struct acme_dev *a = acme_find_dev(name);

	if (!a)
		return -ENODEV;
	if (a->busy)
		return -EBUSY;
	acme_dev_release_ref(a);
	return 0;
}
`;

test('a lookup and its put from the configuration are understood like built-in ones', async () => {
  const ids = (await loadAnalyzer()).rules.map((r) => r.id);
  const { config, errors } = parseConfig(
    JSON.stringify({ api: { acme_find_dev: { returns: 'reference', put: 'acme_dev_release_ref' } } }),
    ids,
  );
  assert.deepEqual(errors, []);
  const plain = await loadAnalyzer();
  assert.deepEqual(plain.analyze(LOOKUP).findings, [], 'unknown functions mean nothing');
  const configured = await createAnalyzer(wasm(), config.extension);
  const found = configured.analyze(LOOKUP).findings;
  assert.deepEqual(
    found.map((f) => [f.rule, f.range.start.line]),
    [['leaked-reference', 2]],
  );
});

test('a wrapper put counts as a put', async () => {
  const ids = (await loadAnalyzer()).rules.map((r) => r.id);
  const src = `static int widget_add(struct device *parent)
{
	struct widget *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return -ENOMEM;
	if (device_register(&w->dev)) {
		widget_put(w);
		return -EIO;
	}
	return 0;
}
`;
  assert.deepEqual(
    (await loadAnalyzer()).analyze(src).findings.map((f) => f.rule),
    ['missing-put-on-error'],
  );
  const { config } = parseConfig('{ "api": { "widget_put": "put" } }', ids);
  const a = await createAnalyzer(wasm(), config.extension);
  assert.deepEqual(a.analyze(src).findings, []);
});

test('rule settings change severity or turn a rule off', async () => {
  const a = await loadAnalyzer();
  const text = readFileSync(join(ROOT, 'examples', 'drivers', 'acme-sensor.c'), 'utf8');
  const { config } = parseConfig(
    '{ "rules": { "kfree-instead-of-put": "hint", "use-after-put": "off" } }',
    a.rules.map((r) => r.id),
  );
  const r = a.analyze(text, { severities: config.rules }).findings;
  assert.equal(r.find((f) => f.rule === 'kfree-instead-of-put')?.severity, 'hint');
  assert.equal(
    r.some((f) => f.rule === 'use-after-put'),
    false,
  );
});

test('invalid configuration names the key and keeps the valid parts', async () => {
  const ids = (await loadAnalyzer()).rules.map((r) => r.id);
  assert.match(parseConfig('{ "api": ', ids).errors[0]!, /not valid JSON/);
  assert.deepEqual(parseConfig('[1]', ids).errors, ['the configuration must be a JSON object']);
  const { config, errors } = parseConfig(
    JSON.stringify({
      api: { 'bad name': 'put', my_get: 'borrow', my_find: { returns: 'reference' }, ok_put: 'put' },
      rules: { 'no-such-rule': 'off', 'double-put': 'loud', 'use-after-put': 'warning' },
      extra: true,
    }),
    ids,
  );
  assert.deepEqual(errors.sort(), [
    'api.bad name: not a C function name',
    'api.my_find.put: must be the name of the function that drops the reference',
    'api.my_get: "borrow" is not one of put, get, init, free, del, unregister',
    'extra: unknown key (expected "api" or "rules")',
    'rules.double-put: must be one of error, warning, info, hint, off',
    'rules.no-such-rule: no such rule',
  ]);
  assert.deepEqual(config.extension, { wrappers: { ok_put: 'put' } });
  assert.deepEqual(config.rules, { 'use-after-put': 'warning' });
});
