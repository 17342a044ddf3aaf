import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, type Io } from "../src/cli.js";
import { ROOT } from "./helpers.js";

let cwd: string;
let out: string[];
let err: string[];
const io = (): Io => ({ stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd });
const run = (...argv: string[]) => main(argv, io());
const stdout = () => out.join("");
const stderr = () => err.join("");

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "tke-cilium-cli-"));
  cpSync(join(ROOT, "presets"), join(cwd, "presets"), { recursive: true });
  out = [];
  err = [];
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const writeProfile = (name: string, profile: string) => {
  writeFileSync(join(cwd, name), profile);
  return name;
};

describe("render", () => {
  it("writes out/<name>/ with an executable install.sh", async () => {
    expect(await run("render", "presets/prod.json")).toBe(0);
    const files = readdirSync(join(cwd, "out/prod"), { recursive: true, encoding: "utf8" }).sort();
    expect(files).toEqual(
      expect.arrayContaining(["cilium-apf.yaml", "cni-config.yaml", "features-values.yaml", "image-values.yaml", "install.sh", "nodepool.yaml", "terraform/main.tf", "tke-values.yaml"]),
    );
    expect(statSync(join(cwd, "out/prod/install.sh")).mode & 0o777).toBe(0o755);
    expect(stdout()).toContain("out/prod/");
  });

  it("expands globs and directories, and honours --out", async () => {
    expect(await run("render", "presets/*.json", "--out", "bundles")).toBe(0);
    expect(existsSync(join(cwd, "bundles/dev/install.sh"))).toBe(true);
    expect(existsSync(join(cwd, "bundles/seed-1-18-3/install.sh"))).toBe(true);
    out = [];
    expect(await run("check", "presets", "--out", "bundles")).toBe(0);
  });

  it("replaces the whole folder: files the profile no longer produces are removed", async () => {
    await run("render", "presets/prod.json");
    writeFileSync(join(cwd, "out/prod/stale.yaml"), "x: 1\n");
    expect(await run("render", "presets/prod.json")).toBe(0);
    expect(existsSync(join(cwd, "out/prod/stale.yaml"))).toBe(false);
  });

  it("rejects an apiserver VIP outside 169.254.0.0/16 with a located diagnostic and writes nothing", async () => {
    const p = writeProfile("bad.json", `{\n  "region": "ap-guangzhou",\n  "apiserverVIP": "10.0.0.5",\n  "nodePool": { "type": "native" }\n}\n`);
    expect(await run("render", p, "presets/dev.json")).toBe(1);
    expect(stderr()).toMatch(/^bad\.json:3:19 error VIP_NOT_LINK_LOCAL \/apiserverVIP: /m);
    expect(stderr()).toContain(` 3 |   "apiserverVIP": "10.0.0.5",\n   |                   ^^^^^^^^^^`);
    expect(existsSync(join(cwd, "out"))).toBe(false);
  });

  it("points at a misspelt field name", async () => {
    const p = writeProfile("typo.json", `{\n  "region": "ap-guangzhou",\n  "apiserverVIP": "169.254.1.1",\n  "nodepool": { "type": "native" }\n}\n`);
    expect(await run("render", p)).toBe(1);
    expect(stderr()).toMatch(/^typo\.json:4:3 error UNKNOWN_FIELD \/nodepool: unknown field "nodepool"; did you mean "nodePool"\?/m);
    expect(existsSync(join(cwd, "out"))).toBe(false);
  });

  it("reports every diagnostic of every profile", async () => {
    writeProfile("a.json", `{"region": "mars-1", "apiserverVIP": "169.254.1.1", "nodePool": {"type": "native"}}`);
    writeProfile("b.json", `{"region": "ap-guangzhou", "apiserverVIP": "1.1.1.1", "nodePool": {"type": "native"}}`);
    expect(await run("validate", "a.json", "b.json")).toBe(1);
    expect(stderr()).toContain("a.json:1:12 error UNKNOWN_REGION");
    expect(stderr()).toContain("b.json:1:44 error VIP_NOT_LINK_LOCAL");
  });

  it("checks cilium.extraValues against the chart: a misspelt key and a wrong type", async () => {
    const p = writeProfile(
      "extra.json",
      `{\n  "region": "ap-guangzhou",\n  "apiserverVIP": "169.254.1.1",\n  "nodePool": { "type": "native" },\n  "cilium": { "extraValues": {\n    "kubeProxyReplacment": true,\n    "hubble": { "relay": { "enabled": "yes" } }\n  } }\n}\n`,
    );
    expect(await run("render", p)).toBe(1);
    expect(stderr()).toMatch(/^extra\.json:6:5 error UNKNOWN_HELM_VALUE \/cilium\/extraValues\/kubeProxyReplacment: .*did you mean `kubeProxyReplacement`\?/m);
    expect(stderr()).toMatch(/^extra\.json:7:39 error HELM_VALUE_TYPE \/cilium\/extraValues\/hubble\/relay\/enabled: /m);
    expect(existsSync(join(cwd, "out"))).toBe(false);
  });

  it("rejects two profiles with one output name", async () => {
    writeProfile("x.json", readFileSync(join(cwd, "presets/dev.json"), "utf8").replace('"region"', '"name": "dev",\n  "region"'));
    expect(await run("render", "x.json", "presets/dev.json")).toBe(1);
    expect(stderr()).toContain("error DUPLICATE_PROFILE_NAME /name");
    expect(existsSync(join(cwd, "out"))).toBe(false);
  });

  it("fails on warnings only with --strict", async () => {
    writeProfile("old.json", `{"region": "ap-singapore", "apiserverVIP": "169.254.1.1", "cluster": {"kubernetesVersion": "1.31.0"}, "nodePool": {"type": "native"}}`);
    expect(await run("validate", "old.json")).toBe(0);
    expect(stderr()).toContain("warning KUBERNETES_TOO_OLD");
    expect(await run("validate", "old.json", "--strict")).toBe(1);
  });
});

