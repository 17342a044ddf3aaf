import { resolve } from "node:path";
import type { TreeFile } from "../diff.js";
import { blobSizes, indexFolderNames, indexPath, indexTree, readBlobs, readGitIndex, submoduleOf } from "../git-index.js";
import { INDEX_FOLDERS } from "../bundle-index.js";
import { openFactsCache } from "../profile-facts.js";
import { headTree, indexFiles } from "../git-head.js";
import { EXIT, type Io } from "../io.js";
import { isUserFile } from "../knowledge/bundle.js";
import { decodeProfileBytes, MAX_PROFILE_CHARS } from "../parse.js";
import { meshMemberOf, type MeshMember } from "../mesh.js";
import { defaultName, NAME_PATTERN, tooLargeDiagnostic, unreadableProfile, type CheckedProfile, type ProfileSource } from "../pipeline.js";
import { terminalLine } from "../text/terminal.js";
import { displayPath, GLOB_CHARS, PROFILE_FILE } from "../workspace.js";
import { isBasePath, isYamlPath, loadYamlSupport, topLevelField, type BaseRead } from "../extends.js";
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
  readOutFiles?(paths: readonly string[]): Map<string, TreeFile>;
}

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

/**
 * check --staged: the profiles and bundles as the commit would have them, read from the git index. Only the
 * profiles the commit touches are rendered (a staged profile, a staged file of its bundle, a staged base it
 * extends, a staged member of its Cluster Mesh): git is asked for the staged paths and for the entries of the
 * folders named, and only the blobs of touched profiles (and of those that extend a base or join a mesh) are
 * read. What still grows with the fleet is git reading its own index and the profile facts file (npm run bench:
 * 186 ms for 10 clusters, 306 ms for 10,000).
 * Every profile's name is still known, to find bundles no profile renders any more: from the profile facts
 * kept by object id (profile-facts.ts), reading only blobs not seen before.
 */
export async function readStagedView(args: readonly string[], out: string, io: Io): Promise<CheckView | number> {
  const index = readGitIndex(io.cwd);
  const outDir = indexPath(index, io.cwd, out);
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
  // one ls-files for the folders named and the cache folders (whether git tracks them: see below)
  const stagedBundles = new Set([...index.staged].filter((p) => p.startsWith(`${outDir}/`)).map((p) => p.slice(outDir.length + 1).split("/")[0]));
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
      const matches = micromatch.matcher(arg);
      for (const p of index.entries.keys()) if (matches(shown(p)) && !isBasePath(p)) selected.add(p);
      continue;
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
  const facts = openFactsCache(index.root, ![...index.entries.keys()].some((p) => INDEX_FOLDERS.some((f) => p.startsWith(`${f}/`))));
  const oids = new Map(paths.map((p) => [p, index.entries.get(p)!.oid]));
  const oidOf = (p: string) => oids.get(p)!;
  const bytesOf = new Map<string, Buffer>();
  const sizes = new Map<string, number>();
  // a staged file far larger than a profile (a 400 MB "peer") is sized, never read
  const readSome = async (oids: readonly string[]) => {
    const wanted = [...new Set(oids)].filter((oid) => !bytesOf.has(oid) && !sizes.has(oid));
    if (wanted.length === 0) return;
    for (const [oid, size] of blobSizes(index, wanted)) sizes.set(oid, size);
    for (const [oid, bytes] of readBlobs(index, wanted.filter((oid) => (sizes.get(oid) ?? 0) <= MAX_PROFILE_CHARS * 4))) bytesOf.set(oid, bytes);
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
    facts.set(oidOf(p), { name: nameField(text, p), related: /\bextends\b/.test(text) || text.includes("clusterMesh") });
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
    return index.staged.has(p) || stagedBundles.has(name) || known?.related === true;
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
  // the bases as the commit has them; a profile whose base (or a base's base) is staged is re-checked
  const withBase = await withBases(
    read.map((r) => ({ path: r.display, text: r.text })),
    (path) => readIndexedBase(index, indexPath(index, io.cwd, path)),
  );
  const stagedShown = new Set([...index.staged].map(shown));
  const byPath = new Map(withBase.map((s) => [s.path, s]));
  for (const r of read) r.member = meshMemberOf(r.display, r.text, byPath.get(r.display)?.bases);
  const mesh = read.flatMap((r) => r.member ?? []);
  const baseTouched = new Set(withBase.filter((s) => s.bases !== undefined && extendsAny(s, stagedShown)).map((s) => s.path));
  // a touched mesh member changes its peers' bundles too (their peer lists, their masquerading exceptions)
  const touchedMeshes = new Set(read.filter((r) => r.member !== null && (index.staged.has(r.path) || stagedBundles.has(r.name))).map((r) => r.member!.mesh));
  const sources: ProfileSource[] = [];
  const unreadable: CheckedProfile[] = [];
  for (const { path, size, display, decoded, text, name, member } of read) {
    if (!index.staged.has(path) && !stagedBundles.has(name) && !(member !== null && touchedMeshes.has(member.mesh)) && !baseTouched.has(display)) continue;
    if (decoded === null) unreadable.push(unreadableProfile(display, tooLargeDiagnostic(display, size)));
    else if ("diagnostic" in decoded) unreadable.push(unreadableProfile(display, decoded.diagnostic, decoded.lossy));
    else sources.push(byPath.get(display) ?? { path: display, text });
  }
  return {
    sources,
    unreadable,
    allNames,
    readBundle: (name) => indexTree(index, `${outDir}/${name}`, isUserFile),
    bundleFolders: () => indexFolderNames(index, outDir).filter((n) => NAME_PATTERN.test(n)).sort(),
    folder: (name) => shown(`${outDir}/${name}`),
    mesh,
    readPrevious: (name) => headTree(index, `${outDir}/${name}`),
    readOutFiles: (paths) => {
      index.load(paths.map((p) => `${outDir}/${p}`));
      return indexFiles(index, outDir, paths);
    },
  };
}

/** A base file as the git index holds it (what the commit will have). */
function readIndexedBase(index: ReturnType<typeof readGitIndex>, path: string): BaseRead {
  index.load([path]);
  const entry = index.entries.get(path);
  if (entry === undefined) return { problem: "it is not in the git index (git add it)" };
  if (!entry.mode.startsWith("100")) return { problem: entry.mode === "120000" ? "it is a symbolic link" : "it is not a regular file" };
  // sized before it is read, as a profile's blob is: a huge staged base is named, never loaded
  const size = blobSizes(index, [entry.oid]).get(entry.oid);
  if (size === undefined || size > MAX_PROFILE_CHARS * 4) return { problem: "it is too large to be a base" };
  const bytes = readBlobs(index, [entry.oid]).get(entry.oid);
  if (bytes === undefined) return { problem: "it is too large to be a base" };
  const decoded = decodeProfileBytes(bytes, path);
  return "text" in decoded ? { text: decoded.text } : { problem: decoded.diagnostic.message };
}
