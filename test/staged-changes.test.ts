import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stagedRuns } from "../src/commands/staged.js";
import { ScratchRepo, writeStagedFleet } from "./staged-repo.js";

// check --staged judges most commits from their changes alone (the staged paths, HEAD's profiles that extend a
// base or join a mesh, the profile a staged bundle names) and reads the whole fleet only when those cannot tell.
// Each commit below is checked both ways (TKE_CILIUM_STAGED_FLEET=1 reads the whole fleet, as before): the same
// exit code and the same words, and the expected answer; a wrong shortcut (a peer, an extender, an orphan or a
// bundle's profile missed) changes one of them.

let fleet: string;
const repo = new ScratchRepo();
const { git, path, read, write, run } = repo;
const edit = (p: string, from: string, to: string) => {
  const text = read(p);
  expect(text).toContain(from);
  write(p, text.replace(from, to));
};

/** The fleet's profile files (writeStagedFleet's), as a config or a hook lists them. */
const FLEET_FILES = ["clusters/a.json", "clusters/b.json", "clusters/d.json", "clusters/east.json", "clusters/west.json", "clusters/y.yaml"];

/** tke-cilium.json written as `config` says and committed. */
const commitConfig = (config: object) => {
  write("tke-cilium.json", JSON.stringify(config) + "\n");
  git("add", "tke-cilium.json");
  git("commit", "-qm", "config");
};

/** check --staged from the changes and from the whole fleet: both answers, asserted equal; which way the first went. */
async function both(...args: string[]) {
  const { result, shortcut } = await repo.staged(...args);
  expect(result).toEqual(await repo.wholeFleet(...args));
  return { ...result, shortcut };
}

beforeAll(async () => {
  delete process.env.TKE_CILIUM_NO_CACHE;
  delete process.env.TKE_CILIUM_STAGED_FLEET;
  // one fleet, made once and copied for each test
  fleet = mkdtempSync(join(tmpdir(), "tke-cilium-staged-changes-"));
  repo.init(join(fleet, "template"));
  writeStagedFleet(repo);
  expect((await run("render", "--quiet", "clusters")).code).toBe(0);
  git("add", "-A");
  git("commit", "-qm", "fleet");
});
afterAll(() => rmSync(fleet, { recursive: true, force: true }));

let n = 0;
const fresh = () => {
  repo.dir = join(fleet, `repo-${n++}`);
  // one cp process: Node's cpSync walks the tree in JavaScript, several times slower for these few hundred files
  execFileSync("cp", ["-a", join(fleet, "template"), repo.dir]);
};

