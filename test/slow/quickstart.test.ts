import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

/** The README's quick start, typed literally into an empty folder (after the tool was packed). */
const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-quickstart-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("works as written: init into a missing folder, render, check", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /<!-- quick-start -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, "the README's quick-start block").toBeDefined();
  // what the clone line before it leaves: tke-cilium/tke-cilium-<version>.tgz next to the empty folder
  mkdirSync(join(scratch, "tke-cilium"));
  execFileSync("npm", ["pack", "--silent", "--pack-destination", join(scratch, "tke-cilium")], { cwd: ROOT, stdio: "pipe" });
  const r = spawnSync("bash", ["-euo", "pipefail", "-c", block!], { cwd: scratch, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" } });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain("wrote clusters/prod.json");
  expect(r.stderr).toContain("1 profile, 0 drifted: out/ is up to date");
  const repo = join(scratch, "clusters-repo");
  expect(existsSync(join(repo, "out/prod/install.sh"))).toBe(true);
  expect(readdir(join(repo, "node_modules"))).toEqual(["tke-cilium"]);
  const profile = JSON.parse(readFileSync(join(repo, "clusters/prod.json"), "utf8"));
  expect(existsSync(join(repo, "clusters", profile.$schema))).toBe(true);
});

const readdir = (dir: string) => execFileSync("ls", ["-A", dir], { encoding: "utf8" }).split("\n").filter((e) => e && !e.startsWith("."));
