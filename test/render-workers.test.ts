import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

/**
 * A large fleet's render on worker threads (src/render-workers.ts) against the same render on one thread:
 * the same files and modes, the same stdout, stderr and exit code, valid or not, new or updated. Whole
 * processes of the built CLI (the workers run dist/cli.cjs); TKE_CILIUM_RENDER_WORKERS sets their number
 * (0: none), and TKE_CILIUM_RENDER_WORKERS_TRACE=1 makes the run say how it shared the work, so that each
 * case proves the workers took part.
 */
const CLI = join(ROOT, "dist/cli.cjs");
let root: string;

beforeEach(() => {
  if (!existsSync(CLI)) throw new Error("dist/cli.cjs is missing: npm test builds it first");
  root = mkdtempSync(join(tmpdir(), "tke-cilium-workers-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Generated profiles of several shapes (pools, modes, versions, mirrors, features), as the bench's fleet. */
function generated(i: number): object {
  const pool = ["karpenter", "native", "regular"][i % 3];
  const overlay = i % 4 === 1;
  return {
    name: `gen-${i}`,
    region: ["ap-guangzhou", "ap-shanghai", "ap-singapore"][i % 3],
    apiserverVIP: `169.254.${128 + (i % 100)}.${1 + (i % 250)}`,
    cluster: { ...(i % 2 ? { id: `cls-${i.toString(36).padStart(8, "0")}` } : { vpcId: `vpc-${i.toString(36)}` }), network: overlay && i % 8 === 1 ? "gr" : "vpc-cni", vpcCidrs: [`10.${i % 200}.0.0/16`], maxNodes: [10, 400, 4000][i % 3] },
    cilium: { version: ["1.19.5", "1.18.11", "1.18.3"][i % 3], mode: overlay ? "overlay" : "native", ...(overlay ? { podCidrs: ["172.30.0.0/16"] } : {}) },
    images: { mirror: i % 7 === 3 ? "none" : "tke" },
    nodePool: { type: pool, subnetIds: [`subnet-${i.toString(36)}`], securityGroupIds: [`sg-${i.toString(36)}`], ...(pool === "regular" ? { os: "ubuntu24.04x86_64", instanceTypes: ["S5.LARGE8"] } : {}) },
    features: { hubble: i % 3 === 0, egressGateway: i % 10 === 0, bandwidthManager: i % 6 === 0 },
  };
}

/** A repository: the presets (JSON, a YAML fleet on a base, a Cluster Mesh) and `n` generated profiles. */
function repository(dir: string, n: number): void {
  mkdirSync(join(dir, "gen"), { recursive: true });
  cpSync(join(ROOT, "presets"), join(dir, "presets"), { recursive: true });
  cpSync(join(ROOT, "schema"), join(dir, "schema"), { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, "gen", `gen-${i}.json`), JSON.stringify(generated(i), null, 2) + "\n");
}
const PROFILES = ["presets/*.json", "presets/mesh/", "presets/fleet/", "gen/"];

function render(cwd: string, args: string[], workers: number) {
  const env = { ...process.env, NO_COLOR: "1", TKE_CILIUM_NO_CACHE: "1", TKE_CILIUM_RENDER_WORKERS: String(workers), TKE_CILIUM_RENDER_WORKERS_TRACE: "1" };
  const r = spawnSync(process.execPath, [CLI, "render", ...args], { cwd, encoding: "utf8", env, timeout: 120_000 });
  const trace = /^tke-cilium: render workers: (\d+); checked (\d+) there, (\d+) here; emitted (\d+) there, (\d+) here\n/m;
  const found = trace.exec(r.stderr);
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr.replace(trace, ""),
    shared: found === null ? null : { workers: Number(found[1]), checkedThere: Number(found[2]), checkedHere: Number(found[3]), emittedThere: Number(found[4]), emittedHere: Number(found[5]) },
  };
}

/** Every file and folder under `dir`: its path, mode and bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const rel of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const info = lstatSync(join(dir, rel));
    out[rel] = `${(info.mode & 0o7777).toString(8)} ${info.isDirectory() ? "dir" : readFileSync(join(dir, rel), "utf8")}`;
  }
  return out;
}

/** Two copies of one repository: one renders on one thread, the other with workers. */
function pair(n: number): { one: string; many: string } {
  const one = join(root, "one");
  const many = join(root, "many");
  repository(one, n);
  cpSync(one, many, { recursive: true });
  return { one, many };
}

function expectSame(one: string, many: string, args: string[], workers = 1) {
  const a = render(one, args, 0);
  const b = render(many, args, workers);
  expect(a.shared).toBeNull();
  expect(b.shared?.workers).toBe(workers);
  expect({ status: b.status, stdout: b.stdout, stderr: b.stderr }).toEqual({ status: a.status, stdout: a.stdout, stderr: a.stderr });
  expect(tree(join(many, "out"))).toEqual(tree(join(one, "out")));
  return { one: a, many: b };
}

describe("a fleet's render on worker threads writes and prints what one thread does", () => {
  it("into an empty out/, then over it with edits: the same bundles, rows, warnings and exit codes", () => {
    const { one, many } = pair(80);
    const first = expectSame(one, many, PROFILES);
    expect(first.one.status).toBe(0);
    // the workers checked and emitted a share each (the main thread works beside them)
    expect(first.many.shared!.checkedThere).toBeGreaterThan(0);
    expect(first.many.shared!.emittedThere).toBeGreaterThan(0);
    expect(first.many.shared!.checkedThere + first.many.shared!.checkedHere).toBeGreaterThan(80);
    expect(readdirSync(join(many, "out")).length).toBeGreaterThan(80);
    // edits: a port, a feature, a bundle file deleted, another changed by hand
    for (const dir of [one, many]) {
      const path = join(dir, "gen", "gen-7.json");
      writeFileSync(path, readFileSync(path, "utf8").replace('"region"', '"apiserverPort": 443,\n  "region"'));
      const hubble = join(dir, "gen", "gen-12.json");
      writeFileSync(hubble, readFileSync(hubble, "utf8").replace('"hubble": true', '"hubble": false'));
      rmSync(join(dir, "out", "gen-20", "cni-config.yaml"));
      writeFileSync(join(dir, "out", "gen-21", "tke-values.yaml"), "# edited\n");
    }
    const second = expectSame(one, many, PROFILES);
    expect(second.one.stderr.split("\n").filter((l) => /error/.test(l))).toEqual([]);
    expect(second.one.status).toBe(0);
    expect(second.one.stdout).toMatch(/gen\/gen-7\.json .* updated/);
    expect(second.one.stdout).toMatch(/gen\/gen-20\.json .* updated/);
  }, 240_000);

  it("an invalid profile, a shared name, an upgrade error: the same diagnostics, nothing written", () => {
    const { one, many } = pair(40);
    expectSame(one, many, ["gen/"]);
    for (const dir of [one, many]) {
      // a downgrade of a rendered bundle (an upgrade rule, which reads the bundle on disk), a bad VIP, a name taken twice
      const down = join(dir, "gen", "gen-0.json");
      writeFileSync(down, readFileSync(down, "utf8").replace('"1.19.5"', '"1.18.3"'));
      const vip = join(dir, "gen", "gen-33.json");
      writeFileSync(vip, readFileSync(vip, "utf8").replace(/"apiserverVIP": "[^"]*"/, '"apiserverVIP": "10.0.0.1"'));
      const twin = join(dir, "gen", "gen-34.json");
      writeFileSync(twin, readFileSync(twin, "utf8").replace('"name": "gen-34"', '"name": "gen-35"'));
    }
    const r = expectSame(one, many, ["gen/"]);
    expect(r.one.status).toBe(1);
    expect(r.one.stderr).toContain("UPGRADE_DOWNGRADE");
    expect(r.one.stderr).toContain("VIP_NOT_LINK_LOCAL");
    expect(r.one.stderr).toContain("DUPLICATE_PROFILE_NAME");
    expect(r.one.stderr).toContain("nothing written");
  }, 240_000);

  it("--json and --strict print the same document, with two workers", () => {
    const { one, many } = pair(40);
    const r = expectSame(one, many, [...PROFILES, "--json", "--strict"], 2);
    expect(JSON.parse(r.one.stdout).command).toBe("render");
  }, 240_000);
});

describe("when a render starts workers", () => {
  it("not for a fleet under the threshold, and for one at it (when the machine has a second core)", () => {
    const dir = join(root, "small");
    repository(dir, 12);
    const env = (extra: Record<string, string>) => ({ ...process.env, TKE_CILIUM_NO_CACHE: "1", TKE_CILIUM_RENDER_WORKERS_TRACE: "1", TKE_CILIUM_RENDER_WORKERS: "", ...extra });
    const run = (extra: Record<string, string>) => spawnSync(process.execPath, [CLI, "render", "-q", "gen/", "--out", `out-${Object.values(extra).join("-")}`], { cwd: dir, encoding: "utf8", env: env(extra) });
    const below = run({ TKE_CILIUM_RENDER_WORKERS_MIN: "13" });
    expect(below.status).toBe(0);
    expect(below.stderr).not.toContain("render workers");
    const at = run({ TKE_CILIUM_RENDER_WORKERS_MIN: "12" });
    expect(at.status).toBe(0);
    if (availableParallelism() >= 2) expect(at.stderr).toMatch(/^tke-cilium: render workers: [12]; /m);
    else expect(at.stderr).not.toContain("render workers");
    // the index answers an unchanged fleet: nothing is left to check, and no worker is started (a folder is
    // recorded once it is older than the index's racy margin of 2 s)
    spawnSync("sleep", ["2.2"]);
    const again = spawnSync(process.execPath, [CLI, "render", "-q", "gen/", "--out", "out-12"], { cwd: dir, encoding: "utf8", env: { ...env({ TKE_CILIUM_RENDER_WORKERS_MIN: "12" }), TKE_CILIUM_NO_CACHE: "" } });
    expect(again.status).toBe(0);
    const warm = spawnSync(process.execPath, [CLI, "render", "-q", "gen/", "--out", "out-12"], { cwd: dir, encoding: "utf8", env: { ...env({ TKE_CILIUM_RENDER_WORKERS_MIN: "12" }), TKE_CILIUM_NO_CACHE: "" } });
    expect(warm.status).toBe(0);
    expect(warm.stderr).not.toContain("render workers");
  }, 120_000);
});
