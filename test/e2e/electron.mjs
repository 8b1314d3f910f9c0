// The same extension-host suite through @vscode/test-electron: downloads the desktop VS Code (into
// .vscode-test/) and runs dist/test-vscode/index.js in its extension host. Where the download is not
// reachable it stops with one sentence and a non-zero exit; `npm run test:vscode` runs the suite in
// code-server instead. On Linux without a display, run it under `xvfb-run -a`.
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { join } from 'node:path';
import { CACHE, createProfile, ROOT, SetupError } from '../../scripts/code-server.mjs';
import { makeWorkspace, requireBuilt, TEST_SETTINGS } from './workbench.mjs';

/** The desktop build matching the API the extension is built against (engines.vscode ^1.100.0). */
const VERSION = process.env.KOBJECT_VSCODE_VERSION ?? '1.100.3';

async function main() {
  requireBuilt(['dist/extension.js', 'dist/server.js', 'dist/test-vscode/index.js']);
  let executable;
  try {
    executable = await downloadAndUnzipVSCode({ version: VERSION, cachePath: CACHE, timeout: 30_000 });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n', 1)[0];
    throw new SetupError(
      `test:electron: the desktop VS Code ${VERSION} could not be downloaded (${why}); ` +
        'run the same suite in code-server with `npm run test:vscode`.',
    );
  }
  const profile = createProfile('electron', TEST_SETTINGS);
  const workspace = makeWorkspace(profile);
  const code = await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'dist', 'test-vscode', 'index.js'),
    launchArgs: [
      workspace,
      '--user-data-dir',
      profile.userData,
      '--extensions-dir',
      profile.extensions,
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
    extensionTestsEnv: process.env.KOBJECT_E2E_GREP ? { KOBJECT_E2E_GREP: process.env.KOBJECT_E2E_GREP } : {},
  });
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    // runTests rejects with "Test run failed with code N" after VS Code printed the failures.
    process.stderr.write(
      `${e instanceof SetupError ? e.message : e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  },
);
