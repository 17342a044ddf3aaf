import { readCommentPath } from "../emit/output.js";
import { isAbsolute, posix, resolve } from "node:path";
import type { TreeFile } from "../diff.js";
import { blobSizes, fetchBlobs, headObjects, indexFolderNames, indexPath, indexTree, readBlobs, submoduleOf, type GitIndex, type IndexSession } from "../git-index.js";
import { isRelatedText, openRelatedStore } from "../staged-related.js";
import { INDEX_FOLDERS } from "../bundle-index.js";
import { openFactsCache, type FactsCache, type ProfileFacts } from "../profile-facts.js";
import { headTree, indexFiles } from "../git-head.js";
import { EXIT, type Io } from "../io.js";
import { GENERATED_BY, isUserFile } from "../knowledge/bundle.js";
import { decodeProfileBytes, MAX_PROFILE_BYTES } from "../parse.js";
import { meshMemberOf, type MeshMember } from "../mesh.js";
import { defaultName, NAME_PATTERN, tooLargeDiagnostic, unreadableProfile, type CheckedProfile, type ProfileSource } from "../pipeline.js";
import { CONFIG_FILE } from "../config.js";
import { terminalLine } from "../text/terminal.js";
import { displayPath, GLOB_CHARS, PROFILE_FILE } from "../workspace.js";
import { baseRefsOf, isBasePath, isYamlPath, loadYamlSupport, mergedName, topLevelField, type BaseRead } from "../extends.js";
import { extendsAny, withBases } from "./bases.js";

/** What check compares: the profiles to check, every profile's name (for orphans), and the bundles. */
export interface CheckView {
  sources: ProfileSource[];
  unreadable: CheckedProfile[];
  /** The output folder name of every profile the arguments name, checked or not. */
  allNames: Set<string>;
  readBundle(name: string): Map<string, TreeFile> | null;
  bundleFolders(): string[];
  /** Where bundle `name` is shown in messages. */
  folder(name: string): string;
  /** The Cluster Mesh members among every profile the arguments name (their peers' bundles depend on them). */
  mesh?: MeshMember[];
  /** The bundle a new one replaces (HEAD's for --staged; the one on disk otherwise), for the upgrade rules. */
  readPrevious?(name: string): Map<string, TreeFile> | null;
  /** The out folder's own files (the fleet's ApplicationSet) as the commit has them; the disk's otherwise. */
  readOutFiles?(paths: readonly string[]): Promise<Map<string, TreeFile>>;
  /** --staged from the commit's changes alone: allNames holds the names of the profiles read, not of every one. */
  someNames?: boolean;
}

/** A regular file's mode in a git tree or index (not a symlink, a gitlink or a folder). */
const regular = (mode: string) => mode === "100644" || mode === "100755";

/** A profile's output folder name without validating it: its name field, else its file name. YAML needs loadYamlSupport(). */
export function quickName(text: string, path: string): string {
  return nameField(text, path) ?? defaultName(path);
}

/** A profile's top-level name field when it is a string, else null; nothing else is validated. YAML needs loadYamlSupport(). */
function nameField(text: string, path: string): string | null {
  try {
    const name = isYamlPath(path) ? topLevelField(path, text, "name") : (JSON.parse(text) as { name?: unknown } | null)?.name;
    if (typeof name === "string") return name;
  } catch {
    // an invalid profile is reported by the checks; here its file name stands for it
  }
  return null;
}

/** A tke-cilium.json, at the top or in a folder. */
const isConfigPath = (path: string) => path === CONFIG_FILE || path.endsWith(`/${CONFIG_FILE}`);

/**
 * check --staged: the profiles and bundles as the commit would have them, read from the git index. Only the
 * profiles the commit touches are rendered (a staged profile, a staged file of its bundle, a staged base it
 * extends, a staged member of its Cluster Mesh): git is asked for the staged paths and for the entries of the
 * folders named, and only the blobs of touched profiles (and of those that extend a base or join a mesh) are
 * read. Most commits are judged from their changes alone (changedSelection: nothing of the fleet is listed,
 * what grows with it is git reading its own index); when they cannot be, every profile's name is known, to find
 * bundles no profile renders any more: from the profile facts kept by object id (profile-facts.ts), reading
 * only blobs not seen before (fleetSelection). `fleet` takes that reading whatever the changes tell.
 */
