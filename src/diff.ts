import type { OutputFile } from "./emit/index.js";

/**
 * An entry of a bundle folder on disk, as the checker reads it: a regular file with its text, or anything
 * else (a link, a FIFO, a device, a file too large to be a bundle's) described and never read.
 */
export type TreeFile = { kind: "file"; content: string; mode: number } | { kind: "special"; what: string };

export type DriftKind = "changed" | "missing" | "extra" | "mode" | "not a regular file";

/** One difference between the rendered bundle and the folder on disk. */
export interface Drift {
  path: string;
  kind: DriftKind;
  expected: string | null;
  actual: string | null;
}

/** Compare a rendered bundle with what is on disk: changed, missing and extra files, and lost executable bits. */
export function diffTree(expected: readonly OutputFile[], actual: ReadonlyMap<string, TreeFile>): Drift[] {
  const drifts: Drift[] = [];
  const wanted = new Set<string>();
  for (const f of expected) {
    wanted.add(f.path);
    const found = actual.get(f.path);
    if (found === undefined) drifts.push({ path: f.path, kind: "missing", expected: f.content, actual: null });
    else if (found.kind === "special") drifts.push({ path: f.path, kind: "not a regular file", expected: f.content, actual: found.what });
    else if (found.content !== f.content) drifts.push({ path: f.path, kind: "changed", expected: f.content, actual: found.content });
    else if ((found.mode & 0o111) !== (f.mode & 0o111)) drifts.push({ path: f.path, kind: "mode", expected: f.content, actual: found.content });
  }
  for (const [path, found] of actual) {
    if (wanted.has(path)) continue;
    if (found.kind === "special") drifts.push({ path, kind: "not a regular file", expected: null, actual: found.what });
    else drifts.push({ path, kind: "extra", expected: null, actual: found.content });
  }
  return drifts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

