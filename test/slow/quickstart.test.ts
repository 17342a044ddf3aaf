import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

/** The README's quick start, typed literally into an empty folder (after the tool was packed). */
const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-quickstart-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// a machine without a git identity still commits; npm stays quiet and offline-friendly
const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

it("works as written: init into a missing folder, render, check, commit through the hook; and again in a clone elsewhere", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /<!-- quick-start -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, "the README's quick-start block").toBeDefined();
  // what the clone line before it leaves: tke-cilium/tke-cilium-<version>.tgz next to the empty folder
  mkdirSync(join(scratch, "tke-cilium"));
  // --ignore-scripts: dist/ is already built (npm run test:slow builds it); pack's prepare would rebuild it,
  // removing dist/cli.cjs under the hook tests that run it at the same time
  execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", join(scratch, "tke-cilium")], { cwd: ROOT, stdio: "pipe" });
  const r = spawnSync("bash", ["-euo", "pipefail", "-c", block!], { cwd: scratch, encoding: "utf8", env });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain("wrote clusters/prod.json");
  expect(r.stderr).toContain("1 profile, 0 drifted: out/ is up to date");
  expect(r.stderr).not.toMatch(/warning/);
  const repo = join(scratch, "clusters-repo");
  expect(existsSync(join(repo, "out/prod/install.sh"))).toBe(true);
  expect(readdir(join(repo, "node_modules"))).toEqual(["tke-cilium"]);
  const profile = JSON.parse(readFileSync(join(repo, "clusters/prod.json"), "utf8"));
  expect(existsSync(join(repo, "clusters", profile.$schema))).toBe(true);
  expect(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).devDependencies["tke-cilium"]).toBe("file:vendor/tke-cilium-0.1.0.tgz");
  // the commit holds the vendored tarball and the hook, not node_modules
  const committed = git(repo, "ls-files").split("\n");
  expect(committed).toContain("vendor/tke-cilium-0.1.0.tgz");
  expect(committed).toContain(".githooks/pre-commit");
  expect(committed.some((f) => f.startsWith("node_modules/"))).toBe(false);

  // a teammate: the repository cloned to a new path, with nothing beside it (the tool's clone is gone)
  rmSync(join(scratch, "tke-cilium"), { recursive: true });
  const elsewhere = mkdtempSync(join(tmpdir(), "tke-cilium-teammate-"));
  try {
    const clone = join(elsewhere, "fleet");
    git(elsewhere, "clone", "-q", repo, clone);
    const ci = spawnSync("npm", ["ci"], { cwd: clone, encoding: "utf8", env });
    expect(ci.status, ci.stdout + ci.stderr).toBe(0);
    expect(git(clone, "config", "core.hooksPath").trim()).toBe(".githooks");
    // a profile change without its bundle: the hook refuses the commit
    const path = join(clone, "clusters/prod.json");
    const edited = JSON.parse(readFileSync(path, "utf8"));
    edited.features = { ...edited.features, hubble: true };
    writeFileSync(path, JSON.stringify(edited, null, 2) + "\n");
    git(clone, "add", "-A");
    const refused = spawnSync("git", ["commit", "-qm", "hubble"], { cwd: clone, encoding: "utf8", env });
    expect(refused.status, refused.stdout + refused.stderr).not.toBe(0);
    expect(refused.stderr).toContain("do not match its profiles");
    // rendered and staged: the hook lets it through
    execFileSync("npx", ["--no-install", "tke-cilium", "render", "--quiet"], { cwd: clone, env });
    git(clone, "add", "-A");
    const accepted = spawnSync("git", ["commit", "-qm", "hubble"], { cwd: clone, encoding: "utf8", env });
    expect(accepted.status, accepted.stdout + accepted.stderr).toBe(0);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env });
const readdir = (dir: string) => execFileSync("ls", ["-A", dir], { encoding: "utf8" }).split("\n").filter((e) => e && !e.startsWith("."));