export async function readStagedView(args: readonly string[], out: string, io: Io, session: IndexSession, fleet = false): Promise<CheckView | number> {
  const index = session.at(io.cwd);
  const outDir = indexPath(index, io.cwd, out);
  const shown = (path: string) => displayPath(resolve(index.root, path), io.cwd);
  const stagedBundles = new Set([...index.staged].filter((p) => p.startsWith(`${outDir}/`)).map((p) => p.slice(outDir.length + 1).split("/")[0]));
  // the commit's changes alone when they tell the answer; the fleet's every profile name when they may not
  const fast = fleet ? null : await changedSelection(index, args, outDir, io);
  stagedRuns[fast === null ? "fleet" : "changed"]++;
  const selection = fast ?? (await fleetSelection(index, args, outDir, stagedBundles, io));
  if (typeof selection === "number") return selection;
  const { paths, facts } = selection;
  const oids = selection.oids;
  // a symbolic link is read as a checkout has it: the file it points at, as the commit holds that file
  const links = await followLinks(index, paths, oids);
  if (typeof links === "string") {
    io.stderr(`tke-cilium: cannot read ${terminalLine(links)}\n`);
    return EXIT.usage;
  }
  for (const [path, { oid }] of links) oids.set(path, oid);
  // a profile is staged when the commit changes it, or (a link) the file it points at
  // a commit that changes a tke-cilium.json may change every bundle (out, gitops, which files are profiles):
  // each profile is then checked, as if staged
  const configChanged = [...index.changes.keys()].some(isConfigPath);
  const staged = (path: string) => configChanged || index.staged.has(path) || links.get(path)?.staged === true;
  const oidOf = (p: string) => oids.get(p)!;
  const bytesOf = new Map<string, Buffer>(fast?.bytes ?? []);
  const sizes = new Map<string, number>(fast?.sizes ?? []);
  // a staged file far larger than a profile (a 400 MB "peer") is sized, never read
  const readSome = async (oids: readonly string[]) => {
    const wanted = [...new Set(oids)].filter((oid) => !bytesOf.has(oid) && !sizes.has(oid));
    if (wanted.length === 0) return;
    for (const [oid, size] of await blobSizes(index, wanted)) sizes.set(oid, size);
    for (const [oid, bytes] of await readBlobs(index, wanted.filter((oid) => (sizes.get(oid) ?? 0) <= MAX_PROFILE_BYTES))) bytesOf.set(oid, bytes);
  };
  // the facts of blobs not seen before: read once, kept by object id
  const unknown = paths.filter((p) => facts.get(oidOf(p)) === undefined);
  await readSome(unknown.map(oidOf));
  if (unknown.some(isYamlPath)) await loadYamlSupport();
  for (const p of unknown) {
    const bytes = bytesOf.get(oidOf(p));
    if (bytes === undefined) continue;
    const decoded = decodeProfileBytes(bytes, p);
    const text = "text" in decoded ? decoded.text : "";
    facts.set(oidOf(p), { name: nameField(text, p), related: isRelatedText(text) });
  }
  const names = new Map<string, string>();
  const nameOf = (p: string) => names.get(p)!;
  const allNames = new Set<string>();
  // what is read whole: the profiles the commit touches, and those that could be touched through a base or a mesh
  const wanted = paths.filter((p) => {
    const known = facts.get(oidOf(p));
    const name = known?.name ?? defaultName(p);
    names.set(p, name);
    allNames.add(name);
    return staged(p) || stagedBundles.has(name) || known?.related === true;
  });
  await readSome(wanted.map(oidOf));
  if (wanted.some(isYamlPath)) await loadYamlSupport();
  const read = wanted.map((path) => {
    const oid = oidOf(path);
    const bytes = bytesOf.get(oid);
    const size = bytes?.length ?? sizes.get(oid) ?? 0;
    const display = shown(path);
    const decoded = bytes === undefined ? null : decodeProfileBytes(bytes, display);
    const text = decoded && "text" in decoded ? decoded.text : "";
    return { path, size, display, decoded, text, name: nameOf(path), member: null as MeshMember | null };
  });
  facts.save();
  // one listing for what comes next: the bases the profiles read name, and (a few) their bundle folders, which
  // the comparison reads (fetched below)
  const bundleNames = [...new Set(read.map((r) => r.name))].filter((n) => NAME_PATTERN.test(n));
  index.load([...read.flatMap((r) => baseRefsOf(r.display, r.text)).map((p) => indexPath(index, io.cwd, p)), ...(bundleNames.length <= MAX_FETCHED_BUNDLES ? bundleNames.map((n) => `${outDir}/${n}`) : [])]);
  // the bases as the commit has them; a profile whose base (or a base's base) is staged is re-checked
  const withBase = await withBases(
    read.map((r) => ({ path: r.display, text: r.text })),
    (path) => readIndexedBase(index, indexPath(index, io.cwd, path)),
  );
  const stagedShown = new Set([...index.staged].map(shown));
  for (const [path, link] of links) if (link.staged) stagedShown.add(shown(path));
  const byPath = new Map(withBase.map((s) => [s.path, s]));
  // a profile with no name field of its own may take one from a base: named as the checks name it, and the
  // fleet's names taken again (a bundle it renders under that name is not an orphan; its file name's may be)
  let renamed = false;
  for (const r of read) {
    const source = byPath.get(r.display);
    if (source?.bases === undefined || facts.get(oidOf(r.path))?.name != null) continue;
    const name = mergedName(source) ?? defaultName(r.path);
    if (name === r.name) continue;
    names.set(r.path, name);
    r.name = name;
    renamed = true;
  }
  if (renamed) {
    allNames.clear();
    for (const p of paths) allNames.add(nameOf(p));
  }
  for (const r of read) r.member = meshMemberOf(r.display, r.text, byPath.get(r.display)?.bases);
  const mesh = read.flatMap((r) => r.member ?? []);
  const baseTouched = new Set(withBase.filter((s) => s.bases !== undefined && extendsAny(s, stagedShown)).map((s) => s.path));
  // a touched mesh member changes its peers' bundles too (their peer lists, their masquerading exceptions)
  const touchedMeshes = new Set(read.filter((r) => r.member !== null && (staged(r.path) || stagedBundles.has(r.name))).map((r) => r.member!.mesh));
  // and so does one the commit deletes, or takes out of its mesh, or whose mesh it renames: the mesh HEAD had
  // it in is judged too (its peers' bundles still list it)
  for (const mesh of await headMeshes(index, outDir, read.filter((r) => baseTouched.has(r.display)).map((r) => r.path), bytesOf, readSome)) touchedMeshes.add(mesh);
  const sources: ProfileSource[] = [];
  const unreadable: CheckedProfile[] = [];
  for (const { path, size, display, decoded, text, name, member } of read) {
    if (!staged(path) && !stagedBundles.has(name) && !(member !== null && touchedMeshes.has(member.mesh)) && !baseTouched.has(display)) continue;
    if (decoded === null) unreadable.push(unreadableProfile(display, tooLargeDiagnostic(display, size)));
    else if ("diagnostic" in decoded) unreadable.push(unreadableProfile(display, decoded.diagnostic, decoded.lossy));
    else sources.push(byPath.get(display) ?? { path: display, text });
  }
  // the bundles the check compares (the commit's, and HEAD's for the upgrade rules) are read now, in one batch:
  // the comparison asks for each as it goes and cannot wait for git. A few: a commit that touches every
  // profile (a config change) has its bundles read one at a time, as the comparison goes, in constant memory.
  const checkedPaths = new Set(sources.map((s) => s.path));
  const checked = [...new Set(read.filter((r) => checkedPaths.has(r.display)).map((r) => r.name))].filter((n) => NAME_PATTERN.test(n)).map((n) => `${outDir}/${n}/`);
  if (checked.length > 0 && checked.length <= MAX_FETCHED_BUNDLES) {
    index.load(checked.map((p) => p.slice(0, -1)));
    const rest = (path: string) => {
      const folder = checked.find((p) => path.startsWith(p));
      return folder === undefined ? null : path.slice(folder.length);
    };
    const now = [...index.entries].filter(([p, e]) => regular(e.mode) && rest(p) !== null && !isUserFile(rest(p)!));
    const before = [...index.head].filter(([p, e]) => regular(e.mode) && rest(p) !== null);
    await fetchBlobs(index, [...now, ...before].map(([, e]) => e.oid));
  }
  // listed once: a run with a config and file arguments asks before it checks, and again for the orphans
  let folders: string[] | undefined;
  return {
    sources,
    unreadable,
    allNames,
    someNames: fast !== null,
    readBundle: (name) => indexTree(index, `${outDir}/${name}`, isUserFile),
    bundleFolders: () => (folders ??= selection.folders().filter((n) => NAME_PATTERN.test(n)).sort()),
    folder: (name) => shown(`${outDir}/${name}`),
    mesh,
    readPrevious: (name) => headTree(index, `${outDir}/${name}`),
    readOutFiles: async (paths) => {
      index.load(paths.map((p) => `${outDir}/${p}`));
      // read through the run's batch process, then taken as bundle files are
      // regular files only: a gitlink's commit is not in the object store (indexFiles reports it as missing)
      await fetchBlobs(index, paths.flatMap((p) => {
        const entry = index.entries.get(`${outDir}/${p}`);
        return entry !== undefined && regular(entry.mode) ? [entry.oid] : [];
      }));
      return indexFiles(index, outDir, paths);
    },
  };
}

