import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, tkeCluster } from "./fake-cluster/cluster.js";
import { ROOT } from "./helpers.js";

/**
 * Hostile repositories (issue 23): what a pull request to the GitOps repository can plant — profiles, their
 * file names, tke-cilium.json, .tke-cilium/charts/, chart tarballs, folders and links — run through the built
 * CLI. Every case: exit 0, 1 or 2 (never 70 or a stack trace), no command of an input executed, no byte of a
 * file outside the repository printed, no Terraform state changed.
 */

const CLI = join(ROOT, "dist/cli.cjs");
const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-hostile-repo-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A secret outside every repository of this file: its text must never be printed. */
const SECRET = "SECRET-CANARY-7f3a9c";
const outside = join(scratch, "outside");
mkdirSync(outside);
writeFileSync(join(outside, "config.json"), `{"auths": {"registry": {"auth": "${SECRET}"}}}\n`);

const MESH_MEMBER = JSON.parse(readFileSync(join(ROOT, "presets/mesh/gz-east.json"), "utf8")) as Record<string, any>;
delete MESH_MEMBER.$schema;

let repos = 0;
/** A fresh git-less repository (a folder with tke-cilium.json or .git) holding `files`. */
function repo(files: Record<string, string | object> = {}, marker: ".git" | null = ".git"): string {
  const dir = join(scratch, `repo-${++repos}`);
  mkdirSync(dir);
  if (marker) mkdirSync(join(dir, marker));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 9000, maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: "1" } });
  const run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  // never a crash, a hang or an outside file's bytes
  expect(r.error, "the CLI did not finish in 9 s").toBeUndefined();
  expect([0, 1, 2], `exit ${r.status}: ${r.stderr}`).toContain(r.status);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
  expect(r.stdout + r.stderr).not.toContain(SECRET);
  return run;
}

const member = (over: Record<string, any>) => ({ ...MESH_MEMBER, ...over, cluster: { ...MESH_MEMBER.cluster, ...(over.cluster ?? {}) }, clusterMesh: { ...MESH_MEMBER.clusterMesh, ...(over.clusterMesh ?? {}) } });

/** Shell metacharacters and the payloads a crafted value carries: each would touch `canary` if it ran. */
const payloads = (canary: string) => [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `x'; touch ${canary}; '`,
  `x"; touch ${canary}; "`,
  `x\ntouch ${canary}\n#`,
  `x\rtouch ${canary}`,
  `x && touch ${canary}`,
  `x | touch ${canary}`,
  `x; touch ${canary}`,
  `\${IFS}touch\${IFS}${canary}`,
];

/** Every string leaf of a value, as JSON pointer paths. */
function stringPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value === "string") return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, String(i)]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => (k === "$schema" ? [] : stringPaths(v, [...path, k])));
  return [];
}

function setAt(value: any, path: string[], leaf: string): any {
  const copy = structuredClone(value);
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]] = leaf;
  return copy;
}

