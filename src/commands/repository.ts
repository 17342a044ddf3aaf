import { lstatSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { CONFIG_FILE, findConfigFile, findGitRoot, findStagedConfig, readConfig, type RepoConfig } from "../config.js";
import { MAX_PROFILE_BYTES } from "../parse.js";
import { formatDiagnostic } from "../diagnostics.js";
import { EXIT, type Io } from "../io.js";
import type { IndexSession } from "../git-index.js";
import type { GitopsContext } from "../settings.js";
import { terminalLine } from "../text/terminal.js";
import { ConfinedReadError, displayPath, expandProfileArgs, isInside, readConfinedFile } from "../workspace.js";
import { quickName, readStagedView, type CheckView } from "./staged.js";
import { isYamlPath, loadYamlSupport } from "../extends.js";
import { meshMemberOf, type MeshMember } from "../mesh.js";
import type { ProfileSource } from "../pipeline.js";
import { readBaseFile } from "../read-base.js";
import { withBases } from "./bases.js";

/**
 * Where a render, check or validate runs: every path of the run (the profiles in the file headers, the out
 * folder, messages) is relative to one base folder, so the bytes written are the same from any folder of the
 * repository. The base is tke-cilium.json's folder, else the git repository's root, else the current folder.
 */
export interface RunPlace {
  /** The caller's Io with cwd moved to the base folder. */
  io: Io;
  /** The profile arguments relative to the base (the config's profiles when none were given). */
  args: string[];
  /** The out folder relative to the base. */
  out: string;
  config: RepoConfig | null;
  gitops: GitopsContext | null;
  /** The profiles are the config's (none were given): every one must be inside the repository. */
  fromConfig: boolean;
}

/** A path given on the command line (relative to where the user is), made relative to the base; globs too. */
function rebase(path: string, cwd: string, base: string): string {
  const moved = relative(base, resolve(cwd, path)).split(sep).join("/");
  const kept = moved === "" ? "." : moved;
  // "clusters/" means the folder; keep the slash where the user wrote one
  return path.endsWith("/") && !kept.endsWith("/") ? `${kept}/` : kept;
}

/**
 * Find tke-cilium.json and settle the run's base folder, its profiles and its out folder. When it cannot: a
 * number when there is no profile to run on (the caller prints its usage), `{ exit }` when the reason is
 * already printed (an invalid config is not a wrong command line).
 */
export async function placeRun(args: readonly string[], outFlag: string | undefined, io: Io, staged = false, session?: IndexSession): Promise<RunPlace | number | { exit: number }> {
  // check --staged judges the commit: its config is the index's (its out, its profiles, its GitOps settings)
  const inIndex = staged ? await findStagedConfig(io.cwd, session) : null;
  if (inIndex !== null && "problem" in inIndex) {
    io.stderr(`tke-cilium: error: ${terminalLine(inIndex.problem)}\n`);
    return { exit: EXIT.usage };
  }
  const configPath = staged ? (inIndex?.path ?? null) : findConfigFile(io.cwd);
  let config: RepoConfig | null = null;
  if (configPath !== null) {
    const shown = displayPath(configPath, io.cwd);
    const read = readConfig(configPath, shown, inIndex?.bytes);
    if ("problems" in read) {
      for (const d of read.problems) io.stderr(formatDiagnostic(d, read.text) + "\n");
      io.stderr(`tke-cilium: ${terminalLine(shown)} is not a valid repository config (schema/config.schema.json)\n`);
      return { exit: EXIT.usage };
    }
    config = read.config;
  }
  const gitRoot = findGitRoot(io.cwd);
  const base = config?.dir ?? gitRoot ?? resolve(io.cwd);
  const given = args.map((a) => rebase(a, io.cwd, base));
  const profiles = given.length > 0 ? given : (config?.profiles ?? []);
  if (profiles.length === 0) return EXIT.usage;
  const out = outFlag !== undefined ? rebase(outFlag, io.cwd, base) : config !== null ? config.out : rebase("out", io.cwd, base);
  // the config is the repository's (a pull request may change it): its out stays inside the repository
  const repository = gitRoot ?? base;
  if (outFlag === undefined && config !== null && !isInside(resolve(repository), resolve(base, out))) {
    io.stderr(`tke-cilium: error: ${terminalLine(displayPath(config.path, io.cwd))}: "out" is ${terminalLine(JSON.stringify(config.out))}, outside the repository ${terminalLine(repository)}; refusing to write there (give --out to choose a folder yourself)\n`);
    return { exit: EXIT.failed };
  }
  const outPath = relative(gitRoot ?? base, resolve(base, out)).split(sep).join("/");
  return {
    // the getters (colour, the terminal) are carried over as they are, not read
    io: Object.defineProperty(Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)), "cwd", { value: base, enumerable: true }) as Io,
    args: profiles,
    out,
    config,
    gitops: config?.gitops ? { config: config.gitops, outPath: outPath === "" ? "." : outPath } : null,
    fromConfig: given.length === 0,
  };
}

