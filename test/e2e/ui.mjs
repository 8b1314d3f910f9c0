// What a person sees, in the real VS Code of code-server driven by a headless Chromium, with the
// packaged .vsix installed (as `npm start` does) on a copy of examples/: the squiggle on the offending
// call, its hover, the Problems panel listing the finding with its rule id, Ctrl+. offering the fix,
// and applying it removing the finding. Screenshots go to test-output/ui-*.png; with
// KOBJECT_E2E_README=1 the quick-fix shot is also written to media/screenshot.png (the README's).
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer, installExtension, packageVsix } from '../../scripts/code-server.mjs';
import {
  elapsed,
  goTo,
  log,
  MOD,
  openFile,
  openWorkbench,
  requireBuilt,
  ROOT,
  screenshot,
  SetupError,
  until,
  withWorkbench,
} from './workbench.mjs';

const FILE = 'drivers/acme-sensor.c';
const RULE = 'kfree-instead-of-put';
/** The offending call in FILE (1-based line and column, as the CLI prints it). */
const LINE = 44;
const COLUMN = 2;
const CALL = 'kfree(s);';
const FIX = 'Replace kfree() with put_device(&s->dev)';

let checks = 0;
function ok(cond, what) {
  if (!cond) throw new SetupError(`FAILED: ${what}`);
  checks++;
  log(`ok - ${what}`);
}

/** The workspace is a copy of examples/, as `npm start` opens it. */
function workspace(profile) {
  const ws = join(profile.dir, 'examples');
  mkdirSync(ws, { recursive: true });
  cpSync(join(ROOT, 'examples'), ws, { recursive: true });
  return ws;
}

/** The text of the editor line each error squiggle is drawn on, with the squiggle's box. */
async function squiggles(page) {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll('.monaco-editor .view-lines .view-line')].map((el) => ({
      box: el.getBoundingClientRect(),
      text: el.textContent ?? '',
    }));
    return [...document.querySelectorAll('.monaco-editor .squiggly-error')].map((el) => {
      const b = el.getBoundingClientRect();
      const y = b.top + b.height / 2;
      const line = lines.find((l) => l.box.top <= y && y < l.box.bottom);
      return { x: b.left + b.width / 2, y, width: b.width, text: line?.text.replace(/\u00a0/g, ' ') ?? '' };
    });
  });
}

async function problems(page) {
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

async function main() {
  const started = Date.now();
  requireBuilt(['dist/extension.js', 'dist/server.js']);
  ensureCodeServer();
  const t0 = Date.now();
  const vsix = packageVsix();
  log(`packaged ${vsix} in ${elapsed(t0)}`);
  await withWorkbench(
    'ui',
    {
      workspace,
      before: (profile) => installExtension(profile, vsix),
      settings: { 'workbench.editor.enablePreview': false, 'editor.minimap.enabled': false },
    },
    async ({ server, browser, folder }) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      try {
        await scenario(page, server, folder);
      } catch (e) {
        await screenshot(page, 'ui-failure').catch(() => undefined);
        throw e;
      }
    },
  );
  log(`${checks} UI checks passed in ${elapsed(started)}`);
}

