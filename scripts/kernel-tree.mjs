// The kernel files the unit tests read (real code, never copied into the repository): taken from the
// tree in KERNEL_TREE when it is set, otherwise extracted once from Debian's linux-source-6.12 package
// into .cache/kernel/. Prints the tree's path; exits 1 with one line when neither is available.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_TEST_FILES = [
  'drivers/base/core.c',
  'drivers/base/bus.c',
  'lib/kobject.c',
  'drivers/platform/x86/intel/pmc/pltdrv.c',
  'drivers/usb/gadget/function/f_mass_storage.c',
  'fs/f2fs/sysfs.c',
  'fs/erofs/sysfs.c',
];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARBALL = '/usr/src/linux-source-6.12.tar.xz';
const TOP = 'linux-source-6.12';
export const CACHED_TREE = join(ROOT, '.cache', 'kernel', TOP);

const complete = (tree) => KERNEL_TEST_FILES.every((f) => existsSync(join(tree, f)));

function ensure() {
  const given = process.env.KERNEL_TREE;
  if (given) {
    if (complete(given)) return given;
    throw new Error(`KERNEL_TREE (${given}) lacks some of: ${KERNEL_TEST_FILES.join(', ')}`);
  }
  if (complete(CACHED_TREE)) return CACHED_TREE;
  if (!existsSync(TARBALL)) {
    throw new Error(
      `the tests read real kernel files: install Debian's linux-source-6.12 (apt-get install linux-source-6.12) or set KERNEL_TREE`,
    );
  }
  mkdirSync(dirname(CACHED_TREE), { recursive: true });
  execFileSync('tar', [
    '-xJf',
    TARBALL,
    '-C',
    dirname(CACHED_TREE),
    ...KERNEL_TEST_FILES.map((f) => `${TOP}/${f}`),
  ]);
  if (!complete(CACHED_TREE)) throw new Error(`${TARBALL} did not hold every file the tests read`);
  return CACHED_TREE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensure());
  } catch (e) {
    console.error(`kernel-tree: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