describe("check --staged from the commit's changes gives the whole fleet's answer", () => {
  it("nothing staged; a profile staged with its bundle; a profile staged alone; a hand edit of a bundle named otherwise", async () => {
    fresh();
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    edit("clusters/b.json", '"maxSize": 3', '"maxSize": 4');
    git("add", "clusters/b.json");
    const alone = await both("clusters");
    expect(alone).toMatchObject({ code: 1, shortcut: true });
    expect(alone.text).toMatch(/1 profile, 1 drifted: b \(/);
    expect((await run("render", "--quiet", "clusters/b.json")).code).toBe(0);
    git("add", "-A");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    write("out/yam/install.sh", read("out/yam/install.sh") + "# hand edit\n");
    git("add", "out/yam/install.sh");
    const hand = await both("clusters");
    expect(hand).toMatchObject({ code: 1, shortcut: true });
    expect(hand.text).toContain("yam (install.sh changed)");
  });

  it("a staged mesh peer re-checks the other member; a staged base re-checks its extender, whose bundle is not staged", async () => {
    fresh();
    edit("clusters/west.json", '"clusterId": 2', '"clusterId": 5');
    expect((await run("render", "--quiet", "clusters/west.json")).code).toBe(0);
    git("add", "clusters/west.json", "out/mesh-gz-west");
    const peer = await both("clusters");
    expect(peer).toMatchObject({ code: 1, shortcut: true });
    expect(peer.text).toMatch(/drifted: mesh-gz-east \(/);
    fresh();
    edit("clusters/common.base.json", '"hubble": true', '"hubble": false');
    git("add", "clusters/common.base.json");
    const base = await both("clusters");
    expect(base).toMatchObject({ code: 1, shortcut: true });
    expect(base.text).toMatch(/1 profile, 1 drifted: d \(/);
    expect((await run("render", "--quiet", "clusters")).code).toBe(0);
    git("add", "-A");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
  });

  it("a profile that joins the mesh in this commit, and one that stops extending the base, as HEAD's related files change", async () => {
    fresh();
    // the store is kept by HEAD's tree: a commit changes the tree, the next run works it out from the last one
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    const west = JSON.parse(read("clusters/west.json"));
    const b = JSON.parse(read("clusters/b.json"));
    write("clusters/b.json", JSON.stringify({ ...b, name: "mesh-b", cluster: { id: "cls-mesh0009", vpcCidrs: ["10.90.0.0/16"] }, clusterMesh: { ...west.clusterMesh, clusterId: 9, address: "10.90.0.100" }, nodePool: west.nodePool }, null, 2) + "\n");
    const d = JSON.parse(read("clusters/d.json"));
    delete d.extends;
    write("clusters/d.json", JSON.stringify(d, null, 2) + "\n");
    expect((await run("render", "--quiet", "clusters")).code).toBe(0);
    git("rm", "-rq", "out/b");
    git("add", "-A");
    git("commit", "-qm", "b joins the mesh, d stands alone");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    // now b is a mesh member at HEAD: a staged change to west re-checks it; the base no longer reaches d
    edit("clusters/west.json", '"clusterId": 2', '"clusterId": 6');
    expect((await run("render", "--quiet", "clusters/west.json")).code).toBe(0);
    edit("clusters/common.base.json", '"hubble": true', '"hubble": false');
    git("add", "-A");
    const after = await both("clusters");
    expect(after).toMatchObject({ code: 1, shortcut: true });
    expect(after.text).toMatch(/3 profiles, \d drifted: .*mesh-b \(.*; mesh-gz-east \(/);
    expect(after.text).not.toMatch(/\bd \(/);
  });

  it("a renamed name field keeping the old bundle, a deleted profile keeping its bundle, a new bundle no profile renders: orphans", async () => {
    fresh();
    edit("clusters/a.json", '"alpha"', '"alpha-2"');
    expect((await run("render", "--quiet", "clusters/a.json")).code).toBe(0);
    git("add", "-A");
    const renamed = await both("clusters");
    expect(renamed).toMatchObject({ code: 1, shortcut: false });
    expect(renamed.text).toContain("out/alpha/");
    git("rm", "-rq", "out/alpha");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    fresh();
    git("rm", "-q", "clusters/b.json");
    const deleted = await both("clusters");
    expect(deleted).toMatchObject({ code: 1, shortcut: false });
    expect(deleted.text).toContain("out/b/");
    git("rm", "-rq", "out/b");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    fresh();
    cpSync(path("out/b"), path("out/ghost"), { recursive: true });
    git("add", "-A");
    // ghost's install.sh names clusters/b.json, whose bundle is b: no profile renders ghost
    const ghost = await both("clusters");
    expect(ghost).toMatchObject({ code: 1, shortcut: false });
    expect(ghost.text).toContain("out/ghost/");
  });

  it("a profile moved to another file, deleted with its bundle, or new; the folder emptied; a file argument; a glob", async () => {
    fresh();
    git("mv", "clusters/a.json", "clusters/a2.json");
    const moved = await both("clusters");
    expect(moved).toMatchObject({ code: 1, shortcut: true });
    expect(moved.text).toMatch(/drifted: alpha \(/);
    expect((await run("render", "--quiet", "clusters/a2.json")).code).toBe(0);
    git("add", "-A");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    // a glob whose folder the commit deletes from (a.json moved): whether it still matches is the fleet's to say
    expect(await both("clusters/*.{json,yaml}")).toMatchObject({ code: 0, shortcut: false });
    fresh();
    git("rm", "-rq", "clusters/b.json", "out/b");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    cpSync(path("clusters/a.json"), path("clusters/c.json"));
    edit("clusters/c.json", '"alpha"', '"charlie"');
    git("add", "clusters/c.json");
    const added = await both("clusters/");
    expect(added).toMatchObject({ code: 1, shortcut: true });
    expect(added.text).toContain("charlie");
    fresh();
    // every profile and bundle gone: the folder argument names nothing in the commit
    git("rm", "-rq", "clusters", "out");
    const emptied = await both("clusters");
    expect(emptied.code).toBe(2);
    expect(emptied.text).toContain("no such profile in the git index");
  });

  it("a new profile that takes another's name, rendered over its bundle; a bundle whose install.sh names another profile", async () => {
    fresh();
    // c.json says it is b: its render replaces b.json's bundle, and only the whole fleet's names show two b's
    write("clusters/c.json", read("clusters/b.json").replace("{", '{\n  "name": "b",'));
    expect((await run("render", "--quiet", "clusters/c.json")).code).toBe(0);
    git("add", "-A");
    const taken = await both("clusters");
    expect(taken).toMatchObject({ code: 1, shortcut: true });
    expect(taken.text).toMatch(/\bb\b/);
    fresh();
    edit("out/b/install.sh", "# Generated by tke-cilium from clusters/b.json.", "# Generated by tke-cilium from clusters/a.json.");
    git("add", "out/b/install.sh");
    const header = await both("clusters");
    expect(header.code).toBe(1);
    expect(header.text).toContain("b (install.sh changed)");
  });

  it("with tke-cilium.json: a staged profile, a staged change to the config, a bundle staged alone", async () => {
    fresh();
    write("tke-cilium.json", JSON.stringify({ profiles: ["clusters/*.json", "clusters/*.yaml"], out: "out" }, null, 2) + "\n");
    git("add", "tke-cilium.json");
    git("commit", "-qm", "config");
    expect(await both()).toMatchObject({ code: 0, shortcut: true });
    // a staged change to the config may change which files are profiles: the whole fleet is read
    edit("tke-cilium.json", '"clusters/*.yaml"', '"clusters/*.yaml", "clusters/y.yaml"');
    git("add", "tke-cilium.json");
    expect(await both()).toMatchObject({ code: 0, shortcut: false });
    // a pattern that matches no profile fails the commit, as it fails render and check in every clone
    edit("tke-cilium.json", '"clusters/y.yaml"', '"clusters/y.yaml", "clusters/*.yml"');
    git("add", "tke-cilium.json");
    const none = await both();
    expect(none.code).toBe(2);
    expect(none.text).toContain('no such profile in the git index: "clusters/*.yml"');
    // and so does a leading ! (no negation on disk either): not every other file of the repository
    edit("tke-cilium.json", '"clusters/*.yml"', '"!clusters/b.json"');
    git("add", "tke-cilium.json");
    const negated = await both();
    expect(negated.code).toBe(2);
    expect(negated.text).toContain('no such profile in the git index: "!clusters/b.json"');
    expect(negated.text).not.toContain("JSON_SYNTAX");
    edit("tke-cilium.json", ', "!clusters/b.json"', "");
    git("add", "tke-cilium.json");
    git("commit", "-qm", "y.yaml twice");
    edit("out/yam/bundle.json", '"format": 1', '"format": 1 ');
    git("add", "out/yam/bundle.json");
    const bundle = await both();
    expect(bundle).toMatchObject({ code: 1, shortcut: true });
    expect(bundle.text).toContain("yam (bundle.json changed)");
  });
});

/** A plain check of the staged tree (git checkout-index into a fresh repository): what every clone of the commit sees. */
async function plain(...args: string[]) {
  const tree = mkdtempSync(join(tmpdir(), "tke-cilium-staged-tree-"));
  const home = repo.dir;
  try {
    git("checkout-index", "-a", `--prefix=${tree}/`);
    repo.dir = tree;
    git("init", "-q");
    process.env.TKE_CILIUM_NO_CACHE = "1";
    return await run("check", "--no-color", ...args);
  } finally {
    delete process.env.TKE_CILIUM_NO_CACHE;
    repo.dir = home;
    rmSync(tree, { recursive: true, force: true });
  }
}

describe("holes found by an attacker", () => {
  it("a mesh member deleted, taken out of its mesh, or its mesh renamed: the other member's bundle still lists it", async () => {
    const scenarios: [string, () => void][] = [
      ["deleted", () => git("rm", "-rq", "clusters/west.json", "out/mesh-gz-west")],
      [
        "leaves",
        () => {
          const west = JSON.parse(read("clusters/west.json"));
          delete west.clusterMesh;
          write("clusters/west.json", JSON.stringify(west, null, 2) + "\n");
        },
      ],
      ["renamed mesh", () => edit("clusters/west.json", '"name": "fleet"', '"name": "fleet-2"')],
    ];
    for (const [what, change] of scenarios) {
      fresh();
      change();
      if (what !== "deleted") expect((await run("render", "--quiet", "clusters/west.json")).code).toBe(0);
      git("add", "-A");
      const clone = await plain("clusters");
      expect(clone.code, what).toBe(1);
      expect(clone.text, what).toMatch(/drifted: mesh-gz-east \(/);
      const r = await both("clusters");
      expect(r.code, what).toBe(1);
      expect(r.text, what).toMatch(/drifted: mesh-gz-east \(/);
    }
  });


  it("tke-cilium.json is the commit's: an unstaged edit of its profiles or out changes nothing; an untracked one is refused", async () => {
    fresh();
    commitConfig({ profiles: ["clusters/*.json", "clusters/*.yaml"], out: "out" });
    edit("clusters/b.json", '"maxSize": 3', '"maxSize": 4');
    git("add", "clusters/b.json");
    const clone = await plain();
    expect(clone.code).toBe(1);
    expect(clone.text).toMatch(/drifted: b \(/);
    for (const unstaged of [{ profiles: ["clusters/a.json"], out: "out" }, { profiles: ["clusters/*.json", "clusters/*.yaml"], out: "elsewhere" }]) {
      write("tke-cilium.json", JSON.stringify(unstaged) + "\n");
      const r = await both();
      expect(r.code).toBe(1);
      expect(r.text).toMatch(/drifted: b \(/);
    }
    git("rm", "-q", "--cached", "tke-cilium.json");
    git("commit", "-qm", "config untracked");
    const untracked = await both();
    expect(untracked.code).toBe(2);
    expect(untracked.text).toContain("tke-cilium.json is not in the git index");
  });

  it("a chart added with chart add is the commit's only when staged: one only the working tree has fails the commit", async () => {
    fresh();
    // chart data as chart add writes it, for a release newer than the built-in ones (1.20.0's facts under 1.20.1)
    const { BUILTIN_CHARTS } = await import("../src/knowledge/chart.js");
    const version = "1.20.1";
    const data = {
      version,
      images: BUILTIN_CHARTS.images("1.20.0"),
      keys: [...BUILTIN_CHARTS.keys("1.20.0")],
      types: Object.fromEntries([...BUILTIN_CHARTS.types("1.20.0")].map(([k, t]) => [k, t.join("|")])),
    };
    mkdirSync(path(".tke-cilium/charts"), { recursive: true });
    write(`.tke-cilium/charts/${version}.json`, JSON.stringify(data) + "\n");
    const b = JSON.parse(read("clusters/b.json"));
    write("clusters/b.json", JSON.stringify({ ...b, cilium: { ...b.cilium, version } }, null, 2) + "\n");
    expect((await run("render", "--quiet", "clusters/b.json")).code).toBe(0);
    git("add", "clusters/b.json", "out/b");
    const clone = await plain("clusters");
    expect(clone.code).toBe(1);
    expect(clone.text).toContain(version);
    const r = await both("clusters");
    expect(r.code).toBe(1);
    expect(r.text).toContain(version);
    git("add", ".tke-cilium/charts");
    expect((await plain("clusters")).code).toBe(0);
    expect((await both("clusters")).code).toBe(0);
  });

  it("a profile that is a symbolic link is read through it: an edit of the file it points at is judged, a good commit passes", async () => {
    fresh();
    mkdirSync(path("real"));
    git("mv", "clusters/b.json", "real/b.json");
    symlinkSync("../real/b.json", path("clusters/b.json"));
    git("add", "-A");
    // the bundle is the same (its profile is still clusters/b.json): a commit of just the move and the link
    expect(await plain("clusters")).toMatchObject({ code: 0 });
    expect(await both("clusters")).toMatchObject({ code: 0 });
    git("commit", "-qm", "b.json is a link");
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    // the file it points at, edited and staged alone: b's bundle is stale in the commit
    edit("real/b.json", '"maxSize": 3', '"maxSize": 4');
    git("add", "real/b.json");
    const clone = await plain("clusters");
    expect(clone.code).toBe(1);
    expect(clone.text).toMatch(/drifted: b \(/);
    const stale = await both("clusters");
    expect(stale.code).toBe(1);
    expect(stale.text).toMatch(/drifted: b \(/);
    expect((await run("render", "--quiet", "clusters/b.json")).code).toBe(0);
    git("add", "-A");
    expect(await plain("clusters")).toMatchObject({ code: 0 });
    expect(await both("clusters")).toMatchObject({ code: 0 });
    // a link to a file the commit does not hold: a clear refusal
    rmSync(path("clusters/b.json"));
    symlinkSync("../real/none.json", path("clusters/b.json"));
    git("add", "clusters/b.json");
    const dangling = await both("clusters");
    expect(dangling.code).toBe(2);
    expect(dangling.text).toContain('clusters/b.json: a symbolic link in the git index to "../real/none.json", which the commit does not hold');
    // a link whose blob is far longer than a path (git stores what it is given): sized, refused, never read
    write("long-target", "x/".repeat(3000));
    const oid = git("hash-object", "-w", "long-target").trim();
    git("update-index", "--add", "--cacheinfo", `120000,${oid},clusters/b.json`);
    const long = await both("clusters");
    expect(long.code).toBe(2);
    expect(long.text).toContain("clusters/b.json: a symbolic link in the git index of 6000 bytes, more than a path (4096)");
  });

  it("in a SHA-256 repository (32-byte object ids), a commit that empties the folder named is seen to", async () => {
    fresh();
    // the same files, committed in a repository of the other object format
    rmSync(path(".git"), { recursive: true, force: true });
    git("init", "-q", "--object-format=sha256");
    git("config", "user.email", "test@example.invalid");
    git("config", "user.name", "test");
    git("add", "-A");
    git("commit", "-qm", "fleet");
    expect(git("rev-parse", "HEAD").trim()).toHaveLength(64);
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    git("rm", "-rq", "clusters", "out");
    const emptied = await both("clusters");
    expect(emptied.code).toBe(2);
    expect(emptied.text).toContain("no such profile in the git index");
  });

  it("a profile named as a file (argument or config list) deleted with its bundle kept: the bundle is an orphan", async () => {
    fresh();
    // every profile named (read whole, a file list judges every bundle: none of them may be left out)
    const files = FLEET_FILES;
    commitConfig({ profiles: files });
    git("rm", "-q", "clusters/b.json");
    for (const args of [[], files]) {
      const r = await both(...args);
      expect(r.code).toBe(1);
      expect(r.text).toContain("out/b/");
    }
    git("rm", "-rq", "out/b");
    expect(await both(...files)).toMatchObject({ code: 0, shortcut: true });
  });

  it("a name a base gives: a commit that renames through the base keeps no old bundle, and one that only touches the config passes", async () => {
    fresh();
    write("tke-cilium.json", JSON.stringify({ profiles: ["clusters/*.json", "clusters/*.yaml"] }) + "\n");
    // d.json has no name of its own: it renders out/d/ until a base names it
    write("clusters/named.base.json", JSON.stringify({ name: "delta" }) + "\n");
    edit("clusters/d.json", '"extends": "common.base.json"', '"extends": ["common.base.json", "named.base.json"]');
    expect((await run("render", "--quiet")).code).toBe(0);
    git("add", "-A");
    // out/d/ is kept beside the new out/delta/: an orphan every clone's check --strict reports
    for (const args of [[], ["clusters/d.json"]]) {
      const r = await both(...args);
      expect(r.code).toBe(1);
      expect(r.text).toContain("out/d/");
    }
    git("rm", "-rq", "out/d");
    expect(await both()).toMatchObject({ code: 0 });
    git("commit", "-qm", "d is delta");
    // a config edit that changes nothing the bundles hold: out/delta/ is d.json's, not an orphan
    write("tke-cilium.json", JSON.stringify({ profiles: ["clusters/*.json", "clusters/*.yaml"] }, null, 2) + "\n");
    git("add", "tke-cilium.json");
    for (const args of [[], ["clusters/a.json"]]) expect(await both(...args)).toMatchObject({ code: 0, shortcut: false });
  });

  it("a commit whose tke-cilium.json moves out/ checks every profile: the bundles it needs are missing", async () => {
    fresh();
    commitConfig({ profiles: ["clusters/*.json", "clusters/*.yaml"] });
    write("tke-cilium.json", JSON.stringify({ profiles: ["clusters/*.json", "clusters/*.yaml"], out: "rendered" }) + "\n");
    git("add", "tke-cilium.json");
    const moved = await both();
    expect(moved.code).toBe(1);
    expect(moved.text).toContain("rendered/");
    expect(moved.text).not.toContain("0 profiles");
  });

  it("a commit whose tke-cilium.json stops listing a profile, keeping its bundle: the bundle is an orphan", async () => {
    fresh();
    const files = FLEET_FILES;
    commitConfig({ profiles: files });
    write("tke-cilium.json", JSON.stringify({ profiles: files.filter((f) => f !== "clusters/b.json") }) + "\n");
    git("add", "tke-cilium.json");
    // out/b/ is untouched by the commit, yet no profile the commit's config lists renders it any more
    const r = await both();
    expect(r).toMatchObject({ code: 1, shortcut: false });
    expect(r.text).toContain("out/b/");
  });
});

describe("the related store (HEAD's profiles that extend a base or join a mesh, by tree id)", () => {
  it("a damaged store is worked out again; one git tracks (a commit could plant it) is not used", async () => {
    fresh();
    expect(await both("clusters")).toMatchObject({ code: 0, shortcut: true });
    const store = path(".tke-cilium/cache/staged-related.json");
    const [header, body] = read(".tke-cilium/cache/staged-related.json").split("\n");
    const tree = git("rev-parse", "HEAD:clusters").trim();
    expect(JSON.parse(body)["own:clusters"][0]).toMatchObject({ tree });
    // a store that says no profile of this tree extends the base: d would go unchecked if it were believed
    const crafted = JSON.stringify({ "own:clusters": [{ tree, related: [] }] });
    const { createHash } = await import("node:crypto");
    const planted = `${JSON.stringify({ ...JSON.parse(header), sum: createHash("sha256").update(crafted).digest("hex").slice(0, 32) })}\n${crafted}`;
    edit("clusters/common.base.json", '"hubble": true', '"hubble": false');
    git("add", "clusters/common.base.json");
    for (const damaged of ["{", `${header}\n${body.slice(0, -5)}`, `${header}\n${crafted}`]) {
      writeFileSync(store, damaged);
      const r = await both("clusters");
      expect(r).toMatchObject({ code: 1, shortcut: true });
      expect(r.text).toMatch(/1 profile, 1 drifted: d \(/);
    }
    // with a checksum that fits, the store is believed (this is what a commit must not be able to bring)
    writeFileSync(store, planted);
    expect((await run("check", "--staged", "clusters")).code).toBe(0);
    git("add", "-f", ".tke-cilium/cache/staged-related.json");
    // that file alone committed: the base's change stays staged
    git("commit", "-qm", "planted", "--", ".tke-cilium/cache/staged-related.json");
    expect(git("diff", "--cached", "--name-only")).toBe("clusters/common.base.json\n");
    writeFileSync(store, planted);
    const r = await both("clusters");
    expect(r).toMatchObject({ code: 1, shortcut: true });
    expect(r.text).toMatch(/1 profile, 1 drifted: d \(/);
  });
  it("a glob that is also a file's name: the store keeps the folder's names with glob characters, by tree id, and is asked instead of git", async () => {
    fresh();
    const kept = () => JSON.parse(read(".tke-cilium/cache/staged-related.json").split("\n")[1])["own:clusters"] as { tree: string; globNames?: string[] }[];
    const tree = () => git("rev-parse", "HEAD:clusters").trim();
    const stageEdit = (to: string) => {
      edit("clusters/b.json", /"maxSize": \d+/.exec(read("clusters/b.json"))![0], `"maxSize": ${to}`);
      git("add", "clusters/b.json");
    };
    stageEdit("4");
    // no such name: the glob is a glob, judged from the changes; the folder listed whole keeps none
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ code: 1, shortcut: true });
    expect(kept()[0]).toEqual(expect.objectContaining({ tree: tree(), globNames: [] }));
    // a file named "*.json" committed: worked out from the kept tree (git diff-tree), the store names it, and the
    // glob names that file alone, as the whole fleet's reading has it
    git("reset", "-q", "--hard");
    write("clusters/*.json", read("clusters/a.json"));
    git("add", "--", ":(literal)clusters/*.json");
    git("commit", "-qm", "a file named like a glob");
    stageEdit("5");
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ shortcut: false });
    expect(kept()[0]).toEqual(expect.objectContaining({ tree: tree(), globNames: ["*.json"] }));
    // again, now from the store's own record (no git listing, no lookup)
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ shortcut: false });
    // a record kept without the names (an older store): git is asked, with the same answer
    const { createHash } = await import("node:crypto");
    const [header, body] = read(".tke-cilium/cache/staged-related.json").split("\n");
    const parsed = JSON.parse(body);
    for (const e of parsed["own:clusters"]) delete e.globNames;
    const older = JSON.stringify(parsed);
    write(".tke-cilium/cache/staged-related.json", `${JSON.stringify({ ...JSON.parse(header), sum: createHash("sha256").update(older).digest("hex").slice(0, 32) })}\n${older}`);
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ shortcut: false });
    expect(kept()[0].globNames).toBeUndefined();
    // a new HEAD worked out from that record: the folder's one level is listed, and the names are kept from then on
    git("commit", "-qm", "an edit");
    stageEdit("55");
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ shortcut: false });
    expect(kept()[0]).toEqual(expect.objectContaining({ tree: tree(), globNames: ["*.json"] }));
    // the store removed: the next run lists the folder whole again, and keeps the names from then on
    rmSync(path(".tke-cilium/cache/staged-related.json"));
    // the file deleted again: the glob is a glob once more
    git("reset", "-q", "--hard");
    git("rm", "-q", "--", ":(literal)clusters/*.json");
    git("commit", "-qm", "no file named like a glob");
    stageEdit("6");
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ code: 1, shortcut: true });
    expect(kept()[0]).toEqual(expect.objectContaining({ tree: tree(), globNames: [] }));
    // a folder of that name, then a file again in its place (git diff-tree lists the file's addition before the
    // folder's deletion): the name is kept through both
    git("reset", "-q", "--hard");
    mkdirSync(path("clusters/*.json"));
    write("clusters/*.json/notes.txt", "not a profile\n");
    git("add", "--", ":(literal)clusters/*.json/notes.txt");
    git("commit", "-qm", "a folder named like a glob");
    stageEdit("7");
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ shortcut: false });
    expect(kept()[0]).toEqual(expect.objectContaining({ tree: tree(), globNames: ["*.json"] }));
    git("reset", "-q", "--hard");
    git("rm", "-rq", "--", ":(literal)clusters/*.json");
    write("clusters/*.json", read("clusters/a.json"));
    git("add", "--", ":(literal)clusters/*.json");
    git("commit", "-qm", "a file named like a glob again");
    expect(git("diff-tree", "--raw", "HEAD^:clusters", "HEAD:clusters").split("\n")[0]).toMatch(/^:000000 100644 .*\t\*\.json$/);
    stageEdit("8");
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ shortcut: false });
    expect(kept()[0]).toEqual(expect.objectContaining({ tree: tree(), globNames: ["*.json"] }));
    // a submodule of that name that .gitmodules says to ignore: git diff-tree would leave it out unless told not to
    git("reset", "-q", "--hard");
    git("rm", "-q", "--", ":(literal)clusters/*.json");
    git("commit", "-qm", "no file named like a glob, again");
    stageEdit("9");
    // a store of this tree alone: the next tree is worked out from it
    rmSync(path(".tke-cilium/cache/staged-related.json"));
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ code: 1, shortcut: true });
    expect(kept()).toEqual([expect.objectContaining({ tree: tree(), globNames: [] })]);
    git("reset", "-q", "--hard");
    // (.gitmodules' path is the one diff-tree sees: the folder's trees are compared, not the repository's)
    write(".gitmodules", '[submodule "x"]\n\tpath = *.json\n\turl = https://git.example.invalid/x.git\n\tignore = all\n');
    git("add", ".gitmodules");
    git("update-index", "--add", "--cacheinfo", `160000,${"a".repeat(40)},clusters/*.json`);
    git("commit", "-qm", "a submodule named like a glob");
    stageEdit("10");
    expect(await both("clusters/*.json", "clusters/*.yaml")).toMatchObject({ shortcut: false });
    expect(kept()[0]).toEqual(expect.objectContaining({ tree: tree(), globNames: ["*.json"] }));
  });
});

