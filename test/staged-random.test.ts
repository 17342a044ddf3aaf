import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";
import { ScratchRepo, writeStagedFleet } from "./staged-repo.js";

// check --staged's shortcut (the commit's changes alone, one reading of git's index for the config, the profiles
// and the charts) against the whole fleet's reading (TKE_CILIUM_STAGED_FLEET=1) on random commits: a few random
// edits of a small fleet (profiles edited, renamed, deleted, added, renamed by their name field, turned into
// links; bundles re-rendered, hand-edited, deleted; the base and a mesh member changed), staged with or without
// their bundles, each checked with several argument forms that name every profile. Both readings must give the same exit code and the
// same words; the seeds are fixed (a failure names its seed and its edits), and the shortcut must be taken in
// most of them (an equivalence the shortcut never reaches would prove nothing).

let fleet: string;
const repo = new ScratchRepo();
const { git, path, read, write, run } = repo;

/** A small deterministic generator (mulberry32): the same seed, the same commit. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

const PROFILES = ["clusters/a.json", "clusters/b.json", "clusters/d.json", "clusters/y.yaml", "clusters/east.json", "clusters/west.json"];
/**
 * The seeds: 60 with TKE_CILIUM_SLOW=1; in npm test, six whose commits pass and fail and mostly take the
 * shortcut (seeds 1 to 6 all rename or delete a profile, which sends the shortcut to the fleet's reading).
 */
/** A profile file's name (a base, *.base.json, is told apart where it matters). */
const PROFILE = /\.(json|yaml)$/;
/** The profile files the index holds (bases apart). */
const indexedProfiles = () => git("ls-files", "-z", "clusters").split("\0").filter((f) => PROFILE.test(f) && !f.endsWith(".base.json"));
const SEEDS = process.env.TKE_CILIUM_SLOW === "1" ? Array.from({ length: 60 }, (_, i) => i + 1) : [7, 8, 9, 10, 11, 12];
const BUNDLES = ["alpha", "b", "d", "yam", "mesh-gz-east", "mesh-gz-west"];

beforeAll(async () => {
  delete process.env.TKE_CILIUM_NO_CACHE;
  delete process.env.TKE_CILIUM_STAGED_FLEET;
  fleet = mkdtempSync(join(tmpdir(), "tke-cilium-staged-random-"));
  repo.init(join(fleet, "template"));
  writeStagedFleet(repo);
  expect((await run("render", "--quiet", "clusters")).code).toBe(0);
  git("add", "-A");
  git("commit", "-qm", "fleet");
  // a render of seven profiles: seconds on a busy machine
}, 120_000);
afterAll(() => rmSync(fleet, { recursive: true, force: true }), 120_000);

/**
 * A copy of the committed fleet named `name` (with tke-cilium.json committed when `config`), then 1 to 3 random
 * edits staged: what they did, for a failure's message.
 */
async function seededCommit(r: ReturnType<typeof random>, name: string, config: boolean): Promise<string[]> {
  repo.dir = join(fleet, name);
  cpSync(join(fleet, "template"), repo.dir, { recursive: true });
  if (config) {
    write("tke-cilium.json", JSON.stringify({ profiles: ["clusters/*.json", "clusters/*.yaml"], out: "out" }) + "\n");
    git("add", "tke-cilium.json");
    git("commit", "-qm", "config");
  }
  const done: string[] = [];
  for (let i = 1 + r.int(3); i > 0; i--) done.push(await randomEdit(r));
  return done;
}