const existsAsOther = (path: string): boolean => {
  try {
    const info = lstatSync(path);
    return !info.isFile() && !info.isDirectory() && !info.isSymbolicLink();
  } catch {
    return false;
  }
};

/**
 * The output folder names of every profile the config lists, for the orphan check when only some are
 * rendered or checked: read cheaply (the name field, else the file name), never validated.
 */
export async function configProfileNames(config: RepoConfig): Promise<{ names: Set<string>; mesh: MeshMember[]; problems: string[] }> {
  const { paths, unmatched } = await expandProfileArgs(config.profiles, config.dir);
  if (paths.some(isYamlPath)) await loadYamlSupport();
  const names = new Set<string>();
  const mesh: MeshMember[] = [];
  const problems: string[] = [];
  const sources: ProfileSource[] = [];
  // a name that exists but is no file (a FIFO, a socket, a device) is never opened: it is an error, not a skipped peer
  for (const arg of unmatched) if (existsAsOther(resolve(config.dir, arg))) problems.push(`${arg}, a profile of ${CONFIG_FILE}: not a regular file`);
  for (const path of paths) {
    let text = "";
    try {
      // confined to the repository and capped: a peer may be any file a pull request names
      text = readConfinedFile(config.dir, path, MAX_PROFILE_BYTES).toString("utf8");
    } catch (error) {
      if (!(error instanceof ConfinedReadError)) throw error;
      // too large to be a profile: reported when it is checked; anything else may not be read at all
      if (error.tooLarge === undefined) problems.push(`${path}, a profile of ${CONFIG_FILE}: ${error.message}`);
    }
    names.add(quickName(text, path));
    sources.push({ path, text });
  }
  // the peers of a mesh member the arguments name are in the repository's other profiles, read with their bases
  for (const s of await withBases(sources, (base, from) => readBaseFile(base, from, config.dir))) {
    const member = meshMemberOf(s.path, s.text, s.bases);
    if (member !== null) mesh.push(member);
  }
  return { names, mesh, problems };
}

/**
 * check --staged FILE... with a tke-cilium.json: the names and mesh members of the config's profiles as the
 * commit has them (the working tree may differ), read as check --staged reads the config's profiles when
 * given none: from the commit's changes, the profiles they touch and the related ones (a base, a mesh) read
 * whole, the rest known by blob id. That reading names the profiles it read; when a bundle folder `view`
 * judges is named by none of them (nor by `view`'s own), every profile's name is looked up (the fleet's reading).
 * A number: the exit code, the reason printed.
 */
export async function stagedConfigProfileNames(config: RepoConfig, out: string, io: Io, session: IndexSession, view: CheckView): Promise<{ names: Set<string>; mesh: MeshMember[]; problems: string[] } | number> {
  let read = await readStagedView(config.profiles, out, io, session);
  if (typeof read === "number") return read;
  const named = read.allNames;
  if (read.someNames === true && view.bundleFolders().some((name) => !view.allNames.has(name) && !named.has(name))) {
    read = await readStagedView(config.profiles, out, io, session, true);
    if (typeof read === "number") return read;
  }
  return { names: read.allNames, mesh: read.mesh ?? [], problems: [] };
}
