// Smoke test: the pinned runtime loads the pinned grammar (ABI 15) and parses C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAnalyzer } from './helpers';

test('the grammar loads and a C file parses without throwing', async () => {
  const a = await loadAnalyzer();
  const r = a.analyze('int main(void) { return 0; }\n');
  assert.deepEqual(r.findings, []);
});