/**
 * Whether the tool's caches may be used: git tracks nothing in their folders (a commit could plant a cache
 * that answers for it). Only entries already loaded are looked at: load INDEX_FOLDERS first.
 */
function cacheTrusted(index: GitIndex): boolean {
  return ![...index.entries.keys()].some((p) => INDEX_FOLDERS.some((f) => p.startsWith(`${f}/`)));
}

/** The most bundles check --staged reads ahead (in memory at once): a commit's usual few, and a mesh's. */
const MAX_FETCHED_BUNDLES = 32;

/** The longest link target followed (PATH_MAX on Linux). */
const MAX_LINK_BYTES = 4096;

/**
 * The profiles among `paths` that are symbolic links in the commit, each with the blob of the regular file it
 * leads to (through a few links at most) and whether the commit changes any file on the way. Only the modes of
 * paths the commit does not change are asked for (one ls-tree), and only links are read. A link that leads
 * out of the repository, to nothing the commit holds, or to no regular file: the message (a checkout could not
 * read it either).
 */
async function followLinks(index: GitIndex, paths: readonly string[], oids: ReadonlyMap<string, string>): Promise<Map<string, { oid: string; staged: boolean }> | string> {
  const modeOf = (p: string) => (index.changes.has(p) ? index.changes.get(p)!.now?.mode : index.entries.get(p)?.mode);
  index.load(paths.filter((p) => modeOf(p) === undefined));
  const found = new Map<string, { oid: string; staged: boolean }>();
  for (const start of paths.filter((p) => modeOf(p) === "120000")) {
    let path = start;
    let oid = oids.get(start)!;
    let staged = index.staged.has(start);
    for (let hop = 0; ; hop++) {
      // a link's blob is its target path: one larger than a path is sized, never read
      const size = (await blobSizes(index, [oid])).get(oid) ?? 0;
      if (size > MAX_LINK_BYTES) return `${start}: a symbolic link in the git index of ${size} bytes, more than a path (${MAX_LINK_BYTES})`;
      const target = (await readBlobs(index, [oid])).get(oid)?.toString("utf8") ?? "";
      const next = posix.normalize(posix.join(posix.dirname(path), target));
      const where = `${start}: a symbolic link in the git index to ${JSON.stringify(target.slice(0, 200))}`;
      if (hop >= 8) return `${where}: too many links in a row`;
      if (target === "" || posix.isAbsolute(target) || next === ".." || next.startsWith("../")) return `${where}, which is outside the repository; check --staged reads profiles only inside it`;
      index.load([next]);
      const entry = index.entries.get(next);
      if (entry === undefined) return `${where}, which the commit does not hold (git add it, or point the link at a file it holds)`;
      staged ||= index.staged.has(next);
      if (entry.mode === "120000") {
        path = next;
        oid = entry.oid;
        continue;
      }
      if (!/^100/.test(entry.mode)) return `${where}, which is not a regular file in the commit`;
      found.set(start, { oid: entry.oid, staged });
      break;
    }
  }
  return found;
}

