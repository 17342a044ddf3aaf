import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderProfiles } from "../src/pipeline.js";
import { FakeCluster, kubeadmCluster, tkeCluster, type ClusterState } from "./fake-cluster/cluster.js";
import { fleetEquivalentPaths, presetPaths, ROOT } from "./helpers.js";
import { casesHere, coveringPaths, onceInNpmTest } from "./slice.js";

/**
 * `install.sh --dry-run` of every preset (presets/*.json, the mesh's presets/mesh/*.json rendered as one run,
 * the fleet's JSON equivalents) against a fresh fake cluster of its platform: it runs under the script's own
 * `set -euo pipefail`, reads the cluster for real, exits 0 and changes nothing. A command piped into one that
 * --dry-run only prints (NodeLocal DNSCache's manifest exited 141, SIGPIPE) fails here. npm test runs the
 * covering slice of these presets (test/slice.ts), npm run test:slow the rest.
 */

type Profile = {
  platform?: string;
  apiserverVIP?: string;
  cluster?: { network?: string };
  selfManaged?: { apiServer: { host: string }; kubeProxy?: "absent" | "remove" | "keep" };
  clusterMesh?: { clusterId: number };
};

const paths = [...presetPaths(), ...fleetEquivalentPaths()];
const results = renderProfiles(paths.map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") })));
const sliced = coveringPaths(paths);

/** The cluster a preset is made for, as it is before the first install, with the CRDs its bundle requires of the user (CLS log collection). */
function clusterFor(p: Profile, install: string): ClusterState {
  const state = platformCluster(p);
  for (const m of install.matchAll(/kubectl get crd '([^']+)' -o name >\/dev\/null 2>&1 \|\|\n\s*die "CRD/g)) state.crds.push(m[1]);
  return state;
}

function platformCluster(p: Profile): ClusterState {
  if (p.selfManaged !== undefined) return kubeadmCluster({ vip: p.selfManaged.apiServer.host, kubeProxy: (p.selfManaged.kubeProxy ?? "absent") !== "absent" });
  const state = tkeCluster({ vip: p.apiserverVIP!, network: p.cluster?.network === "gr" ? "gr" : "vpc-cni" });
  // a mesh member after `clustermesh.sh ca`, as the README's order has it: the mesh's CA is already there
  if (p.clusterMesh !== undefined) state.objects["Secret/kube-system/cilium-ca"] = { data: { "ca.crt": "Y2E=", "ca.key": "a2V5" } };
  return state;
}

describe.concurrent("install.sh --dry-run of every preset exits 0 under pipefail and changes nothing", () => {
  onceInNpmTest(() => {
    it("covers every preset, the mesh's and the seed's among them", () => {
      expect(results.map((r) => r.source.path)).toEqual(paths);
      expect(paths).toEqual(expect.arrayContaining(["presets/seed-1.18.3.json", "presets/kubeadm.json", "presets/k3s.json", "presets/kubespray.json", "presets/mesh/sh.json"]));
    });
  });

  it.each(casesHere(results, (r) => sliced.has(r.source.path)).map((r) => [r.source.path, r] as const))("%s", async (path, r) => {
    expect(r.diagnostics.filter((d) => d.severity === "error"), path).toEqual([]);
    const install = r.files.find((f) => f.path === "install.sh")!.content;
    expect(install).toMatch(/^set -euo pipefail$/m);
    const profile = JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Profile;
    const cluster = new FakeCluster(clusterFor(profile, install));
    const folder = cluster.writeBundle("v1", r.files);
    const run = await cluster.run(join(folder, "install.sh"), ["--dry-run"]);
    expect([run.status, run.changes], `${path}: ${run.stderr}`).toEqual([0, []]);
    expect(run.stdout, path).toMatch(/\+ helm upgrade --install cilium /);
  });
});
