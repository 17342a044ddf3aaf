import type * as ChildProcess from "node:child_process";
import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";

/**
 * Node.js built-ins that only some commands need, loaded on first use rather than when the CLI starts:
 * node:child_process (with the net and stream modules it pulls in) serves `check --staged`, `diff` and git
 * look-ups, none of which a plain `render` or `check` makes; node:crypto (some thirty modules with streams)
 * serves the bundle index's hashes, once it holds entries or records one. Loading it costs a cold start several
 * milliseconds (npm run bench). A require made from Node's own path resolves built-ins only, whatever the
 * caller's folder.
 */
let load: NodeJS.Require | undefined;

export function childProcess(): typeof ChildProcess {
  load ??= createRequire(process.execPath);
  return load("node:child_process") as typeof ChildProcess;
}

export function crypto(): typeof Crypto {
  load ??= createRequire(process.execPath);
  return load("node:crypto") as typeof Crypto;
}
