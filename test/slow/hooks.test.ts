import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

/**
 * Every hook set-up the README gives, installed for real in a scratch GitOps repository: the plain git hook,
 * husky and lefthook (from the npm registry, dev dependencies here) and the pre-commit framework (Debian's
 * pre-commit, installing the hooks from this checkout's HEAD). Each must refuse a commit whose out/ does not
 * match its profiles, whatever the working tree says, and accept one that matches.
 */
const CLI = join(ROOT, "dist/cli.cjs");
const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-hooks-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
if (spawnSync("pre-commit", ["--version"]).status !== 0) throw new Error("the slow suite needs pre-commit (apt-get install pre-commit)");

const HEAD = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "hooks", ".pre-commit-hooks.yaml", "package.json"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";

type Setup = "plain git hook" | "husky" | "lefthook" | "pre-commit framework";

/** A GitOps repository with two profiles and their bundles committed, and `setup`'s hook installed. */
function repoWith(setup: Setup, name: string): { repo: string; tke: (...args: string[]) => void; env: NodeJS.ProcessEnv } {
  const repo = join(scratch, name);
  mkdirSync(join(repo, "clusters"), { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  git("init", "-q");
  git("config", "user.email", "test@example.invalid");
  git("config", "user.name", "test");
  for (const preset of ["dev", "regular"]) cpSync(join(ROOT, `presets/${preset}.json`), join(repo, `clusters/${preset}.json`));
  // the tool as the README installs it: a dev dependency of the GitOps repository
  mkdirSync(join(repo, "node_modules/.bin"), { recursive: true });
  symlinkSync(ROOT, join(repo, "node_modules/tke-cilium"));
  symlinkSync(CLI, join(repo, "node_modules/.bin/tke-cilium"));
  writeFileSync(join(repo, ".gitignore"), "node_modules/\n");
  let tool = [process.execPath, CLI];
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}` };
  if (setup === "plain git hook") {
    cpSync(join(ROOT, "hooks/pre-commit"), join(repo, ".git/hooks/pre-commit"));
    git("config", "tke-cilium.profiles", "clusters/");
  } else if (setup === "husky") {
    execFileSync(process.execPath, [join(ROOT, "node_modules/husky/bin.js")], { cwd: repo, stdio: "pipe" });
    writeFileSync(join(repo, ".husky/pre-commit"), "npx --no-install tke-cilium check --staged --quiet clusters/\n");
  } else if (setup === "lefthook") {
    writeFileSync(join(repo, "lefthook.yml"), "pre-commit:\n  commands:\n    tke-cilium:\n      run: npx --no-install tke-cilium check --staged --quiet clusters/\n");
    execFileSync(join(ROOT, "node_modules/.bin/lefthook"), ["install"], { cwd: repo, stdio: "pipe", env });
  } else {
    writeFileSync(join(repo, ".pre-commit-config.yaml"), `repos:\n  - repo: ${ROOT}\n    rev: ${HEAD}\n    hooks:\n      - id: tke-cilium-check\n        args: [clusters/]\n      - id: tke-cilium-validate\n`);
    env.PRE_COMMIT_HOME = join(scratch, "pre-commit-home");
    execFileSync("pre-commit", ["install"], { cwd: repo, env });
    execFileSync("pre-commit", ["install-hooks"], { cwd: repo, env });
    // the hook runs the tool built from HEAD: render with that same build
    const home = env.PRE_COMMIT_HOME!;
    const installed = readdirSync(home).map((d) => join(home, d, "node_env-system", "bin", "tke-cilium")).find((p) => existsSync(p));
    if (!installed) throw new Error(`no tke-cilium installed under ${home}`);
    tool = [installed];
  }
  const tke = (...args: string[]) => execFileSync(tool[0], [...tool.slice(1), ...args], { cwd: repo, stdio: "pipe" });
  tke("render", "--quiet", "clusters/");
  git("add", "-A");
  git("commit", "-qm", "profiles and bundles", "--no-verify");
  return { repo, tke, env };
}

const bump = (repo: string, file = "clusters/dev.json") => writeFileSync(join(repo, file), readFileSync(join(repo, file), "utf8").replace('"maxSize": 3', '"maxSize": 4'));

const SETUPS: Setup[] = ["plain git hook", "husky", "lefthook", "pre-commit framework"];

describe.each(SETUPS)("%s", (setup) => {
  if (setup === "pre-commit framework" && dirty) {
    console.log("hooks.test.ts: the pre-commit framework installs from HEAD, and src/ or the hook files have uncommitted changes: its cases test HEAD");
  }
  let n = 0;
  const fresh = () => repoWith(setup, `${setup.replace(/\W+/g, "-")}-${n++}`);
  const commit = (repo: string, env: NodeJS.ProcessEnv) => spawnSync("git", ["commit", "-m", "change"], { cwd: repo, encoding: "utf8", env });
  const git = (repo: string, ...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });

  it("refuses a stale bundle (the profile changed, out/ not rendered), and accepts it rendered", () => {
    const { repo, tke, env } = fresh();
    bump(repo);
    git(repo, "add", "-A");
    const stale = commit(repo, env);
    expect(stale.status, stale.stdout + stale.stderr).not.toBe(0);
    expect(stale.stdout + stale.stderr).toContain("1 profile, 1 drifted: dev (terraform/nodepool/main.tf changed)");
    tke("render", "--quiet", "clusters/");
    git(repo, "add", "-A");
    const ok = commit(repo, env);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
  });

  it("refuses a commit of the profile alone when the rendered bundle is left unstaged", () => {
    const { repo, tke, env } = fresh();
    bump(repo);
    tke("render", "--quiet", "clusters/");
    git(repo, "add", "clusters/dev.json");
    const r = commit(repo, env);
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("drifted: dev");
  });

  it("refuses a commit that only deletes a profile, keeping its bundle", () => {
    const { repo, env } = fresh();
    git(repo, "rm", "-q", "clusters/regular.json");
    const r = commit(repo, env);
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("out/regular/");
    git(repo, "rm", "-rq", "out/regular");
    const ok = commit(repo, env);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
  });

  it("refuses a renamed profile whose old bundle stays", () => {
    const { repo, tke, env } = fresh();
    git(repo, "mv", "clusters/dev.json", "clusters/edge.json");
    tke("render", "--quiet", "clusters/");
    git(repo, "add", "-A");
    const r = commit(repo, env);
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("out/dev/");
  });

  it("refuses a hand edit in out/", () => {
    const { repo, env } = fresh();
    appendFileSync(join(repo, "out/dev/tke-values.yaml"), "# tuned by hand\n");
    git(repo, "add", "-A");
    const r = commit(repo, env);
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("1 profile, 1 drifted: dev (tke-values.yaml changed)");
  });
});
