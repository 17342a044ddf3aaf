import type { OutputFile } from "./emit/index.js";

/** A file on disk, as the checker reads it. */
export interface TreeFile {
  content: string;
  mode: number;
}

export type DriftKind = "changed" | "missing" | "extra" | "mode";

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
    else if (found.content !== f.content) drifts.push({ path: f.path, kind: "changed", expected: f.content, actual: found.content });
    else if ((found.mode & 0o111) !== (f.mode & 0o111)) drifts.push({ path: f.path, kind: "mode", expected: f.content, actual: found.content });
  }
  for (const [path, found] of actual) {
    if (!wanted.has(path)) drifts.push({ path, kind: "extra", expected: null, actual: found.content });
  }
  return drifts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

