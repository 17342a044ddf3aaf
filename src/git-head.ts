import type { TreeFile } from "./diff.js";
import { readBundleBlobs, type GitIndex } from "./git-index.js";

/**
 * The files of folder `dir` as the last commit (HEAD) has them: the bundle a commit replaces, for the upgrade
 * rules. Regular files only; null when there is no HEAD yet or HEAD has no such folder.
 */
export function headTree(index: GitIndex, dir: string): Map<string, TreeFile> | null {
  // HEAD's side of the folder's listing (the one the run made of it, or one made now)
  index.load([dir]);
  const prefix = `${dir}/`;
  const entries = [...index.head]
    .filter(([path, { mode }]) => path.startsWith(prefix) && (mode === "100644" || mode === "100755"))
    .map(([path, { mode, oid }]) => ({ mode, oid, path: path.slice(prefix.length) }));
  if (entries.length === 0) return null;
  const files = readBundleBlobs(index, entries);
  return new Map(entries.map((e) => [e.path, files.get(`${e.mode} ${e.oid}`)!]));
}

/** Files `paths` of folder `dir` as the index has them (regular files only; the others are left out). */
export function indexFiles(index: GitIndex, dir: string, paths: readonly string[]): Map<string, TreeFile> {
  const found = paths.flatMap((path) => {
    const entry = index.entries.get(`${dir}/${path}`);
    return entry !== undefined && entry.mode.startsWith("100") ? [{ path, entry }] : [];
  });
  const files = readBundleBlobs(index, found.map((f) => f.entry));
  return new Map(found.map(({ path, entry }) => [path, files.get(`${entry.mode} ${entry.oid}`)!]));
}
