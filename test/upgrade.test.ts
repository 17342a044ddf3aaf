// Upgrade safety at review time: check --staged compares each bundle with HEAD's, render with the one on disk.
// A skipped minor, a downgrade and a datapath change are errors with an explain text; upgrade.allow lets a
// deliberate one through, visibly in the profile.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, type Io } from "../src/cli.js";
import { CATALOGUE } from "../src/rules/catalogue.js";
import { factsOfTree, upgradeFindings, type BundleFacts } from "../src/rules/upgrade-rules.js";
import { ROOT } from "./helpers.js";

let repo: string;
let out: string;
let err: string;

async function run(...argv: string[]): Promise<number> {
  out = "";
  err = "";
  const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: repo };
  return main(argv, io);
}
const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8", env });
const PROFILE = "clusters/prod.json";
function edit(change: (p: Record<string, any>) => void): void {
  const p = JSON.parse(readFileSync(join(repo, PROFILE), "utf8"));
  change(p);
  writeFileSync(join(repo, PROFILE), JSON.stringify(p, null, 2) + "\n");
}
beforeEach(async () => {
  repo = mkdtempSync(join(tmpdir(), "tke-cilium-upgrade-"));
  git("init", "-q");
  mkdirSync(join(repo, "clusters"));
  cpSync(join(ROOT, "presets/prod.json"), join(repo, PROFILE));
  edit((p) => {
    p.$schema = undefined;
    p.cilium.version = "1.18.12";
  });
  expect(await run("render", "clusters/", "--quiet")).toBe(0);
  git("add", "-A");
  git("commit", "-qm", "prod at 1.18.12");
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

/** Write the new bundle the way a user would who bypasses render's own check: render into a scratch folder, copy over. */
async function renderAround(change: (p: Record<string, any>) => void): Promise<void> {
  edit(change);
  const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-upgrade-out-"));
  try {
    expect(await run("render", PROFILE, "--out", scratch, "--quiet")).toBe(0);
    rmSync(join(repo, "out/prod"), { recursive: true });
    cpSync(join(scratch, "prod"), join(repo, "out/prod"), { recursive: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  git("add", "-A");
}

describe("check --staged against HEAD", () => {
  it.each([
    ["1.18.12 → 1.20.0 (a skipped minor)", (p: Record<string, any>) => (p.cilium.version = "1.20.0"), "UPGRADE_SKIPS_MINOR", "/cilium/version"],
    ["1.18.12 → 1.18.3 (a downgrade)", (p: Record<string, any>) => (p.cilium.version = "1.18.3"), "UPGRADE_DOWNGRADE", "/cilium/version"],
    ["native → overlay (a datapath change)", (p: Record<string, any>) => (p.cilium.mode = "overlay"), "UPGRADE_DATAPATH_CHANGE", "/cilium/mode"],
  ])("%s fails with a code and an explain text", async (_, change, code, pointer) => {
    await renderAround(change);
    expect(await run("check", "--staged", "clusters/", "--no-color")).toBe(1);
    expect(err).toMatch(new RegExp(`clusters/prod\\.json:\\d+:\\d+ error ${code} ${pointer}: `));
    expect(await run("explain", code)).toBe(0);
    expect(out).toContain("Safe path");
    // the deliberate override, in the profile and so in the diff
    const allow = { UPGRADE_SKIPS_MINOR: "skip-minor", UPGRADE_DOWNGRADE: "downgrade", UPGRADE_DATAPATH_CHANGE: "datapath" }[code as string];
    await renderAround((p) => (p.upgrade = { allow: [allow] }));
    expect(await run("check", "--staged", "clusters/", "--no-color"), err).toBe(0);
  });

  it("1.18.12 → 1.19.6 (the next minor) passes", async () => {
    await renderAround((p) => (p.cilium.version = "1.19.6"));
    expect(await run("check", "--staged", "clusters/"), err).toBe(0);
    expect(err).not.toContain("UPGRADE_");
  });
});

describe("render over the bundle on disk", () => {
  it("refuses a skipped minor and writes nothing; a one-minor step renders", async () => {
    const before = readFileSync(join(repo, "out/prod/bundle.json"), "utf8");
    edit((p) => (p.cilium.version = "1.20.0"));
    expect(await run("render", "clusters/", "--no-color")).toBe(1);
    expect(err).toContain("error UPGRADE_SKIPS_MINOR /cilium/version: 1.18.12 → 1.20.0 skips 1.19: ");
    expect(err).toContain("Upgrade to 1.19.6 first");
    expect(readFileSync(join(repo, "out/prod/bundle.json"), "utf8")).toBe(before);
    edit((p) => (p.cilium.version = "1.19.6"));
    expect(await run("render", "clusters/", "--quiet"), err).toBe(0);
    edit((p) => (p.cilium.version = "1.20.0"));
    expect(await run("render", "clusters/", "--quiet"), err).toBe(0);
  });
});

describe("the comparison", () => {
  const facts = (version: string, routingMode = "native", ipamMode = "delegated-plugin", tunnelProtocol: string | null = null): BundleFacts => ({ version, routingMode, ipamMode, tunnelProtocol });
  const codes = (a: BundleFacts, b: BundleFacts, allow: ("skip-minor" | "downgrade" | "datapath")[] = []) => upgradeFindings(a, b, allow, ["1.18.12", "1.19.6", "1.20.0"]).map((f) => f.code);

  it("patch and next-minor upgrades pass; skips, downgrades and datapath changes do not", () => {
    expect(codes(facts("1.18.3"), facts("1.18.12"))).toEqual([]);
    expect(codes(facts("1.18.12"), facts("1.19.0"))).toEqual([]);
    expect(codes(facts("1.18.12"), facts("1.20.0"))).toEqual(["UPGRADE_SKIPS_MINOR"]);
    expect(codes(facts("1.19.6"), facts("1.19.5"))).toEqual(["UPGRADE_DOWNGRADE"]);
    expect(codes(facts("1.19.5"), facts("1.19.5", "tunnel", "multi-pool", "vxlan"))).toEqual(["UPGRADE_DATAPATH_CHANGE"]);
    expect(codes(facts("1.19.5", "tunnel", "multi-pool", "vxlan"), facts("1.19.5", "tunnel", "multi-pool", "geneve"))).toEqual(["UPGRADE_DATAPATH_CHANGE"]);
    expect(codes(facts("1.18.12"), facts("1.20.0", "tunnel", "multi-pool", "vxlan"), ["skip-minor", "datapath"])).toEqual([]);
    // an allowance left over once the change is in place: a warning, so the next one is caught again
    expect(codes(facts("1.20.0"), facts("1.20.0"), ["skip-minor"])).toEqual(["UPGRADE_ALLOW_UNUSED"]);
  });

  it("reads the facts back from a bundle's files", () => {
    const tree = (dir: string) => new Map(readdirSync(join(ROOT, "out", dir)).filter((f) => f.endsWith(".json") || f.endsWith(".yaml")).map((f) => [f, { kind: "file" as const, content: readFileSync(join(ROOT, "out", dir, f), "utf8"), mode: 0o644 }]));
    expect(factsOfTree(tree("prod"))).toEqual({ version: "1.19.5", routingMode: "native", ipamMode: "delegated-plugin", tunnelProtocol: null });
    expect(factsOfTree(tree("overlay"))).toMatchObject({ routingMode: "tunnel", ipamMode: "multi-pool", tunnelProtocol: "vxlan" });
    expect(factsOfTree(null)).toBeNull();
  });

  it("reads only plain key: value lines of a values file, at their nesting, the last one winning", () => {
    const bundle = (values: string) =>
      factsOfTree(
        new Map([
          ["bundle.json", { kind: "file" as const, content: JSON.stringify({ chart: { version: "1.19.5" }, valuesFiles: ["a.yaml", "b.yaml"] }), mode: 0o644 }],
          ["a.yaml", { kind: "file" as const, content: "routingMode: native\nipam:\n  mode: delegated-plugin\n", mode: 0o644 }],
          ["b.yaml", { kind: "file" as const, content: values, mode: 0o644 }],
        ]),
      );
    // a later file sets a fact again; quotes are taken off
    expect(bundle('routingMode: "tunnel"\ntunnelProtocol: \'vxlan\'\n')).toMatchObject({ routingMode: "tunnel", ipamMode: "delegated-plugin", tunnelProtocol: "vxlan" });
    // not a fact: a key at odd indentation, deeper than its path, with no space after the colon, a block scalar, a comment, a CR inside the value
    const passedOver = ["   routingMode: tunnel", "x:\n  routingMode: tunnel", "routingMode:tunnel", "routingMode: |", "# routingMode: tunnel", "routingMode: tun\rnel", "\troutingMode: tunnel"];
    for (const values of passedOver) expect(bundle(values + "\n")?.routingMode, JSON.stringify(values)).toBe("native");
    // a map key opens the path of the lines below it: ipam's mode, not another map's
    expect(bundle("ipam:\n  mode: multi-pool\nother:\n  mode: kubernetes\n")?.ipamMode).toBe("multi-pool");
  });

  it("every upgrade code has an explain text with the safe path", () => {
    for (const code of ["UPGRADE_SKIPS_MINOR", "UPGRADE_DOWNGRADE", "UPGRADE_DATAPATH_CHANGE", "UPGRADE_ALLOW_UNUSED"]) {
      const entry = CATALOGUE.find((e) => e.code === code);
      expect(entry?.explanation, code).toContain("Safe path");
    }
  });
});
