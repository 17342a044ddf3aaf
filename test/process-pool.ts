import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";

/**
 * A child process run without blocking the test process, at most one a core at a time from one test file's
 * worker (helm and shellcheck are CPU-bound; this machine has two cores). A file starts its slow runs ahead and
 * awaits each where a test needs it, so the tools keep both cores busy while the file's own checks run.
 */
const SLOTS = Math.max(1, Math.min(2, availableParallelism()));
let running = 0;
const waiting: (() => void)[] = [];

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end: its exit status and output (a failure to start rejects). */
export async function runPooled(program: string, args: readonly string[], cwd?: string): Promise<Ran> {
  if (running >= SLOTS) await new Promise<void>((go) => waiting.push(go));
  running++;
  try {
    return await new Promise<Ran>((done, fail) => {
      execFile(program, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") fail(error);
        else done({ status: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}
