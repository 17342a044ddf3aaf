import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers.js";

const cli = join(ROOT, "dist/cli.cjs");

/** A GitOps repository: one profile and its rendered bundle, committed without hooks. */
export function gitopsRepo(dir: string): string {
  const repo = join(dir, "repo");
  mkdirSync(join(repo, "profiles"), { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  git("init", "-q");
  git("config", "user.email", "test@example.invalid");
  git("config", "user.name", "test");
  writeFileSync(join(repo, "profiles/dev.json"), readFileSync(join(ROOT, "presets/dev.json"), "utf8").replace("../schema/profile.schema.json", "https://example.invalid/profile.schema.json"));
  execFileSync(process.execPath, [cli, "render", "profiles/", "--quiet"], { cwd: repo });
  git("add", "-A");
  git("commit", "-qm", "profiles and bundles");
  return repo;
}

export const commit = (repo: string, env: NodeJS.ProcessEnv = {}) => {
  execFileSync("git", ["add", "-A"], { cwd: repo });
  return spawnSync("git", ["commit", "--allow-empty", "-m", "change"], { cwd: repo, encoding: "utf8", env: { ...process.env, ...env } });
};
export const bumpProfile = (repo: string) => {
  const p = join(repo, "profiles/dev.json");
  writeFileSync(p, readFileSync(p, "utf8").replace('"maxSize": 3', '"maxSize": 4'));
};

