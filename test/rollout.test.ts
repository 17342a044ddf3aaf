import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deriveRolloutTimeout } from "../src/derive/rollout.js";
import { FakeCluster, removeFakeClusters, tkeCluster } from "./fake-cluster/cluster.js";
import { fileOf, renderObject, ROOT } from "./helpers.js";

afterAll(removeFakeClusters);

/** install.sh waits for the agents as long as their rollout can take: cluster.maxNodes over the DaemonSet's maxUnavailable. */

const prod = JSON.parse(readFileSync(join(ROOT, "presets/prod.json"), "utf8")) as Record<string, any>;
const installOf = (profile: object) => {
  const r = renderObject(profile);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return fileOf(r.files, "install.sh")!.content;
};
/** The profile's figure, which install.sh keeps unless the nodes the DaemonSet runs on need longer. */
const waitLine = (install: string) => {
  expect(install).toContain('run kubectl -n "$NAMESPACE" rollout status daemonset/cilium --timeout="${rollout_minutes}m"');
  const minutes = /^profile_minutes='(\d+)'$/m.exec(install)?.[1];
  return minutes === undefined ? undefined : `${minutes}m`;
};

describe("the agents' rollout timeout", () => {
  it("grows with cluster.maxNodes over the chart's maxUnavailable (2): 800 nodes are 400 batches of 90 s", () => {
    expect(prod.cluster.maxNodes).toBe(800);
    const install = installOf(prod);
    expect(waitLine(install)).toBe("600m");
    expect(install).toContain('step "Wait for the cilium DaemonSet, up to 600m: 400 batches of 2 nodes (maxUnavailable) x 90 s for cluster.maxNodes 800, at least 10m');
  });

  it("follows a maxUnavailable set in cilium.extraValues, as a number or a percentage (rounded up, as Kubernetes does)", () => {
    const at = (maxUnavailable: unknown) => waitLine(installOf({ ...prod, cilium: { ...prod.cilium, extraValues: { updateStrategy: { rollingUpdate: { maxUnavailable } } } } }));
    expect(at(20)).toBe("60m");
    expect(at("10%")).toBe("15m");
    expect(at("100%")).toBe("10m");
  });

  it("never goes below 10m, and stays there without cluster.maxNodes", () => {
    expect(waitLine(installOf({ ...prod, cluster: { ...prod.cluster, maxNodes: 3 } }))).toBe("10m");
    const { maxNodes: _, ...cluster } = prod.cluster;
    const install = installOf({ ...prod, cluster });
    expect(waitLine(install)).toBe("10m");
    expect(install).toContain("cluster.maxNodes unset: the 10m floor");
  });

  it("an unusable maxUnavailable falls back to the chart's 2", () => {
    expect(deriveRolloutTimeout(100, "0%").minutes).toBe(75);
    expect(deriveRolloutTimeout(100, 0).minutes).toBe(75);
    expect(deriveRolloutTimeout(100, "x").minutes).toBe(75);
  });

  it("install.sh passes it to kubectl rollout status on the cluster", async () => {
    const cluster = new FakeCluster(tkeCluster({ vip: prod.apiserverVIP }));
    const folder = cluster.writeBundle("v1", renderObject({ ...prod, name: "c1" }).files);
    const r = await cluster.run(join(folder, "install.sh"), []);
    expect(r.status).toBe(0);
    expect(cluster.state.calls).toContain("kubectl -n kube-system rollout status daemonset/cilium --timeout=600m");
  });

  /** Installs on an empty cluster, then `nodes` nodes join and install.sh runs again (the wait runs on every run). */
  async function rerunWith(profile: Record<string, any>, nodes: number) {
    const cluster = new FakeCluster(tkeCluster({ vip: prod.apiserverVIP }));
    const folder = cluster.writeBundle("v1", renderObject({ ...profile, name: "c1" }).files);
    expect((await cluster.run(join(folder, "install.sh"), [])).status).toBe(0);
    cluster.edit((s) => s.nodes.push(...Array.from({ length: nodes }, (_, i) => ({ name: `10.0.1.${i + 1}` }))));
    const again = await cluster.run(join(folder, "install.sh"), []);
    expect(again.status).toBe(0);
    const waits = cluster.state.calls.filter((c) => c.startsWith("kubectl -n kube-system rollout status daemonset/cilium"));
    return { again, last: waits.at(-1) };
  }

  it("the nodes the DaemonSet runs on, when they need longer than the profile says: 30 nodes without cluster.maxNodes are 23m, not the 10m floor", async () => {
    const { maxNodes: _, ...cluster } = prod.cluster;
    const { again, last } = await rerunWith({ ...prod, cluster }, 30);
    expect(last).toBe("kubectl -n kube-system rollout status daemonset/cilium --timeout=23m");
    expect(again.stdout).toContain("==> Wait for the cilium DaemonSet, up to 23m: 15 batches of 2 nodes (maxUnavailable) x 90 s for the 30 nodes it runs on, more than the profile's 10m");
  });

  it("a percentage of the nodes it runs on, rounded up: 10% of 30 nodes are batches of 3, 10 batches, 15m", async () => {
    const { maxNodes: _, ...cluster } = prod.cluster;
    const { last } = await rerunWith({ ...prod, cluster, cilium: { ...prod.cilium, extraValues: { updateStrategy: { rollingUpdate: { maxUnavailable: "10%" } } } } }, 30);
    expect(last).toBe("kubectl -n kube-system rollout status daemonset/cilium --timeout=15m");
  });

  it("fewer nodes than cluster.maxNodes: the profile's figure stays (800 nodes' 600m on 30 nodes)", async () => {
    const { again, last } = await rerunWith(prod, 30);
    expect(last).toBe("kubectl -n kube-system rollout status daemonset/cilium --timeout=600m");
    expect(again.stdout).toContain("==> Wait for the cilium DaemonSet, up to 600m: 400 batches of 2 nodes (maxUnavailable) x 90 s for cluster.maxNodes 800");
  });
});
