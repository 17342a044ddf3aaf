import { lstatSync, readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { AddedChart } from "./knowledge/chart.js";
import { NAME_PATTERN } from "./pipeline.js";
import type { TreeFile } from "./diff.js";

/**
 * Reading the workspace: profile arguments, profile files and bundle trees. With store.ts, the only modules
 * that touch the disk. Synchronous on purpose: a CLI run is one short sequence of reads and writes, and
 * node:fs/promises (with the stream and readline modules it loads) costs more start-up time than it could save.
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

/** A refusal to read or write where it is not safe (a symbolic link, a file in the way): exit 1, not a crash. */
export class UnsafeOutputError extends Error {}

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

/** The profile schema shipped with the tool (dist/ and src/ both sit one level below the package root). */
export function toolSchemaPath(): string {
  return resolve(typeof __dirname === "string" ? __dirname : import.meta.dirname, "..", "schema", "profile.schema.json");
}


/** Where a repository's own tke-cilium data lives (added charts), relative to its root. */
export const ADDED_CHARTS_DIR = ".tke-cilium/charts";

/**
 * The root of the repository the command runs in: the nearest folder, from `cwd` up, that holds
 * tke-cilium.json, .tke-cilium/ or .git; `cwd` itself when there is none.
 */
export function findRepositoryRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; ) {
    for (const marker of ["tke-cilium.json", ".tke-cilium", ".git"]) if (lstatOrNull(join(dir, marker)) !== null) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}

/** The chart releases added to the repository with `tke-cilium chart add`, and what could not be read. */
export function readAddedCharts(root: string, cwd: string): { charts: AddedChart[]; problems: string[] } {
  const dir = join(root, ADDED_CHARTS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return { charts: [], problems: [] };
  }
  const charts: AddedChart[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const shown = displayPath(path, cwd);
    try {
      const info = lstatSync(path);
      if (!info.isFile()) throw new Error("not a regular file");
      if (info.size > 16 * 1024 * 1024) throw new Error(`${info.size} bytes, far more than chart data`);
      const data = JSON.parse(readFileSync(path, "utf8")) as Partial<AddedChart>;
      const version = name.slice(0, -".json".length);
      if (data.version !== version || !/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`its version ${JSON.stringify(data.version)} does not match the file name`);
      if (!Array.isArray(data.images) || !Array.isArray(data.keys) || data.types === null || typeof data.types !== "object") throw new Error("images, keys or types missing");
      charts.push({ version, images: data.images, keys: data.keys, types: data.types, origin: shown });
    } catch (error) {
      problems.push(`${shown}: ${(error as Error).message}; run tke-cilium chart add again with the chart tarball`);
    }
  }
  return { charts, problems };
}
