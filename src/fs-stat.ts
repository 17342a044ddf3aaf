import { lstatSync, statSync, type Stats } from "node:fs";

// A missing path is the common answer on these paths (the store's recovery, the index's checks, globs): no
// exception, with its stack trace, is made for it; any other failure reads as absent too.

/** lstat, or null when the path is absent or cannot be read. */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** stat (links followed), or null when the path is absent or cannot be read. */
export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
