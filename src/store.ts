import { closeSync, fchmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, openSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { OutputFile } from "./emit/index.js";
import { NAME_PATTERN } from "./pipeline.js";
import { FileSystemError, fileSystemError, UnsafeOutputError } from "./store-errors.js";
import { acquireOutputLock } from "./store-lock.js";
import { uniqueHex } from "./unique.js";
import { adoptTerraformFolder, finishTerraformAdoption, hasTerraformFolder, rescueTerraformFolder, TERRAFORM_DIR, TERRAFORM_STAGING, terraformLockProblem } from "./store-terraform.js";
import { lstatOrNull } from "./fs-stat.js";

/** Storing bundles: the lock, the atomic swap of out/<name>/, the recovery of an interrupted run, and init's new file. */


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

/** Create a file that must not exist yet, and its folder; false when it exists (never overwrites). */
export function writeNewFile(path: string, text: string): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    // mkdir -p says EEXIST when a part of the path is a file
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileSystemError(`cannot write ${path}: a part of the path is not a directory (ENOTDIR)`);
    throw fileSystemError(error, "write", path);
  }
  try {
    writeFileSync(path, text, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw fileSystemError(error, "write", path);
  }
}

/** The file operations replaceTree uses; tests swap in failing ones to prove a failed write loses nothing. */
export interface WriteOps {
  writeFile(path: string, content: string, mode: number): void;
  rename(from: string, to: string): void;
}

export const REAL_WRITE_OPS: WriteOps = {
  writeFile(path, content, mode) {
    // the text is written as it is (Node encodes it into the write itself): a fleet's 55 MB of bundle text
    // never becomes Buffers for the garbage collector to sweep
    const fd = openSync(path, "w", mode);
    try {
      const written = writeSync(fd, content);
      const size = Buffer.byteLength(content);
      // a short write (a full disk lets part of it through): the rest, and so the error that stopped it
      if (written < size) {
        const rest = Buffer.from(content).subarray(written);
        for (let at = 0; at < rest.length; ) at += writeSync(fd, rest, at);
      }
      // the mode given to open() is masked by the umask; executables must stay executable
      if (mode & 0o111) fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
  },
  rename: renameSync,
};

/** Warnings of a write that succeeded but could not tidy up after itself; the next run finishes the job. */
export type Warn = (message: string) => void;

/**
 * Undo what an interrupted run left beside out/<name>: a retired bundle with no bundle in its place means
 * the run died between its two renames, so the retired one goes back; anything else left over is removed.
 * Runs under the lock, so no other run's staging folder can be among them. A leftover that is not a real
 * directory (a planted link) is never renamed into place.
 */
export function recoverInterrupted(outDir: string, names: readonly string[], warn: Warn = () => {}): void {
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch {
    return;
  }
  const leftover = /^\.([a-z0-9-]+)\.(tmp|new|old)-/;
  const wanted = new Set(names);
  for (const name of wanted) {
    const mine = entries.filter((e) => leftover.exec(e)?.[1] === name).sort();
    if (mine.length === 0) continue;
    const retired = mine.filter((e) => e.startsWith(`.${name}.old-`) && lstatOrNull(join(outDir, e))?.isDirectory() === true);
    if (lstatOrNull(join(outDir, name)) === null && retired.length > 0) {
      const back = join(outDir, retired[retired.length - 1]);
      try {
        renameSync(back, join(outDir, name));
      } catch (error) {
        throw fileSystemError(error, "put back the bundle an interrupted run left in", back);
      }
    }
    // a run killed after it moved the live terraform/ folder into its staging folder had written the whole new
    // bundle there (renamed .NAME.new-* once whole, before the move): finish it and swap it in (putting
    // terraform/ back into the old bundle would mix the old bundle's files with the new Terraform files already
    // moved in). A .tmp-* folder is never swapped in, whatever it holds.
    const target = join(outDir, name);
    const adopting = mine.find((e) => e.startsWith(`.${name}.new-`) && hasTerraformFolder(join(outDir, e)));
    if (adopting !== undefined && lstatOrNull(target) !== null && !hasTerraformFolder(target)) {
      const staging = join(outDir, adopting);
      const older = join(outDir, `.${name}.old-rolled-${uniqueHex(8)}`);
      try {
        finishTerraformAdoption(staging);
        renameSync(target, older);
        renameSync(staging, target);
      } catch (error) {
        throw fileSystemError(error, "finish the bundle an interrupted run left in", staging);
      }
      removeQuietly(older, warn);
    }
    // a terraform/ folder the interrupted run had moved is put back before anything is removed
    for (const e of mine) rescueTerraformFolder(join(outDir, e), join(outDir, name));
    for (const e of mine) {
      if (hasTerraformFolder(join(outDir, e))) warn(`${join(outDir, e)} holds a terraform/ folder that could not be put back; it is kept: move what you need from it`);
      else removeQuietly(join(outDir, e), warn);
    }
  }
}

/** Remove a leftover; a failure is a warning (the next run tries again), never the end of a run that succeeded. */
function removeQuietly(path: string, warn: Warn): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (error) {
    const why = fileSystemError(error, "remove", path);
    warn(`${why.message}; the bundle itself is written, and the next render removes it`);
  }
}

