import { chmodSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, readFileSync, writeFileSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import type { OutputFile } from "./emit/index.js";
import { NAME_PATTERN } from "./pipeline.js";
import { UnsafeOutputError } from "./workspace.js";

/** Storing bundles: the lock, the atomic swap of out/<name>/, the recovery of an interrupted run, and init's new file. */

const lstatOrNull = (path: string): Stats | null => {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
};

/**
 * Where bundles may go: `outDir` must be a real directory (or not exist yet) and each `outDir/<name>` a real
 * directory (or absent), never a symbolic link that would carry the write elsewhere. Checked for every
 * bundle before the first one is written.
 */
export function checkOutputTargets(outDir: string, names: readonly string[]): string[] {
  const problems: string[] = [];
  const out = lstatOrNull(outDir);
  if (out?.isSymbolicLink()) problems.push(`${outDir} is a symbolic link; refusing to write through it`);
  else if (out && !out.isDirectory()) problems.push(`${outDir} exists and is not a directory`);
  if (problems.length > 0) return problems;
  for (const name of names) {
    if (!NAME_PATTERN.test(name)) problems.push(`refusing the output name ${JSON.stringify(name)}`);
    const target = lstatOrNull(join(outDir, name));
    if (target?.isSymbolicLink()) problems.push(`${join(outDir, name)} is a symbolic link; refusing to replace it`);
    else if (target && !target.isDirectory()) problems.push(`${join(outDir, name)} exists and is not a directory`);
  }
  return problems;
}

/** Create a file that must not exist yet; false when it does (never overwrites). */
export function writeNewFile(path: string, text: string): boolean {
  try {
    writeFileSync(path, text, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

let sequence = 0;

/** The file operations replaceTree uses; tests swap in failing ones to prove a failed write loses nothing. */
export interface WriteOps {
  writeFile(path: string, content: string, mode: number): void;
  rename(from: string, to: string): void;
}

export const REAL_WRITE_OPS: WriteOps = {
  writeFile(path, content, mode) {
    writeFileSync(path, content, { mode });
    // the mode given to open() is masked by the umask; executables must stay executable
    if (mode & 0o111) chmodSync(path, mode);
  },
  rename: renameSync,
};

/**
 * Undo what an interrupted run left beside out/<name>: a retired bundle with no bundle in its place means
 * the run died between its two renames, so the retired one goes back; anything else left over is removed.
 */
export function recoverInterrupted(outDir: string, names: readonly string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch {
    return;
  }
  const leftover = /^\.([a-z0-9-]+)\.(tmp|old)-/;
  const wanted = new Set(names);
  for (const name of wanted) {
    const mine = entries.filter((e) => leftover.exec(e)?.[1] === name).sort();
    if (mine.length === 0) continue;
    const retired = mine.filter((e) => e.startsWith(`.${name}.old-`));
    if (lstatOrNull(join(outDir, name)) === null && retired.length > 0) renameSync(join(outDir, retired[retired.length - 1]), join(outDir, name));
    for (const e of mine) rmSync(join(outDir, e), { recursive: true, force: true });
  }
}

/**
 * One writer per output folder at a time: an exclusive lock file, out/.tke-cilium.lock. A lock whose process
 * is gone is taken over; a live one is waited for (up to `waitMs`).
 */
export function withOutputLock<T>(outDir: string, work: () => T, waitMs = 60_000): T {
  mkdirSync(outDir, { recursive: true });
  const lock = join(outDir, ".tke-cilium.lock");
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lock, "utf8").trim() || "0");
      if (!isAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new UnsafeOutputError(`${lock} is held by process ${holder}; another render is still writing there`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Replace `outDir/name` with exactly `files`: written into a temporary sibling first, then swapped in by
 * renames, so an interrupted run leaves the old bundle or the new one, never a mix.
 */
export function replaceTree(outDir: string, name: string, files: readonly OutputFile[], ops: WriteOps = REAL_WRITE_OPS): void {
  const problems = checkOutputTargets(outDir, [name]);
  if (problems.length > 0) throw new UnsafeOutputError(problems.join("; "));
  mkdirSync(outDir, { recursive: true });
  const target = join(outDir, name);
  const existing = lstatOrNull(target);
  const unique = `${process.pid}-${Date.now().toString(36)}-${sequence++}`;
  const staging = join(outDir, `.${name}.tmp-${unique}`);
  const retired = join(outDir, `.${name}.old-${unique}`);
  mkdirSync(staging);
  try {
    const made = new Set<string>([staging]);
    for (const f of files) {
      const path = join(staging, ...f.path.split("/"));
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      ops.writeFile(path, f.content, f.mode);
    }
    if (existing) ops.rename(target, retired);
    ops.rename(staging, target);
  } catch (error) {
    // put the old bundle back if it was already moved aside, then drop the half-written one
    if (existing && lstatOrNull(target) === null && lstatOrNull(retired) !== null) renameSync(retired, target);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (existing) rmSync(retired, { recursive: true, force: true });
}

/** Write one file whole or not at all: a temporary sibling, then a rename over the target. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${process.pid}-${Date.now().toString(36)}-${sequence++}.tmp`);
  try {
    writeFileSync(temporary, text, { flag: "wx", mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
