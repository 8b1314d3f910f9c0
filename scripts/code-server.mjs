// code-server (a real VS Code served on loopback): installed into the project's cache folder, the
// extension packaged and installed, started on a free port. One module for `npm start`, the tests and CI.
// `node scripts/code-server.mjs install` only ensures the install (CI runs it before the tests).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** VS Code 1.100.3; the newest code-server line whose engines.node is 20. */
export const CODE_SERVER_VERSION = '4.100.3';
export const CACHE = join(ROOT, '.vscode-test');
export const INSTALL_DIR = join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
const ENTRY = join(INSTALL_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
// @vscode/ripgrep (a code-server dependency) downloads rg from GitHub in its postinstall unless its
// cache already holds the release it wants; the system's rg is seeded there instead.
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const log = (msg) => process.stderr.write(`[code-server] ${msg}\n`);

/** A failure whose message is the whole story: callers print it without a stack. */
export class SetupError extends Error {}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

export function isInstalled() {
  return existsSync(ENTRY) && existsSync(join(INSTALL_DIR, '.complete'));
}

/** Installs code-server into the cache folder unless it is there already; returns its entry script. */
export function ensureCodeServer() {
  if (isInstalled()) return ENTRY;
  const rg = which('rg');
  if (!rg)
    throw new SetupError('ripgrep is not installed (apt-get install -y ripgrep): code-server needs it.');
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${INSTALL_DIR} (a few minutes, ~300 MB)`);
  rmSync(INSTALL_DIR, { recursive: true, force: true });
  mkdirSync(INSTALL_DIR, { recursive: true });
  const tmp = join(CACHE, 'tmp');
  mkdirSync(join(tmp, RIPGREP_CACHE), { recursive: true });
  const asset = join(tmp, RIPGREP_CACHE, RIPGREP_ASSET);
  if (!existsSync(asset)) execFileSync('tar', ['czf', asset, '-C', dirname(rg), 'rg']);
  // A package.json of its own keeps npm from walking up into the project's.
  writeFileSync(join(INSTALL_DIR, 'package.json'), '{ "name": "code-server-cache", "private": true }\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    execFileSync(
      npm,
      [
        'install',
        '--prefix',
        INSTALL_DIR,
        '--no-audit',
        '--no-fund',
        '--no-save',
        `code-server@${CODE_SERVER_VERSION}`,
      ],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          TMPDIR: tmp,
          // As root, code-server's postinstall refuses to run without this.
          npm_config_unsafe_perm: 'true',
          // node-pty's postinstall runs `npx node-gyp`, which must not stop to ask.
          npm_config_yes: 'true',
        },
      },
    );
  } catch {
    throw new SetupError(
      `installing code-server ${CODE_SERVER_VERSION} failed (see npm's output above; native modules need ` +
        'build tools and libkrb5-dev).',
    );
  }
  if (!existsSync(ENTRY)) throw new SetupError(`code-server installed but ${ENTRY} is missing.`);
  writeFileSync(join(INSTALL_DIR, '.complete'), `${new Date().toISOString()}\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ENTRY;
}

/** Packages the built extension (run `npm run build` first) into the cache folder; returns the .vsix. */
export function packageVsix() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, `${pkg.name}-${pkg.version}.vsix`);
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--out',
      out,
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return out;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * A profile under the cache folder: user-data and extensions dirs and XDG homes, so that nothing is
 * written into $HOME and test runs never see each other's state. `settings` go into the user settings.
 */
export function createProfile(name, settings = {}, { reuse = false } = {}) {
  mkdirSync(join(CACHE, 'profiles'), { recursive: true });
  // A reused profile (npm start) keeps its state between runs; test profiles are new each time.
  const dir = reuse ? join(CACHE, 'profiles', name) : mkdtempSync(join(CACHE, 'profiles', `${name}-`));
  const p = {
    dir,
    userData: join(dir, 'user-data'),
    extensions: join(dir, 'extensions'),
    config: join(dir, 'config.yaml'),
    xdg: join(dir, 'xdg'),
  };
  for (const d of [p.userData, p.extensions, join(p.userData, 'User'), p.xdg])
    mkdirSync(d, { recursive: true });
  writeFileSync(p.config, 'auth: none\n');
  writeFileSync(
    join(p.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        ...settings,
      },
      null,
      2,
    ),
  );
  return p;
}

function envFor(profile, extra = {}) {
  return {
    ...process.env,
    ...extra,
    XDG_DATA_HOME: join(profile.xdg, 'data'),
    XDG_CONFIG_HOME: join(profile.xdg, 'config'),
    XDG_CACHE_HOME: join(profile.xdg, 'cache'),
  };
}

export function installExtension(profile, vsix) {
  try {
    execFileSync(
      process.execPath,
      [
        ensureCodeServer(),
        '--config',
        profile.config,
        '--user-data-dir',
        profile.userData,
        '--extensions-dir',
        profile.extensions,
        '--install-extension',
        vsix,
        '--force',
      ],
      { env: envFor(profile), stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    );
  } catch (e) {
    throw new SetupError(`code-server could not install ${vsix}: ${String(e.stderr ?? e.message).trim()}`);
  }
}

/**
 * Starts code-server on 127.0.0.1 in its own process group and waits for /healthz. `folder` is opened
 * when a browser loads `url`; `env` is added to its environment (the extension host inherits it).
 * Returns { url, port, output(), stop() }; stop() kills the whole group.
 */
export async function startCodeServer(
  profile,
  { folder, port, env = {}, timeoutMs = 60_000, quiet = true } = {},
) {
  const entry = ensureCodeServer();
  port ??= await freePort();
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--config',
    profile.config,
    '--user-data-dir',
    profile.userData,
    '--extensions-dir',
    profile.extensions,
  ];
  if (folder) args.push(folder);
  const child = spawn(process.execPath, args, {
    env: envFor(profile, env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (chunk) => {
    out += chunk;
    if (!quiet) process.stderr.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  live.add(child.pid);
  child.on('exit', () => live.delete(child.pid));
  let exited = false;
  const exitPromise = new Promise((res) =>
    child.on('exit', (code, signal) => ((exited = true), res({ code, signal }))),
  );

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exitPromise;
    clearTimeout(t);
    // The extension host and the language server are in the same group: make sure none outlives it.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new SetupError(`code-server exited before it was ready:\n${out.trim()}`);
    try {
      const r = await fetch(`${url}healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new SetupError(
        `code-server did not answer /healthz within ${timeoutMs / 1000} s:\n${out.trim()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, pid: child.pid, output: () => out, stop, exited: exitPromise };
}

/** Process groups of the code-servers started here and still running. */
const live = new Set();
// However this process ends (an uncaught error, process.exit() from a signal handler), no code-server,
// extension host or language server it started outlives it.
process.on('exit', () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** The Chromium to drive: $CHROMIUM, else Debian's. */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new SetupError('no Chromium found: apt-get install -y chromium, or set CHROMIUM to its path.');
  return found;
}

/** Flags for a headless Chromium run as root in a container, with a fresh profile folder. */
export function chromiumArgs() {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2];
  try {
    if (cmd === 'install') {
      ensureCodeServer();
      log(`ready: ${ENTRY}`);
    } else {
      process.stderr.write('usage: node scripts/code-server.mjs install\n');
      process.exit(2);
    }
  } catch (e) {
    process.stderr.write(`${e instanceof SetupError ? e.message : e.stack}\n`);
    process.exit(1);
  }
}