/**
 * The meshes HEAD had the touched profiles in: each profile file the commit changes or deletes as HEAD had it,
 * and `extenders` (profiles whose staged base the commit changes) with HEAD's bases. Only their HEAD blobs
 * are read (a few: the commit's own), and only those that mention a mesh or a base are parsed.
 */
async function headMeshes(index: GitIndex, outDir: string, extenders: readonly string[], bytesOf: Map<string, Buffer>, readSome: (oids: readonly string[]) => Promise<void>): Promise<Set<string>> {
  const profiles = new Map<string, string>();
  for (const [p, c] of index.changes) {
    if (c.head === null || !/^100/.test(c.head.mode) || c.now?.oid === c.head.oid) continue;
    if (!PROFILE_FILE.test(p) || isBasePath(p) || p.startsWith(`${outDir}/`)) continue;
    profiles.set(p, c.head.oid);
  }
  const unchanged = extenders.filter((p) => !profiles.has(p));
  for (const [p, found] of await headObjects(index, unchanged)) if (found?.type === "blob") profiles.set(p, found.oid);
  const meshes = new Set<string>();
  if (profiles.size === 0) return meshes;
  await readSome([...profiles.values()]);
  const texts: { path: string; text: string }[] = [];
  for (const [path, oid] of profiles) {
    const bytes = bytesOf.get(oid);
    const decoded = bytes === undefined ? null : decodeProfileBytes(bytes, path);
    if (decoded !== null && "text" in decoded && isRelatedText(decoded.text)) texts.push({ path, text: decoded.text });
  }
  if (texts.length === 0) return meshes;
  if (texts.some((t) => isYamlPath(t.path))) await loadYamlSupport();
  // the bases as HEAD had them (paths here are the repository's)
  const headBase = async (path: string): Promise<BaseRead> => {
    const found = (await headObjects(index, [path])).get(path);
    if (found === undefined || found === null || found.type !== "blob" || found.size > MAX_PROFILE_BYTES) return { problem: "not in HEAD" };
    const bytes = (await readBlobs(index, [found.oid])).get(found.oid);
    const decoded = bytes === undefined ? null : decodeProfileBytes(bytes, path);
    return decoded !== null && "text" in decoded ? { text: decoded.text } : { problem: "unreadable in HEAD" };
  };
  for (const s of await withBases(texts, headBase)) {
    const member = meshMemberOf(s.path, s.text, s.bases);
    if (member !== null) meshes.add(member.mesh);
  }
  return meshes;
}

