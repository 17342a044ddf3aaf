import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readSync, type Stats } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { AddedChart } from "./knowledge/chart.js";
import { GENERATED_BY } from "./knowledge/bundle.js";
import { NAME_PATTERN } from "./pipeline.js";
import { isBasePath } from "./extends.js";
import type { TreeFile } from "./diff.js";
import { UnsafeOutputError } from "./store-errors.js";
import { readConfinedFile } from "./confined-read.js";
import { findGitRoot, indexEntriesAt, readObjectAt, type IndexSession } from "./git-index.js";
import { CHART_VERSION, imageProblem } from "./chart-check.js";
import { lstatOrNull, statOrNull } from "./fs-stat.js";

/**
 * Reading the workspace: profile arguments, profile files and bundle trees. With store*.ts and confined-read.ts, the only modules
 * that touch the disk. Synchronous on purpose: a CLI run is one short sequence of reads and writes, and
 * node:fs/promises (with the stream and readline modules it loads) costs more start-up time than it could save.
 */

export interface ExpandedArgs {
  paths: string[];
  /** Arguments that name nothing: no such file, or a glob matching nothing. */
  unmatched: string[];
  /** Entries of a named folder that cannot be profiles as they are (a dangling link, a name that is not UTF-8). */
  problems: string[];
}


/** Profile files by name: JSON or YAML. Bases (extends.ts's isBasePath) are not profiles, and are skipped in folders and globs. */
export const PROFILE_FILE = /\.(json|ya?ml)$/i;

/** PROFILE arguments → profile files: a file, a directory (its *.json, *.yaml, *.yml), or a glob. Each once, in argument order. */
export async function expandProfileArgs(args: readonly string[], cwd: string): Promise<ExpandedArgs> {
  const paths = new Set<string>();
  const unmatched: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    const found = await expandOne(arg, cwd, problems);
    if (found.length === 0 && !problems.some((p) => p.startsWith(`${arg}: `))) unmatched.push(arg);
    for (const f of found) paths.add(f);
  }
  return { paths: [...paths], unmatched, problems };
}

/** Characters that make an argument a glob rather than a path. */
export const GLOB_CHARS = /[*?[\]{}!]/;

async function expandOne(arg: string, cwd: string, problems: string[]): Promise<string[]> {
  const absolute = resolve(cwd, arg);
  const info = statOrNull(absolute);
  if (info?.isFile()) {
    if (isBasePath(absolute)) {
      problems.push(`${arg}: is a base (its name says so), not a profile; give the profiles that extend it`);
      return [];
    }
    return [displayPath(absolute, cwd)];
  }
  if (info?.isDirectory()) return profilesInFolder(absolute, cwd, (p) => problems.push(`${arg}: ${p}`));
  if (!GLOB_CHARS.test(arg)) return [];
  // fast-glob is loaded only when a pattern needs it: most runs name files or folders. Links are not
  // followed into folders, so a link loop cannot repeat one profile forty times.
  const { default: fg } = await import("fast-glob");
  const matches = await fg(arg, { cwd, onlyFiles: true, dot: false, absolute: true, followSymbolicLinks: false });
  return matches.filter((m) => !isBasePath(m)).sort().map((m) => displayPath(m, cwd));
}

/**
 * The *.json files of a folder, sorted. A link to a file is followed (and named if it leads nowhere); a name
 * that is not UTF-8 is reported by its bytes, not silently lost.
 */
function profilesInFolder(dir: string, cwd: string, problem: (text: string) => void): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, encoding: "buffer" })) {
    const raw = entry.name;
    const name = raw.toString("utf8");
    if (!Buffer.from(name, "utf8").equals(raw)) {
      if (PROFILE_FILE.test(name)) problem(`the file name ${JSON.stringify(name.replace(/\ufffd/g, "?"))} (bytes ${raw.toString("hex")}) is not UTF-8; rename it`);
      continue;
    }
    if (!PROFILE_FILE.test(name) || isBasePath(name)) continue;
    const full = join(dir, name);
    if (entry.isFile()) found.push(full);
    else if (entry.isSymbolicLink()) {
      const target = statOrNull(full);
      if (target?.isFile()) found.push(full);
      else problem(`${displayPath(full, cwd)} is a symbolic link to ${target ? "something that is not a file" : "nothing (a dangling link)"}`);
    }
  }
  return found.sort().map((f) => displayPath(f, cwd));
}