/** A render stopped by SIGINT or SIGTERM between two bundles. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * Runs `work` holding out/.tke-cilium.lock (see store-lock.ts). SIGINT and SIGTERM are caught while it is
 * held: `checkpoint()`, awaited between bundles, lets them in and stops the work there; the lock is released
 * whatever happens.
 */
export async function withOutputLock<T>(outDir: string, work: (checkpoint: () => Promise<void>) => Promise<T> | T, waitMs = 60_000): Promise<T> {
  const lock = acquireOutputLock(outDir, waitMs);
  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    signal ??= s;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const checkpoint = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal !== null) throw new InterruptedError(signal);
  };
  try {
    return await work(checkpoint);
  } finally {
    lock.release();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * Replace `outDir/name` with exactly `files`, plus `keep` (paths of the old folder that are the user's, such
 * as Terraform state, carried over by hard links): written into a temporary sibling first, then swapped in by
 * renames, so an interrupted run leaves the old bundle or the new one, never a mix.
 */
export function replaceTree(outDir: string, name: string, files: readonly OutputFile[], ops: WriteOps = REAL_WRITE_OPS, keep: readonly string[] = [], warn: Warn = () => {}): void {
  const problems = checkOutputTargets(outDir, [name]);
  if (problems.length > 0) throw new UnsafeOutputError(problems.join("; "));
  const target = join(outDir, name);
  const existing = lstatOrNull(target);
  const lock = existing ? terraformLockProblem(target) : null;
  if (lock !== null) throw new UnsafeOutputError(lock);
  // the live terraform/ folder is moved into the new bundle whole, never replaced (see store-terraform.ts)
  const adopt = existing !== null && hasTerraformFolder(target);
  let adopted = false;
  const unique = `${process.pid}-${Date.now().toString(36)}-${uniqueHex(8)}`;
  let staging = join(outDir, `.${name}.tmp-${unique}`);
  const retired = join(outDir, `.${name}.old-${unique}`);
  let current = staging;
  try {
    try {
      mkdirSync(staging);
    } catch (error) {
      // out/ itself is made once, by the first bundle (not asked again for each of a fleet's bundles)
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      mkdirSync(outDir, { recursive: true });
      mkdirSync(staging);
    }
    const made = new Set<string>([staging]);
    for (const f of files) {
      const parts = f.path.split("/");
      const path = adopt && parts[0] === TERRAFORM_DIR ? join(staging, TERRAFORM_STAGING, ...parts.slice(1)) : join(staging, ...parts);
      current = path;
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      ops.writeFile(path, f.content, f.mode);
    }
    for (const rel of keep) {
      if (adopt && rel.split("/")[0] === TERRAFORM_DIR) continue;
      current = join(target, rel);
      carry(join(target, rel), join(staging, rel));
    }
    current = target;
    if (adopt) {
      // every file is written: the staging folder is renamed .NAME.new-* first, so that an interrupted run's
      // recovery rolls forward only a folder that is whole (recoverInterrupted), never a half-written .tmp-*
      const whole = join(outDir, `.${name}.new-${unique}`);
      ops.rename(staging, whole);
      staging = whole;
      adopted = true;
      adoptTerraformFolder(target, staging, files, ops.rename);
    }
    if (existing) ops.rename(target, retired);
    ops.rename(staging, target);
  } catch (error) {
    // put the old bundle back if it was already moved aside, and its terraform/ folder, then drop the half-written one
    if (existing && lstatOrNull(target) === null && lstatOrNull(retired) !== null) renameSync(retired, target);
    if (adopted) rescueTerraformFolder(staging, target);
    removeQuietly(staging, warn);
    throw fileSystemError(error, "write", current === staging ? staging : current.replace(staging, target));
  }
  if (existing) removeQuietly(retired, warn);
}

/** A user's file or folder, carried into the new bundle: hard links for files, the same target for links. */
function carry(from: string, to: string): void {
  const info = lstatSync(from);
  mkdirSync(dirname(to), { recursive: true });
  if (info.isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from)) carry(join(from, entry), join(to, entry));
  } else if (info.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (info.isFile()) linkSync(from, to);
}

/** Write one file whole or not at all: a temporary sibling, then a rename over the target. */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = join(dirname(path), `.${process.pid}-${uniqueHex(12)}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, text, { flag: "wx", mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw fileSystemError(error, "write", path);
  }
}
