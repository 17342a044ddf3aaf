import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, removeFakeClusters, tkeCluster } from "./fake-cluster/cluster.js";
import { cli, here, MESH_MEMBER, member, repo, scratch, removeScratch } from "./hostile-repo.js";
import { SLOW } from "./slice.js";

afterAll(removeFakeClusters);

afterAll(removeScratch);

/**
 * One way into a shell (issue 23): crafted peers, file names and every string field of a mesh member and its
 * peer, fed shell metacharacters, are refused or stay quoted: `bash -n` passes and running each script against
 * the fake cluster executes no injected command.
 */

/** Shell metacharacters and the payloads a crafted value carries: each would touch `canary` if it ran. */
const payloads = (canary: string) => [
  `$(touch ${canary})`,
  `x'; touch ${canary}; '`,
  `x\ntouch ${canary}\n#`,
  `\`touch ${canary}\``,
  `x"; touch ${canary}; "`,
  `x\rtouch ${canary}`,
  `x && touch ${canary} | \${IFS}`,
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

/**
 * npm test runs each bundle's scripts against the fake cluster for one payload of each case (the payload
 * turning from case to case, so every payload runs somewhere) and parses every payload's scripts with
 * `bash -n`; npm run test:slow (TKE_CILIUM_SLOW=1) runs the scripts for every payload, as before.
 */
const runsOnCluster = (caseIndex: number, payload: number, of: number) => SLOW || payload === caseIndex % of;

/** `bash -n` on every script of a bundle. */
function parseScripts(bundle: string): void {
  for (const name of readdirSync(bundle).filter((f) => f.endsWith(".sh"))) {
    const syntax = spawnSync("bash", ["-n", join(bundle, name)], { encoding: "utf8" });
    expect(syntax.status, `${name}: ${syntax.stderr}`).toBe(0);
  }
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
    const argSets = name === "clustermesh.sh" ? [["ca"], ["ca", "--dry-run"], ["status"]] : name === "egress-gateway-policy.sh" ? [["egress", "kube-system"]] : [[]];
    for (const args of argSets) {
      try {
        await cluster.run(script, args, { PATH: `${bin}:${process.env.PATH}` });
      } catch {
        // a call the fake cluster does not know ends the script; what ran before it is what counts
      }
      // a payload may name the canary by its path, or (in a file name, which cannot hold "/") by its name in the working directory
      expect(existsSync(canary) || existsSync(join(cluster.dir, basename(canary))), `${name} ${args.join(" ")} ran an injected command`).toBe(false);
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

  it.each([0, 1, 2, 3, 4, 5, 6])("file names carrying payload %i, for a member and its peer, stay inside every script's comments", async (n) => {
    const canary = join(scratch, `canary-file-names-${n}`);
    const payload = payloads(basename(canary))[n];
    const dir = repo({
      [`me ${payload}.json`]: member({ name: "me", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 } }),
      [`peer ${payload}.json`]: member({ name: "peer", cluster: { id: "cls-peer0001", vpcCidrs: ["10.96.0.0/16"] }, clusterMesh: { clusterId: 1 } }),
    });
    const r = cli(dir, "render", `me ${payload}.json`, `peer ${payload}.json`, "--quiet");
    expect(r.status, r.stderr).toBe(0);
    if (SLOW || n % 2 === 0) {
      await runScripts(join(dir, "out/me"), canary);
      await runScripts(join(dir, "out/peer"), canary);
    } else for (const bundle of ["out/me", "out/peer"]) parseScripts(join(dir, bundle));
  });

  const canary = join(scratch, "canary-fields");
  const rich = member({ name: "rich", cluster: { id: "cls-abcdefgh" }, clusterMesh: { clusterId: 5 }, features: { ...MESH_MEMBER.features, flowLogs: true }, cilium: { version: "1.19.5", extraValues: { extraConfig: { note: "x" } } } });
  const peer = member({ name: "peer", cluster: { id: "cls-peer0001", vpcCidrs: ["10.97.0.0/16"] }, clusterMesh: { clusterId: 1 } });
  const fields = [...stringPaths(rich).map((p) => ["member", p] as const), ...stringPaths(peer).map((p) => ["peer", p] as const)];
  it.each(fields.map(([who, p], index) => [who, p.join("/"), who, p, index] as const))("the %s's string field /%s, fed shell metacharacters, is refused or stays quoted in every script", async (_who, _shown, who, path, index) => {
    // the peer is not named on the command line: its member finds it in tke-cilium.json's profiles
    const dir = repo({ "tke-cilium.json": { profiles: ["rich.json", "peer.json"] } });
    for (const [i, payload] of payloads(canary).entries()) {
      writeFileSync(join(dir, "rich.json"), JSON.stringify(who === "member" ? setAt(rich, path, payload) : rich));
      writeFileSync(join(dir, "peer.json"), JSON.stringify(who === "peer" ? setAt(peer, path, payload) : peer));
      const r = await here(dir, "render", "rich.json", "--quiet");
      if (r.status !== 0) continue;
      const bundle = join(dir, "out", JSON.parse(readFileSync(join(dir, "rich.json"), "utf8")).name);
      // every payload's scripts parse; the first three also run against the fake cluster (npm test: one of them, by turns)
      if (i < 3 && runsOnCluster(index, i, 3)) await runScripts(bundle, canary);
      else parseScripts(bundle);
    }
  });
});

