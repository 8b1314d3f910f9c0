// Shared by the e2e runners: a code-server with a fresh profile and a test workspace, a headless
// Chromium on its workbench, the logs to print when something fails, and cleanup that always runs.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import {
  chromiumArgs,
  chromiumPath,
  createProfile,
  ROOT,
  SetupError,
  startCodeServer,
} from '../../scripts/code-server.mjs';

export { ROOT, SetupError };
export const OUTPUT = join(ROOT, 'test-output');

// Ctrl+C or a CI time-out: exit, so that the exit hook of scripts/code-server.mjs kills the servers.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    process.exit(130);
  });
}

export const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
export const log = (msg) => process.stderr.write(`[e2e] ${msg}\n`);

/** Fails with a clear sentence if the bundles the tests need are not built. */
export function requireBuilt(files) {
  const missing = files.filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length) throw new SetupError(`missing ${missing.join(', ')}: run \`npm run build\` first.`);
}

/** The workspace the tests open: the rule fixtures under rules/ and the examples under examples/. */
export function makeWorkspace(profile) {
  const ws = join(profile.dir, 'workspace');
  mkdirSync(ws, { recursive: true });
  cpSync(join(ROOT, 'test', 'fixtures', 'rules'), join(ws, 'rules'), { recursive: true });
  cpSync(join(ROOT, 'examples'), join(ws, 'examples'), { recursive: true });
  return ws;
}

/** Settings that keep the workbench quiet and deterministic for a test. */
export const TEST_SETTINGS = {
  'workbench.reduceMotion': 'on',
  'files.autoSave': 'off',
  'editor.hover.delay': 300,
  'window.restoreWindows': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

/** Playwright launches it with a fresh temporary profile of its own. */
export async function launchChromium() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: chromiumArgs(),
    timeout: 60_000,
  });
}

/** Every file under the profile's logs whose name matches, newest last, with its path. */
export function logFiles(profile, pattern) {
  const out = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(e)) out.push(p);
    }
  };
  walk(join(profile.userData, 'logs'));
  return out.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

/** Prints the extension host's log and the extension's output channel (the tail of each). */
export function printLogs(profile, server) {
  for (const file of logFiles(profile, /^(exthost\d*\.log|.*Kobject Lifetime.*\.log)$/)) {
    const text = readFileSync(file, 'utf8');
    const tail = text.length > 20_000 ? `…${text.slice(-20_000)}` : text;
    process.stderr.write(`\n----- ${relative(profile.dir, file)} -----\n${tail}\n`);
  }
  if (server) {
    const out = server.output();
    process.stderr.write(
      `\n----- code-server output -----\n${out.length > 10_000 ? `…${out.slice(-10_000)}` : out}\n`,
    );
  }
}

/**
 * Starts code-server on `folder` with a fresh profile, runs `body({ profile, server, browser })`, and
 * always closes the browser and kills code-server's process group. Logs are printed when body throws.
 */
export async function withWorkbench(
  name,
  { settings = {}, env = {}, workspace = makeWorkspace, before } = {},
  body,
) {
  const profile = createProfile(name, { ...TEST_SETTINGS, ...settings });
  const folder = workspace(profile);
  if (before) await before(profile);
  let server;
  let browser;
  let failed = false;
  try {
    const t = Date.now();
    server = await startCodeServer(profile, { folder, env });
    log(`code-server ready on ${server.url} in ${elapsed(t)}`);
    browser = await launchChromium();
    return await body({ profile, server, browser, folder });
  } catch (e) {
    failed = true;
    printLogs(profile, server);
    log(`profile and workspace kept for a look: ${relative(ROOT, profile.dir)}`);
    throw e;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (!failed) rmSync(profile.dir, { recursive: true, force: true });
  }
}

/** The workbench URL for a folder, with an optional payload (extension development / tests). */
export function workbenchUrl(server, folder, payload) {
  let url = `${server.url}?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/**
 * A console message of the page as plain text: its arguments through util.format (the workbench
 * forwards the extension host's console with the original format string; %c styles are dropped).
 */
export async function consoleText(msg) {
  try {
    const values = await Promise.all(msg.args().map((a) => a.jsonValue()));
    if (typeof values[0] === 'string' && values[0].includes('%c')) {
      // '%c[Extension Host] %c…' followed by one CSS string per %c, then the original arguments.
      const styles = values[0].split('%c').length - 1;
      const prefix = values[0].replace(/%c/g, '');
      return `${prefix}${format(...values.slice(1 + styles))}`;
    }
    if (values.length > 0) return format(...values);
  } catch {
    // an argument that cannot be serialized: fall back to Playwright's text
  }
  return msg.text();
}

// ------------------------------------------------------------------ driving the workbench page

export const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

/** Polls fn until it returns a truthy value (returned) or the time is up (throws with `what`). */
export async function until(fn, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new SetupError(
        `timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${String(last)})`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Saves a PNG under test-output/ and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  const file = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${relative(ROOT, file)}`);
  return file;
}

/** Loads the workbench on `folder` and waits until the explorer shows it. */
export async function openWorkbench(page, server, folder, payload) {
  page.on('dialog', (d) => void d.dismiss());
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(workbenchUrl(server, folder, payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 90_000 });
}

/** Runs a command by its title through F1. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Opens a workspace file with Quick Open and waits for its editor. */
export async function openFile(page, relPath) {
  await page.keyboard.press(`${MOD}+P`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relPath);
  const name = relPath.split('/').pop();
  // Wait for the search result itself: the first row may still be a recently opened file.
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** Moves the cursor with Go to Line (`line` or `line:column`, 1-based). */
export async function goTo(page, position) {
  await page.keyboard.press(`${MOD}+G`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${position}`);
  await page.keyboard.press('Enter');
  // The status bar counts columns visually (a tab is several), so only the line is checked.
  const want = `Ln ${String(position).split(':')[0]},`;
  await until(async () => (await cursorText(page)).startsWith(want), `the cursor at ${want}`);
}

/** The status bar's "Ln 12, Col 5" (shown while a text editor is active). */
export async function cursorText(page) {
  const item = page.locator('[id="status.editor.selection"]');
  return (await item.count()) > 0 ? (await item.innerText()).trim() : '';
}
