import { readSideFile, writeSideFile } from "./bundle-index.js";
import { blobSizes, readBlobs, treeChanges, treeEntries, type GitIndex } from "./git-index.js";
import { decodeProfileBytes, MAX_PROFILE_BYTES } from "./parse.js";
import { openFactsCache, type FactsCache } from "./profile-facts.js";
import { mayHoldKey } from "./text/key-gate.js";
import { GLOB_CHARS } from "./workspace.js";

/**
 * The files of a folder of HEAD that can concern other profiles (they extend a base or mention clusterMesh:
 * `check --staged` reads them whole), kept by the folder's git tree id. A tree id names the folder's every
 * byte, so what is kept for one is true wherever that tree is found (another branch, a clone). A new HEAD's
 * folder is worked out from a kept tree of the same folder with `git diff-tree` (the files a commit changed,
 * their blobs read), so a commit costs what it changes; only a folder never seen is listed and read whole.
 * A symbolic link counts as related: what it points at (another folder's file, perhaps staged) is read through it.
 * The file is the machine's own, as profile-facts.json is: one git tracks is not used (the caller says).
 */
export type Related = Map<string, string>;

const FORMAT = 3;
const FILE = "staged-related.json";
/** Trees kept per folder: the newest few (a branch switch and back finds its tree again). */
const KEEP = 4;

/** A blob's text: the files that may concern others (as check --staged reads a profile: too large is not read). */
export const isRelatedText = (text: string): boolean => mayHoldKey(text, "extends") || mayHoldKey(text, "clusterMesh");

/**
 * A kept tree: its related files, and (a folder's own files only) the names in it that a profile pattern could
 * also be read as (a glob character in them): whether a glob is also a path is then told without git reading the
 * folder's tree object (at 10,000 profiles, half a megabyte inflated). Absent in files written before it was kept.
 */
type Kept = { tree: string; related: [string, string][]; globNames?: string[] };
type Stored = Record<string, Kept[]>;

/**
 * The names of one folder level that hold a glob character (what `globNames` keeps); undefined (not kept: git is
 * asked) when a name is not UTF-8, as two such names could read as one.
 */
const globNamesOf = (names: Iterable<string>): string[] | undefined => {
  const all = [...names];
  return all.some((n) => n.includes("\uFFFD")) ? undefined : [...new Set(all.filter((n) => GLOB_CHARS.test(n)))].sort();
};


/** Which of blobs `oids` hold related text (sized first: a file far larger than a profile is not read, as in readStagedView). */
async function relatedBlobs(index: GitIndex, oids: readonly string[], facts?: FactsCache): Promise<Set<string>> {
  const related = new Set<string>();
  // what the profile facts know already is not read again (a fleet's first run here, after check --staged read it whole)
  const unknown = [...new Set(oids)].filter((oid) => {
    const known = facts?.get(oid);
    if (known?.related === true) related.add(oid);
    return known === undefined;
  });
  const sizes = await blobSizes(index, unknown);
  const small = unknown.filter((oid) => (sizes.get(oid) ?? Infinity) <= MAX_PROFILE_BYTES);
  for (const [oid, bytes] of await readBlobs(index, small)) {
    const decoded = decodeProfileBytes(bytes, "profile");
    if ("text" in decoded && isRelatedText(decoded.text)) related.add(oid);
  }
  return related;
}

export interface RelatedStore {
  /**
   * The related files (repository path → blob id) of folder `dir` of HEAD, whose tree is `tree`: its own files,
   * or with `deep` those of its subfolders too; null when git cannot tell.
   */
  at(dir: string, tree: string, deep: boolean): Promise<Related | null>;
  /**
   * After at(dir, tree, false): the names directly in that folder (files or folders) holding a glob character,
   * or null when the store does not know them (the caller asks git).
   */
  globNames(dir: string, tree: string): ReadonlySet<string> | null;
  save(): void;
}

