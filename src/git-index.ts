import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { lstatOrNull } from "./fs-stat.js";
import type { TreeFile } from "./diff.js";
import { childProcess } from "./lazy-builtins.js";
import { BatchUnavailable, ObjectBatch } from "./git-batch.js";
import { UnsafeOutputError } from "./store-errors.js";

/**
 * The git index, read as `check --staged` needs it: what would be committed, not the working tree. A run asks
 * git once for what the commit changes (diff --cached --raw: paths, modes and object ids), and takes the
 * entries of the folders it reads from HEAD's tree (ls-tree) with those changes applied, so git reads a large
 * fleet's index once a run; before the first commit, ls-files. Sizes and contents come from one
 * `git cat-file --batch-command` process a run (git-batch.ts), or with an older git from cat-file --batch-check
 * and --batch, one pair a request.
 */
export interface GitIndex {
  /** The repository's top folder. */
  root: string;
  /** The entries read so far (repository-relative paths, forward slashes) → their mode and object id. */
  entries: Map<string, { mode: string; oid: string }>;
  /** Paths the commit changes: added, modified or deleted against HEAD (every path before the first commit). */
  staged: Set<string>;
  /** With a HEAD: each path the commit changes → its entry in the commit (null: deleted) and in HEAD (null: added). */
  changes: Map<string, { now: { mode: string; oid: string } | null; head: { mode: string; oid: string } | null }>;
  /** Whether the repository has a commit yet. */
  hasHead: boolean;
  /** HEAD's entries of the paths loaded so far (as `entries` before the commit's changes). */
  head: Map<string, { mode: string; oid: string }>;
  /** Read the entries of `paths` (files or folders; "" is the whole index) into `entries`, each path once. */
  load(paths: readonly string[]): void;
  /** The run's object reads: sizes known, bytes fetched ahead (fetchBlobs), and the batch process serving them. */
  objects: { sizes: Map<string, number>; bytes: Map<string, Buffer>; batch: ObjectBatch | null };
}

const git = (root: string, args: string[], input?: string): Buffer => {
  // paths are paths, never patterns (a folder named "[a]" or "*" is that folder)
  const r = childProcess().spawnSync("git", args, { cwd: root, input, maxBuffer: 1 << 30, env: { ...process.env, GIT_LITERAL_PATHSPECS: "1" } });
  if (r.error || r.status !== 0) throw new UnsafeOutputError(`git ${args[0]} failed in ${root}: ${(r.stderr?.toString() || r.error?.message || "").trim()}`);
  return r.stdout;
};

/** `git ls-files -s -z` records: path → mode and object id; unmerged (stage > 0) paths apart. */
function parseStage(out: Buffer, into: Map<string, { mode: string; oid: string }>, unmerged: Set<string>): void {
  for (const record of out.toString("utf8").split("\0")) {
    // "<mode> <oid> <stage>\t<path>": fixed widths up to the tab
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, oid, stage] = record.slice(0, tab).split(" ");
    const path = record.slice(tab + 1);
    if (stage !== "0") unmerged.add(path);
    else into.set(path, { mode, oid });
  }
}

const TOP_AND_HEAD = ["rev-parse", "--show-toplevel", "--verify", "-q", "HEAD"];

/** What `git rev-parse --show-toplevel --verify -q HEAD` says when it tells both; null when it cannot. */
function readTopAndHead(status: number | null, stdout: Buffer): { root: string; hasHead: boolean } | null {
  const lines = stdout.toString().split("\n").filter((l) => l !== "");
  // 0: the top folder, then HEAD's id; 1 with the top folder alone: no commit yet
  if (status === 0 && lines.length === 2 && /^[0-9a-f]{40,64}$/.test(lines[1])) return { root: lines[0], hasHead: true };
  if (status === 1 && lines.length === 1) return { root: lines[0], hasHead: false };
  return null;
}

/**
 * The repository's top folder and whether it has a commit, from one `git rev-parse` (each git process costs a
 * few milliseconds to start); the top folder alone and a second one when the first cannot tell. `early`: that
 * rev-parse's answer, asked already in the same folder (IndexSession.prepare).
 */
