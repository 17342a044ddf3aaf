import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderProfiles } from "../src/pipeline.js";
import { FakeCluster, removeFakeClusters, type ClusterState } from "./fake-cluster/cluster.js";
import { fleetEquivalentPaths, presetPaths, ROOT } from "./helpers.js";
import { clusterFor as scenarioCluster } from "./scenario.js";
import { casesHere, coveringPaths, onceInNpmTest } from "./slice.js";

afterAll(removeFakeClusters);

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

/**
 * The cluster a preset is made for, as it is before the first install: the scenario suite's (the CRDs the
 * profile says the user brings, CLS log collection), and for a mesh member the mesh's CA that `clustermesh.sh
 * ca` copied in before, as the README's order has it (with the first member's Helm ownership, as copied).
 */
function clusterFor(p: Profile): ClusterState {
  const state = scenarioCluster(p);
  if (p.clusterMesh !== undefined) {
    state.objects["Secret/kube-system/cilium-ca"] = {
      metadata: { name: "cilium-ca", namespace: "kube-system", labels: { "app.kubernetes.io/managed-by": "Helm" }, annotations: { "meta.helm.sh/release-name": "cilium", "meta.helm.sh/release-namespace": "kube-system" } },
      data: { "ca.crt": "Y2E=", "ca.key": "a2V5" },
    };
  }
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
    const cluster = new FakeCluster(clusterFor(profile));
    const folder = cluster.writeBundle("v1", r.files);
    const run = await cluster.run(join(folder, "install.sh"), ["--dry-run"]);
    expect([run.status, run.changes], `${path}: ${run.stderr}`).toEqual([0, []]);
    expect(run.stdout, path).toMatch(/\+ helm upgrade --install cilium /);
  });
});
