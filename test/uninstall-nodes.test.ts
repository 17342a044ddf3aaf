import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, removeFakeClusters, tkeCluster } from "./fake-cluster/cluster.js";
import { renderObject, ROOT } from "./helpers.js";

afterAll(removeFakeClusters);

/**
 * After uninstall.sh, nodes become Ready again without Cilium: its startup taint leaves the pools the bundle
 * knows (Karpenter's NodePool; the exact Terraform change for TKE pools, whose state is the user's) and the
 * live nodes that still carry it; a kept node's renamed CNI configurations (*.cilium_bak) get their names back.
 */

const preset = (name: string) => JSON.parse(readFileSync(join(ROOT, "presets", `${name}.json`), "utf8")) as Record<string, any>;
const TAINT = { key: "node.cilium.io/agent-not-ready", value: "true", effect: "NoSchedule" };

function installed(profile: Record<string, any>) {
  const cluster = new FakeCluster(tkeCluster({ vip: profile.apiserverVIP }));
  const folder = cluster.writeBundle("v1", renderObject({ ...profile, name: "c1" }).files);
  return {
    cluster,
    install: () => cluster.run(join(folder, "install.sh"), []),
    uninstall: (...args: string[]) => cluster.run(join(folder, "uninstall.sh"), args),
    uninstallText: () => readFileSync(join(folder, "uninstall.sh"), "utf8"),
  };
}

/** Nodes as they are after Cilium left: one that joined since (still tainted), one Cilium had untainted, one with a taint of the user's. */
const joinedNodes = (key = TAINT.key) => [
  { name: "10.0.0.11", taints: [{ ...TAINT, key }] },
  { name: "10.0.0.12", taints: [] },
  { name: "10.0.0.13", taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }, { ...TAINT, key }] },
];

describe.concurrent("uninstall.sh gives the nodes back", () => {
  it("Karpenter: the NodePool's startupTaints lose Cilium's taint, and so do the live nodes; the other taints stay", async () => {
    const s = installed(preset("prod"));
    expect((await s.install()).status).toBe(0);
    const pool = () => s.cluster.state.objects["NodePool//default"] as { spec: { template: { spec: { startupTaints?: { key: string }[] } } } };
    expect(pool().spec.template.spec.startupTaints).toEqual([TAINT]);
    s.cluster.edit((st) => (st.nodes = joinedNodes()));
    const r = await s.uninstall();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.changes).toEqual([
      "helm uninstall cilium",
      "kubectl delete configmap cni-config",
      "kubectl delete flowschema cilium",
      "kubectl delete prioritylevelconfiguration cilium",
      "kubectl patch nodepools.karpenter.sh default",
      "kubectl taint nodes 10.0.0.11 node.cilium.io/agent-not-ready-",
      "kubectl taint nodes 10.0.0.13 node.cilium.io/agent-not-ready-",
      "kubectl patch daemonset kube-proxy",
      "kubectl patch daemonset tke-cni-agent",
      "kubectl patch daemonset ip-masq-agent",
    ]);
    expect(pool().spec.template.spec.startupTaints).toEqual([]);
    expect(s.cluster.state.nodes.map((n) => n.taints)).toEqual([[], [], [{ key: "dedicated", value: "db", effect: "NoSchedule" }]]);
    // a second run finds nothing left to do
    expect((await s.uninstall()).changes).toEqual([]);
  });

  it("--dry-run prints the untainting and changes nothing", async () => {
    const s = installed(preset("prod"));
    await s.install();
    s.cluster.edit((st) => (st.nodes = joinedNodes()));
    const r = await s.uninstall("--dry-run");
    expect([r.status, r.changes]).toEqual([0, []]);
    expect(r.stdout).toContain("+ kubectl patch nodepools.karpenter.sh default --type=json -p");
    expect(r.stdout).toContain("+ kubectl taint nodes 10.0.0.11 node.cilium.io/agent-not-ready-");
  });

  it("a TKE pool made by Terraform: the live nodes are untainted, and the exact Terraform change is printed", async () => {
    const s = installed(preset("regular"));
    expect((await s.install()).status).toBe(0);
    s.cluster.edit((st) => (st.nodes = joinedNodes()));
    const r = await s.uninstall();
    expect(r.status).toBe(0);
    expect(r.changes.filter((c) => c.startsWith("kubectl taint"))).toEqual([
      "kubectl taint nodes 10.0.0.11 node.cilium.io/agent-not-ready-",
      "kubectl taint nodes 10.0.0.13 node.cilium.io/agent-not-ready-",
    ]);
    expect(r.stdout).toContain(
      'in terraform/nodepool/main.tf delete the taints block with key = "node.cilium.io/agent-not-ready" (value = "true", effect = "NoSchedule") from tencentcloud_kubernetes_node_pool.cilium, then terraform -chdir=terraform/nodepool apply',
    );
    // uninstall.sh never runs Terraform itself
    expect(s.uninstallText()).not.toMatch(/^\s*(run )?terraform /m);
  });

  it("a native pool's autoscaler-ignored key is the one taken off", async () => {
    const key = "ignore-taint.cluster-autoscaler.kubernetes.io/cilium-agent-not-ready";
    const s = installed({ ...preset("dev"), nodePool: { ...preset("dev").nodePool, type: "native", startupTaint: true } });
    expect((await s.install()).status).toBe(0);
    s.cluster.edit((st) => (st.nodes = joinedNodes(key)));
    const r = await s.uninstall();
    expect(r.changes.filter((c) => c.startsWith("kubectl taint"))).toEqual([`kubectl taint nodes 10.0.0.11 ${key}-`, `kubectl taint nodes 10.0.0.13 ${key}-`]);
    expect(r.stdout).toContain(`key = "${key}"`);
  });

  it("a pool without a startup taint leaves the nodes' taints alone", async () => {
    const s = installed({ ...preset("regular"), nodePool: { ...preset("regular").nodePool, startupTaint: false } });
    await s.install();
    s.cluster.edit((st) => (st.nodes = joinedNodes()));
    const r = await s.uninstall();
    expect(r.changes.filter((c) => c.startsWith("kubectl taint"))).toEqual([]);
    expect(r.stdout).not.toContain("taints block");
  });

  it("a kept node's renamed CNI configurations get their names back (the guide's rm -f would lose them)", async () => {
    const s = installed(preset("prod"));
    const r = await s.uninstall("--dry-run");
    expect(r.stdout).toContain('for f in /etc/cni/net.d/*.cilium_bak; do [ -e "$f" ] && mv "$f" "${f%.cilium_bak}"; done');
  });
});