/** One random edit of the working tree and the index; returns what it did (for a failure's message). */
async function randomEdit(r: ReturnType<typeof random>): Promise<string> {
  const live = PROFILES.filter((p) => existsSync(path(p)));
  const p = r.pick(live.length > 0 ? live : PROFILES);
  const bump = (file: string) => {
    if (!existsSync(path(file))) return false;
    const text = read(file);
    const m = /"maxSize": (\d+)/.exec(text);
    if (m === null) return false;
    write(file, text.replace(m[0], `"maxSize": ${Number(m[1]) + 1 + r.int(3)}`));
    return true;
  };
  switch (r.int(11)) {
    case 0: {
      if (!bump(p)) return `no edit of ${p}`;
      git("add", p);
      return `edited ${p}, staged alone`;
    }
    case 1: {
      if (!bump(p)) return `no edit of ${p}`;
      await run("render", "--quiet", p);
      git("add", "-A");
      return `edited ${p}, re-rendered, git add -A`;
    }
    case 2: {
      if (!existsSync(path(p))) return `no ${p} to delete`;
      git("rm", "-qf", "--ignore-unmatch", p);
      return `deleted ${p}, its bundle kept`;
    }
    case 3: {
      if (!existsSync(path(p))) return `no ${p} to move`;
      const to = p.replace(/\.(json|yaml)$/, `-moved.$1`);
      git("mv", p, to);
      return `moved ${p} to ${to}`;
    }
    case 4: {
      const name = r.pick(BUNDLES);
      const file = `out/${name}/install.sh`;
      if (!existsSync(path(file))) return `no ${file}`;
      write(file, read(file) + "# hand edit\n");
      git("add", file);
      return `hand edit of ${file}`;
    }
    case 5: {
      if (!existsSync(path(p)) || p.endsWith(".yaml")) return `no rename of ${p}`;
      const text = JSON.parse(read(p));
      write(p, JSON.stringify({ ...text, name: `renamed-${r.int(100)}` }, null, 2) + "\n");
      if (r.int(2) === 0) await run("render", "--quiet", p);
      git("add", "-A");
      return `renamed ${p}'s name field`;
    }
    case 6: {
      const base = "clusters/common.base.json";
      write(base, read(base).replace(/"hubble": (true|false)/, (_, v) => `"hubble": ${v === "true" ? "false" : "true"}`));
      git("add", base);
      return "flipped the base's hubble";
    }
    case 7: {
      const member = r.pick(["clusters/east.json", "clusters/west.json"]);
      if (!existsSync(path(member))) return `no ${member}`;
      const text = read(member);
      const next = r.int(2) === 0 ? text.replace(/"clusterId": (\d+)/, (_, n) => `"clusterId": ${Number(n) + 10}`) : text.replace('"name": "fleet"', '"name": "fleet-2"');
      write(member, next);
      if (r.int(2) === 0) await run("render", "--quiet", member);
      git("add", "-A");
      return `changed the mesh member ${member}`;
    }
    case 8: {
      const n = r.int(1000);
      write(`clusters/new-${n}.json`, read("clusters/b.json").replace(/"apiserverVIP": "[^"]*"/, `"apiserverVIP": "169.254.129.${1 + (n % 250)}"`));
      if (r.int(2) === 0) await run("render", "--quiet", `clusters/new-${n}.json`);
      git("add", "-A");
      return `added clusters/new-${n}.json`;
    }
    case 9: {
      const name = r.pick(BUNDLES);
      if (!existsSync(path(`out/${name}`))) return `no out/${name}`;
      git("rm", "-rqf", "--ignore-unmatch", `out/${name}`);
      return `deleted the bundle out/${name}`;
    }
    default: {
      if (!existsSync(path(p)) || p === "clusters/b.json") return `no link for ${p}`;
      mkdirSync(path("real"), { recursive: true });
      const target = `real/${p.split("/")[1]}`;
      git("mv", p, target);
      symlinkSync(`../${target}`, path(p));
      git("add", "-A");
      return `${p} made a link to ${target}`;
    }
  }
}

describe("check --staged on random commits: the commit's changes give the whole fleet's answer", () => {
  it(`${SEEDS.length} seeded commits of 1 to 3 edits, each checked with a folder, globs and the list of its profile files`, async () => {
    let n = 0;
    let shortcuts = 0;
    let checks = 0;
    const codes = new Set<number>();
    for (const seed of SEEDS) {
      const r = random(seed);
      const done = await seededCommit(r, `repo-${n++}`, false);
      // every profile of the commit named as files (a list names them all: a bundle none renders is an orphan
      // either way; a partial list is judged differently by design, HEAD's orphans being HEAD's)
      const files = indexedProfiles();
      for (const args of [["clusters/"], ["clusters/*.json", "clusters/*.yaml"], files]) {
        const { result: changed, shortcut } = await repo.staged(...args);
        if (shortcut) shortcuts++;
        const whole = await repo.wholeFleet(...args);
        expect(changed, `seed ${seed}: ${done.join("; ")}; check --staged ${args.join(" ")}`).toEqual(whole);
        codes.add(changed.code);
        checks++;
      }
      rmSync(repo.dir, { recursive: true, force: true });
    }
    // the commits were not all alike: some pass, some fail, and many were judged from their changes (a deleted
    // or moved profile sends the shortcut to the fleet's reading, as it should)
    expect(codes.has(0) && codes.has(1)).toBe(true);
    expect(shortcuts).toBeGreaterThan(checks / 4);
  });

  it(`with tke-cilium.json: ${SEEDS.length} seeded commits checked with no argument (the config read from the index once)`, async () => {
    let shortcuts = 0;
    for (const seed of SEEDS) {
      const r = random(seed);
      const done = await seededCommit(r, `config-${seed}`, true);
      const { result: changed, shortcut } = await repo.staged();
      if (shortcut) shortcuts++;
      expect(changed, `seed ${seed}: ${done.join("; ")}`).toEqual(await repo.wholeFleet());
      rmSync(repo.dir, { recursive: true, force: true });
    }
    expect(shortcuts).toBeGreaterThan(SEEDS.length / 4);
  });
});

/**
 * Unstaged edits of the working tree (none reaches the commit): a listed profile's name field changed or the file
 * deleted, an untracked profile that is HEAD's copy of another (its old name, its mesh), a mesh member's clusterId
 * changed, the base's hubble flipped. Returns what it did.
 */
function workingTreeNoise(r: ReturnType<typeof random>): string {
  const live = git("ls-files", "-z", "clusters").split("\0").filter((f) => PROFILE.test(f) && existsSync(path(f)));
  if (live.length === 0) return "no profile to disturb";
  const p = r.pick(live);
  switch (r.int(5)) {
    case 0: {
      if (p.endsWith(".yaml")) return `no name edit of ${p}`;
      write(p, JSON.stringify({ ...JSON.parse(read(p)), name: `unstaged-${r.int(100)}` }, null, 2) + "\n");
      return `unstaged: ${p}'s name field`;
    }
    case 1: {
      rmSync(path(p));
      return `unstaged: ${p} deleted`;
    }
    case 2: {
      const old = r.pick(PROFILES);
      const n = r.int(1000);
      const shown = spawnSync("git", ["show", `HEAD:${old}`], { cwd: repo.dir, encoding: "utf8" });
      if (shown.status !== 0) return `no HEAD copy of ${old}`;
      write(`clusters/untracked-${n}${old.endsWith(".yaml") ? ".yaml" : ".json"}`, shown.stdout);
      return `untracked: HEAD's ${old} as clusters/untracked-${n}`;
    }
    case 3: {
      const member = r.pick(live.filter((f) => read(f).includes('"clusterMesh"')).concat(["clusters/east.json"]));
      if (!existsSync(path(member))) return `no mesh member ${member}`;
      write(member, read(member).replace(/"clusterId": (\d+)/, (_, n) => `"clusterId": ${Number(n) + 20}`));
      return `unstaged: ${member}'s clusterId`;
    }
    default: {
      const base = "clusters/common.base.json";
      if (!existsSync(path(base))) return "no base";
      write(base, read(base).replace(/"hubble": (true|false)/, (_, v) => `"hubble": ${v === "true" ? "false" : "true"}`));
      return "unstaged: the base's hubble";
    }
  }
}


describe("check --staged FILE... with tke-cilium.json: the commit's profiles, whatever the working tree holds", () => {
  it(`${SEEDS.length} seeded commits, each checked with the staged profile files and with one profile file, before and after unstaged edits`, async () => {
    let shortcuts = 0;
    let checks = 0;
    const codes = new Set<number>();
    for (const seed of SEEDS) {
      const r = random(seed);
      const done = await seededCommit(r, `files-${seed}`, true);
      const profiles = indexedProfiles();
      // what a hook that passes file names gives: the staged profile files (else, as for one, a profile file)
      const staged = git("diff", "--cached", "--name-only", "--diff-filter=d", "-z", "--", "clusters").split("\0").filter((f) => PROFILE.test(f) && !f.endsWith(".base.json"));
      const forms = [staged.length > 0 ? staged : [r.pick(profiles)], [r.pick(profiles)]];
      // the commit's answer, read while the working tree is the commit: the whole fleet's reading
      const reference: { code: number; text: string }[] = [];
      for (const args of forms) reference.push(await repo.wholeFleet(...args));
      for (let i = 2 + r.int(2); i > 0; i--) done.push(workingTreeNoise(r));
      for (const [k, args] of forms.entries()) {
        const why = `seed ${seed}: ${done.join("; ")}; check --staged ${args.join(" ")}`;
        const { result: changed, shortcut } = await repo.staged(...args);
        if (shortcut) shortcuts++;
        const whole = await repo.wholeFleet(...args);
        expect(changed, `${why} (the commit's changes)`).toEqual(reference[k]);
        expect(whole, `${why} (the whole fleet's reading)`).toEqual(reference[k]);
        codes.add(changed.code);
        checks++;
      }
      rmSync(repo.dir, { recursive: true, force: true });
    }
    expect(codes.has(0) && codes.has(1)).toBe(true);
    expect(shortcuts).toBeGreaterThan(checks / 4);
  });
});

describe("the launcher's early `git diff --cached` (dist/cli.cjs asks git while the bundle loads)", () => {
  it("gives the answer git gives the run itself: from a subfolder, with diff.relative set, and in a nested repository", async () => {
    const cli = join(ROOT, "dist/cli.cjs");
    if (!existsSync(cli)) throw new Error("dist/cli.cjs is missing: run npm run build");
    repo.dir = join(fleet, "launcher");
    cpSync(join(fleet, "template"), repo.dir, { recursive: true });
    write("clusters/b.json", read("clusters/b.json").replace('"maxSize": 3', '"maxSize": 4'));
    git("add", "clusters/b.json");
    // diff.relative would make git name paths from the folder it runs in: the early diff asks with --no-relative
    git("config", "diff.relative", "true");
    const launched = (cwd: string, ...args: string[]) => {
      const r = spawnSync(process.execPath, [cli, "check", "--staged", "--no-color", ...args], { cwd, encoding: "utf8" });
      return { code: r.status, text: r.stdout + r.stderr };
    };
    // the same run in this process (no launcher, so no early diff): the reference
    const reference = async (cwd: string, ...args: string[]) => {
      const home = repo.dir;
      repo.dir = cwd;
      try {
        return await run("check", "--staged", "--no-color", ...args);
      } finally {
        repo.dir = home;
      }
    };
    const top = await reference(repo.dir, "clusters");
    expect(top.code).toBe(1);
    expect(top.text).toMatch(/1 drifted: b \(/);
    expect(launched(repo.dir, "clusters")).toEqual(top);
    // from clusters/ (paths shown from there)
    const sub = await reference(path("clusters"), ".");
    expect(sub.text).toMatch(/1 drifted: b \(/);
    expect(launched(path("clusters"), ".")).toEqual(sub);
    // a repository inside this one's folder (not a submodule): the early diff, made there, is the inner one's
    const inner = join(repo.dir, "inner");
    mkdirSync(join(inner, "clusters"), { recursive: true });
    cpSync(path("clusters/a.json"), join(inner, "clusters/a.json"));
    execFileSync("git", ["init", "-q"], { cwd: inner });
    execFileSync("git", ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "empty"], { cwd: inner });
    execFileSync("git", ["add", "-A"], { cwd: inner });
    const nested = await reference(join(inner, "clusters"), ".");
    expect(nested.code).toBe(1);
    expect(launched(join(inner, "clusters"), ".")).toEqual(nested);
  });
});
