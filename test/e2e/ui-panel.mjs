// The lifecycle simulator panel as a person sees it, in the real VS Code of code-server driven by a
// headless Chromium: opened on the function at the cursor, the 2016 livepatch verdicts, the delayed
// release toggle flipping them, stepping with the keyboard, a click on a step moving the editor's
// cursor, markup in the source shown as text, "Apply fix", and the toggles kept when it is reopened.
// Screenshots go to test-output/panel-*.png; media/simulator.png (the README's) with KOBJECT_E2E_README=1.
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer } from '../../scripts/code-server.mjs';
import {
  elapsed,
  log,
  OUTPUT,
  requireBuilt,
  ROOT,
  SetupError,
  withWorkbench,
  workbenchUrl,
} from './workbench.mjs';

const README_SHOT = process.env.KOBJECT_E2E_README === '1';
const MOD = 'Control';

/** The workspace: the examples and the XSS probe. */
function workspace(profile) {
  const ws = join(profile.dir, 'workspace');
  mkdirSync(ws, { recursive: true });
  cpSync(join(ROOT, 'examples'), join(ws, 'examples'), { recursive: true });
  cpSync(join(ROOT, 'test', 'fixtures', 'xss'), join(ws, 'xss'), { recursive: true });
  return ws;
}

class Check {
  constructor() {
    this.passed = 0;
  }
  ok(cond, what) {
    if (!cond) throw new SetupError(`FAILED: ${what}`);
    this.passed++;
    log(`ok - ${what}`);
  }
}

