import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { readTree } from "../src/workspace.js";
import { REAL_WRITE_OPS, recoverInterrupted, replaceTree, withOutputLock, type WriteOps } from "../src/store.js";
import { renderProfile } from "../src/pipeline.js";
import { ROOT, renderFile } from "./helpers.js";
import { SLOW } from "./slice.js";

let cwd: string;
const quiet = () => ({ stdout: () => {}, stderr: () => {}, cwd });
const treeOf = (dir: string) => Object.fromEntries([...(readTree(dir) ?? new Map())].map(([k, v]) => [k, v.kind === "file" ? `${v.mode.toString(8)}:${v.content}` : v.what]));
const bundleOf = (files: { path: string; content: string; mode: number }[]) => Object.fromEntries(files.map((f) => [f.path, `${f.mode.toString(8)}:${f.content}`]));

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "tke-cilium-safety-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe("a failed write leaves the previous bundle whole", () => {
  const oldFiles = renderFile("presets/prod.json").files;
  const newFiles = renderFile("presets/dev.json").files;

  /** Write operations that fail at the given step: the nth file written, or the nth rename. */
  function failingOps(at: { write?: number; rename?: number }): WriteOps {
    let writes = 0;
    let renames = 0;
    return {
      writeFile(path, content, mode) {
        if (writes++ === at.write) throw new Error("injected write failure");
        REAL_WRITE_OPS.writeFile(path, content, mode);
      },
      rename(from, to) {
        if (renames++ === at.rename) throw new Error("injected rename failure");
        REAL_WRITE_OPS.rename(from, to);
      },
    };
  }

  const steps = [...newFiles.map((_, n) => ({ write: n })), { rename: 0 }, { rename: 1 }];
  it.each(steps)("failing at %j", (at) => {
    const out = join(cwd, "out");
    replaceTree(out, "prod", oldFiles);
    expect(() => replaceTree(out, "prod", newFiles, failingOps(at))).toThrow("injected");
    expect(treeOf(join(out, "prod"))).toEqual(bundleOf(oldFiles));
    expect(readdirSync(out)).toEqual(["prod"]);
  });

  it("the recovery pass never renames a planted link into place", () => {
    const out = join(cwd, "out");
    mkdirSync(out);
    mkdirSync(join(cwd, "elsewhere"));
    writeFileSync(join(cwd, "elsewhere", "install.sh"), "planted\n");
    symlinkSync(join(cwd, "elsewhere"), join(out, ".prod.old-1-x-0"));
    recoverInterrupted(out, ["prod"]);
    expect(existsSync(join(out, "prod"))).toBe(false);
    expect(readdirSync(out)).toEqual([]);
    expect(readFileSync(join(cwd, "elsewhere", "install.sh"), "utf8")).toBe("planted\n");
  });

  it("the next run restores a bundle left aside by a crash between the two renames, and drops temporaries", () => {
    const out = join(cwd, "out");
    replaceTree(out, "prod", oldFiles);
    renameSync(join(out, "prod"), join(out, ".prod.old-123-x-0"));
    mkdirSync(join(out, ".prod.tmp-123-x-0"));
    writeFileSync(join(out, ".prod.tmp-123-x-0", "tke-values.yaml"), "half");
    recoverInterrupted(out, ["prod"]);
    expect(treeOf(join(out, "prod"))).toEqual(bundleOf(oldFiles));
    expect(readdirSync(out)).toEqual(["prod"]);
  });
});