/** The store of repository `root`; `trusted` false (git tracks the cache folder) keeps nothing and reads nothing. */
export function openRelatedStore(index: GitIndex, trusted: boolean): RelatedStore {
  const disabled = Boolean(process.env.TKE_CILIUM_NO_CACHE) || !trusted;
  const stored = (disabled ? null : (readSideFile(index.root, FILE, FORMAT) as Stored | null)) ?? {};
  // object ids are hex (a tree id goes to git's command line: nothing there may read as an option)
  const oid = (x: unknown) => typeof x === "string" && /^[0-9a-f]{40,64}$/.test(x);
  const valid = (e: unknown): e is Kept =>
    e !== null &&
    typeof e === "object" &&
    oid((e as { tree: unknown }).tree) &&
    Array.isArray((e as { related: unknown }).related) &&
    (e as { related: unknown[] }).related.every((r) => Array.isArray(r) && r.length === 2 && typeof r[0] === "string" && oid(r[1])) &&
    ((e as { globNames?: unknown }).globNames === undefined || (Array.isArray((e as { globNames: unknown }).globNames) && (e as { globNames: unknown[] }).globNames.every((n) => typeof n === "string")));
  const kept = (dir: string) => (Object.hasOwn(stored, dir) && Array.isArray(stored[dir]) ? stored[dir].filter(valid) : []);
  let changed = false;
  return {
    async at(dir, tree, deep) {
      const key = `${deep ? "deep" : "own"}:${dir}`;
      const trees = kept(key);
      const hit = trees.find((e) => e.tree === tree);
      if (hit !== undefined) return new Map(hit.related);
      const prefix = dir === "" ? "" : `${dir}/`;
      let related: Related | null = null;
      // the glob names of a folder's own level, when the tree it was worked out from kept them
      let globNames: string[] | undefined;
      for (const from of trees) {
        // the files the commits between changed: git compares the two trees, skipping the subtrees they share
        const changes = treeChanges(index, from.tree, tree, deep);
        if (changes === null) continue;
        const next: Related = new Map(from.related);
        const added: [string, string][] = [];
        for (const [rel, mode, oid] of changes) {
          const path = prefix + rel;
          next.delete(path);
          if (/^1[02]0/.test(mode)) added.push([path, oid]);
        }
        const links = new Set(changes.filter(([, mode]) => mode === "120000").map(([rel]) => prefix + rel));
        const yes = await relatedBlobs(index, added.filter(([path]) => !links.has(path)).map(([, oid]) => oid));
        for (const [path, oid] of added) if (yes.has(oid) || links.has(path)) next.set(path, oid);
        related = next;
        // one level: each change is a name of the folder (a changed subfolder is one entry), 000000 when gone;
        // a file that becomes a folder of the same name is a deletion and an addition, in either order
        if (!deep && from.globNames !== undefined) {
          const gone = new Set(changes.filter(([, mode]) => /^0+$/.test(mode)).map(([rel]) => rel));
          const now = changes.filter(([, mode]) => !/^0+$/.test(mode)).map(([rel]) => rel);
          globNames = globNamesOf([...from.globNames.filter((n) => !gone.has(n)), ...now]);
        } else if (!deep) {
          // the kept tree has no names (a name not UTF-8): the folder's one level listed, no blob read
          const level = treeEntries(index, tree, false);
          if (level !== null) globNames = globNamesOf(level.map(([rel]) => rel));
        }
        break;
      }
      if (related === null) {
        // a folder never seen: every file of HEAD's folder read once (its blobs, in one cat-file)
        const all = treeEntries(index, tree, deep);
        if (all === null) return null;
        if (!deep) globNames = globNamesOf(all.map(([rel]) => rel));
        const listed = all.filter(([, mode]) => /^1[02]0/.test(mode));
        const files: [string, string][] = listed.map(([rel, , oid]) => [prefix + rel, oid]);
        const links = new Set(listed.filter(([, mode]) => mode === "120000").map(([rel]) => prefix + rel));
        const yes = await relatedBlobs(index, files.filter(([path]) => !links.has(path)).map(([, oid]) => oid), openFactsCache(index.root, trusted));
        related = new Map(files.filter(([path, oid]) => yes.has(oid) || links.has(path)));
      }
      stored[key] = [{ tree, related: [...related].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), ...(globNames === undefined ? {} : { globNames }) }, ...trees].slice(0, KEEP);
      changed = true;
      return related;
    },
    globNames(dir, tree) {
      const names = kept(`own:${dir}`).find((e) => e.tree === tree)?.globNames;
      return names === undefined ? null : new Set(names);
    },
    save() {
      if (changed && !disabled) writeSideFile(index.root, FILE, FORMAT, stored);
    },
  };
}
