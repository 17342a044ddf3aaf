import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, removeFakeClusters, tkeCluster } from "./fake-cluster/cluster.js";
import { gatewayApiProblem, pods } from "./fake-cluster/controllers.js";
import { fileOf, renderObject } from "./helpers.js";

afterAll(removeFakeClusters);

/**
 * The fake cluster's operator model can fail a bundle: a Gateway API CRD set its Cilium minor cannot start
 * with crash-loops the operator, as `kubectl rollout status` and `kubectl get pods` report it.
 */

const overlay = (version: string) => ({
  name: "c1",
  region: "ap-guangzhou",
  apiserverVIP: "169.254.128.50",
  cluster: { vpcCidrs: ["10.0.0.0/16"] },
  cilium: { version, mode: "overlay", podCidrs: ["10.244.0.0/16"] },
  nodePool: { type: "karpenter", subnetIds: ["subnet-ovl00001"], securityGroupIds: ["sg-ovl00001"] },
  features: { gatewayApi: true },
});

const bundleOf = (version: string) => {
  const r = renderObject(overlay(version));
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.files;
};

/** Installs a 1.19 bundle whose Gateway API CRDs are those of another minor's bundle, then two nodes join. */
async function installWithCrdsOf(crdsFrom: string) {
  const cluster = new FakeCluster(tkeCluster({ vip: "169.254.128.50" }));
  const files = bundleOf("1.19.5").map((f) => (f.path === "gateway-api-crds.yaml" ? { ...f, content: fileOf(bundleOf(crdsFrom), "gateway-api-crds.yaml")!.content } : f));
  const folder = cluster.writeBundle("v1", files);
  const install = await cluster.run(join(folder, "install.sh"));
  expect(install.status).toBe(0);
  cluster.edit((s) => s.nodes.push({ name: "10.0.0.11" }, { name: "10.0.0.12" }));
  const probe = join(cluster.dir, "probe.sh");
  writeFileSync(probe, "set -u\nkubectl -n kube-system get pods -l app.kubernetes.io/name=cilium-operator\nkubectl -n kube-system rollout status deployment/cilium-operator --timeout=1m\n");
  return { cluster, probe: await cluster.run(probe) };
}

describe.concurrent("the fake operator judges the Gateway API CRDs by the Cilium minor", () => {
  it("1.19 with its own CRDs (v1.4.1 + TLSRoute v1alpha2): the operator runs", async () => {
    const { cluster, probe } = await installWithCrdsOf("1.19.5");
    expect(probe.status).toBe(0);
    expect(probe.stdout).toContain('deployment "cilium-operator" successfully rolled out');
    expect(pods(cluster.state).filter((p) => p.owner.endsWith("cilium-operator")).map((p) => p.status)).toEqual(["Running", "Running"]);
  });

  it("1.19 with 1.20's CRDs (v1.5.1: TLSRoute v1alpha2 not served): CrashLoopBackOff, and rollout status fails", async () => {
    const { cluster, probe } = await installWithCrdsOf("1.20.0");
    expect(probe.status).not.toBe(0);
    expect(probe.stdout).toMatch(/cilium-operator-0\s+0\/1\s+CrashLoopBackOff/);
    expect(probe.stderr).toContain("tlsroutes.gateway.networking.k8s.io does not serve v1alpha2");
    expect(gatewayApiProblem(cluster.state)).toBe("failed to start: tlsroutes.gateway.networking.k8s.io does not serve v1alpha2");
  });

  it("no node yet: the operator is Pending, not failed", async () => {
    const cluster = new FakeCluster(tkeCluster({ vip: "169.254.128.50" }));
    expect((await cluster.run(join(cluster.writeBundle("v1", bundleOf("1.19.5")), "install.sh"))).status).toBe(0);
    expect(pods(cluster.state).filter((p) => p.owner.endsWith("cilium-operator")).map((p) => p.status)).toEqual(["Pending", "Pending"]);
  });

  it("1.20 with 1.19's CRDs (ReferenceGrant and TLSRoute v1 missing): CrashLoopBackOff", async () => {
    const cluster = new FakeCluster(tkeCluster({ vip: "169.254.128.50" }));
    const files = bundleOf("1.20.0").map((f) => (f.path === "gateway-api-crds.yaml" ? { ...f, content: fileOf(bundleOf("1.19.5"), "gateway-api-crds.yaml")!.content } : f));
    expect((await cluster.run(join(cluster.writeBundle("v1", files), "install.sh"))).status).toBe(0);
    cluster.edit((s) => s.nodes.push({ name: "10.0.0.11" }));
    expect(gatewayApiProblem(cluster.state)).toMatch(/does not serve v1$/);
    expect(pods(cluster.state).find((p) => p.owner.endsWith("cilium-operator"))?.status).toBe("CrashLoopBackOff");
  });
});

/**
 * install.sh waits for one Ready operator replica once a node runs Cilium, and stops on a crash-looping one (its
 * Pods and log on stderr), so a bundle whose operator cannot start does not end as a successful install.
 */
describe.concurrent("install.sh waits for cilium-operator", () => {
  it("no node yet (TKE's first install): the install ends, saying the operator starts with the first node", async () => {
    const cluster = new FakeCluster(tkeCluster({ vip: "169.254.128.50" }));
    const install = await cluster.run(join(cluster.writeBundle("v1", bundleOf("1.19.5")), "install.sh"));
    expect(install.status).toBe(0);
    expect(install.stderr).toBe("");
    expect(install.stdout).toContain("No node runs Cilium yet: cilium-operator starts on the first node that joins");
  });

  it("nodes joined, the bundle's own CRDs: the run after it passes the wait without a warning", async () => {
    const { cluster } = await installWithCrdsOf("1.19.5");
    const again = await cluster.run(join(cluster.dir, "bundles", "v1", "install.sh"));
    expect(again.stderr).not.toContain("cilium-operator");
    expect(again.status).toBe(0);
  });

  it("nodes joined, an operator image the mirror lacks: the next run stops at the operator with its Pods and kubectl's answer", async () => {
    const { cluster } = await installWithCrdsOf("1.19.5");
    cluster.edit((s) => (s.missingImages = ["quay.tencentcloudcr.com/cilium/operator-generic:v1.19.5"]));
    const again = await cluster.run(join(cluster.dir, "bundles", "v1", "install.sh"));
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/cilium-operator-0\s+0\/1\s+ImagePullBackOff/);
    expect(again.stderr).toContain("is waiting to start: trying and failing to pull image");
    expect(again.stderr).toContain("install.sh: error: cilium-operator does not start");
    // stopped before the next steps are printed
    expect(again.stdout).not.toContain("Check Cilium once nodes are Ready");
  });

  it("nodes joined, TLSRoute v1alpha2 unserved since (by someone else): the next run serves it again (the bundle's CRDs) and the operator starts", async () => {
    const { cluster } = await installWithCrdsOf("1.19.5");
    cluster.edit((s) => {
      const crd = s.objects["CustomResourceDefinition//tlsroutes.gateway.networking.k8s.io"] as { spec: { versions: { name: string; served: boolean }[] } };
      for (const v of crd.spec.versions) if (v.name === "v1alpha2") v.served = false;
    });
    expect(gatewayApiProblem(cluster.state)).toContain("does not serve v1alpha2");
    const again = await cluster.run(join(cluster.dir, "bundles", "v1", "install.sh"));
    expect(again.status).toBe(0);
    expect(gatewayApiProblem(cluster.state)).toBeNull();
  });
});
