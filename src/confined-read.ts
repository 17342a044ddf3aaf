import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, realpathSync, type Stats } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { UnsafeOutputError } from "./store-errors.js";

/**
 * Reading a file of the repository that its config or a profile argument names: the one confined read of the
 * disk layer (profiles, tke-cilium.json, its profiles, added chart data; YAML profiles' bases can use it too).
 */

/** What a directory entry is, in words, when it is not a regular file. */
function describeSpecial(info: Stats): string {
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isDirectory()) return "a folder";
  return "not a regular file";
}

/** A file that may not be read: outside the repository, not a regular file, too large, or unreadable. */
export class ConfinedReadError extends UnsafeOutputError {
  constructor(
    message: string,
    /** The file's size, when that was the reason. */
    readonly tooLarge?: number,
  ) {
    super(message);
  }
}

/** Is `path` (absolute, links resolved) `root` itself or inside it? */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

const READ_REASONS: Record<string, string> = { ENOENT: "no such file", EACCES: "permission denied", EPERM: "operation not permitted", ELOOP: "a loop of symbolic links", ENOTDIR: "a part of the path is not a folder", EISDIR: "a folder, not a file", ENAMETOOLONG: "the name is too long" };

/**
 * The one way a file named by a profile argument or the repository config is read: `path` (relative to `root`,
 * or absolute) must resolve, links followed, to a regular file inside `root` (the repository), and hold at most
 * `limit` bytes, checked before reading and again while reading (a /proc file says its size is 0). A FIFO
 * cannot hang the read. Anything else is a ConfinedReadError naming the reason, never the file's contents.
 */
export function readConfinedFile(root: string, path: string, limit: number): Buffer {
  const full = resolve(root, path);
  let real: string;
  let fd: number;
  try {
    // realpath(3) in one call: the JavaScript realpathSync lstats each part of both paths for every profile
    real = realpathSync.native(full);
    const realRoot = realpathSync.native(root);
    if (!isInside(realRoot, real)) throw new ConfinedReadError(`${real === full ? "it is" : `it leads (through a symbolic link) to ${real}, which is`} outside the repository ${realRoot}; tke-cilium reads profiles and config files only inside it`);
    fd = openSync(real, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    if (error instanceof ConfinedReadError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new ConfinedReadError(code in READ_REASONS ? `${READ_REASONS[code]} (${code})` : (error as Error).message);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new ConfinedReadError(`${describeSpecial(info)}, not a regular file`);
    if (info.size > limit) throw new ConfinedReadError(`${info.size} bytes, more than the ${limit} a file of this kind may have`, info.size);
    // room for the size said and one byte more, to see the end (a file that says 0, as /proc files do, starts
    // with 64 KiB): no zero-filled 64 KiB per profile, which a fleet's check paid for in GC
    let bytes = Buffer.allocUnsafe(Math.min(limit + 1, info.size > 0 ? info.size + 1 : 64 * 1024));
    let read = 0;
    for (;;) {
      if (read === bytes.length) {
        if (read > limit) throw new ConfinedReadError(`more than the ${limit} bytes a file of this kind may have`, read);
        // it grew while read: read on, up to one byte over the limit
        const larger = Buffer.allocUnsafe(Math.min(limit + 1, bytes.length * 2));
        bytes.copy(larger, 0, 0, read);
        bytes = larger;
      }
      const n = readSync(fd, bytes, read, bytes.length - read, null);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } catch (error) {
    if (error instanceof ConfinedReadError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new ConfinedReadError(code in READ_REASONS ? `${READ_REASONS[code]} (${code})` : (error as Error).message);
  } finally {
    closeSync(fd);
  }
}

/**
 * A profile file's bytes, or its size when it is too large to be read at all. Read confined to `root` (see
 * readConfinedFile), except that an argument the user typed may name a file outside the repository; a link
 * met inside the repository may still not lead out of it.
 */
export function readProfileBytes(path: string, cwd: string, maxBytes: number, root: string = cwd, typed = false): { bytes: Uint8Array } | { tooLarge: number } {
  const full = resolve(cwd, path);
  const base = typed && !isInside(resolve(root), full) ? dirname(full) : root;
  try {
    return { bytes: readConfinedFile(base, full, maxBytes) };
  } catch (error) {
    if (error instanceof ConfinedReadError && error.tooLarge !== undefined) return { tooLarge: error.tooLarge };
    throw error;
  }
}
