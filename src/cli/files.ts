// Finding the files to check and reading them. Paths keep the spelling the user gave (a relative
// argument gives relative paths); the list comes back sorted, so output order never depends on the
// file system's directory order.
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { sep } from 'node:path';

/** Extensions searched for inside folders (a file named on the command line is checked whatever its name). */
const SOURCE_EXTENSIONS = ['.c', '.h'];

/** Bytes looked at for a NUL when telling binary files from text. */
export const BINARY_SNIFF_BYTES = 8192;

/** An I/O failure the run cannot go on from: main prints `kobject-lifetime: <message>` and exits 2. */
export class IoError extends Error {
  override name = 'IoError';
}

/** Something worth telling on stderr as `file: note: text` that does not change the outcome. */
export interface Note {
  file: string;
  text: string;
}

export interface FileList {
  files: string[];
  notes: Note[];
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** `no such file or directory: foo.c` for an fs error on `path`. */
export function describeIoError(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    (code !== undefined ? REASONS[code] : undefined) ??
    (error instanceof Error ? error.message : String(error));
  return `${reason}: ${path}`;
}

/** Plain code-unit order: the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function joinPath(dir: string, name: string): string {
  // `check .` names files `a.c`, not `./a.c`; any other folder keeps the spelling it was given.
  if (dir === '.' || dir === `.${sep}` || dir === './') return name;
  return dir.endsWith('/') || dir.endsWith(sep) ? dir + name : dir + sep + name;
}

function isSource(name: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/**
 * Expands the command-line paths into the sorted list of files to check. Folders are walked
 * recursively (following symbolic links, each real folder once, so links that loop are harmless),
 * skipping entries whose names start with a dot. A missing path or an unreadable folder is an
 * IoError; a broken link or a special file found inside a folder is a note.
 */
export function collectFiles(paths: readonly string[]): FileList {
  const found: { path: string; real: string }[] = [];
  const notes: Note[] = [];
  const seenDirs = new Set<string>();

  const stat = (path: string): Stats => {
    try {
      return statSync(path);
    } catch (error) {
      throw new IoError(describeIoError(error, path));
    }
  };
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch (error) {
      throw new IoError(describeIoError(error, path));
    }
  };

  const walk = (dir: string): void => {
    const realDir = real(dir);
    if (seenDirs.has(realDir)) return;
    seenDirs.add(realDir);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      throw new IoError(describeIoError(error, dir));
    }
    names.sort(comparePaths);
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = joinPath(dir, name);
      let st: Stats;
      try {
        st = statSync(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ELOOP') {
          // A dangling or self-referencing symbolic link: nothing to read behind it.
          if (isSource(name)) notes.push({ file: path, text: 'skipped: broken symbolic link' });
          continue;
        }
        throw new IoError(describeIoError(error, path));
      }
      if (st.isDirectory()) walk(path);
      else if (st.isFile() && isSource(name)) found.push({ path, real: real(path) });
    }
  };

  for (const path of paths) {
    const st = stat(path);
    if (st.isDirectory()) walk(path);
    else if (st.isFile()) found.push({ path, real: real(path) });
    else notes.push({ file: path, text: 'skipped: not a regular file' });
  }

  // One entry per real file (a file named twice, or reached through a link, is checked once).
  found.sort((a, b) => comparePaths(a.path, b.path));
  const seenFiles = new Set<string>();
  const files: string[] = [];
  for (const f of found) {
    if (seenFiles.has(f.real)) continue;
    seenFiles.add(f.real);
    files.push(f.path);
  }
  return { files, notes };
}

export type SourceText = { kind: 'text'; text: string } | { kind: 'binary' };

/** True when the first BINARY_SNIFF_BYTES bytes hold a NUL. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Reads a file as UTF-8 text; binary files are reported, not decoded. Throws IoError. */
export function readSource(path: string): SourceText {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new IoError(describeIoError(error, path));
  }
  if (looksBinary(bytes)) return { kind: 'binary' };
  return { kind: 'text', text: bytes.toString('utf8') };
}
