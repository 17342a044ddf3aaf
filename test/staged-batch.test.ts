import childProcessModule, { execFileSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ObjectBatch, liveBatches } from "../src/git-batch.js";
import { ScratchRepo, devProfile, writeStagedFleet } from "./staged-repo.js";

// check --staged asks one `git cat-file --batch-command` process for every object it reads (an older git: one
// --batch-check / --batch pair a request, as before). These hold it to the same answers, to the processes it
// starts, and to ending them on every way out of a run.

const r = new ScratchRepo();
let scratch: string;

/** The git commands started while `run` runs (spawn and spawnSync alike), and the spawned children. */
async function gitCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: string[][]; children: ChildProcess[] }> {
  const calls: string[][] = [];
  const children: ChildProcess[] = [];
  const spawn = childProcessModule.spawn;
  const spawnSync = childProcessModule.spawnSync;
  const a = vi.spyOn(childProcessModule, "spawn").mockImplementation(((file: string, args: string[], options: object) => {
    if (file === "git") calls.push(args);
    const child = spawn(file, args, options);
    children.push(child);
    return child;
  }) as typeof spawn);
  const b = vi.spyOn(childProcessModule, "spawnSync").mockImplementation(((file: string, args: string[], options: object) => {
    if (file === "git") calls.push(args);
    return spawnSync(file, args, options);
  }) as typeof spawnSync);
  try {
    return { result: await run(), calls, children };
  } finally {
    a.mockRestore();
    b.mockRestore();
  }
}

/** Resolves when every child has exited (a child left running would hang the test: it fails on its time limit). */
const ended = async (children: readonly ChildProcess[]) => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
};

const isBatchCommand = (args: string[]) => args[0] === "cat-file" && args[1] === "--batch-command";
const isOldBatch = (args: string[]) => args[0] === "cat-file" && (args[1] === "--batch" || args[1] === "--batch-check");