function topAndHead(cwd: string, early: { root: string; hasHead: boolean } | null = null): { root: string; hasHead: boolean } {
  if (early !== null) return early;
  const both = childProcess().spawnSync("git", TOP_AND_HEAD, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const told = both.error ? null : readTopAndHead(both.status, both.stdout);
  if (told !== null) return told;
  const top = childProcess().spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  if (top.error || top.status !== 0) {
    // git's own words (not a repository, dubious ownership, no git at all): a hook that cannot read the index must fail
    const why = (top.stderr?.toString() || top.error?.message || "").trim().split("\n")[0];
    throw new UnsafeOutputError(`--staged reads the git index, and git cannot read one for ${cwd}: ${why || "not a git repository"}`);
  }
  const root = top.stdout.toString().trim();
  return { root, hasHead: childProcess().spawnSync("git", ["rev-parse", "--verify", "-q", "HEAD"], { cwd: root }).status === 0 };
}

/**
 * The git indexes one run reads, each read once: check --staged takes its config, its profiles and bundles and
 * its chart data from one reading of what the commit changes (git reads its whole index for that: a large
 * fleet's index is megabytes). Made per run: the index changes between runs.
 */
export interface IndexSession {
  /**
   * Starts what every run in `cwd` needs at once, side by side: git's top folder and HEAD (rev-parse) and the
   * batch process for objects; and waits for those and for the launcher's early `git diff --cached`
   * (scripts/launcher.cjs), when it made one.
   */
  prepare(cwd: string): Promise<void>;
  /** The index of the repository holding `cwd`. */
  at(cwd: string): GitIndex;
  /** The index of the repository whose top folder is `root` (as findGitRoot finds it); null when git names another. */
  forRoot(root: string): GitIndex | null;
  /** Ends the run's git processes (on every path out of the run: an error too). */
  close(): void;
  /** Repository paths the run will read: listed with the next paths an index loads, in the same git call. */
  warm(paths: readonly string[]): void;
}

export function indexSession(): IndexSession {
  const byRoot = new Map<string, GitIndex>();
  const byCwd = new Map<string, GitIndex>();
  let warm: string[] = [];
  /** The paths warm() was given since the last listing (each index lists them once). */
  const takeWarm = () => {
    const taken = warm;
    warm = [];
    return taken;
  };
  // the launcher's answer: the folder it was asked in, and git's output (null: it failed)
  let early: { cwd: string; diff: Buffer | null } | null = null;
  // prepare's answers for its folder: rev-parse's, and the batch process it started there
  let started: { cwd: string; top: { root: string; hasHead: boolean } | null; batch: ObjectBatch } | null = null;
  /** The launcher's answer when it is for repository `root` (used once). */
  const earlyDiff = (cwd: string, root: string): Buffer | null => {
    const found = early;
    early = null;
    if (found === null || found.diff === null) return null;
    try {
      // asked in the same folder, or in another of the same repository (seen from the folders first: git is
      // asked only when they do not tell)
      const same = resolve(found.cwd) === resolve(cwd) || findGitRoot(found.cwd) === root || topAndHead(found.cwd).root === root;
      return same ? found.diff : null;
    } catch {
      return null;
    }
  };
  const at = (cwd: string) => {
    const known = byCwd.get(resolve(cwd));
    if (known !== undefined) return known;
    // prepare's answers hold for its folder, and for the top folder they name (the same repository, the same HEAD)
    const ready = started !== null && started.top !== null && (started.cwd === resolve(cwd) || started.top.root === resolve(cwd)) ? started : null;
    const { root, hasHead } = topAndHead(cwd, ready?.top ?? null);
    if (ready !== null) started = null;
    // the batch started there reads this repository's objects (any folder of it names the same object store)
    let index: GitIndex;
    try {
      index = byRoot.get(root) ?? readGitIndex(root, hasHead, earlyDiff(cwd, root), takeWarm, ready?.batch);
    } catch (error) {
      // git's index cannot be read (a merge conflict): the run ends here, and so does the batch it started
      ready?.batch.close();
      throw error;
    }
    if (ready !== null && index.objects.batch !== ready.batch) ready.batch.close();
    if (ready !== null) byCwd.set(ready.cwd, index);
    byRoot.set(root, index);
    byCwd.set(resolve(cwd), index);
    return index;
  };
  return {
    async prepare(cwd) {
      const where = resolve(cwd);
      // started side by side (each git process costs milliseconds to start): the batch answers nothing until asked
      const batch = new ObjectBatch(where);
      const top = new Promise<{ root: string; hasHead: boolean } | null>((done) => {
        const child = childProcess().spawn("git", TOP_AND_HEAD, { cwd: where, stdio: ["ignore", "pipe", "ignore"] });
        const chunks: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
        child.on("error", () => done(null));
        child.on("close", (status) => done(readTopAndHead(status, Buffer.concat(chunks))));
      });
      started = { cwd: where, top: null, batch };
      const made = (globalThis as Record<symbol, { cwd: string; done: Promise<Buffer | null> } | undefined>)[Symbol.for("tke-cilium.staged-diff")];
      if (made !== undefined) {
        // one run takes it: a second command in this process asks git again
        delete (globalThis as Record<symbol, unknown>)[Symbol.for("tke-cilium.staged-diff")];
        early = { cwd: made.cwd, diff: await made.done };
      }
      started.top = await top;
      // git cannot tell (not a repository, no git): at() asks again and says why; the batch is of no use
      if (started.top === null) {
        batch.close();
        started = null;
      }
    },
    at,
    forRoot: (root) => {
      const index = at(root);
      return index.root === root ? index : null;
    },
    warm(paths) {
      warm = [...warm, ...paths];
    },
    close() {
      started?.batch.close();
      started = null;
      for (const index of byRoot.values()) {
        index.objects.batch?.close();
        index.objects.batch = null;
      }
    },
  };
}

function readGitIndex(root: string, hasHead: boolean, diffOutput: Buffer | null = null, takeWarm: () => readonly string[] = () => [], batch?: ObjectBatch): GitIndex {
  const entries = new Map<string, { mode: string; oid: string }>();
  const head = new Map<string, { mode: string; oid: string }>();
  const loaded = new Set<string>();
  const covered = (path: string) => {
    if (loaded.has("")) return true;
    for (let at = path.length; at > 0; at = path.lastIndexOf("/", at - 1)) if (loaded.has(path.slice(0, at))) return true;
    return false;
  };
  const unmerged = new Set<string>();
  /** With a HEAD: what the commit changes, path → its index entry and HEAD's (null: none). */
  const changes: GitIndex["changes"] = new Map();
  const under = (path: string, dir: string) => dir === "" || path === dir || path.startsWith(`${dir}/`);
  // a path outside the repository has no entry (and git would refuse it)
  const unlisted = (paths: readonly string[]) => [...new Set(paths.map((p) => p.replace(/\/+$/, "")))].filter((p) => !covered(p) && p !== ".." && !p.startsWith("../") && !isAbsolute(p));
  const load = (asked: readonly string[]) => {
    if (unlisted(asked).length === 0) return;
    // a listing takes the paths the run said it will read too
    const wanted = unlisted([...asked, ...takeWarm()]);
    const specs = wanted.map((p) => (p === "" ? "." : p));
    if (!hasHead) parseStage(git(root, ["ls-files", "-s", "-z", "--", ...specs]), entries, new Set());
    else {
      // the index is HEAD's tree plus what the commit changes: git reads tree objects here, not the whole index
      for (const record of git(root, ["ls-tree", "-r", "-z", "HEAD", "--", ...specs]).toString("utf8").split("\0")) {
        const tab = record.indexOf("\t");
        if (tab < 0) continue;
        const [mode, , oid] = record.slice(0, tab).split(" ");
        entries.set(record.slice(tab + 1), { mode, oid });
        head.set(record.slice(tab + 1), { mode, oid });
      }
      for (const [path, { now }] of changes) {
        if (!wanted.some((w) => under(path, w))) continue;
        if (now === null) entries.delete(path);
        else entries.set(path, now);
      }
    }
    for (const p of wanted) loaded.add(p);
  };
  let staged: Set<string>;
  if (hasHead) {
    // ":<old mode> <new mode> <old oid> <new oid> <status>" then the path, NUL-separated; U is a merge conflict
    const fields = (diffOutput ?? git(root, ["diff", "--cached", "--raw", "--no-renames", "--no-abbrev", "-z"])).toString("utf8").split("\0");
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [oldMode, mode, oldOid, oid, status] = fields[i].slice(1).split(" ");
      const path = fields[i + 1];
      if (status === "U") unmerged.add(path);
      changes.set(path, { now: status === "D" || /^0+$/.test(mode) ? null : { mode, oid }, head: status === "A" || /^0+$/.test(oldMode) ? null : { mode: oldMode, oid: oldOid } });
    }
    staged = new Set(changes.keys());
  } else {
    parseStage(git(root, ["ls-files", "-s", "-z"]), entries, unmerged);
    loaded.add("");
    staged = new Set([...entries.keys(), ...unmerged]);
  }
  // a merge conflict: the index holds three versions of a file and the commit none yet
  if (unmerged.size > 0) {
    const names = [...unmerged].sort();
    throw new UnsafeOutputError(`the git index has unmerged paths (a merge conflict): ${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""}; resolve them and stage the result before checking the commit`);
  }
  // started now: git starts while the run reads its config and chooses its profiles
  const objects = { sizes: new Map<string, number>(), bytes: new Map<string, Buffer>(), batch: batch ?? new ObjectBatch(root) };
  return { root, entries, staged, changes, hasHead, head, load, objects };
}

