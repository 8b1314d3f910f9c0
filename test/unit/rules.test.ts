// Rule fixtures: every `// expect: <rule>` line must be reported, every other line must stay silent;
// the CLI-style text output and the text after applying safe fixes are blessed beside each fixture
// (BLESS=1 rewrites them). Outcomes are named as ast-grep does: reported, missing, noisy, wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, safeFixEdits, type Finding } from '../../src/analysis';
import { loadAnalyzer, ROOT } from './helpers';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'rules');
const BLESS = process.env.BLESS === '1';

function expectations(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  text.split('\n').forEach((line, i) => {
    const m = /\/\/ expect: ([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/.exec(line);
    if (m) out.set(i, m[1]!.split(/\s*,\s*/));
  });
  return out;
}

export function textReport(file: string, findings: readonly Finding[]): string {
  return findings
    .map(
      (f) =>
        `${file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity}: ${f.message} [${f.rule}]\n`,
    )
    .join('');
}

for (const rule of readdirSync(FIXTURES).sort()) {
  for (const file of readdirSync(join(FIXTURES, rule))
    .filter((f) => f.endsWith('.c') && !f.endsWith('.fixed.c'))
    .sort()) {
    test(`fixture ${rule}/${file}`, async () => {
      const analyzer = await loadAnalyzer();
      const path = join(FIXTURES, rule, file);
      const text = readFileSync(path, 'utf8');
      const result = analyzer.analyze(text);
      assert.equal(result.partial, undefined, 'analysis must complete');
      const expected = expectations(text);
      const problems: string[] = [];
      const got = new Map<number, string[]>();
      for (const f of result.findings)
        got.set(f.range.start.line, [...(got.get(f.range.start.line) ?? []), f.rule]);
      for (const [line, ids] of got) {
        const want = expected.get(line) ?? [];
        for (const id of ids) {
          if (!want.includes(id))
            problems.push(`${want.length ? 'wrong' : 'noisy'}: line ${line + 1} reported ${id}`);
        }
      }
      for (const [line, ids] of expected) {
        for (const id of ids)
          if (!(got.get(line) ?? []).includes(id)) problems.push(`missing: line ${line + 1} ${id}`);
      }
      assert.deepEqual(problems, []);

      const report = textReport(`${rule}/${file}`, result.findings);
      const fixed = applyEdits(text, safeFixEdits(result.findings));
      const expectedPath = path.replace(/\.c$/, '.expected');
      const fixedPath = path.replace(/\.c$/, '.fixed.c');
      // A .fixed.c exists only where the safe fixes change something (as clippy's .fixed files).
      if (BLESS) {
        writeFileSync(expectedPath, report);
        if (fixed !== text) writeFileSync(fixedPath, fixed);
        else if (existsSync(fixedPath)) unlinkSync(fixedPath);
      }
      assert.ok(existsSync(expectedPath), `${expectedPath} is missing: run BLESS=1 npm test`);
      assert.equal(report, readFileSync(expectedPath, 'utf8'));
      if (fixed === text)
        assert.ok(!existsSync(fixedPath), `no safe fix applies, so ${fixedPath} must not exist`);
      else assert.equal(fixed, readFileSync(fixedPath, 'utf8'));
      // A safe fix must remove the findings it targets and add none.
      if (fixed !== text) {
        const after = analyzer.analyze(fixed).findings.filter((f) => f.rule === rule);
        const fixedRules = result.findings.filter(
          (f) => f.fixes.some((x) => x.safe) && f.rule === rule,
        ).length;
        assert.equal(after.length, result.findings.filter((f) => f.rule === rule).length - fixedRules);
      }
    });
  }
}
