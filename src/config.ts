import { lstatSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { findGitRoot, indexEntriesAt, readIndexObject, type IndexSession } from "./git-index.js";
import type { Diagnostic } from "./diagnostics.js";
import { decodeProfileBytes, parseProfileText } from "./parse.js";
import { validateConfig } from "./validate.js";
import type { GitopsConfig } from "./gitops-config.js";
import { ADDED_CHARTS_DIR, ConfinedReadError, readConfinedFile } from "./workspace.js";

/** No repository config is this large. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The repository config's file name: at the GitOps repository's root. */
export const CONFIG_FILE = "tke-cilium.json";

export type { GitopsConfig } from "./gitops-config.js";

/** tke-cilium.json, read and checked. */
export interface RepoConfig {
  /** The config file, absolute. */
  path: string;
  /** Its folder: every path of a run is relative to it. */
  dir: string;
  profiles: string[];
  out: string;
  gitops: GitopsConfig | null;
}

export type ConfigRead = { config: RepoConfig } | { problems: Diagnostic[]; text: string };

const exists = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * The nearest tke-cilium.json from `cwd` up, not past the git repository's root (a config above the
 * repository belongs to something else); null when there is none.
 */
export function findConfigFile(cwd: string): string | null {
  for (let dir = resolve(cwd); ; ) {
    if (exists(join(dir, CONFIG_FILE))) return join(dir, CONFIG_FILE);
    const parent = dirname(dir);
    if (exists(join(dir, ".git")) || parent === dir) return null;
    dir = parent;
  }
}

/**
 * The nearest tke-cilium.json from `cwd` up to the git root as the git index holds it (what a commit has, for
 * check --staged): its path and bytes; null when the index has none; a problem when it cannot be read from the
 * index, or when the working tree's nearest config is not in the index (an untracked config): the two would
 * disagree on where the run's paths start. One deleted from the working tree only is the commit's still.
 */
export async function findStagedConfig(cwd: string, session?: IndexSession): Promise<{ path: string; bytes: Buffer } | { problem: string } | null> {
  const root = findGitRoot(cwd);
  const onDisk = findConfigFile(cwd);
  if (root === null) return onDisk === null ? null : { problem: `${onDisk}: not in a git repository, so not in a git index` };
  const candidates: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    candidates.push(join(dir, CONFIG_FILE));
    if (dir === root || dirname(dir) === dir) break;
  }
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  // what the run reads next is listed in the same git call: each candidate folder's charts
  const warm = candidates.map((p) => rel(join(dirname(p), ADDED_CHARTS_DIR)));
  const entries = indexEntriesAt(root, candidates.map(rel), session, warm);
  const path = candidates.find((p) => entries.has(rel(p))) ?? null;
  // a config the working tree has and the commit does not: the hook would judge another layout than render made
  if (onDisk !== null && path !== onDisk) {
    return { problem: `${rel(onDisk)} is not in the git index (check --staged reads the commit's config: git add it, or remove it)` };
  }
  if (path === null) return null;
  const entry = entries.get(rel(path))!;
  if (!/^100/.test(entry.mode)) return { problem: `${rel(path)} is not a regular file in the git index` };
  const bytes = await readIndexObject(root, entry.oid, MAX_CONFIG_BYTES, session);
  if (bytes === null) return { problem: `${rel(path)} in the git index is larger than a config (${MAX_CONFIG_BYTES} bytes)` };
  return { path, bytes };
}


/** Settings one engine does not read: refused, so a config never says something that has no effect. */
const OTHER_ENGINE_KEYS = { argocd: ["gitRepository", "interval"], flux: ["repoURL", "revision", "project", "destination"] } as const;

/** Read and check tke-cilium.json; `shown` is its path as messages show it. */
export function readConfig(path: string, shown: string, staged?: Buffer): ConfigRead {
  let bytes: Buffer;
  try {
    // the config names what is read and written: a link may not carry it out of its own folder
    bytes = staged ?? readConfinedFile(dirname(path), path, MAX_CONFIG_BYTES);
  } catch (error) {
    if (!(error instanceof ConfinedReadError)) throw error;
    return { problems: [{ code: "JSON_SYNTAX", severity: "error", pointer: "", message: `cannot read it: ${error.message}`, file: shown, line: 0, col: 0, length: 1 }], text: "" };
  }
  const decoded = decodeProfileBytes(bytes, shown);
  if ("diagnostic" in decoded) return { problems: [decoded.diagnostic], text: decoded.lossy };
  const text = decoded.text;
  const parsed = parseProfileText(text, shown);
  if (parsed.diagnostics.length > 0) return { problems: parsed.diagnostics, text };
  const validated = validateConfig(parsed.value, shown, parsed.locate);
  if (validated.profile === undefined) return { problems: validated.diagnostics, text };
  const raw = validated.profile as { profiles: string[]; out: string; gitops?: Record<string, unknown> & { engine: "argocd" | "flux" } };
  const problems: Diagnostic[] = [];
  const g = raw.gitops;
  if (g !== undefined) {
    for (const key of OTHER_ENGINE_KEYS[g.engine]) {
      const pointer = `/gitops/${key}`;
      // the schema fills defaults of both engines: only what the file itself says is refused
      const written = (parsed.value as { gitops?: Record<string, unknown> }).gitops ?? {};
      if (key in written) problems.push({ code: "INVALID_VALUE", severity: "error", pointer, message: `"${key}" is not read by the ${g.engine === "argocd" ? "Argo CD" : "Flux"} engine; remove it`, file: shown, ...parsed.locate(pointer, true) });
    }
    if (g.engine === "argocd" && g.repoURL === undefined) {
      problems.push({ code: "MISSING_FIELD", severity: "error", pointer: "/gitops/repoURL", message: `"/gitops" needs the field "repoURL" for Argo CD: the URL of this repository as Argo CD knows it`, file: shown, ...parsed.locate("/gitops") });
    }
  }
  if (problems.length > 0) return { problems, text };
  const gitops: GitopsConfig | null =
    g === undefined
      ? null
      : g.engine === "argocd"
        ? { engine: "argocd", namespace: (g.namespace as string | undefined) ?? "argocd", repoURL: g.repoURL as string, revision: g.revision as string, project: g.project as string, destination: g.destination as string | null }
        : { engine: "flux", namespace: (g.namespace as string | undefined) ?? "flux-system", gitRepository: g.gitRepository as string, interval: g.interval as string };
  return { config: { path, dir: dirname(path), profiles: raw.profiles, out: raw.out, gitops } };
}

export { findGitRoot };