/**
 * What HEAD holds at each of `paths` (repository-relative; "" is the top folder), from one `git cat-file
 * --batch-check`: its object id, type (blob, tree, commit for a submodule) and size; null when HEAD has
 * nothing there. Nothing is listed: a folder of 10,000 files costs what a file does.
 */
export async function headObjects(index: GitIndex, paths: readonly string[]): Promise<Map<string, { oid: string; type: string; size: number } | null>> {
  const found = new Map<string, { oid: string; type: string; size: number } | null>();
  // a name with a line break cannot be asked for on a line of its own: it is not answered (the caller falls back)
  const asked = [...new Set(paths)].filter((p) => !/[\n\r]/.test(p));
  if (asked.length === 0 || !index.hasHead) return found;
  const batch = index.objects.batch;
  if (batch !== null) {
    try {
      const infos = await Promise.all(asked.map((p) => batch.info(`HEAD:${p}`)));
      asked.forEach((path, i) => found.set(path, infos[i]));
      return found;
    } catch (error) {
      if (!(error instanceof BatchUnavailable)) throw error;
    }
  }
  const lines = git(index.root, ["cat-file", "--batch-check"], asked.map((p) => `HEAD:${p}`).join("\n") + "\n").toString("utf8").split("\n");
  asked.forEach((path, i) => {
    const [oid, type, size] = (lines[i] ?? "").split(" ");
    found.set(path, type === "missing" || size === undefined || !/^[0-9a-f]+$/.test(oid) ? null : { oid, type, size: Number(size) });
  });
  return found;
}

