import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recoverInterrupted } from "../src/store.js";
import { ROOT } from "./helpers.js";

/**
 * A fleet's bundles written with the file writes on a second thread (store.ts's TreeWriter, from 64 bundles
 * to write on) against the same render with every write on the main thread (TKE_CILIUM_WRITER=0): the same
 * files and modes, stdout, stderr and exit code, new or updated, with Terraform's state carried; and a failure
 * of the disk, or Ctrl-C, leaves every bundle old or new, whole, and nothing behind. Whole processes of the
 * built CLI; TKE_CILIUM_WRITER_TRACE=1 makes a run say that the thread wrote, so each case proves it did.
 */
const CLI = join(ROOT, "dist/cli.cjs");
let root: string;

beforeEach(() => {
  if (!existsSync(CLI)) throw new Error("dist/cli.cjs is missing: npm test builds it first");
  root = mkdtempSync(join(tmpdir(), "tke-cilium-writer-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Profiles of several shapes: pools (a Terraform root for native and regular), modes, versions, mirrors, features. */
function profile(i: number, port = 60002): object {
  const pool = ["karpenter", "native", "regular"][i % 3];
  const overlay = i % 4 === 1;
  return {
    name: `p-${i}`,
    region: ["ap-guangzhou", "ap-shanghai", "ap-singapore"][i % 3],
    apiserverVIP: `169.254.${128 + (i % 100)}.${1 + (i % 250)}`,
    apiserverPort: port,
    cluster: { ...(i % 2 ? { id: `cls-${i.toString(36).padStart(8, "0")}` } : { vpcId: `vpc-${i.toString(36)}` }), vpcCidrs: [`10.${i % 200}.0.0/16`], maxNodes: [10, 400][i % 2] },
    cilium: { version: ["1.19.5", "1.18.11"][i % 2], mode: overlay ? "overlay" : "native", ...(overlay ? { podCidrs: ["172.30.0.0/16"] } : {}) },
    images: { mirror: i % 7 === 3 ? "none" : "tke" },
    nodePool: { type: pool, subnetIds: [`subnet-${i.toString(36)}`], securityGroupIds: [`sg-${i.toString(36)}`], ...(pool === "regular" ? { os: "ubuntu24.04x86_64", instanceTypes: ["S5.LARGE8"] } : {}) },
    features: { hubble: i % 3 === 0, bandwidthManager: i % 6 === 0 },
  };
}
function fleet(dir: string, n: number, port = 60002): void {
  mkdirSync(join(dir, "clusters"), { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, "clusters", `p-${i}.json`), JSON.stringify(profile(i, port), null, 2) + "\n");
}

const TRACE = /^tke-cilium: bundle writer thread: (\d+) bundles handed over\n/m;
function render(cwd: string, args: string[], writer: "0" | "" | "1") {
  const env = { ...process.env, NO_COLOR: "1", TKE_CILIUM_NO_CACHE: "1", TKE_CILIUM_WRITER: writer, TKE_CILIUM_WRITER_TRACE: "1" };
  const r = spawnSync(process.execPath, [CLI, "render", ...args], { cwd, encoding: "utf8", env, timeout: 120_000 });
  const handed = TRACE.exec(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(TRACE, ""), handed: handed === null ? null : Number(handed[1]) };
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

describe("the bundle writer thread writes what the main thread writes", () => {
  it("a new fleet, then an update with Terraform state in some bundles: the same files, modes, rows and exit codes", () => {
    const one = join(root, "one");
    const two = join(root, "two");
    fleet(one, 70);
    cpSync(one, two, { recursive: true });
    const same = (args: string[]) => {
      const a = render(one, args, "0");
      const b = render(two, args, "");
      expect(a.handed).toBeNull();
      expect(b.handed).toBeGreaterThan(0);
      expect({ status: b.status, stdout: b.stdout, stderr: b.stderr }).toEqual({ status: a.status, stdout: a.stdout, stderr: a.stderr });
      expect(tree(join(two, "out"))).toEqual(tree(join(one, "out")));
      return { a, b };
    };
    const first = same(["clusters/"]);
    expect(first.a.status).toBe(0);
    expect(first.b.handed).toBe(70);
    for (const dir of [one, two]) {
      // Terraform's state in two bundles with a Terraform root (native and regular pools), then every port changed
      for (const i of [1, 2]) writeFileSync(join(dir, "out", `p-${i}`, "terraform", "terraform.tfstate"), `{"serial": ${i}}\n`);
      rmSync(join(dir, "clusters"), { recursive: true });
      fleet(dir, 70, 443);
    }
    const second = same(["clusters/"]);
    expect(second.a.status).toBe(0);
    expect(second.a.stdout).toMatch(/clusters\/p-1\.json .* updated/);
    expect(readFileSync(join(two, "out", "p-1", "terraform", "terraform.tfstate"), "utf8")).toBe('{"serial": 1}\n');
    expect(readFileSync(join(two, "out", "p-1", "tke-values.yaml"), "utf8")).toContain("k8sServicePort: 443");
    expect(readdirSync(join(two, "out")).filter((e) => e.startsWith("."))).toEqual([]);
  }, 240_000);

  it("a refused bundle in the middle of a fleet: the same refusal, the others written", () => {
    const one = join(root, "one");
    const two = join(root, "two");
    fleet(one, 70);
    mkdirSync(join(one, "out", "p-30"), { recursive: true });
    writeFileSync(join(one, "out", "p-30", "notes.txt"), "mine\n");
    cpSync(one, two, { recursive: true });
    const a = render(one, ["clusters/"], "0");
    const b = render(two, ["clusters/"], "1");
    expect(b.handed).toBe(69);
    expect(a.status).toBe(1);
    expect(a.stderr).toContain("out/p-30 exists and is not a tke-cilium bundle");
    expect({ status: b.status, stdout: b.stdout, stderr: b.stderr }).toEqual({ status: a.status, stdout: a.stdout, stderr: a.stderr });
    expect(tree(join(two, "out"))).toEqual(tree(join(one, "out")));
  }, 240_000);
});

describe("the bundle writer thread fails and stops as the main thread does", () => {
  const canMount = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v mount"]).status === 0;
  it.skipIf(!canMount)("ENOSPC part-way through a fleet: exit 1, one line, every bundle old or new and whole, nothing left behind (a 2 MiB tmpfs)", (ctx) => {
    const mnt = join(root, "small");
    mkdirSync(mnt);
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt]);
    if (mounted.status !== 0) {
      console.log(`ENOSPC test skipped: mount -t tmpfs failed here (${mounted.stderr.toString().trim()})`);
      return ctx.skip();
    }
    try {
      fleet(root, 80);
      const r = render(root, ["clusters/", "--out", "small/out", "-q"], "1");
      expect(r.status).toBe(1);
      // the disk filled part-way: the bundles before are whole, the one it filled on was not swapped in
      expect(r.stderr.split("\n").filter((l) => l.startsWith("tke-cilium: "))).toEqual([expect.stringMatching(/^tke-cilium: error: cannot write \S+: no space left on the device; free some and run again \(ENOSPC\)$/)]);
      expect(r.stderr.endsWith("(ENOSPC)\n")).toBe(true);
      expect(r.handed).toBeGreaterThan(1);
      const written = readdirSync(join(mnt, "out"));
      expect(written.filter((e) => e.startsWith(".") && e !== ".tke-cilium.lock")).toEqual([]);
      expect(existsSync(join(mnt, "out", ".tke-cilium.lock"))).toBe(false);
      expect(written.length).toBeGreaterThan(0);
      expect(written.length).toBeLessThan(80);
      const whole = render(root, ["clusters/", "--out", "whole"], "0");
      expect(whole.status).toBe(0);
      for (const name of written) expect(tree(join(mnt, "out", name)), name).toEqual(tree(join(root, "whole", name)));
    } finally {
      spawnSync("umount", [mnt]);
    }
  }, 240_000);

  it("SIGKILL during a fleet's render: once recovered, every bundle old or new and whole", async () => {
    fleet(root, 120);
    expect(render(root, ["clusters/", "-q"], "0").status).toBe(0);
    const expected = tree(join(root, "out"));
    rmSync(join(root, "clusters"), { recursive: true });
    fleet(root, 120, 443);
    expect(render(root, ["clusters/", "-q", "--out", "new"], "0").status).toBe(0);
    const renewed = tree(join(root, "new"));
    const child = spawn(process.execPath, [CLI, "render", "clusters/"], { cwd: root, stdio: "ignore", env: { ...process.env, TKE_CILIUM_NO_CACHE: "1", TKE_CILIUM_WRITER: "1" } });
    const exited = new Promise((r) => child.on("exit", r));
    // kill once a few bundles are new: the writer thread is then between two bundles or inside one
    const fifth = join(root, "out", "p-4", "tke-values.yaml");
    for (let i = 0; i < 2000 && !readFileSync(fifth, "utf8").includes("k8sServicePort: 443"); i++) await new Promise((r) => setTimeout(r, 2));
    child.kill("SIGKILL");
    await exited;
    recoverInterrupted(join(root, "out"), Array.from({ length: 120 }, (_, i) => `p-${i}`));
    expect(readdirSync(join(root, "out")).filter((e) => e.startsWith(".") && e !== ".tke-cilium.lock")).toEqual([]);
    const now = tree(join(root, "out"));
    for (let i = 0; i < 120; i++) {
      const files = (t: Record<string, string>) => JSON.stringify(Object.entries(t).filter(([k]) => k === `p-${i}` || k.startsWith(`p-${i}/`)));
      expect([files(expected), files(renewed)], `p-${i}`).toContain(files(now));
    }
  }, 240_000);

  it("Ctrl-C during a fleet's render: exit 130, every bundle old or new and whole, no staging folder left", async () => {
    fleet(root, 150);
    expect(render(root, ["clusters/", "-q"], "0").status).toBe(0);
    const expected = tree(join(root, "out"));
    rmSync(join(root, "clusters"), { recursive: true });
    fleet(root, 150, 443);
    expect(render(root, ["clusters/", "-q", "--out", "new"], "0").status).toBe(0);
    const renewed = tree(join(root, "new"));
    const child = spawn(process.execPath, [CLI, "render", "clusters/"], { cwd: root, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TKE_CILIUM_NO_CACHE: "1", TKE_CILIUM_WRITER: "1", TKE_CILIUM_WRITER_TRACE: "1" } });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    // wait until the first bundle is the new one, then interrupt
    const first = join(root, "out", "p-0", "tke-values.yaml");
    for (let i = 0; i < 2000 && !readFileSync(first, "utf8").includes("k8sServicePort: 443"); i++) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("tke-cilium: interrupted by SIGINT");
    expect(stderr).toMatch(TRACE);
    expect(readdirSync(join(root, "out")).filter((e) => e.startsWith("."))).toEqual([]);
    const now = tree(join(root, "out"));
    let updated = 0;
    for (let i = 0; i < 150; i++) {
      const files = (t: Record<string, string>) => JSON.stringify(Object.entries(t).filter(([k]) => k === `p-${i}` || k.startsWith(`p-${i}/`)));
      // old or new, exactly
      expect([files(expected), files(renewed)], `p-${i}`).toContain(files(now));
      if (files(now) === files(renewed)) updated++;
    }
    expect(updated).toBeGreaterThan(0);
    expect(updated).toBeLessThan(150);
  }, 240_000);
});
