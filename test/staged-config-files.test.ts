import { cpSync, mkdirSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devProfile, meshPreset, ScratchRepo } from "./staged-repo.js";

// check --staged FILE... in a repository with a tke-cilium.json (a hook that passes the staged file names): the
// config's other profiles tell which bundle folders are orphans and who a mesh member's peers are. They are the
// commit's, as everything else check --staged reads: an unstaged edit, deletion or new file in the working tree
// changes nothing. Each case is judged three ways that must agree: with the file argument, with the file
// argument and the whole fleet's reading (TKE_CILIUM_STAGED_FLEET=1), and with no argument (the config's profiles).

let top: string;
let template: string;
const repo = new ScratchRepo();
const { git, path, read, write, run } = repo;
const edit = (p: string, change: (profile: Record<string, any>) => void) => {
  const profile = JSON.parse(read(p));
  change(profile);
  write(p, JSON.stringify(profile, null, 2) + "\n");
};

/** Profile `p` edited, its bundle rendered, and every change staged. */
async function stageEdit(p: string, change: (profile: Record<string, any>) => void) {
  edit(p, change);
  expect((await run("render", "--quiet", p)).code).toBe(0);
  git("add", "-A");
}

/** `check --staged --no-color ARGS` with the shortcut and with the whole fleet's reading, and with no argument. */
async function judged(...args: string[]) {
  const { result: files } = await repo.staged(...args);
  const fleet = await repo.wholeFleet(...args);
  const { result: none } = await repo.staged();
  return { files, fleet, none };
}

beforeAll(async () => {
  delete process.env.TKE_CILIUM_NO_CACHE;
  delete process.env.TKE_CILIUM_STAGED_FLEET;
  top = mkdtempSync(join(tmpdir(), "tke-cilium-staged-config-"));
  template = join(top, "template");
  repo.init(template);
  write("clusters/a.json", devProfile({ name: "alpha" }));
  write("clusters/b.json", devProfile({ apiserverVIP: "169.254.128.41" }));
  write("clusters/east.json", meshPreset("gz-east"));
  write("clusters/west.json", meshPreset("gz-west"));
  write("tke-cilium.json", JSON.stringify({ profiles: ["clusters/*.json"], out: "out" }) + "\n");
  expect((await run("render", "--quiet")).code).toBe(0);
  git("add", "-A");
  git("commit", "-qm", "fleet");
}, 120_000);
afterAll(() => rmSync(top, { recursive: true, force: true }), 120_000);

/** A fresh copy of the committed fleet for one case. */
function fresh(name: string) {
  repo.dir = join(top, name);
  cpSync(template, repo.dir, { recursive: true });
}

describe("check --staged FILE with tke-cilium.json reads the config's other profiles from the commit", () => {
  it("a mesh peer's unstaged clusterId: the staged member's bundle is judged against the peer the commit holds", async () => {
    fresh("mesh");
    await stageEdit("clusters/east.json", (p) => (p.nodePool.instanceTypes = ["S5.LARGE16"]));
    // not staged: west would take clusterId 7, which east's bundle would then list
    edit("clusters/west.json", (p) => (p.clusterMesh.clusterId = 7));
    const { files, fleet, none } = await judged("clusters/east.json");
    expect(none.code).toBe(0);
    expect(files).toEqual({ code: 0, text: "1 profile, 0 drifted: out/ is up to date in the commit\n" });
    expect(fleet).toEqual(files);
  });

  it("a peer deleted in the working tree only: still the staged member's peer", async () => {
    fresh("mesh-deleted");
    await stageEdit("clusters/east.json", (p) => (p.nodePool.instanceTypes = ["S5.LARGE16"]));
    unlinkSync(path("clusters/west.json"));
    const { files, fleet, none } = await judged("clusters/east.json");
    expect(none.code).toBe(0);
    expect(files.code).toBe(0);
    expect(fleet).toEqual(files);
  });

  it("a profile deleted in the working tree only still names its bundle (no orphan)", async () => {
    fresh("deleted");
    // the commit gives a's cluster a new name, renders it and removes the old bundle: consistent
    edit("clusters/a.json", (p) => (p.name = "alpha2"));
    expect((await run("render", "--quiet", "clusters/a.json")).code).toBe(0);
    git("rm", "-rq", "out/alpha");
    git("add", "-A");
    await stageEdit("clusters/b.json", (p) => (p.nodePool.maxSize += 1));
    // the hook is given b alone (a hook passing some of the staged files); a.json is gone from the working tree only
    unlinkSync(path("clusters/a.json"));
    const { files, fleet, none } = await judged("clusters/b.json");
    expect(none.code).toBe(0);
    expect(files.code).toBe(0);
    expect(files.text).not.toMatch(/alpha2/);
    expect(fleet).toEqual(files);
  });

  it("an unstaged edit of another profile's name field makes no orphan", async () => {
    fresh("renamed");
    await stageEdit("clusters/b.json", (p) => (p.nodePool.maxSize += 1));
    edit("clusters/a.json", (p) => (p.name = "not-yet"));
    const { files, fleet, none } = await judged("clusters/b.json");
    expect(none.code).toBe(0);
    expect(files.code).toBe(0);
    expect(fleet).toEqual(files);
    expect(fleet.text).not.toMatch(/alpha/);
  });

  it("a judged bundle folder that only a profile the commit does not touch names: every name is looked up", async () => {
    fresh("fallback");
    // a JSON file outside the config's profiles that HEAD has with the name alpha; the commit changes it, so the
    // file argument's reading judges out/alpha, which only clusters/a.json (untouched) names
    mkdirSync(path("attic"));
    write("attic/old.json", JSON.stringify({ name: "alpha" }) + "\n");
    git("add", "attic/old.json");
    git("commit", "-qm", "attic");
    write("attic/old.json", JSON.stringify({ name: "alpha", note: "kept for the record" }) + "\n");
    await stageEdit("clusters/b.json", (p) => (p.nodePool.maxSize += 1));
    const { files, fleet, none } = await judged("clusters/b.json");
    expect(none.code).toBe(0);
    expect(files).toEqual({ code: 0, text: "1 profile, 0 drifted: out/ is up to date in the commit\n" });
    expect(fleet).toEqual(files);
  });

  it("an untracked profile that takes a dropped name does not excuse the commit's orphan", async () => {
    fresh("orphan");
    // the commit renames a's cluster and renders it, but keeps the old bundle out/alpha: an orphan
    await stageEdit("clusters/a.json", (p) => (p.name = "alpha2"));
    // not added: a new profile named alpha in the working tree
    write("clusters/old.json", git("show", "HEAD:clusters/a.json"));
    const { files, fleet, none } = await judged("clusters/a.json");
    expect(none.code).toBe(1);
    expect(none.text).toMatch(/alpha/);
    expect(files.code).toBe(1);
    expect(files.text).toMatch(/out\/alpha\b|\balpha\b/);
    expect(fleet).toEqual(files);
  });
});