/** Runs every script of a bundle: `bash -n`, then against a fake cluster (with a `cilium` that does nothing). */
async function runScripts(bundle: string, canary: string): Promise<void> {
  const cluster = new FakeCluster(tkeCluster({ vip: "169.254.128.31" }));
  const bin = join(cluster.dir, "extra-bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "cilium"), "#!/usr/bin/env bash\nexit 0\n", { mode: 0o755 });
  for (const name of readdirSync(bundle).filter((f) => f.endsWith(".sh"))) {
    const script = join(bundle, name);
    const syntax = spawnSync("bash", ["-n", script], { encoding: "utf8" });
    expect(syntax.status, `${name}: ${syntax.stderr}`).toBe(0);
    for (const args of [[], ["--dry-run"], ["ca"], ["connect"], ["egress", "kube-system"]]) {
      try {
        await cluster.run(script, args, { PATH: `${bin}:${process.env.PATH}` });
      } catch {
        // a call the fake cluster does not know ends the script; what ran before it is what counts
      }
      expect(existsSync(canary), `${name} ${args.join(" ")} ran an injected command`).toBe(false);
    }
  }
}

describe("one way into a shell", () => {
  it("a mesh peer's crafted cluster.id is an error of its members, never a word of clustermesh.sh", () => {
    const canary = join(scratch, "canary-peer-id");
    const dir = repo({
      "me.json": member({ name: "me", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 } }),
      "peer.json": member({ name: "peer", cluster: { id: `cls-x\ntouch ${canary}\n#`, vpcCidrs: ["10.99.0.0/16"] }, clusterMesh: { clusterId: 1 } }),
      "tke-cilium.json": { profiles: ["me.json", "peer.json"] },
    });
    const r = cli(dir, "render", "me.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error MESH_INVALID_PEER /clusterMesh/name: peer.json, a member of mesh \"fleet\", is not a valid profile");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("an invalid peer's vpcCidrs do not flow into a valid member's values", () => {
    const dir = repo({
      "me.json": member({ name: "me", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 } }),
      // valid but for one field: still no source of values
      "peer.json": member({ name: "peer", apiserverVIP: "not-an-ip", cluster: { id: "cls-peer0001", vpcCidrs: ["10.99.0.0/16"] }, clusterMesh: { clusterId: 1 } }),
    });
    const r = cli(dir, "validate", "me.json", "peer.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^me\.json:\d+:\d+ error MESH_INVALID_PEER /m);
    const alone = cli(dir, "render", "me.json");
    expect(alone.status).toBe(0);
    expect(readFileSync(join(dir, "out/me/features-values.yaml"), "utf8")).not.toContain("10.99.0.0/16");
  });

  it("a profile file name with a newline and shell metacharacters stays inside clustermesh.sh's comments", async () => {
    const canary = join(scratch, "canary-file-name");
    const name = `x\ntouch ${canary}\n$(touch ${canary}).json`;
    const dir = repo({
      "me.json": member({ name: "me", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 } }),
      [name]: member({ name: "peer", cluster: { id: "cls-peer0001", vpcCidrs: ["10.98.0.0/16"] }, clusterMesh: { clusterId: 1 } }),
    });
    const r = cli(dir, "render", "me.json", name);
    expect(r.status, r.stderr).toBe(0);
    await runScripts(join(dir, "out/me"), canary);
    await runScripts(join(dir, "out/peer"), canary);
  });

  const canary = join(scratch, "canary-fields");
  const rich = member({ name: "rich", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 }, features: { ...MESH_MEMBER.features, flowLogs: true }, cilium: { version: "1.19.5", extraValues: { extraConfig: { note: "x" } } } });
  const peer = member({ name: "peer", cluster: { id: "cls-peer0001", vpcCidrs: ["10.97.0.0/16"] }, clusterMesh: { clusterId: 1 } });
  it.each(stringPaths(rich).map((p) => [p.join("/"), p] as const))("the string field /%s, fed shell metacharacters, is refused or stays quoted in every script", async (_shown, path) => {
    const dir = repo({ "peer.json": peer });
    for (const [i, payload] of payloads(canary).entries()) {
      writeFileSync(join(dir, "rich.json"), JSON.stringify(setAt(rich, path, payload)));
      const r = cli(dir, "render", "rich.json", "peer.json", "--quiet");
      if (r.status !== 0) continue;
      const bundle = join(dir, "out", JSON.parse(readFileSync(join(dir, "rich.json"), "utf8")).name);
      // every payload's scripts parse; the first few also run against the fake cluster
      if (i < 4) await runScripts(bundle, canary);
      else for (const name of readdirSync(bundle).filter((f) => f.endsWith(".sh"))) expect(spawnSync("bash", ["-n", join(bundle, name)]).status).toBe(0);
    }
  });
});

