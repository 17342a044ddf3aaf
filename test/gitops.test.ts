import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, type Io } from "../src/cli.js";
import { readConfig } from "../src/config.js";
import { GITOPS_FILES } from "../src/knowledge/gitops.js";
import { ROOT, allProfilePaths } from "./helpers.js";
import { bumpProfile, commit, gitopsRepo } from "./hooks-repo.js";

const cli = join(ROOT, "dist/cli.cjs");
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tke-cilium-gitops-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("pre-commit hooks", () => {
  beforeEach(() => {
    if (!existsSync(cli)) throw new Error("dist/cli.cjs is missing: run npm run build (npm ci does it)");
  });

  it("the plain git hook refuses a stale bundle and accepts a fresh one", () => {
    const repo = gitopsRepo(dir);
    cpSync(join(ROOT, "hooks/pre-commit"), join(repo, ".git/hooks/pre-commit"));
    const env = { TKE_CILIUM: `${process.execPath} ${cli}`, TKE_CILIUM_PROFILES: "profiles/" };
    bumpProfile(repo);
    const stale = commit(repo, env);
    expect(stale.status).not.toBe(0);
    expect(stale.stderr).toContain("the commit's out/ does not match its profiles");
    execFileSync(process.execPath, [cli, "render", "profiles/", "--quiet"], { cwd: repo });
    expect(commit(repo, env).status).toBe(0);
  });
});

