// Static guarantees of the simulator panel's sources: colours only from the VS Code theme, nothing
// loaded from elsewhere, and no API that parses strings as HTML anywhere in the webview's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers';

const css = (): string => readFileSync(join(ROOT, 'media', 'panel.css'), 'utf8');

test('panel.css takes every colour from a --vscode-* variable and loads nothing', () => {
  const text = css().replace(/\/\*[\s\S]*?\*\//g, '');
  assert.doesNotMatch(text, /#[0-9a-f]{3,8}\b/i, 'no hex colours');
  assert.doesNotMatch(text, /\b(rgb|rgba|hsl|hsla)\(/i, 'no rgb()/hsl() colours');
  assert.doesNotMatch(text, /url\(|@import/i, 'no url() or @import');
  const colourProps =
    /(^|[\s;{])(color|background|background-color|border(-[a-z]+)?-color|border(-left|-top|-right|-bottom)?|outline|fill|stroke|accent-color)\s*:\s*([^;]+);/g;
  let checked = 0;
  for (const m of text.matchAll(colourProps)) {
    const value = m[5] ?? '';
    if (/^(none|0|transparent|inherit)$/.test(value.trim())) continue;
    // Every colour in the value comes from the theme (a fallback to another theme variable is fine).
    const withoutVars = value.replace(
      /var\(--vscode-[a-zA-Z0-9-]+(,\s*(var\(--vscode-[a-zA-Z0-9-]+\)|transparent))?\)/g,
      '',
    );
    assert.doesNotMatch(
      withoutVars,
      /\b(red|green|blue|black|white|gray|grey|yellow|orange|purple)\b/i,
      `${m[2]}: ${value} uses a named colour`,
    );
    if (/var\(/.test(value)) checked++;
  }
  assert.ok(checked >= 20, `the colour declarations were found (${checked})`);
});

test('the webview code never parses strings as HTML', () => {
  const dir = join(ROOT, 'src', 'webview');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('main.ts'));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.doesNotMatch(
      text,
      /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/,
      `${f} must insert data as text`,
    );
  }
});
