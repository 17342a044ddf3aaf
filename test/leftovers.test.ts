import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, removeFakeClusters, tkeCluster, type ClusterState } from "./fake-cluster/cluster.js";
import { renderObject, ROOT } from "./helpers.js";

afterAll(removeFakeClusters);

/**
 * An add-on turned off leaves nothing behind: the objects an earlier bundle labelled as the add-on's
 * (app.kubernetes.io/managed-by=tke-cilium, tke-cilium.io/addon=<id>) are deleted by the next install.sh, in
 * an order that gives back what they had replaced; anything else, and every CRD, stays.
 */

const prod = JSON.parse(readFileSync(join(ROOT, "presets/prod.json"), "utf8")) as Record<string, any>;
const withFeatures = (features: object) => ({ ...prod, features: { ...prod.features, ...features } });
const KARPENTER = ["nodepools.karpenter.sh", "tkemachinenodeclasses.karpenter.k8s.tke"];

/** Objects of others: the user's ConfigMap in kube-system, kube-dns's own Service, a FlowSchema of another tool. */
const OTHERS: ClusterState["objects"] = {
  "ConfigMap/kube-system/user-settings": { metadata: { name: "user-settings", labels: { app: "mine" } }, data: { a: "b" } },
  "Service/kube-system/kube-dns": { metadata: { name: "kube-dns", labels: { "k8s-app": "kube-dns" } } },
  "ConfigMap/kube-system/other-tool": { metadata: { name: "other-tool", labels: { "app.kubernetes.io/managed-by": "someone-else", "tke-cilium.io/addon": "node-local-dns" } } },
};

function cluster(crds: string[] = []) {
  const state = tkeCluster({ vip: prod.apiserverVIP, crds: [...KARPENTER, ...crds] });
  state.objects = { ...state.objects, ...OTHERS };
  // the operator runs and serves the redirect policy's CRD (nodes have joined)
  state.objects["Deployment/kube-system/cilium-operator"] = { status: { readyReplicas: 2 } };
  state.crds.push("ciliumlocalredirectpolicies.cilium.io");
  const c = new FakeCluster(state);
  let n = 0;
  return {
    c,
    async install(profile: object, ...args: string[]) {
      const r = renderObject({ ...profile, name: "c1" });
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const folder = c.writeBundle(`v${++n}`, r.files);
      return { folder, result: await c.run(join(folder, "install.sh"), args) };
    },
  };
}

