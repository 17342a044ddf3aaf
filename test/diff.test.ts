import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, removeFakeClusters, tkeCluster } from "./fake-cluster/cluster.js";
import { renderObject, ROOT } from "./helpers.js";

afterAll(removeFakeClusters);

/**
 * tke-cilium diff against a fake cluster (kubectl and helm shims backed by a state file that records every
 * call and every change): the built CLI runs as a child process, as a user would run it.
 */

const prod = JSON.parse(readFileSync(join(ROOT, "presets/prod.json"), "utf8")) as Record<string, unknown>;
const CLI = join(ROOT, "dist/cli.cjs");

async function installed() {
  const cluster = new FakeCluster(tkeCluster({ vip: prod.apiserverVIP as string }));
  const result = renderObject({ ...prod, name: "c1" });
  const folder = cluster.writeBundle("c1", result.files);
  const install = await cluster.run(join(folder, "install.sh"));
  expect(install.status, install.stderr).toBe(0);
  writeFileSync(join(cluster.dir, "c1.json"), JSON.stringify({ ...prod, name: "c1" }, null, 2) + "\n");
  const script = join(cluster.dir, "diff.sh");
  writeFileSync(script, `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} diff c1.json --no-color "$@"\n`);
  const diff = async (...args: string[]) => {
    const r = await cluster.run(script, args);
    return { ...r, calls: cluster.state.calls };
  };
  return { cluster, diff };
}

const READ_ONLY = /^(helm (list|get values) |kubectl get )/;

describe.concurrent("tke-cilium diff on a fake cluster", () => {
  it("exits 0 when the cluster runs the bundle, reading only", async () => {
    const { diff } = await installed();
    const r = await diff();
    expect(r.stderr).toContain("the cluster runs c1's bundle: release kube-system/cilium, chart 1.19.5");
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
    expect(r.changes).toEqual([]);
    expect(r.calls.length).toBeGreaterThan(2);
    for (const call of r.calls) expect(call).toMatch(READ_ONLY);
  });

  it("shows a changed value, a changed chart version and a changed object, exits 1, and changes nothing", async () => {
    const { cluster, diff } = await installed();
    cluster.edit((s) => {
      const release = s.releases["kube-system/cilium"];
      release.version = "1.19.4";
      release.values = release.values.map((text) => text.replace("k8sServicePort: 60002", "k8sServicePort: 443"));
      const flowSchema = s.objects["FlowSchema//cilium"] as { spec: { matchingPrecedence: number } };
      flowSchema.spec.matchingPrecedence = 9999;
    });
    const r = await diff();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("--- live/helm/kube-system/cilium/chart-version\n+++ bundle/helm/kube-system/cilium/chart-version");
    expect(r.stdout).toContain("-version: 1.19.4\n+version: 1.19.5");
    expect(r.stdout).toContain("--- live/helm/kube-system/cilium/values.yaml");
    expect(r.stdout).toContain("-k8sServicePort: 443\n+k8sServicePort: 60002");
    expect(r.stdout).toContain("--- live/cluster-scoped/FlowSchema/cilium.yaml");
    expect(r.stdout).toMatch(/-  matchingPrecedence: 9999\n\+  matchingPrecedence: \d+/);
    // the server's additions (uid, resourceVersion, status) are not differences
    expect(r.stdout).not.toContain("resourceVersion");
    expect(r.stderr).toContain("c1: 3 differences with the cluster");
    expect(r.changes).toEqual([]);
    for (const call of r.calls) expect(call).toMatch(READ_ONLY);
  });

  it("a missing release and missing objects are differences", async () => {
    const { cluster, diff } = await installed();
    cluster.edit((s) => {
      delete s.releases["kube-system/cilium"];
      delete s.objects["NodePool//default"];
    });
    const r = await diff();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("--- /dev/null\n+++ bundle/helm/kube-system/cilium/values.yaml");
    expect(r.stdout).toContain("--- /dev/null\n+++ bundle/cluster-scoped/NodePool/default.yaml");
    expect(r.changes).toEqual([]);
  });
});
