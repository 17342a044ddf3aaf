/**
 * A refusal or a failure of the file system, told in one line that names the path and what to do: exit 1,
 * never a stack trace (exit 70 is for bugs).
 */
export class UnsafeOutputError extends Error {}

export class FileSystemError extends UnsafeOutputError {}

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device; free some and run again",
  EDQUOT: "the disk quota is used up; free some and run again",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENAMETOOLONG: "the name is too long for the file system",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  ELOOP: "too many symbolic links (or a link where none may be)",
  EMFILE: "too many open files",
  ENFILE: "too many open files on the system",
  EIO: "an input/output error of the device",
  EEXIST: "it already exists",
  ENOENT: "it does not exist",
  ENOTEMPTY: "the directory is not empty",
  EBUSY: "it is busy",
  EXDEV: "it is on another file system than its folder (a mount point?), and tke-cilium replaces a bundle by renaming inside the output folder; keep out/ and its bundle folders on one file system",
};

/** An error of node:fs as one line: "cannot ACTION PATH: REASON (CODE)"; anything else is a bug and stays as it is. */
export function fileSystemError(error: unknown, action: string, path: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof UnsafeOutputError || code === undefined || !(code in REASONS)) return error as Error;
  return new FileSystemError(`cannot ${action} ${path}: ${REASONS[code]} (${code})`);
}