const labelled = (state: ClusterState, addon: string) =>
  Object.entries(state.objects)
    .filter(([, o]) => {
      const labels = (o as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {};
      return labels["app.kubernetes.io/managed-by"] === "tke-cilium" && labels["tke-cilium.io/addon"] === addon;
    })
    .map(([key]) => key);

describe.concurrent("install.sh removes what an add-on turned off left", () => {
  it("NodeLocal DNSCache on → off: the redirect first (DNS back to kube-dns), then the cache; nothing else", async () => {
    const s = cluster();
    const on = await s.install(withFeatures({ nodeLocalDns: true }));
    expect(on.result.status).toBe(0);
    expect(labelled(s.c.state, "node-local-dns")).toHaveLength(6);
    const others = JSON.stringify(Object.fromEntries(Object.keys(OTHERS).map((k) => [k, s.c.state.objects[k]])));

    const off = await s.install(withFeatures({ nodeLocalDns: false }));
    expect(off.result.stderr).toBe("");
    expect(off.result.status).toBe(0);
    expect(off.result.changes).toEqual([
      "kubectl delete CiliumLocalRedirectPolicy/kube-system/nodelocaldns",
      "kubectl delete DaemonSet/kube-system/node-local-dns Service/kube-system/kube-dns-upstream Service/kube-system/node-local-dns ConfigMap/kube-system/node-local-dns ServiceAccount/kube-system/node-local-dns",
    ]);
    expect(off.result.stdout).toContain("Pods resolve through kube-dns again");
    expect(labelled(s.c.state, "node-local-dns")).toEqual([]);
    // the user's objects, kube-dns and another tool's object with a look-alike label are untouched, as is APF (still on)
    expect(JSON.stringify(Object.fromEntries(Object.keys(OTHERS).map((k) => [k, s.c.state.objects[k]])))).toBe(others);
    expect(s.c.state.objects["FlowSchema//cilium"]).toBeDefined();
    expect(s.c.state.crds).toContain("ciliumlocalredirectpolicies.cilium.io");

    const again = await s.install(withFeatures({ nodeLocalDns: false }));
    expect([again.result.status, again.result.changes]).toEqual([0, []]);
  });

  it("--dry-run prints the deletions and changes nothing", async () => {
    const s = cluster();
    await s.install(withFeatures({ nodeLocalDns: true }));
    const dry = await s.install(withFeatures({ nodeLocalDns: false }), "--dry-run");
    expect([dry.result.status, dry.result.changes]).toEqual([0, []]);
    expect(dry.result.stdout).toContain(
      // printf %q escapes the selector's comma
      "+ kubectl -n kube-system delete ciliumlocalredirectpolicies.cilium.io -l app.kubernetes.io/managed-by=tke-cilium\\,tke-cilium.io/addon=node-local-dns",
    );
    expect(labelled(s.c.state, "node-local-dns")).toHaveLength(6);
  });

  it("API Priority and Fairness on → off: the FlowSchema and PriorityLevelConfiguration go", async () => {
    const s = cluster();
    await s.install(prod);
    expect(labelled(s.c.state, "apf")).toEqual(["FlowSchema//cilium", "PriorityLevelConfiguration//cilium"]);
    const off = await s.install(withFeatures({ apf: false }));
    expect(off.result.status).toBe(0);
    expect(off.result.changes).toEqual(["kubectl delete FlowSchema//cilium PriorityLevelConfiguration//cilium"]);
    expect(labelled(s.c.state, "apf")).toEqual([]);
  });

  it("flow logs to CLS on → off: the LogConfig goes, the CRD of the cluster's log collection stays", async () => {
    const s = cluster(["logconfigs.cls.cloud.tencent.com"]);
    await s.install(withFeatures({ flowLogs: { cls: { logset: "l", topic: "t" } } }));
    expect(labelled(s.c.state, "flow-logs")).toEqual(["LogConfig//cilium-flow-logs"]);
    const off = await s.install(withFeatures({ flowLogs: false }));
    expect(off.result.status).toBe(0);
    expect(off.result.changes).toContain("kubectl delete LogConfig//cilium-flow-logs");
    expect(labelled(s.c.state, "flow-logs")).toEqual([]);
    expect(s.c.state.crds).toContain("logconfigs.cls.cloud.tencent.com");
  });

  it("Gateway API on → off: the example the user applied goes, the CRDs stay with a message", async () => {
    const s = cluster();
    const gateway = { cilium: { version: "1.19.5", mode: "overlay" }, features: { ...prod.features, gatewayApi: true, masquerade: undefined } };
    const on = await s.install({ ...prod, ...gateway });
    expect(on.result.status).toBe(0);
    // the user applies the example, as the next steps say
    s.c.edit((st) => {
      for (const doc of parseAllDocuments(readFileSync(join(on.folder, "gateway-example.yaml"), "utf8")).map((d) => d.toJS())) {
        st.objects[`${doc.kind}/${doc.metadata.namespace ?? ""}/${doc.metadata.name}`] = doc;
      }
    });
    expect(labelled(s.c.state, "gateway-api")).toHaveLength(3);
    const off = await s.install({ ...prod, ...gateway, features: { ...gateway.features, gatewayApi: false } });
    expect(off.result.status).toBe(0);
    expect(off.result.changes).toEqual(
      expect.arrayContaining(["kubectl delete HTTPRoute/default/example-route", "kubectl delete Gateway/default/example-gateway", "kubectl delete Service/default/example-gateway-clb"]),
    );
    expect(labelled(s.c.state, "gateway-api")).toEqual([]);
    expect(s.c.state.crds).toContain("gateways.gateway.networking.k8s.io");
    expect(off.result.stdout).toContain("the Gateway API CRDs stay");
  });
});

describe("what install.sh labels", () => {
  it("every object of an add-on's files carries the tool's and the add-on's labels", () => {
    const r = renderObject(withFeatures({ nodeLocalDns: true, flowLogs: { cls: { logset: "l", topic: "t" } } }));
    const owners: Record<string, string> = { "cilium-apf.yaml": "apf", "node-local-dns.yaml": "node-local-dns", "localdns-redirect-policy.yaml": "node-local-dns", "cls-logconfig.yaml": "flow-logs" };
    for (const [path, addon] of Object.entries(owners)) {
      const file = r.files.find((f) => f.path === path);
      expect(file, path).toBeDefined();
      for (const doc of parseAllDocuments(file!.content).map((d) => d.toJS())) {
        expect(doc.metadata.labels, `${path} ${doc.kind}`).toMatchObject({ "app.kubernetes.io/managed-by": "tke-cilium", "tke-cilium.io/addon": addon });
      }
    }
  });

  it("the egress policy script prints a policy labelled as the egress gateway's, and the IPsec Secret is labelled once created", () => {
    const egress = renderObject(JSON.parse(readFileSync(join(ROOT, "presets/egress.json"), "utf8")));
    expect(egress.files.find((f) => f.path === "egress-gateway-policy.sh")!.content).toContain("'app.kubernetes.io/managed-by' 'tke-cilium' 'tke-cilium.io/addon' 'egress-gateway'");
    const ipsec = renderObject({ ...prod, cluster: { ...prod.cluster, network: "gr" }, cilium: { mode: "overlay" }, features: { ...prod.features, encryption: "ipsec", masquerade: undefined } });
    expect(ipsec.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(ipsec.files.find((f) => f.path === "install.sh")!.content).toContain(
      `kubectl -n "$NAMESPACE" label secret 'cilium-ipsec-keys' 'app.kubernetes.io/managed-by=tke-cilium' 'tke-cilium.io/addon=encryption'`,
    );
  });
});
