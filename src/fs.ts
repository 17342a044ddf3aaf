import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { OutputFile } from "./emit/index.js";
import { NAME_PATTERN } from "./pipeline.js";
import type { TreeFile } from "./diff.js";

/**
 * The only module that touches the disk. Synchronous on purpose: a CLI run is one short sequence of reads
 * and writes, and node:fs/promises (with the stream and readline modules it loads) costs more start-up time
 * than it could save.
 */

export interface ExpandedArgs {
  paths: string[];
  /** Arguments that name nothing: no such file, or a glob matching nothing. */
  unmatched: string[];
}

const statOrNull = (path: string): Stats | null => {
  try {
    return statSync(path);
  } catch {
    return null;
  }
};
const lstatOrNull = (path: string): Stats | null => {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
};

/** PROFILE arguments → profile files: a file, a directory (its *.json), or a glob. Each once, in argument order. */
export async function expandProfileArgs(args: readonly string[], cwd: string): Promise<ExpandedArgs> {
  const paths = new Set<string>();
  const unmatched: string[] = [];
  for (const arg of args) {
    const found = await expandOne(arg, cwd);
    if (found.length === 0) unmatched.push(arg);
    for (const f of found) paths.add(f);
  }
  return { paths: [...paths], unmatched };
}

const GLOB_CHARS = /[*?[\]{}!]/;

async function expandOne(arg: string, cwd: string): Promise<string[]> {
  const absolute = resolve(cwd, arg);
  const info = statOrNull(absolute);
  if (info?.isFile()) return [displayPath(absolute, cwd)];
  if (info?.isDirectory()) {
    return readdirSync(absolute, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".json"))
      .map((e) => displayPath(join(absolute, e.name), cwd))
      .sort();
  }
  if (!GLOB_CHARS.test(arg)) return [];
  // fast-glob is loaded only when a pattern needs it: most runs name files or folders.
  const { default: fg } = await import("fast-glob");
  const matches = await fg(arg, { cwd, onlyFiles: true, dot: false, absolute: true });
  return matches.sort().map((m) => displayPath(m, cwd));
}

/** Paths as users and file headers show them: relative to the working directory, with forward slashes. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return (rel === "" ? absolute : rel).split(sep).join("/");
}

/** A profile file's bytes, or its size when it is too large to be read at all. */
export function readProfileBytes(path: string, cwd: string, maxBytes: number): { bytes: Uint8Array } | { tooLarge: number } {
  const full = resolve(cwd, path);
  const size = statSync(full).size;
  if (size > maxBytes) return { tooLarge: size };
  return { bytes: readFileSync(full) };
}

/** A refusal to write where writing is not safe (a symbolic link, a file in the way): exit 1, not a crash. */
export class UnsafeOutputError extends Error {}

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

/** Every file under `dir`, keyed by its path relative to `dir` (forward slashes); null when `dir` does not exist. */
export function readTree(dir: string): Map<string, TreeFile> | null {
  const info = lstatOrNull(dir);
  if (info === null) return null;
  if (!info.isDirectory()) throw new UnsafeOutputError(`${dir} is not a directory${info.isSymbolicLink() ? " (a symbolic link)" : ""}; a bundle folder must be a real directory`);
  const tree = new Map<string, TreeFile>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else {
        const full = join(dir, rel);
        tree.set(rel, { content: readFileSync(full, "utf8"), mode: lstatSync(full).mode & 0o777 });
      }
    }
  };
  walk("");
  return tree;
}

/**
 * The bundle folders in `outDir`: real directories named like an output folder. tke-cilium's own leftovers
 * (hidden names) and anything else kept there (a README, a symbolic link) are not bundles.
 */
export function listBundleFolders(outDir: string): string[] {
  let entries;
  try {
    entries = readdirSync(outDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory() && NAME_PATTERN.test(e.name)).map((e) => e.name).sort();
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

/** The profile schema shipped with the tool (dist/ and src/ both sit one level below the package root). */
export function toolSchemaPath(): string {
  return resolve(typeof __dirname === "string" ? __dirname : import.meta.dirname, "..", "schema", "profile.schema.json");
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
