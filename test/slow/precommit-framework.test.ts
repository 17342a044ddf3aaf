import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ROOT } from "../helpers.js";
import { bumpProfile, commit, gitopsRepo } from "../hooks-repo.js";

// The pre-commit framework (Debian's pre-commit; CI installs it) installing this checkout's hooks for real.
if (spawnSync("pre-commit", ["--version"]).status !== 0) {
  throw new Error("the slow suite needs pre-commit (apt-get install pre-commit): it installs the hooks for real");
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tke-cilium-precommit-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("the pre-commit framework installs the hook from this checkout; a stale bundle is refused, a fresh one accepted", () => {
    const repo = gitopsRepo(dir);
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    writeFileSync(
      join(repo, ".pre-commit-config.yaml"),
      `repos:\n  - repo: ${ROOT}\n    rev: ${head}\n    hooks:\n      - id: tke-cilium-check\n        args: [profiles/]\n      - id: tke-cilium-validate\n`,
    );
    const home = join(dir, "pre-commit-home");
    const env = { PRE_COMMIT_HOME: home };
    execFileSync("pre-commit", ["install"], { cwd: repo, env: { ...process.env, ...env } });
    execFileSync("pre-commit", ["install-hooks"], { cwd: repo, env: { ...process.env, ...env } });
    // The hook runs the tool built from HEAD; render with that same build, so the test holds while the
    // working tree has uncommitted changes too.
    const hookTool = readdirSync(home)
      .map((d) => join(home, d, "node_env-system", "bin", "tke-cilium"))
      .find((p) => existsSync(p));
    expect(hookTool, `no tke-cilium installed under ${home}`).toBeDefined();
    const render = () => execFileSync(hookTool!, ["render", "profiles/", "--quiet"], { cwd: repo });
    render();
    const current = commit(repo, env);
    expect(current.status, current.stdout + current.stderr).toBe(0);
    bumpProfile(repo);
    const stale = commit(repo, env);
    expect(stale.status, stale.stdout + stale.stderr).not.toBe(0);
    const shown = stale.stdout + stale.stderr;
    expect(shown).toContain("1 profile, 1 drifted: dev (terraform/nodepool/main.tf changed)");
    expect(shown).toContain("+      max_replicas  = 4");
    render();
    const fresh = commit(repo, env);
    expect(fresh.status, fresh.stdout + fresh.stderr).toBe(0);
  }, 600_000);

