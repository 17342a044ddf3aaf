import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { mainHere, ROOT } from "./helpers.js";

/**
 * The scratch repositories and the CLI runner of the hostile-repository tests (hostile-repo.test.ts,
 * hostile-shell.test.ts). Hostile repositories (issue 23): what a pull request to the GitOps repository can plant — profiles, their
 * file names, tke-cilium.json, .tke-cilium/charts/, chart tarballs, folders and links — run through the built
 * CLI (cli()) or its main in the test process (here()). Every case: exit 0, 1 or 2 (never 70 or a stack trace),
 * no command of an input executed, no byte of a file outside the repository printed, no Terraform state changed.
 */

export const CLI = join(ROOT, "dist/cli.cjs");
/**
 * One scratch folder per test worker. A worker runs test files one after another and keeps this module
 * loaded between them (vitest.config.ts: isolate false), so each test file that uses it removes it when done
 * (afterAll(removeScratch)), and repo() makes it again, with the outside secret, for the next file.
 */
export const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-hostile-repo-"));
export const removeScratch = () => rmSync(scratch, { recursive: true, force: true });

/** A secret outside every repository of this file: its text must never be printed. */
export const SECRET = "SECRET-CANARY-7f3a9c";
export const outside = join(scratch, "outside");
function makeScratch(): void {
  if (existsSync(join(outside, "config.json"))) return;
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, "config.json"), `{"auths": {"registry": {"auth": "${SECRET}"}}}\n`);
}
makeScratch();

export const MESH_MEMBER = JSON.parse(readFileSync(join(ROOT, "presets/mesh/gz-east.json"), "utf8")) as Record<string, any>;
delete MESH_MEMBER.$schema;

let repos = 0;
/** A fresh git-less repository (a folder with tke-cilium.json or .git) holding `files`. */
export function repo(files: Record<string, string | object> = {}, marker: ".git" | null = ".git"): string {
  makeScratch();
  const dir = join(scratch, `repo-${++repos}`);
  mkdirSync(dir);
  if (marker) mkdirSync(join(dir, marker));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 9000, maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: "1" } });
  const run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  // never a crash, a hang or an outside file's bytes
  expect(r.error, "the CLI did not finish in 9 s").toBeUndefined();
  expect([0, 1, 2], `exit ${r.status}: ${r.stderr}`).toContain(r.status);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
  expect(r.stdout + r.stderr).not.toContain(SECRET);
  return run;
}

/**
 * The same run in this process (helpers.ts mainHere), held to cli()'s checks, for the cases whose point is the
 * input: cli() stays where the process is the point (a read that could hang, a bound in seconds, a run as another
 * user, another process writing at the same time).
 */
export async function here(cwd: string, ...args: string[]): Promise<Run> {
  const run = await mainHere(cwd, args);
  expect([0, 1, 2], `exit ${run.status}: ${run.stderr}`).toContain(run.status);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
  expect(run.stdout + run.stderr).not.toContain(SECRET);
  return run;
}

export const member = (over: Record<string, any>) => ({ ...MESH_MEMBER, ...over, cluster: { ...MESH_MEMBER.cluster, ...(over.cluster ?? {}) }, clusterMesh: { ...MESH_MEMBER.clusterMesh, address: `10.250.0.${over.clusterMesh?.clusterId ?? MESH_MEMBER.clusterMesh.clusterId}`, ...(over.clusterMesh ?? {}) } });