/**
 * The names in folder `dir` of the commit, one level deep (folders and files): HEAD's, less the ones the
 * commit empties, plus the ones it adds. Reads HEAD's folder listing and the index entries of the folders the
 * commit changes, not every file of `dir`.
 */
export function indexFolderNames(index: GitIndex, dir: string): string[] {
  const prefix = `${dir}/`;
  const names = new Set<string>();
  if (index.hasHead) {
    const listed = childProcess().spawnSync("git", ["ls-tree", "-z", "--name-only", "HEAD", "--", prefix], { cwd: index.root, maxBuffer: 1 << 30, env: { ...process.env, GIT_LITERAL_PATHSPECS: "1" } });
    if (listed.status === 0) for (const path of listed.stdout.toString("utf8").split("\0")) if (path.startsWith(prefix)) names.add(path.slice(prefix.length));
  }
  const touched = new Set([...index.staged].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split("/")[0]));
  index.load([...touched].map((n) => prefix + n));
  const present = new Set<string>();
  for (const p of index.entries.keys()) if (p.startsWith(prefix)) present.add(p.slice(prefix.length).split("/")[0]);
  for (const name of touched) {
    if (present.has(name)) names.add(name);
    else names.delete(name);
  }
  return [...names];
}

/**
 * The sizes of index objects, by object id (nothing of their contents is read): from the run's batch process,
 * else one `git cat-file --batch-check`. An object the store lacks has none.
 */
