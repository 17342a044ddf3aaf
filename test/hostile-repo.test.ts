import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";
import { CLI, cli, here, member, outside, repo, scratch, removeScratch } from "./hostile-repo.js";

afterAll(removeScratch);

/** Hostile repositories (issue 23): reads, state, bounds and failures; the shell corpus is hostile-shell.test.ts. */

describe("reads confined to the repository", () => {
  it("tke-cilium.json naming a file outside the repository, or /proc/self/environ, prints none of it", async () => {
    for (const target of ["../outside/config.json", join(outside, "config.json"), "/proc/self/environ"]) {
      const dir = repo({ "tke-cilium.json": { profiles: [target] } });
      const r = await here(dir, "validate");
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr).toContain("outside the repository");
    }
  });

  it("a profile that is a symbolic link to a secret is refused, whether named or globbed", async () => {
    const dir = repo({ "tke-cilium.json": { profiles: ["clusters/*.json"] } });
    mkdirSync(join(dir, "clusters"));
    symlinkSync(join(outside, "config.json"), join(dir, "clusters/prod.json"));
    for (const args of [["validate"], ["validate", "clusters/prod.json"], ["validate", "clusters/"], ["check"]]) {
      const r = await here(dir, ...args);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).not.toBe(0);
      // named: refused as leading outside; globbed: a link is not followed, so the glob matches nothing
      expect(r.stderr).toMatch(/outside the repository|no such profile/);
    }
  });

  it("a 400 MB peer is not read whole", () => {
    const dir = repo({
      "me.json": member({ name: "me", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 } }),
      "tke-cilium.json": { profiles: ["*.json"] },
    });
    // sparse: 400 MB on paper, nothing on the disk
    const r0 = spawnSync("truncate", ["-s", "400M", join(dir, "peer.json")]);
    expect(r0.status).toBe(0);
    const r = cli(dir, "validate", "me.json");
    expect(r.status).not.toBe(70);
    const all = cli(dir, "validate");
    expect(all.status).toBe(1);
    expect(all.stderr).toMatch(/peer\.json.*(too large|bytes)/);
  });

  it("a peer that is a FIFO does not hang the run", () => {
    const dir = repo({
      "me.json": member({ name: "me", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 } }),
      "tke-cilium.json": { profiles: ["me.json", "peer.json"] },
    });
    expect(spawnSync("mkfifo", [join(dir, "peer.json")]).status).toBe(0);
    const r = cli(dir, "validate", "me.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("peer.json, a profile of tke-cilium.json: not a regular file");
  });

  it("a diagnostic quotes only the offending line, cut and escaped", async () => {
    const long = `{"region": "ap-guangzhou", "apiserverVIP": "10.0.0.1", "nodePool": {"type": "native"}, "name": "\\u001b[31mred", "x": "${"A".repeat(5000)}"}`;
    const dir = repo({ "p.json": `${long}\n\u001b]0;title\u0007 trailing junk line\n` });
    const r = await here(dir, "validate", "p.json");
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/\u001b|\u0007/);
    for (const line of r.stderr.split("\n")) expect(line.length).toBeLessThan(400);
    expect(r.stderr).not.toContain("A".repeat(200));
  });

  it("20,000 unknown extraValues keys are reported with one line index (a 10 s budget, not a minute)", () => {
    const profile = JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8"));
    profile.cilium = { ...(profile.cilium ?? {}), extraValues: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`unknownKey${i}`, i])) };
    const dir = repo({ "big.json": JSON.stringify(profile, null, 2) });
    const r = cli(dir, "validate", "big.json");
    expect(r.status).toBe(1);
    expect(r.stderr.match(/UNKNOWN_HELM_VALUE/g)?.length).toBeGreaterThanOrEqual(20_000);
  });
});

describe("the repository config", () => {
  it("an out outside the repository is refused, and nothing is written there", async () => {
    const dir = repo({ "prod.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8"), "tke-cilium.json": { profiles: ["prod.json"], out: "../escaped-out" } });
    const r = await here(dir, "render");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("outside the repository");
    expect(existsSync(join(dir, "../escaped-out"))).toBe(false);
  });

  it("an invalid config is reported without a false usage message", async () => {
    const dir = repo({ "prod.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8"), "tke-cilium.json": '{"profile": []}' });
    const r = await here(dir, "render", "prod.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not a valid repository config");
    expect(r.stderr).not.toContain("needs at least one PROFILE");
  });
});