/** How check --staged chose its profiles in this process (the tests read it: a shortcut never taken proves nothing). */
export const stagedRuns = { changed: 0, fleet: 0 };

/** The profiles check --staged reads facts of (repository paths → blob ids), and the out folder's bundle folders. */
interface Selection {
  paths: string[];
  oids: Map<string, string>;
  facts: FactsCache;
  /** The bundle folders of the commit an orphan is looked for in. */
  folders(): string[];
}

/**
 * Every profile the arguments name, as the commit has them, and every bundle folder: the names of all (from the
 * profile facts, kept by blob id) tell an orphan. What the commit does not change is listed too.
 */
async function fleetSelection(index: GitIndex, args: readonly string[], outDir: string, stagedBundles: Set<string>, io: Io): Promise<Selection | number> {
  const shown = (path: string) => displayPath(resolve(index.root, path), io.cwd);
  const selected = new Set<string>();
  const inFolder = (target: string) => {
    const prefix = `${target}/`;
    const found: string[] = [];
    let any = false;
    for (const p of index.entries.keys()) {
      if (!p.startsWith(prefix)) continue;
      any = true;
      if (!p.slice(prefix.length).includes("/") && PROFILE_FILE.test(p) && !isBasePath(p)) found.push(p);
    }
    return { found, any };
  };
  // one ls-tree for the folders named and the cache folders (whether git tracks them: see below)
  index.load([...INDEX_FOLDERS, ...args.filter((a) => !GLOB_CHARS.test(a)).map((a) => indexPath(index, io.cwd, a)), ...[...stagedBundles].map((n) => `${outDir}/${n}`)]);
  for (const arg of args) {
    if (GLOB_CHARS.test(arg)) {
      // a glob: compiled once, matched against the entries of the folder it starts from
      const { default: micromatch } = await import("micromatch");
      const base = micromatch.scan(arg).base;
      index.load([indexPath(index, io.cwd, base === "" ? "." : base)]);
      const target = indexPath(index, io.cwd, arg).replace(/\/$/, "");
      if (index.entries.has(target) || index.staged.has(target)) {
        selected.add(target);
        continue;
      }
      // as on disk: a leading ! is no negation, and a glob that matches no profile is an error
      const matches = micromatch.matcher(arg, { nonegate: true });
      let any = false;
      for (const p of index.entries.keys())
        if (matches(shown(p)) && !isBasePath(p)) {
          selected.add(p);
          any = true;
        }
      if (any) continue;
      io.stderr(`tke-cilium: no such profile in the git index: ${terminalLine(JSON.stringify(arg))}\n`);
      return EXIT.usage;
    }
    const target = indexPath(index, io.cwd, arg).replace(/\/$/, "");
    const submodule = submoduleOf(index, target);
    if (submodule !== null) {
      io.stderr(`tke-cilium: ${terminalLine(JSON.stringify(arg))} is in the submodule ${terminalLine(submodule)}, whose files are not in this repository's index: run check --staged inside the submodule\n`);
      return EXIT.usage;
    }
    if (index.entries.has(target)) {
      selected.add(target);
      continue;
    }
    const folder = inFolder(target);
    if (folder.any || index.staged.has(target)) {
      for (const p of folder.found) selected.add(p);
      continue;
    }
    io.stderr(`tke-cilium: no such profile in the git index: ${terminalLine(JSON.stringify(arg))}\n`);
    return EXIT.usage;
  }
  const paths = [...selected].sort();
  // the facts are the machine's own: a cache folder that git tracks came with a commit and is not used
  const facts = openFactsCache(index.root, cacheTrusted(index));
  return { paths, oids: new Map(paths.map((p) => [p, index.entries.get(p)!.oid])), facts, folders: () => indexFolderNames(index, outDir) };
}

/** Facts for this run only: the few blobs the commit's changes name are read, none is kept. */
function runFacts(): FactsCache {
  const known = new Map<string, ProfileFacts>();
  return { get: (oid) => known.get(oid), set: (oid, facts) => void known.set(oid, facts), save: () => {} };
}

/** A bundle's profile as its install.sh names it ("# Generated by tke-cilium from <path>. Do not edit: ..."), or null. */
function claimedProfile(bytes: Buffer | undefined): string | null {
  const second = bytes?.subarray(0, 4096).toString("utf8").split("\n")[1] ?? "";
  const lead = `# ${GENERATED_BY}`;
  if (!second.startsWith(lead)) return null;
  // the path as commentPath wrote it: plain, or quoted (a space, a quote, a control character)
  return readCommentPath(second.slice(lead.length), ". Do not edit:");
}