export async function blobSizes(index: GitIndex, oids: readonly string[]): Promise<Map<string, number>> {
  const { sizes: known, batch } = index.objects;
  const wanted = [...new Set(oids)].filter((oid) => !known.has(oid));
  if (wanted.length > 0 && batch !== null) {
    try {
      const infos = await Promise.all(wanted.map((oid) => batch.info(oid)));
      infos.forEach((info) => info !== null && known.set(info.oid, info.size));
      // an object the store lacks is not asked again
      return knownOf(known, oids);
    } catch (error) {
      if (!(error instanceof BatchUnavailable)) throw error;
    }
  }
  return blobSizesNow(index, oids);
}

/** What `known` holds of `oids`. */
const knownOf = <T>(known: Map<string, T>, oids: readonly string[]): Map<string, T> => new Map(oids.flatMap((oid) => (known.has(oid) ? [[oid, known.get(oid)!] as const] : [])));

/** blobSizes, from a `git cat-file --batch-check` of its own (what the run knows already is not asked). */
function blobSizesNow(index: GitIndex, oids: readonly string[]): Map<string, number> {
  const known = index.objects.sizes;
  const wanted = [...new Set(oids)].filter((oid) => !known.has(oid));
  if (wanted.length > 0) {
    for (const line of git(index.root, ["cat-file", "--batch-check"], wanted.join("\n") + "\n").toString("utf8").split("\n")) {
      const [oid, , size] = line.split(" ");
      if (oid && Number.isFinite(Number(size))) known.set(oid, Number(size));
    }
  }
  return knownOf(known, oids);
}

/**
 * The contents of index objects, by object id: from the run's batch process, else one `git cat-file --batch`.
 * An object the store lacks is an error (a repository that cannot give its commit's files cannot be checked).
 */
export async function readBlobs(index: GitIndex, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const { bytes: ahead, batch } = index.objects;
  const wanted = [...new Set(oids)].filter((oid) => !ahead.has(oid));
  if (wanted.length > 0 && batch !== null) {
    try {
      const answers = await Promise.all(wanted.map((oid) => batch.contents(oid)));
      const blobs = knownOf(ahead, oids);
      wanted.forEach((oid, i) => {
        const { info, bytes } = answers[i];
        if (info === null || bytes === undefined) throw new UnsafeOutputError(`git cat-file could not read ${oid}: ${oid} missing`);
        blobs.set(oid, bytes);
      });
      return blobs;
    } catch (error) {
      if (!(error instanceof BatchUnavailable)) throw error;
    }
  }
  return readBlobsNow(index, oids);
}

/**
 * Blobs `oids` fetched ahead for readBundleBlobs, which the check's comparison calls as it goes (it cannot
 * wait): sized and read through the run's batch process now, so that reading them then starts no git.
 */
export async function fetchBlobs(index: GitIndex, oids: readonly string[]): Promise<void> {
  const sizes = await blobSizes(index, oids);
  const small = [...new Set(oids)].filter((oid) => (sizes.get(oid) ?? 0) <= MAX_BUNDLE_BLOB_BYTES);
  for (const [oid, bytes] of await readBlobs(index, small)) index.objects.bytes.set(oid, bytes);
}

/** readBlobs, from a `git cat-file --batch` of its own (what was fetched ahead is not asked). */
function readBlobsNow(index: GitIndex, oids: readonly string[]): Map<string, Buffer> {
  const ahead = index.objects.bytes;
  const wanted = [...new Set(oids)].filter((oid) => !ahead.has(oid));
  const blobs = knownOf(ahead, oids);
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
 * Regular-file index objects as bundle files: each sized first (fetched ahead by fetchBlobs, else one `git cat-file --batch-check`), read only when
 * at most MAX_BUNDLE_BLOB_BYTES; a larger one is a special entry that names its size.
 */
export function readBundleBlobs(index: GitIndex, entries: readonly { oid: string; mode: string }[]): Map<string, TreeFile> {
  const sizes = blobSizesNow(index, entries.map((e) => e.oid));
  const small = entries.filter((e) => (sizes.get(e.oid) ?? 0) <= MAX_BUNDLE_BLOB_BYTES);
  const blobs = readBlobsNow(index, small.map((e) => e.oid));
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
  index.load([dir]);
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
  index.load([path]);
  if (index.entries.get(path)?.mode === "160000") return path;
  if (index.entries.has(path) || [...index.entries.keys()].some((p) => p.startsWith(`${path}/`))) return null;
  // nothing at `path`: it may be inside a submodule (a wrong argument, so this rarely reads much)
  const ancestors: string[] = [];
  for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1)) ancestors.push(path.slice(0, at));
  index.load(ancestors);
  for (const a of ancestors) if (index.entries.get(a)?.mode === "160000") return a;
  return null;
}

