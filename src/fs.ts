import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { OutputFile } from "./emit/index.js";
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

export function readText(path: string, cwd: string): string {
  return readFileSync(resolve(cwd, path), "utf8");
}

/** Every file under `dir`, keyed by its path relative to `dir` (forward slashes); null when `dir` does not exist. */
export function readTree(dir: string): Map<string, TreeFile> | null {
  const info = lstatOrNull(dir);
  if (info === null) return null;
  if (!info.isDirectory()) throw new Error(`${dir} is not a directory`);
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

let sequence = 0;

/**
 * Replace `outDir/name` with exactly `files`: written into a temporary sibling first, then swapped in by
 * renames, so an interrupted run leaves the old bundle or the new one, never a mix.
 */
export function replaceTree(outDir: string, name: string, files: readonly OutputFile[]): void {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) throw new Error(`refusing to write bundle with unsafe name ${JSON.stringify(name)}`);
  mkdirSync(outDir, { recursive: true });
  const target = join(outDir, name);
  const existing = lstatOrNull(target);
  if (existing?.isSymbolicLink()) throw new Error(`${target} is a symbolic link; refusing to replace it`);
  if (existing && !existing.isDirectory()) throw new Error(`${target} exists and is not a directory`);
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
      writeFileSync(path, f.content, { mode: f.mode });
      // the mode given to open() is masked by the umask; executables must stay executable
      if (f.mode & 0o111) chmodSync(path, f.mode);
    }
    if (existing) renameSync(target, retired);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (existing) rmSync(retired, { recursive: true, force: true });
}
