import type { TreeFile } from "./diff.js";
import { readBundleBlobs, type GitIndex } from "./git-index.js";
import { childProcess } from "./lazy-builtins.js";

/**
 * The files of folder `dir` as the last commit (HEAD) has them: the bundle a commit replaces, for the upgrade
 * rules. Regular files only; null when there is no HEAD yet or HEAD has no such folder.
 */
export function headTree(index: GitIndex, dir: string): Map<string, TreeFile> | null {
  const listed = childProcess().spawnSync("git", ["ls-tree", "-r", "-z", "HEAD", "--", `${dir}/`], { cwd: index.root, maxBuffer: 1 << 26 });
  if (listed.status !== 0) return null;
  const entries = listed.stdout
    .toString("utf8")
    .split("\0")
    .flatMap((record) => {
      const m = /^(100644|100755) blob ([0-9a-f]+)\t(.*)$/s.exec(record);
      return m ? [{ mode: m[1], oid: m[2], path: m[3].slice(dir.length + 1) }] : [];
    });
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
