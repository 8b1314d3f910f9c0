// `npm start`: packages the built extension, makes sure code-server (VS Code 1.100) is in the cache
// folder, installs the .vsix into a profile of its own and serves examples/ on 127.0.0.1 until Ctrl+C.
// PORT=<n> picks the port (default: a free one).
import { join } from 'node:path';
import {
  CODE_SERVER_VERSION,
  createProfile,
  ensureCodeServer,
  installExtension,
  packageVsix,
  ROOT,
  SetupError,
  startCodeServer,
} from './code-server.mjs';

async function main() {
  ensureCodeServer();
  const vsix = packageVsix();
  const profile = createProfile('start', { 'editor.minimap.enabled': false }, { reuse: true });
  installExtension(profile, vsix);
  const port = process.env.PORT ? Number(process.env.PORT) : undefined;
  const folder = join(ROOT, 'examples');
  const server = await startCodeServer(profile, { folder, port });
  const url = `${server.url}?folder=${encodeURIComponent(folder)}`;
  process.stdout.write(
    `\nKobject Lifetime (${vsix.slice(ROOT.length + 1)}) in VS Code ${CODE_SERVER_VERSION.replace(/^4\./, '1.')} ` +
      `(code-server ${CODE_SERVER_VERSION}) on examples/:\n\n    ${url}\n\nOpen it in a browser; Ctrl+C stops the server.\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping code-server…\n');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { code, signal } = await server.exited;
  if (!stopping) {
    process.stderr.write(
      `code-server stopped by itself (${signal ?? `exit code ${code}`}):\n${server.output().slice(-4000)}\n`,
    );
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof SetupError ? e.message : e.stack}\n`);
  process.exit(1);
});
