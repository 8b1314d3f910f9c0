// Runs the extension-host suite (dist/test-vscode/index.js, mocha) inside the real VS Code of
// code-server: the workbench opens with extensionDevelopmentPath/extensionTestsPath in its payload,
// runs the suite in the extension host and reports the exit code through window.codeAutomationExit.
// KOBJECT_E2E_GREP=<text> runs only the tests whose title contains it.
import { ensureCodeServer } from '../../scripts/code-server.mjs';
import { format } from 'node:util';
import { elapsed, log, requireBuilt, ROOT, SetupError, withWorkbench, workbenchUrl } from './workbench.mjs';

const NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Creation of workbench contribution|Updating additional builtin|\[Service Worker\]|ChatSessionStore|getaddrinfo ENOTFOUND|\s+at )/;
const TIMEOUT_MS = Number(process.env.KOBJECT_E2E_TIMEOUT_MS ?? 300_000);

async function main() {
  const started = Date.now();
  requireBuilt(['dist/extension.js', 'dist/server.js', 'dist/test-vscode/index.js']);
  ensureCodeServer();
  const env = process.env.KOBJECT_E2E_GREP ? { KOBJECT_E2E_GREP: process.env.KOBJECT_E2E_GREP } : {};
  const code = await withWorkbench('exthost', { env }, async ({ server, browser, folder }) => {
    const page = await browser.newPage();
    let resolveExit;
    const exit = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (c) => resolveExit(Number(c)));
    // The workbench hands every log line to codeAutomationLog (type, [format, ...args]): mocha's report
    // from the extension host among them. Start-up chatter is dropped.
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const text = Array.isArray(args) ? format(...args) : String(args);
      if (!NOISE.test(text)) process.stdout.write(`${text}\n`);
    });
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const url = workbenchUrl(server, folder, [
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(`${ROOT}/dist/test-vscode/index.js`)],
    ]);
    const t = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    let timer;
    const timeout = new Promise((_, rej) => {
      timer = setTimeout(
        () => rej(new SetupError(`the extension-host suite did not finish within ${TIMEOUT_MS / 1000} s`)),
        TIMEOUT_MS,
      );
    });
    try {
      const c = await Promise.race([exit, timeout]);
      log(`extension-host suite exited with ${c} after ${elapsed(t)} in the workbench`);
      if (c !== 0) throw new SetupError(`the extension-host suite failed (exit code ${c})`);
      return c;
    } finally {
      clearTimeout(timer);
    }
  });
  log(`extension-host run: ${elapsed(started)} in all`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof SetupError ? e.message : e.stack}\n`);
    process.exit(1);
  },
);
