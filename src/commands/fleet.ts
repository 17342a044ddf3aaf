import { join } from "node:path";
import { CONFIG_FILE } from "../config.js";
import { diffTree, type TreeFile } from "../diff.js";
import { emitFleet } from "../emit/fleet.js";
import type { DriftReport } from "../report.js";
import type { GitopsContext } from "../settings.js";
import { writeFileAtomic } from "../store.js";
import { readRegularFiles } from "../workspace.js";

/** render: write the fleet's files that differ; the paths written, relative to the out folder. */
export function writeFleet(gitops: GitopsContext | null, outDir: string): string[] {
  if (gitops === null) return [];
  const files = emitFleet(gitops.config, gitops.outPath);
  const now = readRegularFiles(outDir, files.map((f) => f.path));
  const changed = files.filter((f) => {
    const found = now.get(f.path);
    return found?.kind !== "file" || found.content !== f.content;
  });
  for (const f of changed) writeFileAtomic(join(outDir, f.path), f.content);
  return changed.map((f) => f.path);
}

/**
 * check: the fleet's files against the out folder (or, for --staged, the commit's, through `read`), as one more
 * drift report (named after tke-cilium.json).
 */
export async function checkFleet(gitops: GitopsContext | null, outDir: string, shownOut: string, read?: (paths: readonly string[]) => Promise<ReadonlyMap<string, TreeFile>>): Promise<DriftReport | null> {
  if (gitops === null) return null;
  const files = emitFleet(gitops.config, gitops.outPath);
  const paths = files.map((f) => f.path);
  const drifts = diffTree(files, read ? await read(paths) : readRegularFiles(outDir, paths));
  if (drifts.length === 0) return null;
  const { formatDrift } = await import("../diff-format.js");
  return { profile: CONFIG_FILE, name: "fleet", folder: shownOut, files: drifts.map((d) => ({ path: d.path, kind: d.kind, diff: formatDrift(d, shownOut) })) };
}
