import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { stagedRuns } from "../src/commands/staged.js";
import { ROOT } from "./helpers.js";

// check --staged reads the staged paths and the touched profiles' blobs; every other profile's name comes from
// profile-facts.json (by git object id). These hold it to the same answers as reading every blob.

let repo: string;
let err: string[];
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" }).toString();
const run = (...argv: string[]) => {
  err = [];
  return main(argv, { stdout: () => {}, stderr: (t) => err.push(t), cwd: repo });
};
const facts = () => join(repo, ".tke-cilium/cache/profile-facts.json");

beforeEach(async () => {
  delete process.env.TKE_CILIUM_NO_CACHE;
  delete process.env.TKE_CILIUM_STAGED_FLEET;
  repo = mkdtempSync(join(tmpdir(), "tke-cilium-staged-"));
  mkdirSync(join(repo, "clusters"));
  git("init", "-q");
  git("config", "user.email", "test@example.invalid");
  git("config", "user.name", "test");
  // a profile whose name field differs from its file name: only its blob tells its bundle folder
  const dev = JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8"));
  delete dev.$schema;
  writeFileSync(join(repo, "clusters/a.json"), JSON.stringify({ ...dev, name: "alpha" }, null, 2) + "\n");
  writeFileSync(join(repo, "clusters/b.json"), JSON.stringify(dev, null, 2) + "\n");
  cpSync(join(ROOT, "presets/mesh/gz-east.json"), join(repo, "clusters/east.json"));
  cpSync(join(ROOT, "presets/mesh/gz-west.json"), join(repo, "clusters/west.json"));
  expect(await run("render", "--quiet", "clusters")).toBe(0);
  git("add", "-A");
  git("commit", "-qm", "fleet");
});
afterEach(() => {
  delete process.env.TKE_CILIUM_STAGED_FLEET;
  rmSync(repo, { recursive: true, force: true });
});

describe("check --staged reads what the commit changes", () => {
  it("a hand edit of a bundle whose profile is named otherwise is found, with the facts fresh, kept, or damaged", async () => {
    expect(await run("check", "--staged", "clusters")).toBe(0);
    const edit = (text: string) => {
      writeFileSync(join(repo, "out/alpha/install.sh"), readFileSync(join(repo, "out/alpha/install.sh"), "utf8") + text);
      git("add", "-A");
    };
    edit("# hand edit\n");
    // from the commit's changes: alpha's install.sh names clusters/a.json, whose name field is alpha
    const before = { ...stagedRuns };
    expect(await run("check", "--staged", "clusters")).toBe(1);
    expect(err.join("")).toContain("alpha (install.sh changed)");
    expect(stagedRuns.changed).toBe(before.changed + 1);
    // the fleet's every name, from the profile facts
    process.env.TKE_CILIUM_STAGED_FLEET = "1";
    expect(await run("check", "--staged", "clusters")).toBe(1);
    expect(err.join("")).toContain("alpha (install.sh changed)");
    const [header, body] = readFileSync(facts(), "utf8").split("\n");
    for (const damage of ["{", `${header}\n${body.slice(0, -9)}`, `${JSON.stringify({ ...JSON.parse(header), build: "other" })}\n${body}`, `${header}\n${body.replace(/"alpha"/g, '"beta"')}`]) {
      writeFileSync(facts(), damage);
      expect(await run("check", "--staged", "clusters")).toBe(1);
      expect(err.join("")).toContain("alpha (install.sh changed)");
    }
  });

  it("a commit that renames a profile's name field, keeping the old bundle, is refused (an orphan), through a glob too", async () => {
    expect(await run("check", "--staged", "clusters")).toBe(0);
    const a = join(repo, "clusters/a.json");
    writeFileSync(a, readFileSync(a, "utf8").replace('"alpha"', '"alpha-2"'));
    expect(await run("render", "--quiet", "clusters/a.json")).toBe(0);
    git("add", "-A");
    expect(await run("check", "--staged", "clusters")).toBe(1);
    expect(err.join("")).toContain("out/alpha/");
    expect(await run("check", "--staged", "clusters/*.json")).toBe(1);
    expect(err.join("")).toContain("out/alpha/");
    git("rm", "-rq", "out/alpha");
    expect(await run("check", "--staged", "clusters/*.json")).toBe(0);
  });

  it("a staged mesh member re-checks its peer, whose blob is read because it mentions clusterMesh", async () => {
    expect(await run("check", "--staged", "clusters")).toBe(0);
    const west = join(repo, "clusters/west.json");
    writeFileSync(west, readFileSync(west, "utf8").replace('"clusterId": 2', '"clusterId": 5'));
    expect(await run("render", "--quiet", "clusters/west.json")).toBe(0);
    git("add", "clusters/west.json", "out/mesh-gz-west");
    // the east bundle lists its peer's cluster id: it is stale in the commit
    expect(await run("check", "--staged", "clusters")).toBe(1);
    expect(err.join("")).toContain("mesh-gz-east");
  });

  it("profile facts that git tracks (a commit could plant them) are not used", async () => {
    process.env.TKE_CILIUM_STAGED_FLEET = "1";
    expect(await run("check", "--staged", "clusters")).toBe(0);
    // a crafted file with a valid checksum: a.json's blob said to be named "b"
    const [header, body] = readFileSync(facts(), "utf8").split("\n");
    const stored = JSON.parse(body);
    stored[git("rev-parse", ":clusters/a.json").trim()] = ["b", 0];
    const { createHash } = await import("node:crypto");
    const crafted = JSON.stringify(stored);
    writeFileSync(facts(), `${JSON.stringify({ ...JSON.parse(header), sum: createHash("sha256").update(crafted).digest("hex").slice(0, 32) })}\n${crafted}`);
    git("add", "-f", ".tke-cilium/cache/profile-facts.json");
    git("commit", "-qm", "planted");
    writeFileSync(join(repo, "out/alpha/install.sh"), readFileSync(join(repo, "out/alpha/install.sh"), "utf8") + "# hand edit\n");
    git("add", "out/alpha/install.sh");
    expect(await run("check", "--staged", "clusters")).toBe(1);
    expect(err.join("")).toContain("alpha (install.sh changed)");
  });
});