/** A gzipped chart tarball of these files under cilium/. */
async function chartTarball(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, data] of Object.entries(files)) pack.entry({ name: `cilium/${name}` }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const CHART_YAML = "apiVersion: v2\nname: cilium\nversion: 1.21.0\n";

describe("chart data", () => {
  it("chart add refuses an image repository with a space or a newline", async () => {
    for (const repository of ["quay.io/cilium/cilium x", "quay.io/cilium/cilium\ntouch /tmp/pwned", "quay.io/$(id)"]) {
      const dir = repo();
      writeFileSync(join(dir, "c.tgz"), await chartTarball({ "Chart.yaml": CHART_YAML, "values.yaml": `image:\n  repository: ${JSON.stringify(repository)}\n  tag: v1.21.0\n` }));
      const r = await here(dir, "chart", "add", "c.tgz");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("not an image reference");
      expect(existsSync(join(dir, ".tke-cilium"))).toBe(false);
    }
  });

  it("a crafted .tke-cilium/charts/X.json with a poisoned image is refused, never written into images.txt", async () => {
    const chart = { version: "1.21.0", images: [{ path: "image", repository: "quay.io/cilium/cilium\nrm -rf ~", tag: "v1.21.0", digest: "", useDigest: false }], keys: ["image"], types: {} };
    const profile = { ...JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")), cilium: { version: "1.21.0" }, images: { mirror: "custom", registry: "tcr.example.com", useDigest: false } };
    const dir = repo({ ".tke-cilium/charts/1.21.0.json": chart, "p.json": profile });
    const r = await here(dir, "render", "p.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("1.21.0.json: it lists the image repository");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});

describe("no Terraform state lost", () => {
  const dev = JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8"));
  const STATE: Record<string, string> = {
    "terraform.tfstate": '{"version": 4, "serial": 7}\n',
    "terraform.tfstate.backup": '{"version": 4, "serial": 6}\n',
    ".terraform.lock.hcl": "# provider locks\n",
    ".terraform/providers/registry.terraform.io/tencentcloudstack/tencentcloud/1.82.0/linux_amd64/terraform-provider": "binary\n",
    ".terraform/terraform.tfstate": '{"backend": "local"}\n',
    "prod.auto.tfvars": 'cluster_id = "cls-abcdefgh"\n',
  };
  /** A rendered bundle whose terraform/ holds the user's state; the profile is then changed so render must write. */
  async function withState(): Promise<{ dir: string; tf: string }> {
    const dir = repo({ "dev.json": dev });
    expect((await here(dir, "render", "dev.json")).status).toBe(0);
    const tf = join(dir, "out/dev/terraform");
    for (const [path, text] of Object.entries(STATE)) {
      mkdirSync(join(tf, path, ".."), { recursive: true });
      writeFileSync(join(tf, path), text);
    }
    writeFileSync(join(dir, "dev.json"), JSON.stringify({ ...dev, features: { ...(dev.features ?? {}), hubble: true, bandwidthManager: true }, nodePool: { ...dev.nodePool, type: "regular", instanceTypes: ["S5.LARGE8"] } }, null, 2));
    return { dir, tf };
  }
  const stateOf = (tf: string) => Object.fromEntries(Object.keys(STATE).map((p) => [p, existsSync(join(tf, p)) ? readFileSync(join(tf, p), "utf8") : null]));

  it("render keeps the state files, and check does not call them drift", async () => {
    const { dir, tf } = await withState();
    const r = await here(dir, "render", "dev.json");
    expect(r.status, r.stderr).toBe(0);
    expect(stateOf(tf)).toEqual(STATE);
    expect((await here(dir, "check", "dev.json")).status).toBe(0);
  });

  it("a terraform running in terraform/ while render replaces the bundle keeps writing its state into the bundle", async () => {
    const { dir, tf } = await withState();
    const { spawn } = await import("node:child_process");
    // a terraform apply: started in terraform/, it writes its state there once render has run
    const apply = spawn("bash", ["-c", "while [ ! -e \"$GO\" ]; do sleep 0.05; done; printf 'after\\n' > terraform.tfstate"], { cwd: tf, env: { ...process.env, GO: join(dir, "go") } });
    const done = new Promise((resolve) => apply.on("close", resolve));
    const r = await here(dir, "render", "dev.json");
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(join(dir, "go"), "");
    await done;
    expect(readFileSync(join(tf, "terraform.tfstate"), "utf8")).toBe("after\n");
    expect(readFileSync(join(tf, "terraform.tfstate.backup"), "utf8")).toBe(STATE["terraform.tfstate.backup"]);
  });

  it("a terraform/ holding a state lock is not touched: a clear refusal", async () => {
    const { dir, tf } = await withState();
    writeFileSync(join(tf, ".terraform.tfstate.lock.info"), '{"ID": "x"}\n');
    const before = readFileSync(join(dir, "out/dev/install.sh"), "utf8");
    const mainTf = readFileSync(join(tf, "main.tf"), "utf8");
    const r = await here(dir, "render", "dev.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(".terraform.tfstate.lock.info exists: a terraform command is running");
    expect(readFileSync(join(dir, "out/dev/install.sh"), "utf8")).toBe(before);
    expect(readFileSync(join(tf, "main.tf"), "utf8")).toBe(mainTf);
    expect(stateOf(tf)).toEqual(STATE);
  });
});

describe("an interrupted render", () => {
  it("puts back a terraform/ folder it had moved into its staging folder, never deletes it", async () => {
    const { recoverInterrupted } = await import("../src/store.js");
    const dir = repo({ "dev.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8") });
    expect((await here(dir, "render", "dev.json")).status).toBe(0);
    const install = readFileSync(join(dir, "out/dev/install.sh"), "utf8");
    // a .tmp-* folder holding a terraform/ folder (no run leaves one: a whole folder is renamed .new-* first)
    const staging = join(dir, "out/.dev.tmp-123-x-y");
    mkdirSync(staging);
    const { renameSync } = await import("node:fs");
    writeFileSync(join(dir, "out/dev/terraform/terraform.tfstate"), "state\n");
    renameSync(join(dir, "out/dev/terraform"), join(staging, "terraform"));
    recoverInterrupted(join(dir, "out"), ["dev"]);
    expect(readFileSync(join(dir, "out/dev/terraform/terraform.tfstate"), "utf8")).toBe("state\n");
    expect(existsSync(staging)).toBe(false);
    // the half-written folder was not swapped in: the old bundle is whole
    expect(readFileSync(join(dir, "out/dev/install.sh"), "utf8")).toBe(install);
  });

  it("rolls forward a whole new bundle (.NAME.new-*) it had moved terraform/ into, keeping the state", async () => {
    const { recoverInterrupted } = await import("../src/store.js");
    const { cpSync, renameSync } = await import("node:fs");
    const dir = repo({ "dev.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8") });
    expect((await here(dir, "render", "dev.json")).status).toBe(0);
    // killed after the whole new bundle was written and terraform/ moved into it, before the swap
    const whole = join(dir, "out/.dev.new-123-x-y");
    cpSync(join(dir, "out/dev"), whole, { recursive: true, filter: (src) => !src.includes("/terraform") });
    writeFileSync(join(whole, "install.sh"), "#!/usr/bin/env bash\n# the new one\n");
    writeFileSync(join(dir, "out/dev/terraform/terraform.tfstate"), "state\n");
    renameSync(join(dir, "out/dev/terraform"), join(whole, "terraform"));
    recoverInterrupted(join(dir, "out"), ["dev"]);
    expect(readFileSync(join(dir, "out/dev/install.sh"), "utf8")).toContain("# the new one");
    expect(readFileSync(join(dir, "out/dev/terraform/terraform.tfstate"), "utf8")).toBe("state\n");
    expect(existsSync(whole)).toBe(false);
  });
});

describe("chart add is bounded: a clear error in seconds, never exit 70", () => {
  const bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`).join("\n") + "\n";
  const cases: [string, Record<string, string>, RegExp][] = [
    ["an alias bomb", { "values.yaml": bomb }, /more than 100 aliases/],
    ["invalid YAML", { "values.yaml": "a: [\n b: {" }, /values\.yaml is not YAML a chart can have/],
    ["invalid Chart.yaml", { "Chart.yaml": "name: [" }, /Chart\.yaml is not YAML a chart can have/],
    ["deep flow nesting", { "values.yaml": "[".repeat(100_000) }, /values\.yaml is not YAML a chart can have/],
    ["deep map nesting", { "values.yaml": Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n" }, /nests maps more than 64 deep/],
    ["an 8 MiB values.yaml", { "values.yaml": "k: " + "x".repeat(8 * 1024 * 1024 - 600) + "\n" }, /more than the 2097152/],
    ["700k keys", { "values.yaml": Array.from({ length: 700_000 }, (_, i) => `k${i}: 1`).join("\n") }, /more than|bytes/],
    ["250k keys in 2 MiB", { "values.yaml": Array.from({ length: 250_000 }, (_, i) => `${i.toString(36)}: 1`).join("\n") }, /more than the 20000/],
    ["250k keys on one line", { "values.yaml": `{${Array.from({ length: 250_000 }, (_, i) => `${i.toString(36)}: 1`).join(",")}}` }, /more than the 20000/],
    ["25k lines of maps", { "values.yaml": Array.from({ length: 25_000 }, (_, i) => `k${i.toString(36)}: {a: 1, b: 2}`).join("\n") }, /more than the 20000/],
    ["a leading-zero version", { "Chart.yaml": "apiVersion: v2\nname: cilium\nversion: 01.021.0\n" }, /no leading zeros/],
    ["a version with a suffix", { "Chart.yaml": "apiVersion: v2\nname: cilium\nversion: 1.21.0-rc.1\n" }, /no leading zeros, no suffix/],
    ["a chart name with an escape sequence", { "Chart.yaml": "apiVersion: v2\nname: \"\\e[31mcilium\"\nversion: 1.21.0\n" }, /not cilium/],
  ];
  it.each(cases)("%s", async (_name, files, message) => {
    const dir = repo();
    writeFileSync(join(dir, "c.tgz"), await chartTarball({ "Chart.yaml": CHART_YAML, "values.yaml": "a: 1\n", ...files }));
    const r = cli(dir, "chart", "add", "c.tgz");
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\u001b/);
    expect(existsSync(join(dir, ".tke-cilium"))).toBe(false);
  });

  it("a .Values path of a million segments, and a hasKey with a long run of spaces, are read in linear time", async () => {
    const dir = repo();
    const templates = { "templates/a.yaml": `{{ .Values${".a".repeat(1_000_000)} }}`, "templates/b.yaml": `hasKey .Values.a${" ".repeat(300_000)}x\n` };
    writeFileSync(join(dir, "c.tgz"), await chartTarball({ "Chart.yaml": CHART_YAML, "values.yaml": "a: 1\n", ...templates }));
    const r = cli(dir, "chart", "add", "c.tgz");
    expect(r.status, r.stderr).toBe(0);
  });

  it("a malformed .tke-cilium/charts/X.json is a clear error", async () => {
    for (const text of ["null", "[]", "{", '{"version": "1.21.0", "images": [null], "keys": [], "types": {}}', '{"version": "1.21.0", "images": [], "keys": [1], "types": {}}', '{"version": "1.21.0", "images": [], "keys": [], "types": {"a": 1}}']) {
      const dir = repo({ ".tke-cilium/charts/1.21.0.json": text, "p.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8") });
      for (const args of [["validate", "p.json"], ["chart", "list"]]) {
        const r = await here(dir, ...args);
        expect(r.status, `${text}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(".tke-cilium/charts/1.21.0.json");
      }
    }
  });
});

describe("check --staged fails loudly when it cannot read the commit", () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" });
    return r;
  };
  const dev = () => readFileSync(join(ROOT, "presets/dev.json"), "utf8");

  it("outside a git repository", async () => {
    const dir = repo({ "dev.json": dev() }, null);
    const r = await here(dir, "check", "--staged", "dev.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("git cannot read one");
  });

  it("with a merge conflict in the index", async () => {
    const dir = repo({ "dev.json": dev() }, null);
    git(dir, "init", "-q");
    expect((await here(dir, "render", "dev.json", "--quiet")).status).toBe(0);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "base");
    git(dir, "checkout", "-qb", "other");
    const edit = async (features: object) => {
      writeFileSync(join(dir, "dev.json"), JSON.stringify({ ...JSON.parse(dev()), features }, null, 2));
      expect((await here(dir, "render", "dev.json", "--quiet")).status).toBe(0);
      git(dir, "add", "-A");
    };
    await edit({ hubble: true });
    git(dir, "commit", "-qm", "other");
    git(dir, "checkout", "-q", "main");
    await edit({ bandwidthManager: true });
    git(dir, "commit", "-qm", "main");
    expect(git(dir, "merge", "other").status).not.toBe(0);
    const r = await here(dir, "check", "--staged", "--quiet", "dev.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unmerged paths (a merge conflict): dev.json");
  });

  it("on profiles inside a submodule", async () => {
    const dir = repo({}, null);
    git(dir, "init", "-q");
    git(dir, "update-index", "--add", "--cacheinfo", `160000,${"a".repeat(40)},clusters`);
    mkdirSync(join(dir, "clusters"));
    writeFileSync(join(dir, "clusters/dev.json"), dev());
    for (const arg of ["clusters", "clusters/", "clusters/dev.json"]) {
      const r = await here(dir, "check", "--staged", arg);
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr).toContain("submodule");
    }
  });

  it("with git's dubious ownership", async () => {
    const dir = repo({ "dev.json": dev() }, null);
    git(dir, "init", "-q");
    expect((await here(dir, "render", "dev.json", "--quiet")).status).toBe(0);
    git(dir, "add", "-A");
    // owned by someone else: git refuses the repository (root included)
    spawnSync("chown", ["-R", "65534:65534", dir]);
    const r = await here(dir, "check", "--staged", "dev.json");
    expect(r.status).toBe(1);
    if (process.getuid?.() === 0) expect(r.stderr).toContain("dubious ownership");
  });
});

