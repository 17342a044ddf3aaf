import { chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import type { OutputFile } from "./emit/index.js";
import { NAME_PATTERN } from "./pipeline.js";
import { FileSystemError, fileSystemError, UnsafeOutputError } from "./store-errors.js";
import { acquireOutputLock } from "./store-lock.js";
import { uniqueHex } from "./unique.js";
import { workerThreads } from "./lazy-builtins.js";
import { adoptTerraformFolder, finishTerraformAdoption, hasTerraformFolder, rescueTerraformFolder, TERRAFORM_DIR, TERRAFORM_STAGING, terraformLockProblem } from "./store-terraform.js";

/** Storing bundles: the lock, the atomic swap of out/<name>/, the recovery of an interrupted run, and init's new file. */

const lstatOrNull = (path: string): Stats | null => {
  try {
    // a missing path is the common answer: no exception (with its stack trace) is made for it
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
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
    writeFileSync(path, content, { mode });
    // the mode given to open() is masked by the umask; executables must stay executable
    if (mode & 0o111) chmodSync(path, mode);
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
  const leftover = /^\.([a-z0-9-]+)\.(tmp|old)-/;
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
    // bundle there: finish it and swap it in (putting terraform/ back into the old bundle would mix the old
    // bundle's files with the new Terraform files already moved in)
    const target = join(outDir, name);
    const adopting = mine.find((e) => e.startsWith(`.${name}.tmp-`) && hasTerraformFolder(join(outDir, e)));
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
  const staged = stageTree(outDir, name, files, keep, warn);
  try {
    writeStagedFiles(staged, ops);
  } catch (error) {
    abandonStaged(staged);
    throw stagedWriteError(staged, error);
  }
  finishTree(staged, ops);
}

/** A bundle on its way in: its staging folder's name, and what the swap will do. */
interface StagedTree {
  outDir: string;
  target: string;
  staging: string;
  retired: string;
  /** The bundle folder it replaces exists. */
  existing: boolean;
  /** That folder's terraform/ is moved into the new bundle whole (see store-terraform.ts). */
  adopt: boolean;
  files: readonly OutputFile[];
  /** Each file's path in the staging folder (Terraform's files wait apart when terraform/ is adopted). */
  paths: string[];
  keep: readonly string[];
  warn: Warn;
}

/** What must hold before anything of a bundle is written; the staging folder's name. Writes nothing. */
function stageTree(outDir: string, name: string, files: readonly OutputFile[], keep: readonly string[], warn: Warn): StagedTree {
  const problems = checkOutputTargets(outDir, [name]);
  if (problems.length > 0) throw new UnsafeOutputError(problems.join("; "));
  const target = join(outDir, name);
  const existing = lstatOrNull(target) !== null;
  const lock = existing ? terraformLockProblem(target) : null;
  if (lock !== null) throw new UnsafeOutputError(lock);
  const adopt = existing && hasTerraformFolder(target);
  const unique = `${process.pid}-${Date.now().toString(36)}-${uniqueHex(8)}`;
  const staging = join(outDir, `.${name}.tmp-${unique}`);
  const paths = files.map((f) => {
    const parts = f.path.split("/");
    return adopt && parts[0] === TERRAFORM_DIR ? join(staging, TERRAFORM_STAGING, ...parts.slice(1)) : join(staging, ...parts);
  });
  return { outDir, target, staging, retired: join(outDir, `.${name}.old-${unique}`), existing, adopt, files, paths, keep, warn };
}

/** The staging folder, made (with out/ itself when it is missing), or an error naming the path that failed. */
function makeStaging(staging: string, outDir: string): void {
  try {
    mkdirSync(staging);
  } catch (error) {
    // out/ itself is made once, by the first bundle (not asked again for each of a fleet's bundles)
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(outDir, { recursive: true });
    mkdirSync(staging);
  }
}

/** A file-write failure in the staging folder, told as the bundle path it was for. */
class StagedWriteFailure extends Error {
  constructor(
    readonly path: string,
    readonly cause: unknown,
  ) {
    super("staged write failed");
  }
}

function writeStagedFiles(s: StagedTree, ops: WriteOps): void {
  let current = s.staging;
  try {
    makeStaging(s.staging, s.outDir);
    const made = new Set<string>([s.staging]);
    s.files.forEach((f, i) => {
      const path = s.paths[i];
      current = path;
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      ops.writeFile(path, f.content, f.mode);
    });
  } catch (error) {
    throw new StagedWriteFailure(current, error);
  }
}

/** The error of a failed write into the staging folder, as the one line the user sees. */
function stagedWriteError(s: StagedTree, error: unknown): Error {
  const failure = error instanceof StagedWriteFailure ? error : new StagedWriteFailure(s.staging, error);
  return fileSystemError(failure.cause, "write", failure.path === s.staging ? s.staging : failure.path.replace(s.staging, s.target));
}

/** Drop a staging folder whose files could not all be written; the old bundle was not touched. */
function abandonStaged(s: StagedTree): void {
  removeQuietly(s.staging, s.warn);
}

/** Every file written: carry the user's files, move terraform/ in, and swap the staging folder into place. */
function finishTree(s: StagedTree, ops: WriteOps): void {
  const { target, staging, retired, existing } = s;
  let adopted = false;
  let current = staging;
  try {
    for (const rel of s.keep) {
      if (s.adopt && rel.split("/")[0] === TERRAFORM_DIR) continue;
      current = join(target, rel);
      carry(join(target, rel), join(staging, rel));
    }
    current = target;
    if (s.adopt) {
      adopted = true;
      adoptTerraformFolder(target, staging, s.files, ops.rename);
    }
    if (existing) ops.rename(target, retired);
    ops.rename(staging, target);
  } catch (error) {
    // put the old bundle back if it was already moved aside, and its terraform/ folder, then drop the half-written one
    if (existing && lstatOrNull(target) === null && lstatOrNull(retired) !== null) renameSync(retired, target);
    if (adopted) rescueTerraformFolder(staging, target);
    removeQuietly(staging, s.warn);
    throw fileSystemError(error, "write", current === staging ? staging : current.replace(staging, target));
  }
  if (existing) removeQuietly(retired, s.warn);
}

/**
 * A fleet's bundles written with the disk's work on a second thread: while the main thread emits the next
 * bundle, a small worker thread (no tke-cilium code: node:fs alone; about 25 MiB of peak RSS) makes one bundle's staging
 * folder and writes its files, given as bytes (one buffer a bundle, moved to it, not copied). Everything else
 * stays on the main thread, in order, as replaceTree does it: the checks before, and after the files are
 * written the carried user files, terraform/ and the two renames. So a crash leaves what replaceTree leaves (a
 * staging folder that the next run's recovery removes), and at most one bundle is ever in flight.
 */
export class TreeWriter {
  private readonly worker: import("node:worker_threads").Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: unknown) => void }>();
  private next = 0;
  private failure: Error | null = null;
  /** The bundle whose files are being written, if any. */
  private inFlight: { staged: StagedTree; written: Promise<void> } | null = null;
  /** Buffers the writer thread gave back, for the next bundles' bytes. */
  private readonly spare: ArrayBuffer[] = [];

  constructor() {
    const { Worker } = workerThreads();
    this.worker = new Worker(WRITER_SOURCE, { eval: true, stdout: true, stderr: true });
    this.worker.on("message", (m: { id: number; bytes: ArrayBuffer; error?: { message: string; code?: string; path: string } }) => {
      if (this.spare.length < 2) this.spare.push(m.bytes);
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error === undefined) waiter?.resolve();
      else waiter?.reject(new StagedWriteFailure(m.error.path, Object.assign(new Error(m.error.message), { code: m.error.code })));
    });
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", () => this.fail(new Error("bug: the bundle writer thread exited")));
    this.worker.unref();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  /**
   * replaceTree, with the files written on the writer thread: the bundle before is finished first (its
   * errors thrown here, before this one is begun), then this one's files are handed over.
   */
  async replace(outDir: string, name: string, files: readonly OutputFile[], keep: readonly string[], warn: Warn): Promise<void> {
    await this.finish();
    const staged = stageTree(outDir, name, files, keep, warn);
    if (this.failure !== null) throw this.failure;
    const sizes = files.map((f) => Buffer.byteLength(f.content, "utf8"));
    const total = sizes.reduce((n, size) => n + size, 0);
    // the buffers go back and forth: a moved buffer would otherwise wait for the writer thread's rare GC
    const spare = this.spare.findIndex((b) => b.byteLength >= total);
    const bytes = spare >= 0 ? this.spare.splice(spare, 1)[0] : new ArrayBuffer(Math.max(total, 128 * 1024));
    const into = Buffer.from(bytes, 0, total);
    let at = 0;
    files.forEach((f, i) => (at += into.write(f.content, at, sizes[i], "utf8")));
    const id = this.next++;
    const written = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // a failure is taken by finish() or abandon(); none is left unhandled meanwhile
    written.catch(() => {});
    this.worker.ref();
    this.worker.postMessage({ id, outDir, staging: staged.staging, files: files.map((f, i) => [staged.paths[i], f.mode, sizes[i]]), bytes }, [bytes]);
    this.inFlight = { staged, written };
  }

  /** Swap in the bundle in flight, once its files are written (or drop it and throw, when they could not be). */
  async finish(): Promise<void> {
    const flight = this.inFlight;
    if (flight === null) return;
    this.inFlight = null;
    try {
      await flight.written;
    } catch (error) {
      abandonStaged(flight.staged);
      throw stagedWriteError(flight.staged, error);
    } finally {
      if (this.waiting.size === 0) this.worker.unref();
    }
    finishTree(flight.staged, REAL_WRITE_OPS);
  }

  /** After a failure or an interruption: the bundle in flight is not swapped in; its staging folder goes. */
  async abandon(): Promise<void> {
    const flight = this.inFlight;
    this.inFlight = null;
    if (flight === null) return;
    await flight.written.catch(() => {});
    abandonStaged(flight.staged);
  }

  close(): void {
    // TKE_CILIUM_WRITER_TRACE=1: say that the thread wrote (the tests make sure it did)
    if (process.env.TKE_CILIUM_WRITER_TRACE === "1") writeSync(2, `tke-cilium: bundle writer thread: ${this.next} bundles handed over\n`);
    void this.worker.terminate();
  }
}

/** The writer thread's code: node:fs only, so that starting it costs no compile of tke-cilium. */
const WRITER_SOURCE = `"use strict";
const { parentPort } = require("node:worker_threads");
const { chmodSync, mkdirSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
parentPort.on("message", ({ id, outDir, staging, files, bytes }) => {
  let current = staging;
  try {
    try {
      mkdirSync(staging);
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
      mkdirSync(outDir, { recursive: true });
      mkdirSync(staging);
    }
    const made = new Set([staging]);
    let at = 0;
    for (const [path, mode, size] of files) {
      current = path;
      const folder = dirname(path);
      if (!made.has(folder)) {
        mkdirSync(folder, { recursive: true });
        made.add(folder);
      }
      writeFileSync(path, new Uint8Array(bytes, at, size), { mode });
      if (mode & 0o111) chmodSync(path, mode);
      at += size;
    }
    parentPort.postMessage({ id, bytes }, [bytes]);
  } catch (error) {
    parentPort.postMessage({ id, bytes, error: { message: String(error && error.message), code: error && error.code, path: current } }, [bytes]);
  }
});
`;

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
