// vitest globalSetup: one temporary folder for the whole run, given to every test worker and every process they
// start as TMPDIR (os.tmpdir(), mktemp, git, helm), and removed when the run ends, passed or failed.
//
// It is made on /dev/shm when that is a tmpfs this user can write with room to spare: the tests make and remove
// thousands of small files and folders (scratch repositories, bundles, the fake cluster's shims), and on ext4
// each new inode costs a search for one that was not recently deleted; on tmpfs that system time is gone.
// Elsewhere (macOS, a container with a small /dev/shm) it is made under the operating system's temporary folder.
// No test needs a real disk for its scratch files: the rename across file systems is simulated
// (test/hostile-repo.test.ts), and the bundle index's inode, size and time checks hold on tmpfs as on ext4.
import { accessSync, constants, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** statfs(2)'s f_type of a tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
/** Free space /dev/shm must have: a run keeps about 30 MB at once; the rest is for other users of the machine. */
const ROOM_BYTES = 2 * 1024 ** 3;
/** The variable that tells test/setup/temp-check.ts where this run's folder is. */
export const RUN_TMP = "TKE_CILIUM_TEST_TMP";

/** /dev/shm when it is a writable tmpfs with room, else null. */
export function tmpfsBase(path = "/dev/shm"): string | null {
  try {
    const fs = statfsSync(path);
    if (fs.type !== TMPFS_MAGIC || fs.bavail * fs.bsize < ROOM_BYTES) return null;
    accessSync(path, constants.W_OK);
    return path;
  } catch {
    return null;
  }
}

/**
 * A run's folder is named after the process that made it and its pid namespace
 * (tke-cilium-run-NAMESPACE-PID-XXXXXX): a process id means something only in its own namespace, and two
 * containers can share /dev/shm or /tmp.
 */
const PREFIX = "tke-cilium-run-";
const namespace = (() => {
  try {
    return /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1] ?? "0";
  } catch {
    return "0";
  }
})();
/** How old an abandoned folder of an unknown namespace must be before a run removes it. */
const STALE_MS = 24 * 3600 * 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the folders of earlier runs that are gone (a run killed before its teardown): on tmpfs they would hold
 * memory until the next boot. Gone: made in this pid namespace by a process that no longer exists, or, without a
 * namespace to tell (not Linux), untouched for a day.
 */
function removeAbandoned(base: string): void {
  for (const name of readdirSync(base)) {
    const match = new RegExp(`^${PREFIX}(\\d+)-(\\d+)-`).exec(name);
    if (match === null) continue;
    const [ns, pid] = [match[1], Number(match[2])];
    try {
      const gone = ns === namespace && namespace !== "0" ? pid !== process.pid && !alive(pid) : Date.now() - statSync(join(base, name)).mtimeMs > STALE_MS;
      if (gone) rmSync(join(base, name), { recursive: true, force: true });
    } catch {
      // another user's, or removed meanwhile: not ours to remove
    }
  }
}

function makeRunFolder(): string {
  const shm = tmpfsBase();
  if (shm !== null) {
    try {
      removeAbandoned(shm);
      return mkdtempSync(join(shm, `${PREFIX}${namespace}-${process.pid}-`));
    } catch {
      // a full or read-only /dev/shm after all: the operating system's folder below
    }
  }
  removeAbandoned(tmpdir());
  return mkdtempSync(join(tmpdir(), `${PREFIX}${namespace}-${process.pid}-`));
}

/** Every path under `dir`, relative to it, folders included (what a test left). */
export function listTree(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((d) => {
    const rel = join(prefix, d.name);
    return d.isDirectory() ? [rel, ...listTree(dir, rel)] : [rel];
  });
}

export default function setup(): () => void {
  const saved = { TMPDIR: process.env.TMPDIR, [RUN_TMP]: process.env[RUN_TMP] };
  const run = makeRunFolder();
  // the workers are started after this, with this process's environment
  process.env.TMPDIR = run;
  process.env[RUN_TMP] = run;
  return () => {
    // each worker's folder is emptied file by file (test/setup/temp-check.ts); anything else is a leak
    const left = listTree(run).filter((p) => !/^worker-\d+$/.test(p));
    rmSync(run, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (left.length > 0) {
      console.error(`\nthe test run left ${left.length} temporary file(s) (now removed):\n  ${left.slice(0, 40).join("\n  ")}`);
      process.exitCode = 1;
    }
  };
}