/** Paths as users and file headers show them: relative to the working directory, with forward slashes. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return (rel === "" ? absolute : rel).split(sep).join("/");
}

export { ConfinedReadError, isInside, readConfinedFile, readProfileBytes } from "./confined-read.js";

export { UnsafeOutputError } from "./store-errors.js";

/** No bundle file is this large; a larger one is reported, never read. */
export const MAX_BUNDLE_FILE_BYTES = 8 * 1024 * 1024;
/** Deeper or larger trees are not bundles; what lies beyond is reported, never walked. */
const MAX_TREE_DEPTH = 16;
const MAX_TREE_ENTRIES = 4096;

/** What a directory entry is, in words, when it is not a regular file or a folder. */
function describeSpecial(info: Stats): string {
  if (info.isSymbolicLink()) return "a symbolic link";
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Every entry under `dir`, keyed by its path relative to `dir` (forward slashes); null when `dir` does not
 * exist. Only regular files are read, each opened without following a link and without blocking (a FIFO
 * planted between the listing and the open cannot hang the run), and only up to MAX_BUNDLE_FILE_BYTES.
 * Links, FIFOs, sockets, devices, oversized files and what lies too deep are listed as special entries.
 */
export function readTree(dir: string, skip: (path: string) => boolean = () => false): Map<string, TreeFile> | null {
  const info = lstatOrNull(dir);
  if (info === null) return null;
  if (!info.isDirectory()) throw new UnsafeOutputError(`${dir} is not a directory${info.isSymbolicLink() ? " (a symbolic link)" : ""}; a bundle folder must be a real directory`);
  const tree = new Map<string, TreeFile>();
  const walk = (sub: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(join(dir, sub), { withFileTypes: true });
    } catch (error) {
      // another run's render swapped the bundle between the listing and this read: it is drift, not a crash
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || sub === "") throw error;
      tree.set(sub, { kind: "special", what: "gone while being read" });
      return;
    }
    for (const entry of entries) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (skip(rel)) continue;
      if (tree.size >= MAX_TREE_ENTRIES) {
        tree.set(rel, { kind: "special", what: `one of more than ${MAX_TREE_ENTRIES} entries, not read` });
        return;
      }
      if (entry.isDirectory()) {
        if (depth >= MAX_TREE_DEPTH) tree.set(rel, { kind: "special", what: `a folder nested more than ${MAX_TREE_DEPTH} deep, not read` });
        else walk(rel, depth + 1);
      } else if (entry.isFile()) tree.set(rel, readRegularFile(join(dir, rel)));
      else {
        const found = lstatOrNull(join(dir, rel));
        tree.set(rel, { kind: "special", what: found ? describeSpecial(found) : "gone while being read" });
      }
    }
  };
  try {
    walk("", 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return tree;
}

/**
 * Files `paths` of folder `dir`, each read as readTree reads one (no link followed, no FIFO opened, at most
 * MAX_BUNDLE_FILE_BYTES); a path that is absent is left out, one that is not a regular file is a special entry.
 */
export function readRegularFiles(dir: string, paths: readonly string[]): Map<string, TreeFile> {
  const tree = new Map<string, TreeFile>();
  for (const path of paths) {
    const found = lstatOrNull(join(dir, path));
    if (found === null) continue;
    tree.set(path, found.isFile() ? readRegularFile(join(dir, path)) : { kind: "special", what: describeSpecial(found) });
  }
  return tree;
}

function readRegularFile(path: string): TreeFile {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { kind: "special", what: "a symbolic link" };
    if (code === "ENOENT") return { kind: "special", what: "gone while being read" };
    throw error;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { kind: "special", what: describeSpecial(info) };
    if (info.size > MAX_BUNDLE_FILE_BYTES) return { kind: "special", what: `a file of ${info.size} bytes, larger than any bundle file, not read` };
    // not zero-filled (small files come from Node's pool): only the bytes read are decoded
    const bytes = Buffer.allocUnsafe(info.size);
    let read = 0;
    while (read < info.size) {
      const n = readSync(fd, bytes, read, info.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { kind: "file", content: bytes.subarray(0, read).toString("utf8"), mode: info.mode & 0o777 };
  } finally {
    closeSync(fd);
  }
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

/** A chart data file is well under this size (Cilium 1.19's is ~700 KiB). */
const MAX_CHART_DATA_BYTES = 16 * 1024 * 1024;

/** Why stored chart data (a file a pull request may have crafted) cannot be used, or null. */
function chartDataProblem(data: Partial<AddedChart>): string | null {
  const { images, keys, types } = data;
  if (!Array.isArray(images) || !Array.isArray(keys) || types === null || typeof types !== "object" || Array.isArray(types)) return "images, keys or types missing";
  if (images.length > 1000 || keys.length > 200_000) return `${images.length} images and ${keys.length} keys, far more than a chart has`;
  for (const image of images) {
    const problem = imageProblem(image);
    if (problem !== null) return `it lists ${problem}`;
  }
  for (const key of keys) if (typeof key !== "string" || key.length > 1024) return `a value key ${JSON.stringify(String(key).slice(0, 40))} that is not a short string`;
  for (const [key, type] of Object.entries(types)) if (typeof type !== "string" || key.length > 1024 || type.length > 200) return `the type of ${JSON.stringify(key.slice(0, 40))} is not a short string`;
  return null;
}

/** The chart releases added to the repository with `tke-cilium chart add`, and what could not be read. */
export function readAddedCharts(root: string, cwd: string, staged?: StagedCharts): { charts: AddedChart[]; problems: string[] } {
  const dir = join(root, ADDED_CHARTS_DIR);
  let names: string[];
  try {
    names = (staged?.names ?? readdirSync(dir)).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return { charts: [], problems: [] };
  }
  const charts: AddedChart[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const shown = displayPath(path, cwd);
    try {
      const bytes = staged === undefined ? readConfinedFile(root, path, MAX_CHART_DATA_BYTES) : staged.read(name, MAX_CHART_DATA_BYTES);
      const data = JSON.parse(bytes.toString("utf8")) as Partial<AddedChart> | null;
      const version = name.slice(0, -".json".length);
      if (data === null || typeof data !== "object" || Array.isArray(data)) throw new Error("not a JSON object");
      if (data.version !== version || !CHART_VERSION.test(version)) throw new Error(`its version ${JSON.stringify(String(data.version).slice(0, 40))} does not match the file name`);
      const problem = chartDataProblem(data);
      if (problem !== null) throw new Error(problem);
      charts.push({ version, images: data.images!, keys: data.keys!, types: data.types!, origin: shown });
    } catch (error) {
      problems.push(`${shown}: ${(error as Error).message}; run tke-cilium chart add again with the chart tarball`);
    }
  }
  return { charts, problems };
}

/** The added charts' files as a commit has them (check --staged): their names, and a reader that throws when one cannot be read. */
export interface StagedCharts {
  names: string[];
  read(name: string, max: number): Buffer;
}

/**
 * .tke-cilium/charts/ of the repository folder `root` as the git index holds it: a chart file only the working
 * tree has is not the commit's (every clone would lack it), so check --staged does not read it.
 */
export function stagedCharts(root: string, session?: IndexSession): StagedCharts {
  const gitRoot = findGitRoot(root);
  if (gitRoot === null) return { names: [], read: () => Buffer.alloc(0) };
  const dir = relative(gitRoot, join(root, ADDED_CHARTS_DIR)).split(sep).join("/");
  const entries = indexEntriesAt(gitRoot, [dir], session);
  const own = new Map([...entries].filter(([p]) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes("/")).map(([p, e]) => [p.slice(dir.length + 1), e]));
  return {
    names: [...own.keys()],
    read(name, max) {
      const entry = own.get(name)!;
      if (!/^100/.test(entry.mode)) throw new Error(entry.mode === "120000" ? "it is a symbolic link in the git index" : "it is not a regular file in the git index");
      const bytes = readObjectAt(gitRoot, entry.oid, max);
      if (bytes === null) throw new Error("it is too large to be chart data");
      return bytes;
    },
  };
}

/** The user's entries of a bundle folder (`isUser`), each the top of what to carry: a folder is not walked. */
export function findUserEntries(dir: string, isUser: (path: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (sub: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (isUser(rel)) found.push(rel);
      else if (entry.isDirectory() && depth < MAX_TREE_DEPTH) walk(rel, depth + 1);
    }
  };
  walk("", 0);
  return found.sort();
}

/** A folder tke-cilium may replace: empty, or holding the install.sh it wrote. */
export function isBundleTree(tree: ReadonlyMap<string, TreeFile>): boolean {
  if (tree.size === 0) return true;
  const script = tree.get("install.sh");
  return script?.kind === "file" && script.content.startsWith(`#!/usr/bin/env bash\n# ${GENERATED_BY}`);
}