describe("the file system fails under the CLI", () => {
  it("a folder of profiles that cannot be read (mode 000) is a clear error", () => {
    const dir = repo({ "clusters/dev.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8") });
    chmodSync(join(dir, "clusters"), 0o000);
    chmodSync(scratch, 0o755);
    // as root every folder is readable: run as nobody where that is possible
    const asNobody = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath] : [process.execPath];
    const r = spawnSync(asNobody[0], [...asNobody.slice(1), CLI, "validate", "clusters/"], { cwd: dir, encoding: "utf8", timeout: 9000 });
    chmodSync(join(dir, "clusters"), 0o755);
    expect([1, 2], r.stderr).toContain(r.status);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("check while another process renders the same bundles: drift or not, never a crash", async () => {
    const dev = JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8"));
    const dir = repo({ "dev.json": dev });
    expect(cli(dir, "render", "dev.json").status).toBe(0);
    const { spawn } = await import("node:child_process");
    // a render loop flipping the bundle between two profiles
    const loop = spawn("bash", ["-c", `for i in $(seq 20); do cp a.json dev.json; node ${JSON.stringify(CLI)} render dev.json -q; cp b.json dev.json; node ${JSON.stringify(CLI)} render dev.json -q; done`], { cwd: dir });
    writeFileSync(join(dir, "a.json"), JSON.stringify(dev));
    writeFileSync(join(dir, "b.json"), JSON.stringify({ ...dev, features: { hubble: true } }));
    const done = new Promise((resolve) => loop.on("close", resolve));
    for (let i = 0; i < 8; i++) cli(dir, "check", "dev.json", "--quiet");
    loop.kill();
    await done;
  }, 30_000);

  it("a lock draft left by a killed run is removed by the next render", async () => {
    const dir = repo({ "dev.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8") });
    mkdirSync(join(dir, "out"));
    // pid 2^22 + 1 is above Linux's pid_max: no such process
    writeFileSync(join(dir, "out/.tke-cilium.lock.4194305.0123456789ab"), "tke-cilium 4194305  0123\n");
    expect((await here(dir, "render", "dev.json")).status).toBe(0);
    expect(readdirSync(join(dir, "out"))).toEqual(["dev"]);
  });
});