describe("output for people and for CI", () => {
  let cwd: string;
  let out: string;
  let err: string;
  const io = (extra: Partial<Io> = {}): Io => ({ stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, ...extra });
  beforeEach(async () => {
    cwd = join(dir, "work");
    cpSync(join(ROOT, "presets"), join(cwd, "presets"), { recursive: true });
    out = "";
    err = "";
    expect(await main(["render", "presets/", "--quiet"], io())).toBe(0);
    expect(out + err).toBe("");
    const p = join(cwd, "out/prod/tke-values.yaml");
    writeFileSync(p, readFileSync(p, "utf8").replace("k8sServicePort: 60002", "k8sServicePort: 443"));
  });

  it("check --json prints machine-readable drift", async () => {
    expect(await main(["check", "presets/", "--json"], io({ color: true }))).toBe(1);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ command: "check", ok: false, profiles: 9, diagnostics: [] });
    expect(report.drifted).toHaveLength(1);
    expect(report.drifted[0]).toMatchObject({ name: "prod", profile: "presets/prod.json", folder: "out/prod" });
    expect(report.drifted[0].files[0]).toMatchObject({ path: "tke-values.yaml", kind: "changed" });
    expect(report.drifted[0].files[0].diff).toContain("+k8sServicePort: 60002");
    expect(out).not.toContain("\u001b[");
  });

  it("colours diffs only when asked (a terminal without NO_COLOR), never with --no-color", async () => {
    await main(["check", "presets/prod.json"], io({ color: true }));
    expect(out).toContain("\u001b[32m+k8sServicePort: 60002\u001b[0m");
    out = "";
    await main(["check", "presets/prod.json", "--no-color"], io({ color: true }));
    expect(out).not.toContain("\u001b[");
    out = "";
    await main(["check", "presets/prod.json"], io({ color: false }));
    expect(out).not.toContain("\u001b[");
  });

  it("NO_COLOR=1 gives output without escape codes (real process on a pseudo-terminal)", () => {
    if (!existsSync(cli)) throw new Error("dist/cli.cjs is missing: run npm run build");
    const hasScript = spawnSync("script", ["--version"]).status === 0;
    const command = `${process.execPath} ${cli} check presets/prod.json`;
    const run = (env: NodeJS.ProcessEnv) =>
      hasScript
        ? spawnSync("script", ["-qec", command, "/dev/null"], { cwd, encoding: "utf8", env: { ...process.env, ...env } }).stdout
        : spawnSync(process.execPath, [cli, "check", "presets/prod.json", "--color"], { cwd, encoding: "utf8", env: { ...process.env, ...env } }).stdout;
    if (hasScript) expect(run({ NO_COLOR: "" })).toContain("\u001b[");
    expect(run({ NO_COLOR: "1" })).not.toContain("\u001b[");
  });

  it("stops writing quietly when the reader goes away (check ... | head)", () => {
    if (!existsSync(cli)) throw new Error("dist/cli.cjs is missing: run npm run build");
    // every preset and golden profile against an empty out/: some 300 KiB of diff, far more than a pipe holds
    const empty = mkdtempSync(join(tmpdir(), "tke-cilium-pipe-"));
    try {
      const script = `"${process.execPath}" "${cli}" check presets/*.json test/golden/*/profile.json --out "${empty}" 2>"${empty}/err" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`;
      const r = spawnSync("bash", ["-c", script], { cwd: ROOT, encoding: "utf8" });
      expect(r.stdout.trim()).toBe("1");
      expect(readFileSync(join(empty, "err"), "utf8")).not.toMatch(/internal error|EPIPE/);
      // the whole diff really was larger than a pipe's buffer
      expect(spawnSync(process.execPath, [cli, "check", ...allProfilePaths(), "--out", empty], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 }).stdout.length).toBeGreaterThan(256 * 1024);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("check names bundle folders no profile renders: a warning, an error with --strict", async () => {
    expect(await main(["render", "presets/", "--quiet"], io())).toBe(0);
    mkdirSync(join(cwd, "out/old-cluster/terraform"), { recursive: true });
    // not bundles: a file, a hidden folder, a name no profile could have
    writeFileSync(join(cwd, "out/README.md"), "bundles\n");
    mkdirSync(join(cwd, "out/.prod.tmp-1"));
    mkdirSync(join(cwd, "out/Not_A_Name"));
    out = "";
    err = "";
    expect(await main(["check", "presets/"], io())).toBe(0);
    expect(err).toContain("warning: a bundle that none of these profiles renders: out/old-cluster/. A deleted or renamed cluster?");
    expect(err).toContain("9 profiles, 0 drifted: out/ is up to date");
    err = "";
    expect(await main(["check", "presets/", "--quiet"], io())).toBe(0);
    expect(err).toMatch(/^warning: .*out\/old-cluster\/\.[^\n]*\n$/);
    err = "";
    expect(await main(["check", "presets/", "--strict"], io())).toBe(1);
    expect(err).toMatch(/^error: a bundle that none of these profiles renders: out\/old-cluster\//);
    expect(err).not.toContain("up to date");
    out = "";
    // checking one profile: every other bundle is named
    expect(await main(["check", "presets/prod.json", "--json"], io())).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ ok: true, drifted: [], orphans: ["dev", "egress", "k3s", "kubeadm", "kubespray", "old-cluster", "overlay", "regular", "seed-1-18-3"] });
    out = "";
    expect(await main(["check", "presets/prod.json", "--json", "--strict"], io())).toBe(1);
    expect(JSON.parse(out).ok).toBe(false);
    rmSync(join(cwd, "out/old-cluster"), { recursive: true });
    err = "";
    expect(await main(["check", "presets/"], io())).toBe(0);
    expect(err).not.toContain("warning");
  });

  it("render prints a table of what it wrote", async () => {
    out = "";
    expect(await main(["render", "presets/"], io())).toBe(0);
    expect(out).toMatch(/^profile +bundle +files +status\n/);
    expect(out).toMatch(/presets\/prod\.json +out\/prod\/ +14 +updated \(1 files\)/);
    expect(out).toMatch(/presets\/dev\.json +out\/dev\/ +15 +unchanged/);
  });
});

