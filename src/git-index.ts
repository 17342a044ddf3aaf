import { relative, resolve, sep } from "node:path";
import type { TreeFile } from "./diff.js";
import { childProcess } from "./lazy-builtins.js";
import { UnsafeOutputError } from "./store-errors.js";

/**
 * The git index, read as `check --staged` needs it: what would be committed, not the working tree. Three git
 * processes a run, whatever the repository's size: ls-files for the index, diff --cached for what is
 * staged, cat-file --batch for the contents.
 */
export interface GitIndex {
  /** The repository's top folder. */
  root: string;
  /** Every path in the index (repository-relative, forward slashes) → its mode and object id. */
  entries: Map<string, { mode: string; oid: string }>;
  /** Paths the commit changes: added, modified or deleted against HEAD (every path before the first commit). */
  staged: Set<string>;
}

const git = (root: string, args: string[], input?: string): Buffer => {
  const r = childProcess().spawnSync("git", args, { cwd: root, input, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new UnsafeOutputError(`git ${args[0]} failed in ${root}: ${(r.stderr?.toString() || r.error?.message || "").trim()}`);
  return r.stdout;
};

export function readGitIndex(cwd: string): GitIndex {
  const top = childProcess().spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  if (top.error || top.status !== 0) {
    // git's own words (not a repository, dubious ownership, no git at all): a hook that cannot read the index must fail
    const why = (top.stderr?.toString() || top.error?.message || "").trim().split("\n")[0];
    throw new UnsafeOutputError(`--staged reads the git index, and git cannot read one for ${cwd}: ${why || "not a git repository"}`);
  }
  const root = top.stdout.toString().trim();
  const entries = new Map<string, { mode: string; oid: string }>();
  const unmerged = new Set<string>();
  for (const record of git(root, ["ls-files", "-s", "-z"]).toString("utf8").split("\0")) {
    const m = /^(\d{6}) ([0-9a-f]+) (\d)\t(.*)$/s.exec(record);
    if (!m) continue;
    if (m[3] !== "0") unmerged.add(m[4]);
    else entries.set(m[4], { mode: m[1], oid: m[2] });
  }
  // a merge conflict: the index holds three versions of a file and the commit none yet
  if (unmerged.size > 0) {
    const names = [...unmerged].sort();
    throw new UnsafeOutputError(`the git index has unmerged paths (a merge conflict): ${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""}; resolve them and stage the result before checking the commit`);
  }
  const hasHead = childProcess().spawnSync("git", ["rev-parse", "--verify", "-q", "HEAD"], { cwd: root }).status === 0;
  const staged = new Set(
    hasHead ? git(root, ["diff", "--cached", "--name-only", "--no-renames", "-z"]).toString("utf8").split("\0").filter(Boolean) : [...entries.keys()],
  );
  return { root, entries, staged };
}

/** The sizes of index objects, by object id, from one `git cat-file --batch-check` (nothing of their contents is read). */
export function blobSizes(index: GitIndex, oids: readonly string[]): Map<string, number> {
  const wanted = [...new Set(oids)];
  const sizes = new Map<string, number>();
  if (wanted.length === 0) return sizes;
  for (const line of git(index.root, ["cat-file", "--batch-check"], wanted.join("\n") + "\n").toString("utf8").split("\n")) {
    const [oid, , size] = line.split(" ");
    if (oid && Number.isFinite(Number(size))) sizes.set(oid, Number(size));
  }
  return sizes;
}

/** The contents of index objects, by object id, read in one `git cat-file --batch`. */
export function readBlobs(index: GitIndex, oids: readonly string[]): Map<string, Buffer> {
  const wanted = [...new Set(oids)];
  const blobs = new Map<string, Buffer>();
  if (wanted.length === 0) return blobs;
  const out = git(index.root, ["cat-file", "--batch"], wanted.join("\n") + "\n");
  let at = 0;
  for (const oid of wanted) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString("utf8");
    const size = Number(header.split(" ")[2]);
    if (!Number.isFinite(size)) throw new UnsafeOutputError(`git cat-file could not read ${oid}: ${header}`);
    blobs.set(oid, out.subarray(eol + 1, eol + 1 + size));
    at = eol + 1 + size + 1;
  }
  return blobs;
}

/** The most of one bundle file read from git: a larger blob planted in out/ is sized, never read (as on disk). */
export const MAX_BUNDLE_BLOB_BYTES = 8 * 1024 * 1024;

/**
 * Regular-file index objects as bundle files: each sized first (one `git cat-file --batch-check`), read only when
 * at most MAX_BUNDLE_BLOB_BYTES; a larger one is a special entry that names its size.
 */
export function readBundleBlobs(index: GitIndex, entries: readonly { oid: string; mode: string }[]): Map<string, TreeFile> {
  const sizes = blobSizes(index, entries.map((e) => e.oid));
  const small = entries.filter((e) => (sizes.get(e.oid) ?? 0) <= MAX_BUNDLE_BLOB_BYTES);
  const blobs = readBlobs(index, small.map((e) => e.oid));
  const files = new Map<string, TreeFile>();
  for (const { oid, mode } of entries) {
    const bytes = blobs.get(oid);
    files.set(
      `${mode} ${oid}`,
      bytes === undefined
        ? { kind: "special", what: `a file of ${sizes.get(oid)} bytes, larger than any bundle file, not read` }
        : { kind: "file", content: bytes.toString("utf8"), mode: mode === "100755" ? 0o755 : 0o644 },
    );
  }
  return files;
}

/** A path relative to the working directory, as the index names it (repository-relative, forward slashes). */
export function indexPath(index: GitIndex, cwd: string, path: string): string {
  return relative(index.root, resolve(cwd, path)).split(sep).join("/");
}

/** The files of index folder `dir` as a bundle tree: regular files with their text and mode; links and submodules described. */
export function indexTree(index: GitIndex, dir: string, skip: (path: string) => boolean): Map<string, TreeFile> | null {
  const prefix = `${dir}/`;
  const inside = [...index.entries].filter(([path]) => path.startsWith(prefix) && !skip(path.slice(prefix.length)));
  if (inside.length === 0) return null;
  const files = readBundleBlobs(index, inside.filter(([, e]) => e.mode === "100755" || e.mode === "100644").map(([, e]) => e));
  const tree = new Map<string, TreeFile>();
  for (const [path, entry] of inside) {
    const rel = path.slice(prefix.length);
    if (entry.mode === "100755" || entry.mode === "100644") tree.set(rel, files.get(`${entry.mode} ${entry.oid}`)!);
    else tree.set(rel, { kind: "special", what: entry.mode === "120000" ? "a symbolic link" : entry.mode === "160000" ? "a submodule" : `an index entry of mode ${entry.mode}` });
  }
  return tree;
}

/** The submodule (gitlink entry) that holds `path`, or null: its files are not in this index. */
export function submoduleOf(index: GitIndex, path: string): string | null {
  for (const [entry, { mode }] of index.entries) if (mode === "160000" && (path === entry || path.startsWith(`${entry}/`))) return entry;
  return null;
}
