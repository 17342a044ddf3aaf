import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile, chmod } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { randomUUID } from "node:crypto";
import fg from "fast-glob";
import type { OutputFile } from "./emit/index.js";
import type { TreeFile } from "./diff.js";

/** The only module that touches the disk. */

export interface ExpandedArgs {
  paths: string[];
  /** Arguments that name nothing: no such file, or a glob matching nothing. */
  unmatched: string[];
}

/** PROFILE arguments → profile files: a file, a directory (its *.json), or a glob. Sorted, each once. */
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

async function expandOne(arg: string, cwd: string): Promise<string[]> {
  const info = await stat(resolve(cwd, arg)).catch(() => null);
  if (info?.isFile()) return [displayPath(resolve(cwd, arg), cwd)];
  const pattern = info?.isDirectory() ? `${fg.escapePath(arg.replace(/[\\/]+$/, ""))}/*.json` : arg;
  if (!info && !fg.isDynamicPattern(arg)) return [];
  const matches = await fg(pattern, { cwd, onlyFiles: true, dot: false, absolute: true });
  return matches.sort().map((m) => displayPath(m, cwd));
}

/** Paths as users and file headers show them: relative to the working directory, with forward slashes. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return (rel === "" ? absolute : rel).split(sep).join("/");
}

export async function readText(path: string, cwd: string): Promise<string> {
  return readFile(resolve(cwd, path), "utf8");
}

/** Every file under `dir`, keyed by its path relative to `dir` (forward slashes); null when `dir` does not exist. */
export async function readTree(dir: string): Promise<Map<string, TreeFile> | null> {
  const info = await lstat(dir).catch(() => null);
  if (info === null) return null;
  if (!info.isDirectory()) throw new Error(`${dir} is not a directory`);
  const tree = new Map<string, TreeFile>();
  const walk = async (sub: string) => {
    for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else {
        const full = join(dir, rel);
        const [content, st] = await Promise.all([readFile(full, "utf8"), lstat(full)]);
        tree.set(rel, { content, mode: st.mode & 0o777 });
      }
    }
  };
  await walk("");
  return tree;
}

/**
 * Replace `outDir/name` with exactly `files`: written into a temporary sibling first, then swapped in by
 * renames, so an interrupted run leaves the old bundle or the new one, never a mix.
 */
export async function replaceTree(outDir: string, name: string, files: readonly OutputFile[]): Promise<void> {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) throw new Error(`refusing to write bundle with unsafe name ${JSON.stringify(name)}`);
  await mkdir(outDir, { recursive: true });
  const target = join(outDir, name);
  const existing = await lstat(target).catch(() => null);
  if (existing?.isSymbolicLink()) throw new Error(`${target} is a symbolic link; refusing to replace it`);
  if (existing && !existing.isDirectory()) throw new Error(`${target} exists and is not a directory`);
  const unique = randomUUID().slice(0, 8);
  const staging = join(outDir, `.${name}.tmp-${unique}`);
  const retired = join(outDir, `.${name}.old-${unique}`);
  await mkdir(staging);
  try {
    for (const f of files) {
      const path = join(staging, ...f.path.split("/"));
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, f.content, { mode: f.mode });
      await chmod(path, f.mode);
    }
    if (existing) await rename(target, retired);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (existing) await rm(retired, { recursive: true, force: true });
}
