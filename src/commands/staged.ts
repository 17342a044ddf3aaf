import { resolve } from "node:path";
import type { TreeFile } from "../diff.js";
import { blobSizes, indexPath, indexTree, readBlobs, readGitIndex, submoduleOf } from "../git-index.js";
import { headTree, indexFiles } from "../git-head.js";
import { EXIT, type Io } from "../io.js";
import { isUserFile } from "../knowledge/bundle.js";
import { decodeProfileBytes, MAX_PROFILE_CHARS } from "../parse.js";
import { meshMemberOf, type MeshMember } from "../mesh.js";
import { defaultName, NAME_PATTERN, tooLargeDiagnostic, unreadableProfile, type CheckedProfile, type ProfileSource } from "../pipeline.js";
import { terminalLine } from "../text/terminal.js";
import { displayPath } from "../workspace.js";
import { isBasePath, isYamlPath, loadYamlSupport, topLevelField, type BaseRead } from "../extends.js";
import { extendsAny, withBases } from "./bases.js";

const PROFILE_FILE = /\.(json|ya?ml)$/i;

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
  try {
    const name = isYamlPath(path) ? topLevelField(path, text, "name") : (JSON.parse(text) as { name?: unknown } | null)?.name;
    if (typeof name === "string") return name;
  } catch {
    // an invalid profile is reported by the checks; here its file name stands for it
  }
  return defaultName(path);
}

/**
 * check --staged: the profiles and bundles as the commit would have them, read from the git index. Only the
 * profiles the commit touches are rendered (a staged profile, or a staged file of its bundle), so a commit
 * costs the same in a 1,000-cluster repository as in a 3-cluster one; every profile's name is still read,
 * to find bundles no profile renders any more.
 */
export async function readStagedView(args: readonly string[], out: string, io: Io): Promise<CheckView | number> {
  const index = readGitIndex(io.cwd);
  const outDir = indexPath(index, io.cwd, out);
  const all = [...index.entries.keys()];
  const shown = (path: string) => displayPath(resolve(index.root, path), io.cwd);
  const selected = new Set<string>();
  for (const arg of args) {
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
    const inFolder = all.filter((p) => p.startsWith(`${target}/`) && !p.slice(target.length + 1).includes("/") && PROFILE_FILE.test(p) && !isBasePath(p));
    if (inFolder.length > 0 || all.some((p) => p.startsWith(`${target}/`)) || index.staged.has(target)) {
      for (const p of inFolder) selected.add(p);
      continue;
    }
    if (/[*?[\]{}!]/.test(arg)) {
      const { default: micromatch } = await import("micromatch");
      for (const p of all) if (micromatch.isMatch(shown(p), arg) && !isBasePath(p)) selected.add(p);
      continue;
    }
    io.stderr(`tke-cilium: no such profile in the git index: ${terminalLine(JSON.stringify(arg))}\n`);
    return EXIT.usage;
  }
  const paths = [...selected].sort();
  // a staged file far larger than a profile (a 400 MB "peer") is sized, never read
  const oids = paths.map((p) => index.entries.get(p)!.oid);
  const sizes = blobSizes(index, oids);
  const blobs = readBlobs(index, oids.filter((oid) => (sizes.get(oid) ?? 0) <= MAX_PROFILE_CHARS * 4));
  const sources: ProfileSource[] = [];
  const unreadable: CheckedProfile[] = [];
  const allNames = new Set<string>();
  const bundleOf = (path: string) => path.slice(outDir.length + 1).split("/")[0];
  const stagedBundles = new Set([...index.staged].filter((p) => p.startsWith(`${outDir}/`)).map(bundleOf));
  if (paths.some(isYamlPath)) await loadYamlSupport();
  const read = paths.map((path) => {
    const oid = index.entries.get(path)!.oid;
    const bytes = blobs.get(oid);
    const size = bytes?.length ?? sizes.get(oid) ?? 0;
    const display = shown(path);
    const decoded = bytes === undefined ? null : decodeProfileBytes(bytes, display);
    const text = decoded && "text" in decoded ? decoded.text : "";
    const name = quickName(text, display);
    return { path, size, display, decoded, text, name, member: null as MeshMember | null };
  });
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
  for (const { path, size, display, decoded, text, name, member } of read) {
    allNames.add(name);
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
    bundleFolders: () => [...new Set(all.filter((p) => p.startsWith(`${outDir}/`)).map(bundleOf))].filter((n) => NAME_PATTERN.test(n)).sort(),
    folder: (name) => shown(`${outDir}/${name}`),
    mesh,
    readPrevious: (name) => headTree(index, `${outDir}/${name}`),
    readOutFiles: (paths) => indexFiles(index, outDir, paths),
  };
}

/** A base file as the git index holds it (what the commit will have). */
function readIndexedBase(index: ReturnType<typeof readGitIndex>, path: string): BaseRead {
  const entry = index.entries.get(path);
  if (entry === undefined) return { problem: "it is not in the git index (git add it)" };
  if (!entry.mode.startsWith("100")) return { problem: entry.mode === "120000" ? "it is a symbolic link" : "it is not a regular file" };
  const bytes = readBlobs(index, [entry.oid]).get(entry.oid);
  if (bytes === undefined || bytes.length > MAX_PROFILE_CHARS * 4) return { problem: "it is too large to be a base" };
  const decoded = decodeProfileBytes(bytes, path);
  return "text" in decoded ? { text: decoded.text } : { problem: decoded.diagnostic.message };
}
