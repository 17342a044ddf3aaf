import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { ROOT } from "./helpers.js";

/**
 * The scratch repositories and the CLI runner of the hostile-repository tests (hostile-repo.test.ts,
 * hostile-shell.test.ts). Hostile repositories (issue 23): what a pull request to the GitOps repository can plant — profiles, their
 * file names, tke-cilium.json, .tke-cilium/charts/, chart tarballs, folders and links — run through the built
 * CLI. Every case: exit 0, 1 or 2 (never 70 or a stack trace), no command of an input executed, no byte of a
 * file outside the repository printed, no Terraform state changed.
 */

export const CLI = join(ROOT, "dist/cli.cjs");
export const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-hostile-repo-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A secret outside every repository of this file: its text must never be printed. */
export const SECRET = "SECRET-CANARY-7f3a9c";
export const outside = join(scratch, "outside");
mkdirSync(outside);
writeFileSync(join(outside, "config.json"), `{"auths": {"registry": {"auth": "${SECRET}"}}}\n`);

export const MESH_MEMBER = JSON.parse(readFileSync(join(ROOT, "presets/mesh/gz-east.json"), "utf8")) as Record<string, any>;
delete MESH_MEMBER.$schema;

let repos = 0;
/** A fresh git-less repository (a folder with tke-cilium.json or .git) holding `files`. */
export function repo(files: Record<string, string | object> = {}, marker: ".git" | null = ".git"): string {
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

export const member = (over: Record<string, any>) => ({ ...MESH_MEMBER, ...over, cluster: { ...MESH_MEMBER.cluster, ...(over.cluster ?? {}) }, clusterMesh: { ...MESH_MEMBER.clusterMesh, address: `10.250.0.${over.clusterMesh?.clusterId ?? MESH_MEMBER.clusterMesh.clusterId}`, ...(over.clusterMesh ?? {}) } });