/**
 * The entries of tree `tree` as [path inside it, mode, object id]: its files, links, subfolders and submodules;
 * with `deep`, the files, links and submodules of its subfolders instead of the subfolders. Null when git
 * cannot read the tree.
 */
export function treeEntries(index: GitIndex, tree: string, deep: boolean): [string, string, string][] | null {
  const r = childProcess().spawnSync("git", ["ls-tree", ...(deep ? ["-r"] : []), "-z", tree], { cwd: index.root, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) return null;
  const found: [string, string, string][] = [];
  for (const record of r.stdout.toString("utf8").split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, , oid] = record.slice(0, tab).split(" ");
    found.push([record.slice(tab + 1), mode, oid]);
  }
  return found;
}

/**
 * What differs between trees `from` and `to` (git diff-tree, which skips the subtrees they share): each path
 * inside them with its mode and object id in `to` (mode 000000: deleted). With `deep` false, a changed
 * subfolder is one entry of mode 040000. Every submodule entry is listed, whatever .gitmodules or the config
 * says to ignore. Null when git cannot compare them.
 */
export function treeChanges(index: GitIndex, from: string, to: string, deep: boolean): [string, string, string][] | null {
  const r = childProcess().spawnSync("git", ["diff-tree", ...(deep ? ["-r"] : []), "-z", "--raw", "--no-renames", "--no-abbrev", "--ignore-submodules=none", from, to], { cwd: index.root, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) return null;
  const fields = r.stdout.toString("utf8").split("\0");
  const found: [string, string, string][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, mode, , oid] = fields[i].slice(1).split(" ");
    found.push([fields[i + 1], mode, oid]);
  }
  return found;
}

/**
 * The index's entries (mode, object id) at `paths` of the repository at `root` (repository-relative): each
 * path's own entry and those under it. From the run's index when `session` is given (HEAD's trees with the
 * commit's changes: git's index is not read again), else from one `git ls-files -s`. Unmerged paths are left out.
 */
export function indexEntriesAt(root: string, paths: readonly string[], session?: IndexSession, warm: readonly string[] = []): Map<string, { mode: string; oid: string }> {
  const found = new Map<string, { mode: string; oid: string }>();
  if (paths.length === 0) return found;
  const index = session?.forRoot(root) ?? null;
  if (index === null) {
    parseStage(git(root, ["ls-files", "-s", "-z", "--", ...paths]), found, new Set());
    return found;
  }
  // `warm`: paths the run reads next, listed in the same git call (each git process costs milliseconds to start)
  index.load([...paths, ...warm]);
  for (const [path, entry] of index.entries) if (paths.some((p) => path === p || path.startsWith(`${p}/`))) found.set(path, entry);
  return found;
}

/**
 * readObjectAt through the run's index of `root` when `session` has one (its batch process: no git is started),
 * else readObjectAt.
 */
export async function readIndexObject(root: string, oid: string, max: number, session?: IndexSession): Promise<Buffer | null> {
  const index = session?.forRoot(root) ?? null;
  if (index === null || !/^[0-9a-f]{40,64}$/.test(oid)) return readObjectAt(root, oid, max);
  const size = (await blobSizes(index, [oid])).get(oid);
  if (size === undefined) throw new UnsafeOutputError(`git cat-file could not read ${oid}: ${oid} missing`);
  if (size > max) return null;
  return (await readBlobs(index, [oid])).get(oid) ?? null;
}

/** One object's bytes by id in the repository at `root`, or null when it is larger than `max` bytes (sized first). */
export function readObjectAt(root: string, oid: string, max: number): Buffer | null {
  if (!/^[0-9a-f]{40,64}$/.test(oid)) return null;
  const size = Number(git(root, ["cat-file", "-s", oid]).toString("utf8").trim());
  if (!Number.isFinite(size) || size > max) return null;
  return git(root, ["cat-file", "blob", oid]);
}

/** The root of the git repository holding `cwd` (the nearest folder with .git), or null outside one. */
export function findGitRoot(cwd: string): string | null {
  for (let dir = resolve(cwd); ; ) {
    if (lstatOrNull(join(dir, ".git")) !== null) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