beforeEach(async () => {
  scratch = mkdtempSync(join(tmpdir(), "tke-cilium-batch-"));
  r.init(join(scratch, "repo"));
  writeStagedFleet(r);
  expect((await r.run("render", "--quiet", "clusters")).code).toBe(0);
  r.git("add", "-A");
  r.git("commit", "-qm", "fleet");
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("check --staged reads objects through one git process", () => {
  it("a staged edit, a staged mesh peer, a staged base: one cat-file --batch-command a run, no cat-file pairs, every process ended", async () => {
    const edits: [string, () => void][] = [
      ["a profile", () => r.write("clusters/b.json", devProfile({ apiserverVIP: "169.254.128.41", apiserverPort: 443 }))],
      ["a mesh peer", () => r.write("clusters/west.json", r.read("clusters/west.json").replace('"clusterId": 2', '"clusterId": 7'))],
      ["a base", () => r.write("clusters/common.base.json", JSON.stringify({ features: { hubble: false } }, null, 2) + "\n")],
    ];
    for (const [what, edit] of edits) {
      edit();
      r.git("add", "-A");
      // the commit's bundle is stale: each run finds the drift, from the changes alone
      const first = await r.staged("clusters");
      const { result, calls, children } = await gitCalls(() => r.staged("clusters"));
      expect(result.result, what).toEqual(first.result);
      expect(result.result.code, what).toBe(1);
      expect(result.shortcut, what).toBe(true);
      expect(calls.filter(isBatchCommand), what).toHaveLength(1);
      expect(calls.filter(isOldBatch), what).toEqual([]);
      // diff --cached, rev-parse, the batch, and ls-tree listings (config and caches; bundles and related profiles; a base)
      expect(calls.length, `${what}: ${JSON.stringify(calls)}`).toBeLessThanOrEqual(6);
      await ended(children);
      expect(liveBatches.size).toBe(0);
      // the same answer as the whole fleet's reading, and as git itself gives once the bundle is re-rendered
      expect((await r.wholeFleet("clusters")).code, what).toBe(1);
      expect((await r.run("render", "--quiet", "clusters")).code).toBe(0);
      r.git("add", "-A");
      expect((await r.staged("clusters")).result.code, what).toBe(0);
      r.git("commit", "-qm", what);
    }
  });

  it("with tke-cilium.json and Argo CD: the config and the fleet's ApplicationSet read through the same batch", async () => {
    // Argo CD cannot ask the cluster its tke-eni-agent version: the GitOps profiles say it
    const cluster = { ...JSON.parse(devProfile({})).cluster, eniAgentVersion: "v3.8.3" };
    const gitopsProfile = (name: string, extra: object = {}) => devProfile({ name, cluster, ...extra });
    r.write("clusters/g1.json", gitopsProfile("g1", { apiserverVIP: "169.254.128.51" }));
    r.write("clusters/g2.json", gitopsProfile("g2", { apiserverVIP: "169.254.128.52" }));
    r.write("tke-cilium.json", JSON.stringify({ profiles: ["clusters/g*.json"], out: "gitops", gitops: { engine: "argocd", repoURL: "https://git.example.com/fleet.git", revision: "main" } }, null, 2) + "\n");
    expect((await r.run("render", "--quiet")).code).toBe(0);
    r.git("add", "-A");
    r.git("commit", "-qm", "config");
    r.write("clusters/g2.json", gitopsProfile("g2", { apiserverVIP: "169.254.128.52", apiserverPort: 443 }));
    expect((await r.run("render", "--quiet")).code).toBe(0);
    r.git("add", "-A");
    const first = await r.staged();
    expect(first.result.code).toBe(0);
    const { result, calls, children } = await gitCalls(() => r.staged());
    expect(result).toEqual(first);
    expect(calls.filter(isBatchCommand)).toHaveLength(1);
    expect(calls.filter(isOldBatch)).toEqual([]);
    expect(calls.length, JSON.stringify(calls)).toBeLessThanOrEqual(6);
    await ended(children);
    // a hand edit of the ApplicationSet is found in the commit
    r.write("gitops/argocd-applicationset.yaml", r.read("gitops/argocd-applicationset.yaml") + "# hand edit\n");
    r.git("add", "-A");
    expect((await r.staged()).result.code).toBe(1);
    // a gitlink in its place (no blob in the object store to read): a drift the check names, as the whole
    // fleet's reading says, not a failure to read git
    r.git("rm", "-q", "--cached", "gitops/argocd-applicationset.yaml");
    r.git("update-index", "--add", "--cacheinfo", `160000,${"a".repeat(40)},gitops/argocd-applicationset.yaml`);
    const gitlink = await r.staged();
    expect(gitlink.result).toEqual(await r.wholeFleet());
    expect(gitlink.result.code).toBe(1);
    expect(gitlink.result.text).toContain("argocd-applicationset.yaml missing");
    expect(liveBatches.size).toBe(0);
  });

  it("ends its process when the run fails: no such profile, a merge conflict, a blob missing from the object store", async () => {
    const none = await gitCalls(() => r.staged("clusters/nothing.json"));
    expect(none.result.result.code).toBe(2);
    expect(none.calls.filter(isBatchCommand)).toHaveLength(1);
    await ended(none.children);
    expect(liveBatches.size).toBe(0);
    // a conflict: three versions of a file in the index, none for the commit
    const base = r.git("rev-parse", ":clusters/b.json").trim();
    execFileSync("git", ["update-index", "--index-info"], { cwd: r.dir, input: `0 ${"0".repeat(40)}\tclusters/b.json\n${[1, 2, 3].map((n) => `100644 ${base} ${n}\tclusters/b.json\n`).join("")}` });
    const conflict = await gitCalls(() => r.staged("clusters"));
    expect(conflict.result.result.code).not.toBe(0);
    expect(conflict.result.result.text).toContain("unmerged paths (a merge conflict): clusters/b.json");
    await ended(conflict.children);
    expect(liveBatches.size).toBe(0);
    r.git("reset", "-q");
    r.write("clusters/b.json", devProfile({ apiserverVIP: "169.254.128.41", apiserverPort: 443 }));
    r.git("add", "-A");
    const oid = r.git("rev-parse", ":clusters/b.json").trim();
    rmSync(r.path(`.git/objects/${oid.slice(0, 2)}/${oid.slice(2)}`));
    const missing = await gitCalls(() => r.staged("clusters"));
    expect(missing.result.result.code).toBe(1);
    expect(missing.result.result.text).toContain(`git cat-file could not read ${oid}: ${oid} missing`);
    await ended(missing.children);
    expect(liveBatches.size).toBe(0);
  });

  it("with a git that has no --batch-command (before 2.36), asks the older way and answers the same", async () => {
    r.write("clusters/west.json", r.read("clusters/west.json").replace('"clusterId": 2', '"clusterId": 7'));
    r.write("clusters/common.base.json", JSON.stringify({ features: { hubble: false } }, null, 2) + "\n");
    r.git("add", "-A");
    const now = await r.staged("clusters");
    // a git on PATH that refuses the option as git 2.35 does, and runs the real one otherwise
    const real = execFileSync("sh", ["-c", "command -v git"]).toString().trim();
    const bin = join(scratch, "bin");
    execFileSync("mkdir", [bin]);
    writeFileSync(
      join(bin, "git"),
      `#!/bin/sh\nfor a in "$@"; do if [ "$a" = "--batch-command" ]; then echo "error: unknown option \\\`batch-command'" >&2; exit 129; fi; done\nexec ${JSON.stringify(real)} "$@"\n`,
    );
    chmodSync(join(bin, "git"), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const old = await gitCalls(() => r.staged("clusters"));
      expect(old.result).toEqual(now);
      expect(now.result.code).toBe(1);
      expect(old.calls.filter(isOldBatch).length).toBeGreaterThan(0);
      await ended(old.children);
    } finally {
      process.env.PATH = path;
    }
    expect(liveBatches.size).toBe(0);
  });
});

describe("ObjectBatch", () => {
  it("answers many requests at once, a blob larger than a pipe's buffer among them, in order; a missing object is null", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, "x");
    big.write("start", 0);
    big.write("end", big.length - 3);
    writeFileSync(r.path("big.bin"), big);
    const blobs = [big, ...Array.from({ length: 300 }, (_, i) => Buffer.from(`blob ${i}\n`.repeat(i % 7)))];
    const oids = blobs.map((bytes, i) => {
      writeFileSync(r.path(`f${i}`), bytes);
      return r.git("hash-object", "-w", `f${i}`).trim();
    });
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const batch = new ObjectBatch(r.dir);
    try {
      // every request is written before any answer is read: the answers stream back as they come
      const [contents, infos, head, none] = await Promise.all([
        Promise.all(oids.map((oid) => batch.contents(oid))),
        Promise.all(oids.map((oid) => batch.info(oid))),
        batch.info("HEAD:clusters/a.json"),
        batch.contents(missing),
      ]);
      contents.forEach(({ info, bytes }, i) => {
        expect(info).toEqual({ oid: oids[i], type: "blob", size: blobs[i].length });
        expect(bytes!.equals(blobs[i])).toBe(true);
      });
      expect(infos.map((i) => i?.size)).toEqual(blobs.map((b) => b.length));
      expect(head).toEqual({ oid: r.git("rev-parse", "HEAD:clusters/a.json").trim(), type: "blob", size: r.read("clusters/a.json").length });
      expect(none).toEqual({ info: null });
      expect(await batch.info("HEAD:no such file")).toBeNull();
    } finally {
      batch.close();
    }
    // closed: a request now is refused at once (the caller asks git the older way)
    await expect(batch.info(oids[0])).rejects.toThrow();
    expect(liveBatches.size).toBe(0);
  });
});
