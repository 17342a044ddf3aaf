// vitest setupFiles: run before each test file in its worker. The worker's processes get a temporary folder of
// their own inside the run's (test/setup/temp-run.ts), so what one test file leaves there is told apart from
// the other worker's files: anything the file made and did not remove fails the file, and is removed.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll } from "vitest";
import { RUN_TMP } from "./temp-run.js";

const run = process.env[RUN_TMP];
if (run === undefined) throw new Error(`${RUN_TMP} is not set: run the tests through vitest.config.ts (its globalSetup)`);
const mine = join(run, `worker-${process.env.VITEST_POOL_ID ?? process.pid}`);
mkdirSync(mine, { recursive: true });
process.env.TMPDIR = mine;

// taken before the test file is imported: a folder made at a file's top level is that file's
const before = new Set(readdirSync(mine));

afterAll(() => {
  const left = readdirSync(mine).filter((name) => !before.has(name));
  for (const name of left) rmSync(join(mine, name), { recursive: true, force: true });
  if (left.length > 0) throw new Error(`this test file left ${left.length} temporary file(s) in ${mine} (now removed): ${left.slice(0, 20).join(", ")}`);
});