/**
 * The profiles a commit touches, found from its changes alone: the staged profiles the arguments name, the
 * related profiles of the folders they name (HEAD's, from the related store, with the commit's changes
 * applied: a base or a mesh reaches them), and the profile each staged bundle's install.sh names. Nothing is
 * listed. Null (the whole fleet is read instead) when the changes may not tell: a staged bundle whose profile
 * is not the one named or names it otherwise, a bundle folder left in the commit whose profile is deleted or
 * renamed, a folder argument the commit may empty, a glob that is also a path, a submodule, no HEAD yet.
 * A bundle folder the commit does not touch is not looked at: HEAD's orphans are HEAD's (check --strict finds them).
 */
async function changedSelection(index: GitIndex, args: readonly string[], outDir: string, io: Io): Promise<(Selection & { bytes: Map<string, Buffer>; sizes: Map<string, number> }) | null> {
  if (!index.hasHead || Boolean(process.env.TKE_CILIUM_STAGED_FLEET)) return null;
  const shown = (path: string) => displayPath(resolve(index.root, path), io.cwd);
  const outside = (p: string) => p === ".." || p.startsWith("../") || isAbsolute(p);
  if (outside(outDir)) return null;
  // a commit that edits a tke-cilium.json may change which files are profiles, or where out/ is: every bundle
  // folder is then judged against the whole fleet (a profile the config stops listing leaves an orphan)
  if ([...index.changes.keys()].some(isConfigPath)) return null;
  const under = (p: string, dir: string) => dir === "" || p.startsWith(`${dir}/`);
  const changedUnder = (dir: string) => [...index.changes].filter(([p]) => under(p, dir));
  const ownFile = (dir: string) => (p: string) => under(p, dir) && !p.slice(dir === "" ? 0 : dir.length + 1).includes("/") && PROFILE_FILE.test(p) && !isBasePath(p);
  const globs = args.filter((a) => GLOB_CHARS.test(a));
  const micromatch = globs.length > 0 ? (await import("micromatch")).default : null;
  const targets = args.map((arg) => {
    if (micromatch === null || !GLOB_CHARS.test(arg)) return { arg, target: indexPath(index, io.cwd, arg).replace(/\/$/, "") };
    const { base, glob, negated } = micromatch.scan(arg);
    return { arg, target: indexPath(index, io.cwd, arg).replace(/\/$/, ""), base: indexPath(index, io.cwd, base === "" ? "." : base), rest: glob, negated };
  });
  // a glob of one folder level is also a name in that folder: whether HEAD has a file or folder so named is
  // told by the related store, which keeps the folder's names that hold a glob character, by tree id (asking
  // git makes it read the folder's whole tree object); git is asked when the store does not know
  const literalName = (t: (typeof targets)[number]) => {
    if (t.base === undefined || /\*\*|\//.test(t.rest ?? "")) return null;
    const name = t.base === "" ? t.target : t.target.startsWith(`${t.base}/`) ? t.target.slice(t.base.length + 1) : null;
    return name !== null && name !== "" && !name.includes("/") && GLOB_CHARS.test(name) ? name : null;
  };
  const heads = await headObjects(index, targets.flatMap((t) => (t.base === undefined ? [t.target] : literalName(t) !== null ? [t.base] : [t.target, t.base])));
  const rules: ((p: string) => boolean)[] = [];
  const scopes: { dir: string; tree: string; deep: boolean; literal?: { name: string; target: string } }[] = [];
  const files: [string, string][] = [];
  // file arguments: the fleet's reading judges every bundle folder against the profiles named (count them)
  let namesFiles = 0;
  for (const t of targets) {
    if (outside(t.target) || (t.base !== undefined && outside(t.base))) return null;
    const literal = literalName(t);
    // a literal name is looked up below, with the folder's related files
    const head = literal !== null ? null : heads.get(t.target);
    const change = index.changes.get(t.target);
    if (head === undefined) return null;
    if (t.base !== undefined) {
      // a glob that is also a path names that path; a glob from the top folder into subfolders would read them all
      if (head !== null || change !== undefined || t.negated) return null;
      const deep = /\*\*|\//.test(t.rest ?? "");
      const base = heads.get(t.base);
      if (base === undefined || (base !== null && base.type !== "tree") || (deep && t.base === "")) return null;
      // whether the glob still matches a profile is the fleet's reading's to say when the commit deletes from
      // its folder, or the folder is new (HEAD's matches stand otherwise: the commit only adds to them)
      if (base === null || changedUnder(t.base).some(([, c]) => c.now === null)) return null;
      const matches = micromatch!.matcher(t.arg, { nonegate: true });
      const dir = t.base;
      rules.push((p) => under(p, dir) && matches(shown(p)) && !isBasePath(p));
      scopes.push({ dir, tree: base.oid, deep, ...(literal === null ? {} : { literal: { name: literal, target: t.target } }) });
      continue;
    }
    if (change !== undefined && (change.now === null || change.now.mode !== "160000")) {
      // a staged file: the commit has it, or deletes it (it names no profile then, but HEAD's name for it is
      // a bundle folder the commit must not keep: the rule puts its HEAD blob in headOf below)
      const path = t.target;
      rules.push((p) => p === path);
      namesFiles++;
      continue;
    }
    const here = changedUnder(t.target);
    if (head === null) {
      // a folder new in this commit: its profiles are all staged
      if (t.target === "" || !here.some(([, c]) => c.now !== null)) return null;
      rules.push(ownFile(t.target));
      continue;
    }
    if (head.type === "blob") {
      // a profile file the commit does not change: read (one blob), checked when it concerns what is staged
      const path = t.target;
      rules.push((p) => p === path);
      files.push([path, head.oid]);
      namesFiles++;
      continue;
    }
    if (head.type !== "tree") return null;
    // a folder the commit deletes from: still there when HEAD's tree object holds more than the entries taken
    // out (each is "<mode> <name>\0" and the object id's bytes), or when the commit adds to it
    if (here.some(([, c]) => c.now === null) && !here.some(([, c]) => c.now !== null)) {
      const gone = new Map<string, number>();
      // a SHA-1 repository's ids are 20 bytes, a SHA-256 one's 32: the tree's own id tells which
      const idBytes = head.oid.length / 2;
      for (const [p, c] of here) {
        const name = p.slice(t.target === "" ? 0 : t.target.length + 1).split("/")[0];
        const mode = name.length === p.length - (t.target === "" ? 0 : t.target.length + 1) ? (c.head?.mode ?? "100644").replace(/^0+/, "") : "40000";
        gone.set(name, mode.length + 1 + Buffer.byteLength(name) + 1 + idBytes);
      }
      if (head.size <= [...gone.values()].reduce((a, b) => a + b, 0)) return null;
    }
    rules.push(ownFile(t.target));
    scopes.push({ dir: t.target, tree: head.oid, deep: false });
  }
  const selectedBy = (p: string) => rules.some((rule) => rule(p));
  // what the commit holds of each profile read: path → blob id
  const oids = new Map<string, string>();
  for (const [p, c] of index.changes) if (c.now !== null && selectedBy(p)) oids.set(p, c.now.oid);
  for (const [p, oid] of files) oids.set(p, oid);
  // the cache folders: the store is the machine's own, not one a commit brought
  index.load([...INDEX_FOLDERS]);
  const trusted = cacheTrusted(index);
  const store = openRelatedStore(index, trusted);
  for (const { dir, tree, deep, literal } of scopes) {
    const related = await store.at(dir, tree, deep);
    if (related === null) return null;
    if (literal !== undefined) {
      // a glob that is also a path names that path: the fleet's reading
      const names = store.globNames(dir, tree);
      if (names !== null ? names.has(literal.name) : (await headObjects(index, [literal.target])).get(literal.target) !== null) {
        // what was worked out for this tree is kept: the next run asks the store again
        store.save();
        return null;
      }
    }
    for (const [p, oid] of related) if (!index.changes.has(p) && selectedBy(p)) oids.set(p, oid);
  }
  store.save();
  // the profile each staged bundle names, and the bundles the staged profiles rendered before (their old names)
  const headOf = new Map<string, string>();
  // with a file argument, also every profile file the commit deletes or changes, named or not: its old bundle
  // is judged as the fleet's reading judges it (kept without a profile naming it: an orphan)
  const profileFile = (p: string) => PROFILE_FILE.test(p) && !isBasePath(p) && !p.startsWith(`${outDir}/`);
  for (const [p, c] of index.changes) if (c.head !== null && (selectedBy(p) || (namesFiles > 0 && profileFile(p))) && (c.now === null || c.now.oid !== c.head.oid)) headOf.set(p, c.head.oid);
  // bundle folders (a file of out/ itself, the fleet's ApplicationSet, is no profile's)
  const bundles = [...new Set([...index.changes.keys()].filter((p) => p.startsWith(`${outDir}/`) && p.slice(outDir.length + 1).includes("/")).map((p) => p.slice(outDir.length + 1).split("/")[0]))].filter((n) => NAME_PATTERN.test(n));
  // the profiles' blobs first (the run's batch process starts no git): the names HEAD's versions give are bundle
  // folders to list with the staged ones
  const profileOids = [...oids.values(), ...headOf.values()];
  const sizes = await blobSizes(index, profileOids);
  const small = (oid: string) => (sizes.get(oid) ?? Infinity) <= MAX_PROFILE_BYTES;
  const bytes = await readBlobs(index, profileOids.filter(small));
  const facts = runFacts();
  const learn = async (path: string, oid: string): Promise<string> => {
    const known = facts.get(oid);
    if (known !== undefined) return known.name ?? defaultName(path);
    const blob = bytes.get(oid);
    const decoded = blob === undefined ? null : decodeProfileBytes(blob, path);
    const text = decoded !== null && "text" in decoded ? decoded.text : "";
    if (isYamlPath(path) && text !== "") await loadYamlSupport();
    const name = blob === undefined ? null : nameField(text, path);
    if (blob !== undefined) facts.set(oid, { name, related: isRelatedText(text) });
    return name ?? defaultName(path);
  };
  const oldNames: string[] = [];
  for (const [p, oid] of headOf) oldNames.push(await learn(p, oid));
  // the bundle folders' entries as the commit has them, in one ls-tree: install.sh, and whether the commit keeps
  // each folder; and in the same call the modes of the related profiles (a link among them is followed)
  const listed = [...bundles, ...oldNames.filter((name) => NAME_PATTERN.test(name))].map((name) => `${outDir}/${name}`);
  index.load([...listed, ...[...oids.keys()].filter((p) => !index.changes.has(p))]);
  // each staged bundle's install.sh as the commit has it and as HEAD had it: the profiles they name
  const install = (name: string) => {
    const path = `${outDir}/${name}/install.sh`;
    const now = index.entries.get(path)?.oid;
    const change = index.changes.get(path);
    return [...new Set([now, change === undefined ? now : change.head?.oid])].filter((oid): oid is string => oid !== undefined);
  };
  const installs = bundles.flatMap(install);
  for (const [oid, size] of await blobSizes(index, installs)) sizes.set(oid, size);
  for (const [oid, blob] of await readBlobs(index, installs.filter(small))) bytes.set(oid, blob);
  const names = new Set<string>();
  for (const [p, oid] of oids) names.add(await learn(p, oid));
  // a profile a staged bundle's install.sh names (now or in HEAD) that the commit does not change is read too:
  // the bundle may be its (a hand edit), or another profile may take its name in this commit (a duplicate)
  const claimed = new Set<string>();
  for (const name of bundles) {
    for (const oid of install(name)) {
      const display = claimedProfile(bytes.get(oid));
      if (display === null) return null;
      const path = indexPath(index, io.cwd, display);
      if (outside(path)) return null;
      // not one of the arguments' profiles (the whole fleet's reading does not see it either), read already, or deleted
      if (!selectedBy(path) || oids.has(path) || index.changes.has(path)) continue;
      claimed.add(path);
    }
  }
  if (claimed.size > 0) {
    const inHead = await headObjects(index, [...claimed]);
    const more: [string, string][] = [];
    for (const path of claimed) {
      const found = inHead.get(path);
      if (found === undefined) return null;
      // a profile that is in neither HEAD nor the commit names no folder
      if (found !== null && found.type === "blob") more.push([path, found.oid]);
      else if (found !== null) return null;
    }
    for (const [oid, size] of await blobSizes(index, more.map(([, oid]) => oid))) sizes.set(oid, size);
    for (const [oid, blob] of await readBlobs(index, more.map(([, oid]) => oid).filter(small))) bytes.set(oid, blob);
    for (const [path, oid] of more) {
      oids.set(path, oid);
      names.add(await learn(path, oid));
    }
  }
  // a bundle folder the commit keeps needs a profile that names it (one it deletes whole needs none)
  const keeps = (name: string) => [...index.entries.keys()].some((p) => p.startsWith(`${outDir}/${name}/`));
  // a bundle folder the commit keeps must be some profile's: the touched ones are looked at
  const folders = new Set(bundles);
  for (const [p, oid] of headOf) folders.add(await learn(p, oid));
  const present = [...folders].filter((name) => NAME_PATTERN.test(name));
  index.load(present.map((name) => `${outDir}/${name}`));
  const kept = present.filter(keeps);
  // one no profile read names: with folder arguments, an unread profile of theirs may; with file arguments alone,
  // only the files named count (as in the fleet's reading): it is an orphan
  if (namesFiles < targets.length && kept.some((name) => !names.has(name))) return null;
  const paths = [...oids.keys()].sort();
  return { paths, oids, facts, folders: () => kept, bytes, sizes };
}

/** A base file as the git index holds it (what the commit will have). */
async function readIndexedBase(index: GitIndex, path: string): Promise<BaseRead> {
  index.load([path]);
  const entry = index.entries.get(path);
  if (entry === undefined) return { problem: "it is not in the git index (git add it)" };
  if (!entry.mode.startsWith("100")) return { problem: entry.mode === "120000" ? "it is a symbolic link" : "it is not a regular file" };
  // sized before it is read, as a profile's blob is: a huge staged base is named, never loaded
  const size = (await blobSizes(index, [entry.oid])).get(entry.oid);
  if (size === undefined || size > MAX_PROFILE_BYTES) return { problem: "it is too large to be a base" };
  const bytes = (await readBlobs(index, [entry.oid])).get(entry.oid);
  if (bytes === undefined) return { problem: "it is too large to be a base" };
  const decoded = decodeProfileBytes(bytes, path);
  return "text" in decoded ? { text: decoded.text } : { problem: decoded.diagnostic.message };
}
