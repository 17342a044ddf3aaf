import { dirname, resolve } from "node:path";
import { ConfinedReadError, readConfinedFile } from "./confined-read.js";
import { decodeProfileBytes, MAX_PROFILE_BYTES } from "./parse.js";
import { findRepositoryRoot } from "./workspace.js";

// Reading a base file (extends): a disk module beside workspace.ts, through the one confined read.

/** A base is far smaller than this: the byte cap profiles are read with (the parser refuses one over MAX_PROFILE_CHARS). */
const MAX_BASE_BYTES = MAX_PROFILE_BYTES;

/**
 * The one read of a base file (extends), through readConfinedFile: inside the repository of the file that
 * names it (`from`: the nearest folder up with tke-cilium.json, .tke-cilium/ or .git, else that file's own
 * folder), a regular file whose links do not lead out of it, size-capped, UTF-8. `path` and `from` are as
 * shown (relative to `cwd`).
 */
export function readBaseFile(path: string, from: string, cwd: string): { text: string } | { problem: string } {
  const root = findRepositoryRoot(dirname(resolve(cwd, from)));
  try {
    const decoded = decodeProfileBytes(readConfinedFile(root, resolve(cwd, path), MAX_BASE_BYTES), path);
    return "text" in decoded ? { text: decoded.text } : { problem: decoded.diagnostic.message };
  } catch (error) {
    if (error instanceof ConfinedReadError) return { problem: error.message };
    throw error;
  }
}