describe("reads confined to the repository", () => {
  it("tke-cilium.json naming a file outside the repository, or /proc/self/environ, prints none of it", () => {
    for (const target of ["../outside/config.json", join(outside, "config.json"), "/proc/self/environ"]) {
      const dir = repo({ "tke-cilium.json": { profiles: [target] } });
      const r = cli(dir, "validate");
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr).toContain("outside the repository");
    }
  });

  it("a profile that is a symbolic link to a secret is refused, whether named or globbed", () => {
    const dir = repo({ "tke-cilium.json": { profiles: ["clusters/*.json"] } });
    mkdirSync(join(dir, "clusters"));
    symlinkSync(join(outside, "config.json"), join(dir, "clusters/prod.json"));
    for (const args of [["validate"], ["validate", "clusters/prod.json"], ["validate", "clusters/"], ["check"]]) {
      const r = cli(dir, ...args);
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

  it("a diagnostic quotes only the offending line, cut and escaped", () => {
    const long = `{"region": "ap-guangzhou", "apiserverVIP": "10.0.0.1", "nodePool": {"type": "native"}, "name": "\\u001b[31mred", "x": "${"A".repeat(5000)}"}`;
    const dir = repo({ "p.json": `${long}\n\u001b]0;title\u0007 trailing junk line\n` });
    const r = cli(dir, "validate", "p.json");
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
  it("an out outside the repository is refused, and nothing is written there", () => {
    const dir = repo({ "prod.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8"), "tke-cilium.json": { profiles: ["prod.json"], out: "../escaped-out" } });
    const r = cli(dir, "render");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("outside the repository");
    expect(existsSync(join(dir, "../escaped-out"))).toBe(false);
  });

  it("an invalid config is reported without a false usage message", () => {
    const dir = repo({ "prod.json": readFileSync(join(ROOT, "presets/dev.json"), "utf8"), "tke-cilium.json": '{"profile": []}' });
    const r = cli(dir, "render", "prod.json");
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
      const r = cli(dir, "chart", "add", "c.tgz");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("not an image reference");
      expect(existsSync(join(dir, ".tke-cilium"))).toBe(false);
    }
  });

  it("a crafted .tke-cilium/charts/X.json with a poisoned image is refused, never written into images.txt", () => {
    const chart = { version: "1.21.0", images: [{ path: "image", repository: "quay.io/cilium/cilium\nrm -rf ~", tag: "v1.21.0", digest: "", useDigest: false }], keys: ["image"], types: {} };
    const profile = { ...JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")), cilium: { version: "1.21.0" }, images: { mirror: "custom", registry: "tcr.example.com", useDigest: false } };
    const dir = repo({ ".tke-cilium/charts/1.21.0.json": chart, "p.json": profile });
    const r = cli(dir, "render", "p.json");
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
  function withState(): { dir: string; tf: string } {
    const dir = repo({ "dev.json": dev });
    expect(cli(dir, "render", "dev.json").status).toBe(0);
    const tf = join(dir, "out/dev/terraform");
    for (const [path, text] of Object.entries(STATE)) {
      mkdirSync(join(tf, path, ".."), { recursive: true });
      writeFileSync(join(tf, path), text);
    }
    writeFileSync(join(dir, "dev.json"), JSON.stringify({ ...dev, features: { ...(dev.features ?? {}), hubble: true, bandwidthManager: true }, nodePool: { ...dev.nodePool, type: "regular", instanceTypes: ["S5.LARGE8"] } }, null, 2));
    return { dir, tf };
  }
  const stateOf = (tf: string) => Object.fromEntries(Object.keys(STATE).map((p) => [p, existsSync(join(tf, p)) ? readFileSync(join(tf, p), "utf8") : null]));

  it("render keeps the state files, and check does not call them drift", () => {
    const { dir, tf } = withState();
    const r = cli(dir, "render", "dev.json");
    expect(r.status, r.stderr).toBe(0);
    expect(stateOf(tf)).toEqual(STATE);
    expect(cli(dir, "check", "dev.json").status).toBe(0);
  });

  it("a terraform running in terraform/ while render replaces the bundle keeps writing its state into the bundle", async () => {
    const { dir, tf } = withState();
    const { spawn } = await import("node:child_process");
    // a terraform apply: started in terraform/, it writes its state there once render has run
    const apply = spawn("bash", ["-c", "while [ ! -e \"$GO\" ]; do sleep 0.05; done; printf 'after\\n' > terraform.tfstate"], { cwd: tf, env: { ...process.env, GO: join(dir, "go") } });
    const done = new Promise((resolve) => apply.on("close", resolve));
    const r = cli(dir, "render", "dev.json");
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(join(dir, "go"), "");
    await done;
    expect(readFileSync(join(tf, "terraform.tfstate"), "utf8")).toBe("after\n");
    expect(readFileSync(join(tf, "terraform.tfstate.backup"), "utf8")).toBe(STATE["terraform.tfstate.backup"]);
  });

  it("a terraform/ holding a state lock is not touched: a clear refusal", () => {
    const { dir, tf } = withState();
    writeFileSync(join(tf, ".terraform.tfstate.lock.info"), '{"ID": "x"}\n');
    const before = readFileSync(join(dir, "out/dev/install.sh"), "utf8");
    const mainTf = readFileSync(join(tf, "main.tf"), "utf8");
    const r = cli(dir, "render", "dev.json");
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
    expect(cli(dir, "render", "dev.json").status).toBe(0);
    // killed after moving terraform/ into the new bundle, before the swap
    const staging = join(dir, "out/.dev.tmp-123-x-y");
    mkdirSync(staging);
    const { renameSync } = await import("node:fs");
    writeFileSync(join(dir, "out/dev/terraform/terraform.tfstate"), "state\n");
    renameSync(join(dir, "out/dev/terraform"), join(staging, "terraform"));
    recoverInterrupted(join(dir, "out"), ["dev"]);
    expect(readFileSync(join(dir, "out/dev/terraform/terraform.tfstate"), "utf8")).toBe("state\n");
    expect(existsSync(staging)).toBe(false);
  });
});