describe("init", () => {
  const run = async (args: string[], ask?: (q: string) => Promise<string>) => {
    let out = "";
    let err = "";
    const code = await main(["init", ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: dir, ask });
    return { code, out, err };
  };

  it("writes a profile whose $schema is the repository's own install, and refuses to overwrite it", async () => {
    mkdirSync(join(dir, ".git"));
    const first = await run(["--region", "ap-guangzhou", "--vip", "169.254.128.112", "--pool", "native", "--name", "x", "clusters/x.json"]);
    expect(first.code, first.err).toBe(0);
    const profile = JSON.parse(readFileSync(join(dir, "clusters/x.json"), "utf8"));
    expect(profile.$schema).toBe("../node_modules/tke-cilium/schema/profile.schema.json");
    expect(first.err).toContain("exists once tke-cilium is a dev dependency of this repository");
    expect(await main(["validate", "clusters/x.json"], { stdout: () => {}, stderr: () => {}, cwd: dir })).toBe(0);
    const again = await run(["--region", "ap-beijing", "--vip", "169.254.128.1", "--pool", "native", "--name", "x", "clusters/x.json"]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("never overwrites");
  });

  it("asks for what is missing on a terminal, and needs flags without one", async () => {
    const answers = ["ap-tokyo", "169.254.0.9", "regular"];
    const asked = await run(["asked.json"], async () => answers.shift()!);
    expect(asked.code, asked.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "asked.json"), "utf8"))).toMatchObject({ region: "ap-tokyo", apiserverVIP: "169.254.0.9", nodePool: { type: "regular" } });
    expect((await run(["--region", "ap-tokyo"])).code).toBe(2);
  });

  it("placeholders for a Karpenter pool's ids are written, and refused by validate, render and check until replaced", async () => {
    const first = await run(["--region", "ap-guangzhou", "--vip", "169.254.128.112", "--pool", "karpenter", "k.json"]);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toContain("edit nodePool.subnetIds and nodePool.securityGroupIds in k.json: they hold placeholders, which render refuses until they are replaced");
    for (const command of ["validate", "render", "check"]) {
      let err = "";
      expect(await main([command, "k.json"], { stdout: () => {}, stderr: (t) => (err += t), cwd: dir })).toBe(1);
      expect(err).toContain("error PLACEHOLDER_VALUE /nodePool/subnetIds/0: nodePool.subnetIds still holds init's placeholder subnet-changeme");
      expect(err).toContain("error PLACEHOLDER_VALUE /nodePool/securityGroupIds/0");
    }
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("asks on a real terminal (a pseudo-terminal through script(1)), built CLI", () => {
    const hasScript = spawnSync("script", ["--version"]).status === 0;
    if (!hasScript) throw new Error("script(1) from util-linux is needed for the terminal test");
    // script gives the CLI a pseudo-terminal; the answers are typed into it one line at a time
    const r = spawnSync("script", ["-qec", `${process.execPath} ${cli} init asked.json`, "/dev/null"], {
      cwd: dir,
      input: "ap-tokyo\n169.254.0.9\nregular\n",
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.stdout).toContain("Region (e.g. ap-guangzhou): ");
    expect(r.stdout).toContain("wrote asked.json");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING");
    expect(JSON.parse(readFileSync(join(dir, "asked.json"), "utf8"))).toMatchObject({ region: "ap-tokyo", apiserverVIP: "169.254.0.9", nodePool: { type: "regular" } });
  });

  it("the end of input on the terminal (Ctrl-D) is one line, not a crash", () => {
    const r = spawnSync("script", ["-qec", `${process.execPath} ${cli} init short.json`, "/dev/null"], { cwd: dir, input: "ap-tokyo\n", encoding: "utf8", timeout: 20_000 });
    expect(r.stdout).toContain("tke-cilium: error: no answer: the input ended (Ctrl-D); nothing was written");
    expect(r.stdout).not.toContain("internal error");
    expect(existsSync(join(dir, "short.json"))).toBe(false);
  });

  it("writes nothing when the values are not a valid profile", async () => {
    const bad = await run(["--region", "ap-guangzhou", "--vip", "10.0.0.5", "--pool", "native", "bad.json"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("VIP_NOT_LINK_LOCAL");
    expect(existsSync(join(dir, "bad.json"))).toBe(false);
  });
});

describe("README", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  it("the tke-cilium.json example is a valid config, and the engines it documents render what it says", () => {
    const block = /```json title="tke-cilium\.json"\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "README has no tke-cilium.json block").toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "tke-cilium-readme-"));
    try {
      writeFileSync(join(dir, "tke-cilium.json"), block!);
      const read = readConfig(join(dir, "tke-cilium.json"), "tke-cilium.json");
      expect("config" in read ? read.config.gitops?.engine : read.problems).toBe("argocd");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const file of Object.values(GITOPS_FILES)) expect(readme, file).toContain(`\`${file}\``);
    expect(readme).toContain("- CiliumIdentity");
  });
});
