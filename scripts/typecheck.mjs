// Type-checks each runtime's project: Node code (root), the webview (DOM lib) and the suite that runs
// inside the VS Code extension host (mocha globals). A project with no sources yet is skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const hasTs = (dir) =>
  existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.ts'));

let failed = false;
for (const project of ['tsconfig.json', 'src/webview/tsconfig.json', 'test/vscode/tsconfig.json']) {
  if (project !== 'tsconfig.json' && !hasTs(dirname(project))) continue;
  try {
    execFileSync(
      process.execPath,
      [join('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', project],
      {
        stdio: 'inherit',
      },
    );
  } catch {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