/** Polls fn until it returns a truthy value (returned) or the time is up (throws with `what`). */
async function until(fn, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new SetupError(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function shot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  const file = join(OUTPUT, `panel-${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function openFile(page, relPath) {
  await page.keyboard.press(`${MOD}+P`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relPath);
  const parts = relPath.split('/');
  const name = parts[parts.length - 1];
  const parent = parts[parts.length - 2] ?? name;
  // Wait for the search result itself: the first row may still be a recently opened file of that name.
  await page
    .locator('.quick-input-list .monaco-list-row.focused', { hasText: name })
    .filter({ hasText: parent })
    .first()
    .waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

async function goToLine(page, line) {
  await page.keyboard.press(`${MOD}+G`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await until(async () => (await cursorText(page)).startsWith(`Ln ${line},`), `the cursor on line ${line}`);
}

/**
 * Lines of the first editor group's editor that carry a decoration made through the extension API
 * (VS Code names their CSS classes after TextEditorDecorationType), by matching line-number tops.
 */
async function highlightedLines(page) {
  return page
    .locator('.monaco-editor')
    .first()
    .evaluate((editor) => {
      const tops = [...editor.querySelectorAll('.view-overlays [class*="TextEditorDecorationType"]')].map(
        (d) => d.getBoundingClientRect().top,
      );
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((n) => ({
        line: Number(n.textContent),
        top: n.getBoundingClientRect().top,
      }));
      return tops
        .map((t) => numbers.find((n) => Math.abs(n.top - t) < 3)?.line)
        .filter((l) => l !== undefined);
    });
}

/** The status bar's "Ln 12, Col 5" (shown while a text editor is active). */
async function cursorText(page) {
  const item = page.locator('[id="status.editor.selection"]');
  return (await item.count()) > 0 ? (await item.innerText()).trim() : '';
}

async function main() {
  const started = Date.now();
  requireBuilt(['dist/extension.js', 'dist/server.js', 'dist/webview.js']);
  ensureCodeServer();
  const check = new Check();
  await withWorkbench(
    'ui-panel',
    { workspace, settings: { 'editor.codeLens': true, 'workbench.editor.enablePreview': false } },
    async ({ server, browser, folder }) => {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
      try {
        await scenario(check, page, server, folder);
      } catch (e) {
        await shot(page, 'failure').catch(() => undefined);
        throw e;
      }
    },
  );
  log(`${check.passed} checks passed in ${elapsed(started)}`);
}

async function scenario(check, page, server, folder) {
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  // Any frame's console, the webview's included: a CSP violation there would mean a blocked resource.
  const cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text()) && /webview|vscode-resource|panel/i.test(msg.text())) {
      cspViolations.push(msg.text());
    }
  });
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  await page.goto(workbenchUrl(server, folder, [['extensionDevelopmentPath', remote(ROOT)]]), {
    waitUntil: 'domcontentloaded',
    timeout: 60_000,
  });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
  const t = Date.now();

  // More room for the editor and the panel side by side.
  await runCommand(page, 'View: Close Primary Side Bar');

  // ------------------------------------------------------------ the 2016 livepatch original
  await openFile(page, 'examples/livepatch-2016/original/patch.c');
  // The CodeLens shows that the server runs (and serves the simulator) before the panel asks it.
  await page
    .locator('.codelens-decoration a', { hasText: 'Simulate lifecycle' })
    .first()
    .waitFor({ timeout: 60_000 });
  check.ok(true, 'the "Simulate lifecycle" CodeLens is shown in patch.c');
  await goToLine(page, 20);
  await runCommand(page, 'Kobject Lifetime: Simulate Function at Cursor');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await frame.locator('h1#title', { hasText: 'livepatch_exit()' }).waitFor({ timeout: 60_000 });
  log(`panel open ${elapsed(t)} after the workbench`);
  const verdicts = async () =>
    frame.locator('button.path').evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  const v1 = await until(async () => {
    const v = await verdicts();
    return v.length > 0 ? v : undefined;
  }, 'the paths');
  check.ok(v1.includes('use-after-free'), `original livepatch_exit with delayed release: ${v1.join(', ')}`);
  const violation = await frame.locator('.violation').first().innerText();
  check.ok(/use-after-free/.test(violation), 'the violation is explained in the panel');
  check.ok(
    (await frame.locator('.lane-head').allInnerTexts()).some((t) => /release worker|sysfs reader/.test(t)),
    'the sequence diagram has a lane for an actor beside the function',
  );
  check.ok((await frame.locator('svg.chart path.refcount').count()) > 0, 'a refcount chart is drawn');
  // "Go to step" on the first violation: the panel scrolls to it, the editor opens core.c at the
  // sysfs reader's line and highlights it.
  await frame.locator('.violation button[data-key="violation-0"]').click();
  await page.locator('.tab.active', { hasText: 'core.c' }).waitFor({ timeout: 10_000 });
  check.ok(true, '"Go to step" on the violation opens core.c, where the sysfs reader runs');
  const core = readFileSync(join(ROOT, 'examples', 'livepatch-2016', 'original', 'core.c'), 'utf8').split(
    '\n',
  );
  const showLine = core.findIndex((l) => /enabled_show\(/.test(l)) + 1;
  const lit = await until(async () => {
    const lines = await highlightedLines(page);
    return lines.includes(showLine) ? lines : undefined;
  }, `core.c line ${showLine} highlighted`);
  check.ok(true, `the step's line is highlighted in the editor (core.c line ${lit.join(', ')})`);
  await page.waitForTimeout(500);
  await shot(page, 'original');
  if (README_SHOT) {
    await page.screenshot({ path: join(ROOT, 'media', 'simulator.png') });
    log('README screenshot media/simulator.png');
  }

  // --------------------------------------------------------- toggling the delayed release
  const delayed = frame.locator('#opt-debugKobjectRelease');
  const toggled = Date.now();
  await delayed.click();
  await until(
    async () => (await verdicts()).every((v) => v === 'ok'),
    'all paths ok without delayed release',
  );
  log(`toggle → new verdicts on screen in ${Date.now() - toggled} ms`);
  check.ok(!(await delayed.isChecked()), 'CONFIG_DEBUG_KOBJECT_RELEASE off: every path is ok');
  await shot(page, 'original-no-delayed-release');
  await delayed.click();
  await until(async () => (await verdicts()).includes('use-after-free'), 'the use-after-free back');
  check.ok(true, 'CONFIG_DEBUG_KOBJECT_RELEASE on again: use-after-free again');

  // ------------------------------------------------------------------------ stepping
  const stepCount = () => frame.locator('#step-count').innerText();
  await frame.locator('button[data-key="first"]').click();
  check.ok((await stepCount()).startsWith('Step 1 of'), 'the |◀ button goes to the first step');
  await frame.locator('#timeline').focus();
  await page.keyboard.press('End');
  const total = (await stepCount()).replace(/^Step (\d+) of (\d+)$/, '$2');
  check.ok((await stepCount()) === `Step ${total} of ${total}`, 'End on the timeline goes to the last step');
  await frame.locator('button[data-key="first"]').click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('j');
  check.ok((await stepCount()).startsWith('Step 3 of'), '→ and j step forward');
  await page.keyboard.press('k');
  check.ok((await stepCount()).startsWith('Step 2 of'), 'k steps back');

  // ------------------------------------------------- a click on a step moves the cursor
  const returns = frame.locator('button.event', { hasText: 'livepatch_exit() returns' }).first();
  await returns.click();
  await runCommand(page, 'View: Focus First Editor Group');
  const pos = await until(async () => {
    const c = await cursorText(page);
    return c.startsWith('Ln 22,') ? c : undefined;
  }, 'the cursor on the step line 22');
  check.ok(true, `clicking the "returns" step put the editor's cursor at ${pos}`);
  await shot(page, 'step-clicked');

  // ---------------------------------------- follow cursor: another function, the fixed variants
  await goToLine(page, 16);
  await frame.locator('h1#title', { hasText: 'livepatch_init()' }).waitFor({ timeout: 30_000 });
  check.ok(true, 'follow cursor: moving into livepatch_init() re-simulates it');
  for (const variant of ['1-pointer-kobject', '2-completion', '3-core-allocates']) {
    await openFile(page, `examples/livepatch-2016/${variant}/patch.c`);
    await page.locator('.codelens-decoration a', { hasText: 'Simulate lifecycle' }).first().waitFor();
    const source = readFileSync(join(ROOT, 'examples', 'livepatch-2016', variant, 'patch.c'), 'utf8');
    const exit = source.split('\n').findIndex((l) => /livepatch_exit\(void\)/.test(l));
    check.ok(exit >= 0, `${variant}: livepatch_exit() is in patch.c`);
    // 0-based line of the signature + 3 = the 1-based line of the body's first statement.
    await goToLine(page, exit + 3);
    await frame.locator('.file', { hasText: variant }).waitFor({ timeout: 30_000 });
    await frame.locator('h1#title', { hasText: 'livepatch_exit()' }).waitFor();
    const v = await until(async () => {
      const got = await verdicts();
      return got.length > 0 ? got : undefined;
    }, `${variant} verdicts`);
    check.ok(
      v.every((x) => x === 'ok'),
      `fixed variant ${variant} (followed from the cursor, delayed release on): ${v.join(', ')}`,
    );
  }
  await shot(page, 'fixed-variant');

  // ------------------------------------------------------------- markup stays text
  await openFile(page, 'xss/xss-probe.c');
  const lens = page.locator('.codelens-decoration a', { hasText: 'Simulate lifecycle' }).first();
  await lens.waitFor({ timeout: 30_000 });
  check.ok(true, 'a "Simulate lifecycle" CodeLens is shown above the probe');
  await lens.click();
  await frame.locator('h1#title', { hasText: 'probe_add()' }).waitFor({ timeout: 30_000 });
  const conditions = (await frame.locator('.path .conditions').allInnerTexts()).join('\n');
  check.ok(conditions.includes('<script>alert(1)</script>'), 'the <script> string is shown as text');
  check.ok(conditions.includes('<img src=x onerror=alert(1)>'), 'the <img onerror> string is shown as text');
  check.ok((await frame.locator('#app img').count()) === 0, 'no <img> element was created from the source');
  check.ok(
    (await frame.locator('#app script').count()) === 0,
    'no <script> element was created from the source',
  );
  const injected = await frame
    .locator('script, [onerror]')
    .evaluateAll(
      (els) => els.filter((e) => e.hasAttribute('onerror') || /alert/.test(e.textContent ?? '')).length,
    );
  check.ok(injected === 0, 'no script with the probe text and no onerror attribute anywhere in the page');
  await shot(page, 'xss-probe');

  // --------------------------------------------------------------------- Apply fix
  const fix = frame.locator('button', { hasText: 'Apply fix' }).first();
  await fix.waitFor({ timeout: 30_000 });
  check.ok(/put_device/.test(await fix.innerText()), `the safe fix is offered: ${await fix.innerText()}`);
  await fix.click();
  await until(async () => {
    const v = await verdicts();
    return v.length > 0 && v.every((x) => x === 'ok');
  }, 'every probe path ok after the fix');
  const status = await frame.locator('#status').innerText();
  check.ok(/Applied/.test(status), `the panel says so: "${status}"`);
  const editorText = await page.locator('.monaco-editor .view-lines').first().innerText();
  check.ok(
    /put_device\(&p->dev\)/.test(editorText.replace(/\u00a0/g, ' ')),
    'the editor has put_device(&p->dev)',
  );
  await shot(page, 'fix-applied');

  // An edit re-simulates (follow cursor): undoing the fix brings the bug back.
  await runCommand(page, 'View: Focus First Editor Group');
  await page.keyboard.press(`${MOD}+Z`);
  await until(async () => (await verdicts()).includes('free-while-referenced'), 'the bug back after undo');
  check.ok(true, 'undoing the fix in the editor re-simulates: freed while referenced again');

  // Theme colours only: another theme changes the panel's colours with it.
  const background = () =>
    frame.locator('body').evaluate((b) => b.ownerDocument.defaultView.getComputedStyle(b).backgroundColor);
  const light = await background();
  await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
  const dark = await until(async () => {
    const now = await background();
    return now !== light ? now : undefined;
  }, 'the panel to follow the theme');
  check.ok(true, `the panel follows the colour theme (background ${light} → ${dark})`);
  await shot(page, 'dark-theme');

  check.ok(dialogs.length === 0, `no dialog opened (${dialogs.length})`);
  check.ok(cspViolations.length === 0, `no Content Security Policy violation (${cspViolations.join(' | ')})`);

  // ---------------------------------------- closed and opened again: toggles and selection kept
  await frame.locator('#opt-sysfsReader').click();
  await until(async () => !(await frame.locator('#opt-sysfsReader').isChecked()), 'sysfs reader off');
  // Select the last ok path at its last step (the panel would open on the bug path's violation).
  await frame.locator('button.path[data-verdict="ok"]').last().click();
  await frame.locator('button[data-key="last"]').click();
  const selected = {
    path: await frame.locator('button.path[aria-pressed="true"] .path-name').innerText(),
    step: await stepCount(),
  };
  await page.locator('.tab', { hasText: 'Simulate probe_add()' }).locator('.codicon-close').click();
  await until(async () => (await page.locator('iframe.webview.ready').count()) === 0, 'the panel closed');
  await openFile(page, 'xss/xss-probe.c');
  await goToLine(page, 30);
  await runCommand(page, 'Kobject Lifetime: Simulate Function at Cursor');
  await frame.locator('h1#title').waitFor({ timeout: 30_000 });
  check.ok(!(await frame.locator('#opt-sysfsReader').isChecked()), 'reopened: sysfs reader still off');
  check.ok(await frame.locator('#opt-debugKobjectRelease').isChecked(), 'reopened: delayed release still on');
  await frame.locator('#step-count').waitFor();
  const again = {
    path: await frame.locator('button.path[aria-pressed="true"] .path-name').innerText(),
    step: await stepCount(),
  };
  check.ok(
    again.path === selected.path && again.step === selected.step,
    `reopened: the selection is kept (${selected.path}, ${selected.step} → ${again.path}, ${again.step})`,
  );
  await shot(page, 'reopened');

  // ------------------------------------------------ a reload restores the panel (serializer)
  await frame.locator('h1#title', { hasText: 'probe_add()' }).waitFor({ timeout: 30_000 });
  // As a person would: the workbench saves its state (the panel's too) on the way out.
  const reloaded = page.waitForEvent('framenavigated', {
    predicate: (f) => f === page.mainFrame(),
    timeout: 60_000,
  });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await frame.locator('h1#title', { hasText: 'probe_add()' }).waitFor({ timeout: 60_000 });
  check.ok(
    !(await frame.locator('#opt-sysfsReader').isChecked()),
    'after a reload the panel is back, sysfs reader off',
  );
  await shot(page, 'reloaded');
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof SetupError ? e.message : e.stack}\n`);
    process.exit(1);
  },
);
