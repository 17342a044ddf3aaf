import { closeSync, constants as fsConstants, fstatSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileSystemError, fileSystemError } from "./store-errors.js";
import { uniqueHex } from "./unique.js";

/**
 * One writer per output folder at a time: out/.tke-cilium.lock.
 *
 * - Created whole: the owner's line is written to a private file first, then hard-linked to the lock name,
 *   which fails if the lock exists. No reader ever sees a lock without its owner.
 * - The owner is a pid, that process's start time (from /proc, where there is one) and a random token: a
 *   live process that reuses a dead holder's pid, or a container's pid 1, is told apart by its start time.
 * - A lock whose owner is gone is taken over under a second short-lived lock (.takeover), and only if it
 *   still holds the same owner line once that is held: two runs cannot both take one lock over.
 * - A lock that is empty or cannot be parsed (written by something else) counts as held for a grace period.
 * - Released only by its owner (the token must match), also when the run is interrupted (SIGINT, SIGTERM).
 */
export const LOCK_NAME = ".tke-cilium.lock";
const GRACE_MS = 10_000;
const POLL_MS = 25;

interface Owner {
  pid: number;
  start: string;
  token: string;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** This process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or "" without /proc. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ")"
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") {
      // no such process, or no /proc at all on this system
      try {
        statSync("/proc/self/stat");
        return null;
      } catch {
        return "";
      }
    }
    return "";
  }
}

function isAlive(owner: Owner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const start = startTime(owner.pid);
  if (start === null) return false;
  // the same pid with another start time is another process that reused it
  return start === "" || owner.start === "" || start === owner.start;
}

const ownerLine = (o: Owner) => `tke-cilium ${o.pid} ${o.start} ${o.token}\n`;

function parseOwner(text: string): Owner | null {
  const m = /^tke-cilium (\d+) (\d*) ([0-9a-f]{32})\n$/.exec(text);
  return m ? { pid: Number(m[1]), start: m[2], token: m[3] } : null;
}

/** The lock file's text and age, read without following a link or blocking on a FIFO; null when there is none. */
function readLock(path: string): { text: string; ageMs: number } | null {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ELOOP") throw new FileSystemError(`${path} is a symbolic link, not tke-cilium's lock; remove it`);
    throw fileSystemError(error, "read the lock", path);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new FileSystemError(`${path} is ${info.isDirectory() ? "a directory" : "not a regular file"}, not tke-cilium's lock; remove it`);
    const bytes = Buffer.alloc(Math.min(info.size, 256));
    const n = readSync(fd, bytes, 0, bytes.length, 0);
    return { text: bytes.subarray(0, n).toString("utf8"), ageMs: Date.now() - info.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** Create `path` holding `text`, atomically: false when it exists. */
function createWhole(path: string, text: string): boolean {
  const draft = `${path}.${process.pid}.${uniqueHex(12)}`;
  try {
    writeFileSync(draft, text, { flag: "wx", mode: 0o644 });
  } catch (error) {
    throw fileSystemError(error, "create the lock", draft);
  }
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw fileSystemError(error, "create the lock", path);
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Drafts of the lock (LOCK_NAME.<pid>.<hex>) that a run killed between writing and linking one left behind:
 * removed, under the lock, once their process is gone. A live run's draft is never touched.
 */
function removeStaleDrafts(outDir: string): void {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.tke-cilium\.lock\.(\d+)\.[0-9a-f]{12}$/.exec(name);
    if (m === null || isAlive({ pid: Number(m[1]), start: "", token: "" })) continue;
    rmSync(join(outDir, name), { force: true });
  }
}

export interface HeldLock {
  path: string;
  release(): void;
}

/** Is the lock at `path` abandoned (its owner gone, or unreadable for longer than the grace period)? */
function abandoned(lock: { text: string; ageMs: number }): boolean {
  const owner = parseOwner(lock.text);
  if (owner === null) return lock.ageMs > GRACE_MS;
  return !isAlive(owner);
}

/** Remove an abandoned lock, under the takeover lock, if it still holds what was judged abandoned. */
function takeOver(path: string, judged: string, me: string): void {
  const guard = `${path}.takeover`;
  if (!createWhole(guard, me)) {
    const other = readLock(guard);
    // a takeover whose runner died in the middle: clear it, and compete again next time round
    if (other !== null && abandoned(other)) rmSync(guard, { force: true });
    return;
  }
  try {
    const now = readLock(path);
    if (now !== null && now.text === judged) unlinkSync(path);
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Acquire the lock of `outDir`, waiting up to `waitMs` for a live holder. */
export function acquireOutputLock(outDir: string, waitMs = 60_000): HeldLock {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, "create the output folder", outDir);
  }
  const path = join(outDir, LOCK_NAME);
  const owner: Owner = { pid: process.pid, start: startTime(process.pid) ?? "", token: uniqueHex(32) };
  const me = ownerLine(owner);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (createWhole(path, me)) break;
    const lock = readLock(path);
    if (lock === null) continue;
    if (abandoned(lock)) {
      takeOver(path, lock.text, me);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = parseOwner(lock.text);
      throw new FileSystemError(
        holder
          ? `${path} is held by process ${holder.pid}, another tke-cilium render still writing there; wait for it, or remove the lock if that process is not tke-cilium`
          : `${path} holds no tke-cilium owner; remove it if no render is running`,
      );
    }
    sleep(POLL_MS);
  }
  removeStaleDrafts(outDir);
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    // only our own lock: never one another run took over after a long pause of ours
    const now = readLock(path);
    if (now !== null && now.text === me) rmSync(path, { force: true });
  };
  return { path, release };
}