async function scenario(page, server, folder) {
  const t = Date.now();
  await openWorkbench(page, server, folder);
  log(`workbench ready in ${elapsed(t)}`);
  await openFile(page, FILE);

  // --------------------------------------------------------------------- squiggle and hover
  // The status bar item counts the findings of the active file once the server has analyzed it.
  const status = page.locator('.statusbar-item', { hasText: 'Kobject Lifetime:' }).first();
  await status.filter({ hasText: /\d+ findings?/ }).waitFor({ timeout: 90_000 });
  ok(true, `the status bar says "${(await status.innerText()).trim()}"`);
  log(`findings shown ${elapsed(t)} after loading the workbench`);
  await goTo(page, LINE);
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
  const onCall = await until(
    async () => (await squiggles(page)).find((s) => s.text.includes(CALL)),
    `a squiggle on ${CALL}`,
  );
  ok(onCall.width > 10, `an error squiggle is drawn under "${CALL}" (line ${LINE})`);
  const all = await squiggles(page);
  ok(
    all.every((s) => /\w+\s*\(/.test(s.text)),
    `every error squiggle is on a line with a call: ${all.map((s) => s.text.trim()).join(' | ')}`,
  );
  // The hover, as the mouse would show it; "Show or Focus Hover" (Ctrl+K Ctrl+I) at the call is the
  // deterministic way to open it in a headless page.
  await goTo(page, `${LINE}:${COLUMN + 1}`);
  await page.keyboard.press(`${MOD}+K`);
  await page.keyboard.press(`${MOD}+I`);
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: RULE }).first();
  await hover.waitFor({ timeout: 30_000 });
  const hoverText = await hover.innerText();
  ok(/kfree\(\) frees s/.test(hoverText), 'the hover explains the finding');
  ok(hoverText.includes(RULE), `the hover names the rule ${RULE}`);
  await new Promise((r) => setTimeout(r, 500));
  await screenshot(page, 'ui-hover');
  await page.keyboard.press('Escape');
  await page.mouse.move(5, 5);

  // ------------------------------------------------------------------------ Problems panel
  await page.keyboard.press(`${MOD}+Shift+M`);
  await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 30_000 });
  const rows = await until(async () => {
    const r = await problems(page);
    return r.some((x) => x.includes(RULE)) ? r : undefined;
  }, `the Problems panel to list ${RULE}`);
  const row = rows.find((x) => x.includes(RULE));
  ok(
    row.includes(`Ln ${LINE}, Col ${COLUMN}`),
    `the Problems panel lists ${RULE} at Ln ${LINE}, Col ${COLUMN}`,
  );
  ok(row.includes('kobject-lifetime'), 'the Problems panel shows the source');
  await screenshot(page, 'ui-problems');

  // ----------------------------------------------------------------------------- quick fix
  await goTo(page, `${LINE}:${COLUMN}`);
  await page.keyboard.press(`${MOD}+Period`);
  const menu = page.locator('.action-widget');
  await menu.waitFor({ state: 'visible', timeout: 30_000 });
  const items = await until(async () => {
    const texts = await menu.locator('.monaco-list-row.action').allInnerTexts();
    return texts.some((x) => x.includes(FIX)) ? texts : undefined;
  }, `the quick-fix menu to offer "${FIX}"`);
  ok(true, `Ctrl+. offers "${FIX}" among ${items.length} actions`);
  // The README's picture: the squiggle, the quick-fix menu and the Problems panel at once.
  const shot = await screenshot(page, 'ui-quick-fix');
  if (process.env.KOBJECT_E2E_README === '1') {
    copyFileSync(shot, join(ROOT, 'media', 'screenshot.png'));
    log('README screenshot media/screenshot.png');
  }
  // Keyboard only: a click on the row is intercepted by an overlay.
  for (let i = 0; i < items.length; i++) {
    const focused = await menu
      .locator('.monaco-list-row.action.focused')
      .innerText()
      .catch(() => '');
    if (focused.includes(FIX)) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await until(
    async () =>
      (await page.locator('.monaco-editor .view-line', { hasText: 'put_device(&s->dev);' }).count()) > 0,
    'the fixed line in the editor',
  );
  ok(true, 'the fix replaced the call in the editor');
  await until(
    async () => !(await problems(page)).some((x) => x.includes(RULE)),
    `${RULE} to leave the Problems panel`,
  );
  ok(true, `after the fix the Problems panel no longer lists ${RULE}`);
  const left = await squiggles(page);
  ok(!left.some((s) => s.text.includes(CALL)), `no squiggle is left on line ${LINE}`);
  await screenshot(page, 'ui-fixed');

  // ------------------------------------------------------------- status bar → the output
  await status.filter({ hasText: /\d+ findings?/ }).waitFor({ timeout: 30_000 });
  ok(
    !/5 findings/.test(await status.innerText()),
    `the status bar follows: "${(await status.innerText()).trim()}"`,
  );
  await status.click();
  await until(
    async () =>
      page.evaluate(() =>
        [...document.querySelectorAll('.monaco-select-box, select')].some((e) =>
          /Kobject Lifetime/.test(e.getAttribute('title') ?? e.value ?? ''),
        ),
      ),
    'the output of Kobject Lifetime after a click on the status bar item',
  );
  ok(true, 'a click on the status bar item shows the Kobject Lifetime output');
}

main().catch((e) => {
  process.stderr.write(`${e instanceof SetupError ? e.message : e.stack}\n`);
  process.exit(1);
});
