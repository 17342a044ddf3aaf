import { readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { findConfigFile, findGitRoot, readConfig, type RepoConfig } from "../config.js";
import { formatDiagnostic } from "../diagnostics.js";
import { EXIT, type Io } from "../io.js";
import type { GitopsContext } from "../settings.js";
import { terminalLine } from "../text/terminal.js";
import { displayPath, expandProfileArgs } from "../workspace.js";
import { quickName } from "./staged.js";
import { isYamlPath, loadYamlSupport } from "../extends.js";
import { meshMemberOf, type MeshMember } from "../mesh.js";

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
}

/** A path given on the command line (relative to where the user is), made relative to the base; globs too. */
function rebase(path: string, cwd: string, base: string): string {
  const moved = relative(base, resolve(cwd, path)).split(sep).join("/");
  const kept = moved === "" ? "." : moved;
  // "clusters/" means the folder; keep the slash where the user wrote one
  return path.endsWith("/") && !kept.endsWith("/") ? `${kept}/` : kept;
}

/** Find tke-cilium.json and settle the run's base folder, its profiles and its out folder; an exit code when it cannot. */
export function placeRun(args: readonly string[], outFlag: string | undefined, io: Io): RunPlace | number {
  const configPath = findConfigFile(io.cwd);
  let config: RepoConfig | null = null;
  if (configPath !== null) {
    const shown = displayPath(configPath, io.cwd);
    const read = readConfig(configPath, shown);
    if ("problems" in read) {
      for (const d of read.problems) io.stderr(formatDiagnostic(d, read.text) + "\n");
      io.stderr(`tke-cilium: ${terminalLine(shown)} is not a valid repository config (schema/config.schema.json)\n`);
      return EXIT.usage;
    }
    config = read.config;
  }
  const gitRoot = findGitRoot(io.cwd);
  const base = config?.dir ?? gitRoot ?? resolve(io.cwd);
  const given = args.map((a) => rebase(a, io.cwd, base));
  const profiles = given.length > 0 ? given : (config?.profiles ?? []);
  if (profiles.length === 0) return EXIT.usage;
  const out = outFlag !== undefined ? rebase(outFlag, io.cwd, base) : config !== null ? config.out : rebase("out", io.cwd, base);
  const outPath = relative(gitRoot ?? base, resolve(base, out)).split(sep).join("/");
  return {
    // the getters (colour, the terminal) are carried over as they are, not read
    io: Object.defineProperty(Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)), "cwd", { value: base, enumerable: true }) as Io,
    args: profiles,
    out,
    config,
    gitops: config?.gitops ? { config: config.gitops, outPath: outPath === "" ? "." : outPath } : null,
  };
}

/**
 * The output folder names of every profile the config lists, for the orphan check when only some are
 * rendered or checked: read cheaply (the name field, else the file name), never validated.
 */
export async function configProfileNames(config: RepoConfig): Promise<{ names: Set<string>; mesh: MeshMember[] }> {
  const { paths } = await expandProfileArgs(config.profiles, config.dir);
  if (paths.some(isYamlPath)) await loadYamlSupport();
  const names = new Set<string>();
  const mesh: MeshMember[] = [];
  for (const path of paths) {
    let text = "";
    try {
      text = readFileSync(resolve(config.dir, path), "utf8");
    } catch {
      // an unreadable profile is reported when it is checked; here its file name stands for it
    }
    names.add(quickName(text, path));
    // the peers of a mesh member the arguments name are in the repository's other profiles
    const member = meshMemberOf(path, text);
    if (member !== null) mesh.push(member);
  }
  return { names, mesh };
}
