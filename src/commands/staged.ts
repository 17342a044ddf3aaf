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

/** A profile's output folder name without validating it: its name field, else its file name. */
export function quickName(text: string, path: string): string {
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
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
    const inFolder = all.filter((p) => p.startsWith(`${target}/`) && !p.slice(target.length + 1).includes("/") && p.endsWith(".json"));
    if (inFolder.length > 0 || all.some((p) => p.startsWith(`${target}/`)) || index.staged.has(target)) {
      for (const p of inFolder) selected.add(p);
      continue;
    }
    if (/[*?[\]{}!]/.test(arg)) {
      const { default: micromatch } = await import("micromatch");
      for (const p of all) if (micromatch.isMatch(shown(p), arg)) selected.add(p);
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
  const read = paths.map((path) => {
    const oid = index.entries.get(path)!.oid;
    const bytes = blobs.get(oid);
    const size = bytes?.length ?? sizes.get(oid) ?? 0;
    const display = shown(path);
    const decoded = bytes === undefined ? null : decodeProfileBytes(bytes, display);
    const text = decoded && "text" in decoded ? decoded.text : "";
    const name = quickName(text, display);
    return { path, size, display, decoded, text, name, member: meshMemberOf(display, text) };
  });
  const mesh = read.flatMap((r) => r.member ?? []);
  // a touched mesh member changes its peers' bundles too (their peer lists, their masquerading exceptions)
  const touchedMeshes = new Set(read.filter((r) => r.member !== null && (index.staged.has(r.path) || stagedBundles.has(r.name))).map((r) => r.member!.mesh));
  for (const { path, size, display, decoded, text, name, member } of read) {
    allNames.add(name);
    if (!index.staged.has(path) && !stagedBundles.has(name) && !(member !== null && touchedMeshes.has(member.mesh))) continue;
    if (decoded === null) unreadable.push(unreadableProfile(display, tooLargeDiagnostic(display, size)));
    else if ("diagnostic" in decoded) unreadable.push(unreadableProfile(display, decoded.diagnostic, decoded.lossy));
    else sources.push({ path: display, text });
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