describe("names from the disk on the terminal", () => {
  it("a profile file name with terminal escapes is escaped in render's table", async () => {
    const dir = repo({ "\u001b]0;owned\u0007prod.json": { ...JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")), name: "prod" } });
    const r = await here(dir, "render", "\u001b]0;owned\u0007prod.json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("\\x1b]0;owned\\x07prod.json");
    expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it("a backslash in a file name is part of the name, not a folder", async () => {
    const dir = repo({ "evil\\prod.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8").replace(/"name": "[^"]*",?/, "") });
    const r = await here(dir, "render", "evil\\prod.json");
    // the name the file gives is not a DNS label: an error, not a bundle called "prod"
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("INVALID_NAME");
    expect(existsSync(join(dir, "out/prod"))).toBe(false);
  });
});

describe("flow-log filters", () => {
  it("a filter field Hubble's FlowFilter does not have is an error", async () => {
    const profile = { ...JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")), features: { flowLogs: { exports: [{ name: "drops", include: [{ verdict: ["DROPPED"], "source_pod; rm -rf /": ["x"] }] }] } } };
    const dir = repo({ "p.json": profile });
    const r = await here(dir, "validate", "p.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error FLOW_FILTER_UNKNOWN_FIELD /features/flowLogs/exports/0/include/0/source_pod; rm -rf ~1");
  });
});

describe("line endings", () => {
  it("a bundle checked out with CRLF (.gitattributes) is drift told as line endings, not a wall of identical lines", async () => {
    const dir = repo({ "dev.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8"), ".gitattributes": "* text eol=crlf\n" });
    expect((await here(dir, "render", "dev.json")).status).toBe(0);
    const values = join(dir, "out/dev/tke-values.yaml");
    writeFileSync(values, readFileSync(values, "utf8").replace(/\n/g, "\r\n"));
    const r = await here(dir, "check", "dev.json");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("line endings: the file has CRLF line endings where tke-cilium writes LF");
    expect(r.stdout).not.toContain("\\x0d");
  });
});

describe("a rename across file systems", () => {
  it("is one line that says what to do, and the old bundle stays whole", async () => {
    const { replaceTree, REAL_WRITE_OPS } = await import("../src/store.js");
    const out = join(repo(), "out");
    replaceTree(out, "prod", [{ path: "a.txt", content: "old\n", mode: 0o644 }]);
    const exdev = Object.assign(new Error("EXDEV: cross-device link not permitted, rename"), { code: "EXDEV" });
    const ops = { ...REAL_WRITE_OPS, rename: () => { throw exdev; } };
    expect(() => replaceTree(out, "prod", [{ path: "a.txt", content: "new\n", mode: 0o644 }], ops)).toThrow(/another file system than its folder \(a mount point\?\).*\(EXDEV\)/);
    expect(readFileSync(join(out, "prod/a.txt"), "utf8")).toBe("old\n");
  });
});

describe("check --staged reads no file whole that is far larger than a profile", () => {
  it("a 20 MB staged peer is sized by git, reported too large, never read", async () => {
    const dir = repo({ "dev.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8") }, null);
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    writeFileSync(join(dir, "huge.json"), `{"name": "huge", "x": "${"a".repeat(20 << 20)}"}`);
    git("add", "-A");
    const r = await here(dir, "check", "--staged", "dev.json", "huge.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/huge\.json.*(larger|bytes)/);
  });

  it("a 20 MB file staged in a bundle, and one in HEAD's bundle, are sized by git and reported, never read", async () => {
    const dir = repo({ "dev.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8") }, null);
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    expect((await here(dir, "render", "dev.json")).status).toBe(0);
    writeFileSync(join(dir, "out/dev/tke-values.yaml"), "a".repeat(20 << 20));
    git("add", "-A");
    const staged = await here(dir, "check", "--staged", "dev.json");
    expect(staged.status).toBe(1);
    expect(staged.stdout + staged.stderr).toMatch(/a file of 20971520 bytes, larger than any bundle file, not read/);
    expect(staged.stdout + staged.stderr).not.toMatch(/a{200}/);
    git("commit", "-qm", "planted");
    expect((await here(dir, "render", "dev.json")).status).toBe(0);
    git("add", "-A");
    const next = await here(dir, "check", "--staged", "dev.json");
    expect(next.status, next.stderr).toBe(0);
  });
});