describe("check", () => {
  beforeEach(async () => {
    await run("render", "presets/prod.json");
    out = [];
    err = [];
  });

  it("passes when out/ matches", async () => {
    expect(await run("check", "presets/prod.json")).toBe(0);
    expect(stdout()).toBe("");
  });

  it("shows a unified diff for a changed file", async () => {
    const p = join(cwd, "out/prod/tke-values.yaml");
    writeFileSync(p, readFileSync(p, "utf8").replace("k8sServicePort: 60002", "k8sServicePort: 443"));
    expect(await run("check", "presets/prod.json")).toBe(1);
    expect(stdout()).toContain("--- a/out/prod/tke-values.yaml\n+++ b/out/prod/tke-values.yaml");
    expect(stdout()).toContain("-k8sServicePort: 443\n+k8sServicePort: 60002");
    expect(stderr()).toContain("1 profile, 1 drifted: prod (tke-values.yaml changed)");
  });

  it("names missing and extra files", async () => {
    unlinkSync(join(cwd, "out/prod/nodepool.yaml"));
    mkdirSync(join(cwd, "out/prod/extra"));
    writeFileSync(join(cwd, "out/prod/extra/notes.txt"), "hello\n");
    expect(await run("check", "presets/prod.json")).toBe(1);
    expect(stdout()).toContain("--- /dev/null\n+++ b/out/prod/nodepool.yaml");
    expect(stdout()).toContain("--- a/out/prod/extra/notes.txt\n+++ /dev/null");
    expect(stderr()).toContain("extra/notes.txt extra");
    expect(stderr()).toContain("nodepool.yaml missing");
  });

  it("reports a bundle that was never rendered", async () => {
    expect(await run("check", "presets/dev.json")).toBe(1);
    expect(stderr()).toContain("dev (");
  });

  it("is also render --check, and writes nothing", async () => {
    unlinkSync(join(cwd, "out/prod/install.sh"));
    expect(await run("render", "--check", "presets/prod.json")).toBe(1);
    expect(existsSync(join(cwd, "out/prod/install.sh"))).toBe(false);
  });
});

describe("usage", () => {
  it("--help and --version exit 0", async () => {
    expect(await run("--help")).toBe(0);
    expect(stdout()).toContain("tke-cilium render PROFILE");
    expect(stdout()).toContain("Exit codes");
    out = [];
    expect(await run("check", "--help")).toBe(0);
    expect(stdout()).toContain("pre-commit");
    out = [];
    expect(await run("--version")).toBe(0);
    expect(stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("unknown flags, unknown commands, missing files and no arguments exit 2", async () => {
    expect(await run("render", "--frobnicate", "presets/dev.json")).toBe(2);
    expect(await run("deploy", "presets/dev.json")).toBe(2);
    expect(await run("render", "presets/nope.json")).toBe(2);
    expect(stderr()).toContain('no such profile: "presets/nope.json"');
    expect(await run("render", "presets/*.yaml")).toBe(2);
    expect(await run("render")).toBe(2);
    expect(await run()).toBe(2);
    expect(await run("validate", "--out", "x", "presets/dev.json")).toBe(2);
  });
});