describe("writes stay inside out/<name>/", () => {
  it("refuses out/<name> as a symbolic link to elsewhere, and leaves the target untouched", async () => {
    cpSync(join(ROOT, "presets/prod.json"), join(cwd, "prod.json"));
    const elsewhere = mkdtempSync(join(tmpdir(), "tke-cilium-elsewhere-"));
    try {
      writeFileSync(join(elsewhere, "keep.txt"), "mine\n");
      mkdirSync(join(cwd, "out"));
      symlinkSync(elsewhere, join(cwd, "out/prod"));
      let stderr = "";
      expect(await main(["render", "prod.json"], { stdout: () => {}, stderr: (t) => (stderr += t), cwd })).toBe(1);
      expect(stderr).toMatch(/out\/prod is a symbolic link; refusing to replace it/);
      expect(readdirSync(elsewhere)).toEqual(["keep.txt"]);
      expect(lstatSync(join(cwd, "out/prod")).isSymbolicLink()).toBe(true);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("refuses --out as a symbolic link, before writing any bundle", async () => {
    cpSync(join(ROOT, "presets"), join(cwd, "presets"), { recursive: true });
    const elsewhere = mkdtempSync(join(tmpdir(), "tke-cilium-elsewhere-"));
    try {
      symlinkSync(elsewhere, join(cwd, "linked"));
      expect(await main(["render", "presets", "--out", "linked"], quiet())).toBe(1);
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("check refuses a file or a link where a bundle folder should be, instead of crashing", async () => {
    cpSync(join(ROOT, "presets/dev.json"), join(cwd, "dev.json"));
    mkdirSync(join(cwd, "out"));
    writeFileSync(join(cwd, "out/dev"), "not a folder\n");
    let stderr = "";
    expect(await main(["check", "dev.json"], { stdout: () => {}, stderr: (t) => (stderr += t), cwd })).toBe(1);
    expect(stderr).toContain("out/dev is not a directory");
    expect(stderr).not.toContain("internal error");
  });

  it("removes stale temporary folders of a killed run", async () => {
    cpSync(join(ROOT, "presets/dev.json"), join(cwd, "dev.json"));
    mkdirSync(join(cwd, "out/.dev.tmp-999-abc-0"), { recursive: true });
    expect(await main(["render", "dev.json"], quiet())).toBe(0);
    expect(readdirSync(join(cwd, "out"))).toEqual(["dev"]);
  });

  it("waits for a live lock and takes over one whose process is gone", async () => {
    const out = join(cwd, "out");
    const lock = join(out, ".tke-cilium.lock");
    mkdirSync(out);
    writeFileSync(lock, `tke-cilium 2147483646 123 ${"0".repeat(32)}\n`); // no such process
    expect(await withOutputLock(out, () => 42)).toBe(42);
    expect(existsSync(lock)).toBe(false);
    const me = readFileSync(`/proc/${process.pid}/stat`, "utf8");
    const start = me.slice(me.lastIndexOf(")") + 2).split(" ")[19];
    writeFileSync(lock, `tke-cilium ${process.pid} ${start} ${"1".repeat(32)}\n`); // held by a live process (this one)
    await expect(withOutputLock(out, () => 1, 100)).rejects.toThrow(/held by process/);
    // the same pid with another start time is another process that reused the pid: the lock is abandoned
    writeFileSync(lock, `tke-cilium ${process.pid} 1 ${"2".repeat(32)}\n`);
    expect(await withOutputLock(out, () => 43)).toBe(43);
    expect(existsSync(lock)).toBe(false);
  });

  it("an empty or foreign lock counts as held for a grace period, then is taken over", async () => {
    const out = join(cwd, "out");
    const lock = join(out, ".tke-cilium.lock");
    mkdirSync(out);
    writeFileSync(lock, "");
    await expect(withOutputLock(out, () => 1, 100)).rejects.toThrow(/holds no tke-cilium owner/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    expect(await withOutputLock(out, () => 44)).toBe(44);
  });

  it.each([
    ["a directory", (p: string) => mkdirSync(p), /is a directory, not tke-cilium's lock; remove it/],
    ["a FIFO", (p: string) => execFileSync("mkfifo", [p]), /is not a regular file, not tke-cilium's lock; remove it/],
    ["a dangling link", (p: string) => symlinkSync("/nonexistent/lock", p), /is a symbolic link, not tke-cilium's lock; remove it/],
  ])("a lock that is %s is one clear error, not a hang or a crash", async (_what, make, message) => {
    const out = join(cwd, "out");
    mkdirSync(out);
    make(join(out, ".tke-cilium.lock"));
    await expect(withOutputLock(out, () => 1, 100)).rejects.toThrow(message);
  });
});

/** The built CLI, for tests that need whole processes (concurrency, SIGKILL). */
const cli = join(ROOT, "dist/cli.cjs");

describe("whole processes", () => {
  beforeEach(() => {
    if (!existsSync(cli)) throw new Error("dist/cli.cjs is missing: run npm run build (npm ci does it)");
  });

  /** Profiles p0..p(n-1) in two versions (ports 60002 in a/, 443 in b/); whole bundles of each, as the CLI writes them. */
  function fleet(n: number): { a: Record<string, string>[]; b: Record<string, string>[] } {
    const versions = { a: 60002, b: 443 };
    const out = { a: [] as Record<string, string>[], b: [] as Record<string, string>[] };
    for (const [dir, port] of Object.entries(versions) as ["a" | "b", number][]) {
      mkdirSync(join(cwd, dir), { recursive: true });
      for (let i = 0; i < n; i++) {
        const text = JSON.stringify({ name: `p${i}`, region: "ap-singapore", apiserverVIP: `169.254.1.${i + 1}`, apiserverPort: port, nodePool: { type: "native" } });
        writeFileSync(join(cwd, dir, `p${i}.json`), text);
        out[dir].push(bundleOf(renderProfile({ path: `${dir}/p${i}.json`, text }).files));
      }
    }
    return out;
  }

  const isWhole = (i: number, expected: ReturnType<typeof fleet>) => {
    const tree = treeOf(join(cwd, "out", `p${i}`));
    return JSON.stringify(tree) === JSON.stringify(expected.a[i]) || JSON.stringify(tree) === JSON.stringify(expected.b[i]);
  };

  it("two renders at once end with whole bundles, never a mix", async () => {
    const n = 40;
    const expected = fleet(n);
    const run = (dir: string) =>
      new Promise<number>((resolve) => spawn(process.execPath, [cli, "render", dir, "--out", "out"], { cwd, stdio: "ignore" }).on("exit", (c) => resolve(c ?? -1)));
    const codes = await Promise.all([run("a"), run("b")]);
    expect(codes).toEqual([0, 0]);
    for (let i = 0; i < n; i++) expect(isWhole(i, expected), `out/p${i} is neither bundle`).toBe(true);
    expect(readdirSync(join(cwd, "out")).filter((e) => e.startsWith("."))).toEqual([]);
  });

  // npm run test:slow kills at more moments
  const killAt = SLOW ? [5, 15, 25, 40, 60, 80, 120, 160, 240, 320] : [15, 80];
  it.each(killAt)("SIGKILL after %i ms leaves every bundle old or new, whole, once recovered", async (delay) => {
    const n = 60;
    const expected = fleet(n);
    expect(spawnSync(process.execPath, [cli, "render", "a", "--out", "out"], { cwd }).status).toBe(0);
    const child = spawn(process.execPath, [cli, "render", "b", "--out", "out"], { cwd, stdio: "ignore" });
    await new Promise((r) => setTimeout(r, delay));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    recoverInterrupted(join(cwd, "out"), Array.from({ length: n }, (_, i) => `p${i}`));
    for (let i = 0; i < n; i++) expect(isWhole(i, expected), `out/p${i} after SIGKILL at ${delay} ms`).toBe(true);
  }, 120_000);
});
