/** Where the CLI writes, which folder it runs in, and what the terminal can do; the real process in cli.ts's run(), buffers in tests. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Colour the diffs (stdout is a terminal, NO_COLOR unset); --no-color turns it off. */
  color?: boolean;
  /** Ask the user (init on a terminal); absent when there is nobody to ask. */
  ask?: (question: string) => Promise<string>;
}

/** Exit codes: 0 ok; 1 invalid profile, drift or a refused write; 2 usage error. 70 (internal error) is set by run() only. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
