import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { indexHits, openBundleIndex } from "../src/bundle-index.js";
import { corruptIndex, filesUnder, flipByte, indexFile, newRepository, sameWithAndWithoutIndex, settle, stepArb } from "./bundle-index-model.js";

let cwd: string;
let err: string[];
let out: string[];
const run = (...argv: string[]) => {
  out = [];
  err = [];
  return main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd });
};

beforeEach(async () => {
  delete process.env.TKE_CILIUM_NO_CACHE;
  cwd = await newRepository();
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe("the bundle index", () => {
  it("is written by a clean check, kept out of git, and answers for an unchanged profile", async () => {
    expect(await run("check", "profiles")).toBe(0);
    const path = indexFile(cwd);
    expect(path).not.toBeNull();
    expect(readFileSync(join(cwd, ".tke-cilium/cache/.gitignore"), "utf8")).toMatch(/^\*$/m);
    const index = JSON.parse(readFileSync(path!, "utf8"));
    expect(Object.keys(index.entries).sort()).toEqual(["dev", "mesh-gz-east", "mesh-gz-west"]);
    // a clean run that found every entry valid writes nothing
    const hits = indexHits.count;
    utimesSync(path!, 1_600_000_000, 1_600_000_000);
    expect(await run("check", "profiles")).toBe(0);
    expect(statSync(path!).mtimeMs).toBe(1_600_000_000_000);
    expect(indexHits.count - hits).toBe(3);
  });

  it("vouches for a folder only while every file has its recorded inode, size, mtime and ctime", () => {
    const inputs = { cwd, outDir: join(cwd, "out"), bases: undefined, mesh: [], gitops: null, charts: [] };
    const source = { path: "profiles/x.json", text: "{}" };
    const checked = { source, name: "dev", diagnostics: [], input: null };
    const first = openBundleIndex(cwd, inputs)!;
    first.take(checked);
    first.diagnosed(checked);
    first.clean(checked, 7);
    first.save();
    const hit = openBundleIndex(cwd, inputs)!.lookup(source);
    expect(hit).toMatchObject({ name: "dev", diagnostics: [] });
    expect(openBundleIndex(cwd, inputs)!.lookup({ ...source, text: "{ }" })).toBeNull();
    expect(openBundleIndex(cwd, { ...inputs, mesh: [{ path: "other" }] })!.lookup(source)).toBeNull();
    // one byte, its mtime put back: ctime says it changed
    flipByte(join(cwd, "out/dev/install.sh"), 100, true);
    expect(openBundleIndex(cwd, inputs)!.lookup(source)).toBeNull();
  });

  it("does not record a folder with a file modified in the last seconds (racily clean)", async () => {
    writeFileSync(join(cwd, "out/dev/install.sh"), readFileSync(join(cwd, "out/dev/install.sh")));
    expect(await run("check", "profiles")).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(indexFile(cwd)!, "utf8")).entries).sort()).toEqual(["mesh-gz-east", "mesh-gz-west"]);
  });

  for (const how of ["delete", "truncate", "garbage", "other-build", "swap", "link", "empty-entries"] as const) {
    it(`check still finds a one-byte drift with an index that is ${how === "link" ? "a link elsewhere" : how}`, async () => {
      expect(await run("check", "profiles")).toBe(0);
      flipByte(join(cwd, "out/mesh-gz-west/install.sh"), 200, true);
      corruptIndex(cwd, how);
      expect(await run("check", "profiles")).toBe(1);
      expect(err.join("")).toContain("1 drifted: mesh-gz-west (install.sh changed)");
      expect(out.join("")).toContain("out/mesh-gz-west/install.sh");
    });
  }

  it("check with the index of another checkout still finds a one-byte drift (a copied repository, a crafted index)", async () => {
    expect(await run("check", "profiles")).toBe(0);
    const copy = `${cwd}-copy`;
    execFileSync("cp", ["-a", cwd, copy]);
    try {
      flipByte(join(copy, "out/dev/tke-values.yaml"), 50, true);
      const errs: string[] = [];
      expect(await main(["check", "profiles"], { stdout: () => {}, stderr: (t) => errs.push(t), cwd: copy })).toBe(1);
      expect(errs.join("")).toContain("dev (tke-values.yaml changed)");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("is under node_modules/.cache/tke-cilium/ when the repository has node_modules, and never through a link", async () => {
    mkdirSync(join(cwd, "node_modules"));
    expect(await run("check", "profiles")).toBe(0);
    expect(filesUnder(join(cwd, "node_modules/.cache/tke-cilium")).some((f) => f.endsWith(".json"))).toBe(true);
    rmSync(join(cwd, "node_modules"), { recursive: true });
    const elsewhere = `${cwd}-elsewhere`;
    mkdirSync(elsewhere);
    try {
      mkdirSync(join(cwd, "node_modules"));
      execFileSync("ln", ["-s", elsewhere, join(cwd, "node_modules/.cache")]);
      settle(cwd);
      expect(await run("check", "profiles")).toBe(0);
      expect(filesUnder(elsewhere)).toEqual([]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("TKE_CILIUM_NO_CACHE=1 neither reads nor writes it", async () => {
    process.env.TKE_CILIUM_NO_CACHE = "1";
    try {
      expect(await run("check", "profiles")).toBe(0);
      expect(indexFile(cwd)).toBeNull();
    } finally {
      delete process.env.TKE_CILIUM_NO_CACHE;
    }
  });

  it("never changes a result: random edits to profiles, bundles and the index, with and without it (a few cases; 1,000 in test/slow/)", async () => {
    const hits = indexHits.count;
    // a settle then a check: the index is used at least once whatever the random steps are
    const steps = fc.array(stepArb, { minLength: 1, maxLength: 8 }).map((s) => [{ op: "settle" as const }, { op: "check" as const }, ...s, { op: "check" as const }]);
    await fc.assert(fc.asyncProperty(steps, sameWithAndWithoutIndex), { numRuns: 6 });
    expect(indexHits.count).toBeGreaterThan(hits);
  });
});