describe("what the commit does not touch is HEAD's", () => {
  it("a bundle folder HEAD already has that no profile renders is not judged by a commit that does not touch it", async () => {
    fresh();
    cpSync(path("out/b"), path("out/ghost"), { recursive: true });
    git("add", "-A");
    git("commit", "-qm", "an orphan committed without the hook");
    edit("clusters/b.json", '"maxSize": 3', '"maxSize": 4');
    expect((await run("render", "--quiet", "clusters/b.json")).code).toBe(0);
    git("add", "-A");
    const changed = await run("check", "--staged", "clusters");
    expect(changed.code).toBe(0);
    // the whole fleet's reading (and check --strict, as CI runs it) still finds it
    expect((await repo.wholeFleet("clusters")).code).toBe(1);
    const strict = await run("check", "--strict", "clusters");
    expect(strict.code).toBe(1);
    expect(strict.text).toContain("ghost");
  });

  it("a file argument judges the bundles the commit touches, not every other profile's bundle", async () => {
    fresh();
    edit("clusters/b.json", '"maxSize": 3', '"maxSize": 4');
    expect((await run("render", "--quiet", "clusters/b.json")).code).toBe(0);
    git("add", "-A");
    expect((await run("check", "--staged", "clusters/b.json")).code).toBe(0);
    // read whole, every bundle but b's is one "none of these profiles renders"
    const whole = await repo.wholeFleet("clusters/b.json");
    expect(whole.code).toBe(1);
    expect(whole.text).toContain("out/yam/");
  });
  it("a profile whose path install.sh writes quoted (a space in it) is read back from its bundle: the commit is judged from its changes, as b's is", async () => {
    fresh();
    git("mv", "clusters/b.json", "clusters/my b.json");
    // its bundle keeps its folder name b
    write("clusters/my b.json", read("clusters/my b.json").replace(/^\{\n/, '{\n  "name": "b",\n'));
    expect((await run("render", "--quiet", "clusters/my b.json")).code).toBe(0);
    git("add", "-A");
    git("commit", "-qm", "a path with a space");
    expect(read("out/b/install.sh").split("\n")[1]).toContain('from "clusters/my b.json". Do not edit:');
    edit("clusters/my b.json", '"maxSize": 3', '"maxSize": 4');
    expect((await run("render", "--quiet", "clusters/my b.json")).code).toBe(0);
    git("add", "-A");
    const before = stagedRuns.changed;
    const r = await run("check", "--staged", "clusters/my b.json");
    expect(stagedRuns.changed).toBe(before + 1);
    expect(r).toEqual({ code: 0, text: expect.stringContaining("1 profile, 0 drifted") });
  });
});
