import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, removeFakeClusters, tkeCluster, type ClusterState } from "./fake-cluster/cluster.js";
import { renderObject, ROOT } from "./helpers.js";

afterAll(removeFakeClusters);

/**
 * install.sh and uninstall.sh driven against a fake cluster (kubectl and helm shims backed by a state file),
 * through a cluster's life: first install, re-runs, changes, upgrades, refusals, removal. Each case asserts
 * the ordered list of calls that changed the cluster.
 */

const preset = (name: string) => JSON.parse(readFileSync(join(ROOT, "presets", `${name}.json`), "utf8")) as Record<string, unknown> & { cilium?: object; features?: object };

function bundle(profile: object, name = "c1") {
  const result = renderObject({ ...profile, name });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.files;
}

/** A cluster with a bundle written next to it; install() / uninstall() run its scripts. */
function setup(profile: object, state: ClusterState = tkeCluster({ vip: (profile as { apiserverVIP: string }).apiserverVIP })) {
  const cluster = new FakeCluster(state);
  let folder = cluster.writeBundle("v1", bundle(profile));
  let n = 1;
  return {
    cluster,
    /** Replace the bundle with one rendered from another profile (an edited profile, a new version). */
    rerender(next: object) {
      folder = cluster.writeBundle(`v${++n}`, bundle(next));
    },
    install: (...args: string[]) => cluster.run(join(folder, "install.sh"), args),
    uninstall: (...args: string[]) => cluster.run(join(folder, "uninstall.sh"), args),
  };
}

const PROD_FIRST_INSTALL = [
  "kubectl patch daemonset kube-proxy",
  "kubectl patch daemonset tke-cni-agent",
  "kubectl patch daemonset ip-masq-agent",
  "kubectl apply ConfigMap/kube-system/cni-config",
  "helm upgrade --install cilium 1.19.5",
  "kubectl apply FlowSchema//cilium PriorityLevelConfiguration//cilium",
  "kubectl apply NodePool//default TKEMachineNodeClass//default",
];

describe.concurrent("out/prod/install.sh on a fake cluster", () => {
  it("first install on an empty cluster: the guide's steps in order", async () => {
    const { install, cluster } = setup(preset("prod"));
    const r = await install();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.changes).toEqual(PROD_FIRST_INSTALL);
    expect(r.stdout).toContain("first install of Cilium 1.19.5");
    const release = cluster.state.releases["kube-system/cilium"];
    expect(release.description).toMatch(/^tke-cilium bundle [0-9a-f]{16}$/);
    expect(cluster.state.daemonSets["kube-proxy"].nodeSelector).toEqual({ "label-not-exist": "node-not-exist" });
  });

  it("with CDPATH exported (cd would print the folder) the script still finds its own files", async () => {
    const cluster = new FakeCluster(tkeCluster());
    const folder = cluster.writeBundle("v1", bundle(preset("prod")));
    const r = await cluster.run(join(folder, "install.sh"), [], { CDPATH: `.:${cluster.dir}:/` });
    expect(r.stderr).toBe("");
    expect(r.changes).toEqual(PROD_FIRST_INSTALL);
  });

  it("run twice, nodes joined in between: the second run exits 0 and changes nothing", async () => {
    const { install, cluster } = setup(preset("prod"));
    expect((await install()).status).toBe(0);
    cluster.edit((s) => s.nodes.push({ name: "10.0.0.11" }, { name: "10.0.0.12" }, { name: "eklet-1", type: "eklet" }));
    const again = await install();
    expect(again.stderr).toBe("");
    expect(again.status).toBe(0);
    expect(again.changes).toEqual([]);
    expect(again.stdout).toContain("Cilium 1.19.5 from this bundle is installed and deployed: nothing to upgrade");
    expect(cluster.state.releases["kube-system/cilium"].revision).toBe(1);
  });

  it("a feature change: one helm upgrade, no restart (the chart rolls the agents on a config change)", async () => {
    const s = setup(preset("prod"));
    await s.install();
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    s.rerender({ ...preset("prod"), features: { hubble: false, endpointSlice: true, bandwidthManager: true } });
    const r = await s.install();
    expect(r.status).toBe(0);
    expect(r.changes).toEqual(["helm upgrade --install cilium 1.19.5"]);
    expect(r.stdout).toContain("upgrade or change: Cilium 1.19.5 -> 1.19.5");
    expect(s.cluster.state.calls.filter((c) => c.includes("rollout restart"))).toEqual([]);
    expect(readFileSync(join(s.cluster.dir, "bundles/v2/tke-values.yaml"), "utf8")).toMatch(/^rollOutCiliumPods: true$/m);
  });

  it("a patch upgrade (1.19.5 to 1.19.6): one helm upgrade", async () => {
    const s = setup(preset("prod"));
    await s.install();
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    s.rerender({ ...preset("prod"), cilium: { version: "1.19.6" } });
    const r = await s.install();
    expect(r.status).toBe(0);
    expect(r.changes).toEqual(["helm upgrade --install cilium 1.19.6"]);
  });

  it("a minor upgrade (1.18.12 to 1.19.5): Cilium's pre-flight check first, then the upgrade", async () => {
    const s = setup({ ...preset("prod"), cilium: { version: "1.18.12" } });
    expect((await s.install()).changes).toContain("helm upgrade --install cilium 1.18.12");
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    s.rerender(preset("prod"));
    const r = await s.install();
    expect(r.status).toBe(0);
    expect(r.changes).toEqual(["helm upgrade --install cilium-preflight 1.19.5", "helm uninstall cilium-preflight", "helm upgrade --install cilium 1.19.5"]);
    expect(r.stdout).toContain("minor upgrade: Cilium 1.18.12 -> 1.19.5");
    expect(s.cluster.state.calls).toContain("kubectl -n kube-system rollout status daemonset/cilium-pre-flight-check --timeout=10m");
  });

  it("skipping a minor (1.18 to 1.20) is refused and changes nothing", async () => {
    const s = setup({ ...preset("prod"), cilium: { version: "1.18.12" } });
    await s.install();
    s.rerender({ ...preset("prod"), cilium: { version: "1.20.0" } });
    const r = await s.install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Cilium 1.18.12 is installed; upgrade one minor at a time");
    expect(r.changes).toEqual([]);
  });

  it("a datapath change (native to overlay) on a running cluster stops before any change, with why and the safe path", async () => {
    const s = setup(preset("prod"));
    expect((await s.install()).status).toBe(0);
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    s.rerender({ ...preset("prod"), cilium: { version: "1.19.5", mode: "overlay", podCidrs: ["172.28.0.0/16"] }, features: { ...preset("prod").features, masquerade: undefined } });
    for (const args of [[], ["--dry-run"], ["--force"]]) {
      const r = await s.install(...args);
      expect([r.status, r.changes], args.join(" ")).toEqual([1, []]);
      expect(r.stderr).toContain("this bundle changes the datapath of the running Cilium: routing-mode: native -> tunnel; ipam: delegated-plugin -> multi-pool;");
      expect(r.stderr).toContain("The safe path: a new cluster");
      // not one call that could change the cluster was made
      expect(s.cluster.state.calls.filter((c) => /^(helm (upgrade|install|uninstall|rollback|repo add)|kubectl (apply|patch|delete|create|annotate|label))/.test(c))).toEqual([]);
    }
  });

  it("a datapath change allowed on purpose (upgrade.allow datapath) is warned about and goes on", async () => {
    const s = setup(preset("prod"));
    await s.install();
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    s.rerender({ ...preset("prod"), cilium: { version: "1.19.5", mode: "overlay", podCidrs: ["172.28.0.0/16"] }, features: { ...preset("prod").features, masquerade: undefined }, upgrade: { allow: ["datapath"] } });
    const r = await s.install();
    expect(r.stderr).toContain("upgrade.allow names datapath");
    expect(r.changes).toContain("helm upgrade --install cilium 1.19.5");
    // what the fake cluster makes of it: the change reached the running agents
    expect(s.cluster.state.incidents).toEqual(["all Pods lost network (routing-mode: native -> tunnel; ipam: delegated-plugin -> multi-pool)"]);
  });

  it("the release is proven (helm upgrade --dry-run=server) before anything is switched off; a refusal changes nothing", async () => {
    const ok = setup(preset("prod"));
    expect((await ok.install()).status).toBe(0);
    const calls = ok.cluster.state.calls;
    const proof = calls.findIndex((c) => c.startsWith("helm upgrade --install --dry-run=server cilium"));
    expect(proof).toBeGreaterThanOrEqual(0);
    expect(proof).toBeLessThan(calls.findIndex((c) => c.startsWith("kubectl -n kube-system patch daemonset")));
    const refused = setup(preset("prod"));
    refused.cluster.edit((st) => (st.failures = { "helm upgrade --install --dry-run=server": 1 }));
    const r = await refused.install();
    expect([r.status, r.changes]).toEqual([1, []]);
    expect(r.stderr).toContain("helm would not install the release cilium (helm upgrade --dry-run=server: Error: Kubernetes cluster unreachable");
  });

  it("helm failing after the switch-offs on a first install leaves kube-proxy, tke-cni-agent and ip-masq-agent as they were", async () => {
    const s = setup(preset("prod"));
    const before = s.cluster.state.daemonSets;
    s.cluster.edit((st) => (st.failures = { "helm upgrade --install cilium": 1 }));
    const r = await s.install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("helm failed: scheduling TKE's networking DaemonSets again");
    const after = s.cluster.state.daemonSets;
    for (const name of ["kube-proxy", "tke-cni-agent", "ip-masq-agent"]) expect(after[name].nodeSelector ?? {}, name).toEqual(before[name].nodeSelector ?? {});
    expect(r.changes.slice(0, 3)).toEqual(PROD_FIRST_INSTALL.slice(0, 3));
    expect(s.cluster.state.releases).toEqual({});
  });

  it("the user's own helm repository entry named cilium is never changed: the chart comes through the tool's own entry", async () => {
    const s = setup(preset("prod"), tkeCluster({ vip: "169.254.128.27", helmRepos: { cilium: "https://charts.example.internal/cilium" } }));
    expect((await s.install()).status).toBe(0);
    expect(s.cluster.state.helmRepos).toEqual({ cilium: "https://charts.example.internal/cilium", "tke-cilium": "https://helm.cilium.io/" });
    expect(s.cluster.state.calls.filter((c) => c.startsWith("helm upgrade --install cilium")).every((c) => c.includes(" tke-cilium/cilium "))).toBe(true);
  });

  it("a transient helm history error is not read as \"no release\": it stops before any change, never helm install", async () => {
    const s = setup(preset("prod"));
    expect((await s.install()).status).toBe(0);
    s.cluster.edit((st) => (st.failures = { "helm history": 1 }));
    const r = await s.install();
    expect([r.status, r.changes]).toEqual([1, []]);
    expect(r.stderr).toContain("cannot read the history of the release cilium (helm history: Error: Kubernetes cluster unreachable");
    expect(s.cluster.state.calls.filter((c) => c.startsWith("helm upgrade"))).toEqual([]);
  });

  it.each([
    ["pending-upgrade", "helm rollback cilium --namespace kube-system"],
    ["pending-rollback", "helm rollback cilium --namespace kube-system"],
    ["pending-install", "helm uninstall cilium --namespace kube-system"],
  ])("a release left %s stops before any change and prints the exact way out (%s)", async (status, command) => {
    const s = setup(preset("prod"));
    await s.install();
    s.cluster.edit((st) => (st.releases["kube-system/cilium"].status = status));
    for (const args of [[], ["--dry-run"]]) {
      const r = await s.install(...args);
      expect([r.status, r.changes]).toEqual([1, []]);
      expect(r.stderr).toContain(`the release cilium is ${status}`);
      expect(r.stderr).toContain(`${command}, then run install.sh again`);
    }
  });

  it("a failed release is upgraded over, with a warning naming helm rollback", async () => {
    const s = setup(preset("prod"));
    await s.install();
    s.cluster.edit((st) => (st.releases["kube-system/cilium"].status = "failed"));
    const r = await s.install();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("the last operation on the release cilium failed; this run upgrades over it (to return to the last deployed revision instead: helm rollback cilium --namespace kube-system)");
    expect(r.changes).toEqual(["helm upgrade --install cilium 1.19.5"]);
  });

  it("nodes joined but no release: refused, nothing changed", async () => {
    const s = setup(preset("prod"));
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    const r = await s.install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("regular or native nodes already exist (node/10.0.0.11) and Cilium is not installed");
    expect(r.changes).toEqual([]);
  });

  it("super nodes alone do not block a first install", async () => {
    const s = setup(preset("prod"));
    s.cluster.edit((st) => st.nodes.push({ name: "eklet-1", type: "eklet" }));
    expect((await s.install()).status).toBe(0);
  });

  it("the wrong kubectl context (another apiserver VIP): refused, nothing changed", async () => {
    const s = setup(preset("prod"), tkeCluster({ vip: "169.254.128.99" }));
    const r = await s.install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the cluster's apiserver endpoint is '169.254.128.99' but the profile says '169.254.128.27'");
    expect(r.changes).toEqual([]);
  });

  it("the chart cannot be fetched: refused before kube-proxy is touched", async () => {
    const s = setup(preset("prod"), tkeCluster({ vip: "169.254.128.27", chartReachable: false }));
    const r = await s.install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot reach the Cilium chart repository https://helm.cilium.io/; nothing was changed");
    expect(r.changes).toEqual([]);
  });

  it("Karpenter's CRDs missing: refused before anything changes", async () => {
    const s = setup(preset("prod"), tkeCluster({ vip: "169.254.128.27", crds: [] }));
    const r = await s.install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("CRD nodepools.karpenter.sh not found: enable TKE's Karpenter add-on first");
    expect(r.changes).toEqual([]);
  });

  it("TKE's own Cilium (DataPlaneV2), or a Cilium not installed by Helm: refused", async () => {
    const dpv2 = tkeCluster({ vip: "169.254.128.27" });
    dpv2.daemonSets.cilium = { image: "ccr.ccs.tencentyun.com/tkeimages/cilium:v1.15.6" };
    const r = await setup(preset("prod"), dpv2).install();
    expect([r.status, r.changes]).toEqual([1, []]);
    expect(r.stderr).toContain("TKE's own Cilium runs here (DataPlaneV2 or CiliumOverlay");
    const manual = tkeCluster({ vip: "169.254.128.27" });
    manual.daemonSets.cilium = { image: "quay.io/cilium/cilium:v1.19.1" };
    const m = await setup(preset("prod"), manual).install();
    expect([m.status, m.changes]).toEqual([1, []]);
    expect(m.stderr).toContain("a Cilium not installed by Helm release 'cilium' runs here");
  });

  // the preset itself, as it is, against the same fresh cluster: test/dry-run-presets.test.ts
  it.each(["dev", "egress", "overlay", "prod", "regular"])("--dry-run of %s with NodeLocal DNSCache exits 0 under pipefail", async (name) => {
    const profile = preset(name);
    const vip = (profile as { apiserverVIP: string }).apiserverVIP;
    const network = (profile.cilium as { mode?: string } | undefined)?.mode === "overlay" && JSON.stringify(profile).includes('"gr"') ? "gr" : "vpc-cni";
    const p = { ...profile, features: { ...(profile.features ?? {}), nodeLocalDns: true, localRedirectPolicy: true } };
    const r = await setup(p, tkeCluster({ vip, network })).install("--dry-run");
    expect([r.status, r.changes], `${name} ${r.stderr}`).toEqual([0, []]);
  });

  it("--dry-run reads the cluster and prints the changes without making them", async () => {
    const s = setup(preset("prod"));
    const r = await s.install("--dry-run");
    expect(r.status).toBe(0);
    expect(r.changes).toEqual([]);
    expect(r.stdout).toContain("+ helm upgrade --install cilium tke-cilium/cilium --version 1.19.5 --namespace kube-system --description");
    expect(r.stdout).toContain("+ kubectl -n kube-system patch daemonset kube-proxy -p");
  });
});

describe.concurrent("tke-eni-agent versions (native mode)", () => {
  const REFUSED = [
    ["v3.7.9", "tke-eni-agent is v3.7.9"],
    ["v3.7.9@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "tke-eni-agent is v3.7.9"],
    ["latest", "cannot tell tke-eni-agent's version from its image"],
    ["", "cannot tell tke-eni-agent's version from its image"],
    ["V3.7.0", "cannot tell tke-eni-agent's version from its image"],
  ] as const;
  it.each(REFUSED)("refuses %j", async (tag, message) => {
    const image = tag === "" ? "ccr.ccs.tencentyun.com/tkeimages/tke-eni-agent" : `ccr.ccs.tencentyun.com/tkeimages/tke-eni-agent:${tag}`;
    const r = await setup(preset("dev"), tkeCluster({ vip: "169.254.128.40", eniAgentImage: image })).install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.changes).toEqual([]);
  });

  it("refuses an untagged image from a registry with a port", async () => {
    const r = await setup(preset("dev"), tkeCluster({ vip: "169.254.128.40", eniAgentImage: "registry.local:5000/tkeimages/tke-eni-agent" })).install();
    expect([r.status, r.changes]).toEqual([1, []]);
    expect(r.stderr).toContain("cannot tell tke-eni-agent's version from its image 'registry.local:5000/tkeimages/tke-eni-agent'");
  });

  // --dry-run: every check runs for real, the changes are only printed (the install itself is tested above)
  it("accepts v3.8.0 with a warning (the guide recommends v3.8.3)", async () => {
    const r = await setup(preset("dev"), tkeCluster({ vip: "169.254.128.40", eniAgentImage: "ccr.ccs.tencentyun.com/tkeimages/tke-eni-agent:v3.8.0" })).install("--dry-run");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("install.sh: warning: tke-eni-agent is v3.8.0; the guide recommends v3.8.3 or later\n");
  });

  it.each(["v3.8.3", "v3.10.1", "v3.8.3-tke.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"])("accepts %s silently", async (tag) => {
    const r = await setup(preset("dev"), tkeCluster({ vip: "169.254.128.40", eniAgentImage: `ccr.ccs.tencentyun.com/tkeimages/tke-eni-agent:${tag}` })).install("--dry-run");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("a missing tke-eni-agent DaemonSet gets the script's own message", async () => {
    const state = tkeCluster({ vip: "169.254.128.40" });
    delete state.daemonSets["tke-eni-agent"];
    const r = await setup(preset("dev"), state).install();
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("install.sh: error: daemonset kube-system/tke-eni-agent not found: the profile describes a VPC-CNI cluster; is kubectl pointed at a TKE cluster?\n");
  });
});

describe.concurrent("the cluster's network must be the profile's", () => {
  const gr = { region: "ap-singapore", apiserverVIP: "169.254.128.60", cluster: { network: "gr" }, cilium: { mode: "overlay" }, nodePool: { type: "regular" }, images: { mirror: "none" } };

  it("a GR profile on a VPC-CNI cluster is refused", async () => {
    const r = await setup(gr, tkeCluster({ vip: "169.254.128.60" })).install();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("this is a VPC-CNI cluster (tke-eni-agent runs), but the profile says GlobalRouter (GR)");
    expect(r.changes).toEqual([]);
  });

  it("a GR profile on a GR cluster installs (no CNI ConfigMap, no webhook to remove)", async () => {
    const r = await setup(gr, tkeCluster({ vip: "169.254.128.60", network: "gr" })).install();
    expect(r.stderr).toBe("");
    expect(r.changes).toEqual(["kubectl patch daemonset kube-proxy", "kubectl patch daemonset tke-cni-agent", "kubectl patch daemonset ip-masq-agent", "helm upgrade --install cilium 1.19.5", "kubectl apply FlowSchema//cilium PriorityLevelConfiguration//cilium"]);
  });

  it("overlay on VPC-CNI removes the ENI IP webhook once", async () => {
    const s = setup(preset("overlay"), tkeCluster({ vip: "169.254.128.50" }));
    expect((await s.install()).changes).toContain("kubectl delete mutatingwebhookconfiguration add-pod-eni-ip-limit-webhook");
    expect((await s.install()).changes).toEqual([]);
  });
});

describe.concurrent("native masquerading without cluster.vpcCidrs", () => {
  it("reads the VPC CIDRs from ip-masq-agent-config, and a re-run changes nothing", async () => {
    const s = setup({ ...preset("dev"), features: { masquerade: true } }, tkeCluster({ vip: "169.254.128.40" }));
    const first = await s.install();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("nonMasqueradeCIDRs from ip-masq-agent-config: 10.0.0.0/16,172.20.0.0/16");
    expect(s.cluster.state.releases["kube-system/cilium"].set).toEqual(["ipMasqAgent.config.nonMasqueradeCIDRs={10.0.0.0/16,172.20.0.0/16}"]);
    expect((await s.install()).changes).toEqual([]);
    s.cluster.edit((st) => {
      st.objects["ConfigMap/kube-system/ip-masq-agent-config"].data = { config: "nonMasqueradeCIDRs:\n  - 10.0.0.0/16\n  - 172.20.0.0/16\n  - 172.21.0.0/16\n" };
    });
    expect((await s.install()).changes).toEqual(["helm upgrade --install cilium 1.19.5"]);
  });
});

describe.concurrent("uninstall.sh", () => {
  it("the guide's rollback after an install, and a second run changes nothing", async () => {
    const s = setup(preset("prod"));
    await s.install();
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    const r = await s.uninstall();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.changes).toEqual([
      "helm uninstall cilium",
      "kubectl delete configmap cni-config",
      "kubectl delete flowschema cilium",
      "kubectl delete prioritylevelconfiguration cilium",
      "kubectl patch nodepools.karpenter.sh default",
      "kubectl patch daemonset kube-proxy",
      "kubectl patch daemonset tke-cni-agent",
      "kubectl patch daemonset ip-masq-agent",
    ]);
    expect(s.cluster.state.daemonSets["kube-proxy"].nodeSelector).toEqual({});
    expect(r.stdout).toContain("Rebuild (or at least reboot) every node that ran Cilium");
    expect(r.stdout).toContain("      node/10.0.0.11\n");
    expect(r.stdout).toContain("The Karpenter node pool (nodepool.yaml) stays");
    const again = await s.uninstall();
    expect([again.status, again.changes]).toEqual([0, []]);
    expect(again.stdout).toContain("release cilium is not installed");
  });

  it("--dry-run changes nothing", async () => {
    const s = setup(preset("prod"));
    await s.install();
    const r = await s.uninstall("--dry-run");
    expect([r.status, r.changes]).toEqual([0, []]);
    expect(r.stdout).toContain("+ helm uninstall cilium --namespace kube-system");
  });

  it("an install after an uninstall is a first install again", async () => {
    const s = setup(preset("prod"));
    await s.install();
    await s.uninstall();
    // the Karpenter node pool stayed (uninstall.sh says so) without Cilium's startup taint: applying it again puts the taint back
    expect((await s.install()).changes).toEqual([...PROD_FIRST_INSTALL.slice(0, -1), "kubectl apply NodePool//default"]);
    expect((s.cluster.state.objects["NodePool//default"] as { spec: { template: { spec: { startupTaints: unknown[] } } } }).spec.template.spec.startupTaints).toHaveLength(1);
  });
});

describe.concurrent("the guide's add-ons", () => {
  const withDns = () => ({ ...preset("prod"), features: { ...(preset("prod").features ?? {}), nodeLocalDns: true } });
  // two nodes join: the operator's two replicas (one per node) start and register Cilium's CRDs
  const nodesJoin = (s: ClusterState) => s.nodes.push({ name: "10.0.0.11" }, { name: "10.0.0.12" });

  it("NodeLocal DNSCache: the cache with kube-dns's ClusterIP after the chart; the redirect policy waits for the operator", async () => {
    const s = setup(withDns());
    const first = await s.install();
    expect(first.status).toBe(0);
    const cache = "kubectl apply ServiceAccount/kube-system/node-local-dns Service/kube-system/kube-dns-upstream ConfigMap/kube-system/node-local-dns DaemonSet/kube-system/node-local-dns Service/kube-system/node-local-dns";
    expect(first.changes).toEqual([...PROD_FIRST_INSTALL.slice(0, -1), cache, PROD_FIRST_INSTALL.at(-1)]);
    expect(first.stderr).toContain("cilium-operator is not up yet");
    const ds = s.cluster.state.objects["DaemonSet/kube-system/node-local-dns"] as { spec: { template: { spec: { containers: { image: string; args: string[] }[] } } } };
    expect(ds.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(["-localip", "192.168.0.10"]);
    expect(ds.spec.template.spec.containers[0].image).toBe("docker.io/k8smirror/k8s-dns-node-cache:1.26.4");
    expect(s.cluster.state.objects["CiliumLocalRedirectPolicy/kube-system/nodelocaldns"]).toBeUndefined();

    // nodes joined, the operator runs: the next run applies the policy, after waiting for its CRD
    s.cluster.edit(nodesJoin);
    expect(s.cluster.state.crds).toContain("ciliumlocalredirectpolicies.cilium.io");
    const second = await s.install();
    expect(second.stderr).toBe("");
    expect(second.changes).toEqual(["kubectl apply CiliumLocalRedirectPolicy/kube-system/nodelocaldns"]);
    const calls = s.cluster.state.calls;
    const ready = calls.findIndex((c) => c.startsWith("kubectl wait --for condition=established --timeout=2m crd/ciliumlocalredirectpolicies.cilium.io"));
    const applied = calls.findIndex((c) => c.startsWith("kubectl apply -f") && c.endsWith("localdns-redirect-policy.yaml"));
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(applied).toBeGreaterThan(ready);
  });

  it("NodeLocal DNSCache: uninstall.sh removes the redirect first, then the cache, then Cilium", async () => {
    const s = setup(withDns());
    expect((await s.install()).status).toBe(0);
    s.cluster.edit(nodesJoin);
    expect((await s.install()).changes).toEqual(["kubectl apply CiliumLocalRedirectPolicy/kube-system/nodelocaldns"]);
    const r = await s.uninstall();
    expect(r.status).toBe(0);
    expect(r.changes.slice(0, 3)).toEqual([
      "kubectl delete CiliumLocalRedirectPolicy/kube-system/nodelocaldns",
      "kubectl delete ServiceAccount/kube-system/node-local-dns Service/kube-system/kube-dns-upstream ConfigMap/kube-system/node-local-dns DaemonSet/kube-system/node-local-dns Service/kube-system/node-local-dns",
      "helm uninstall cilium",
    ]);
    expect((await s.uninstall()).changes).toEqual([]);
  });

  it("NodeLocal DNSCache on a one-node cluster: the policy goes in once one operator runs (the second replica never schedules there)", async () => {
    // the chart's two operator replicas repel each other (required anti-affinity): on one node, one stays Pending
    const s = setup(withDns());
    expect((await s.install()).status).toBe(0);
    s.cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    const r = await s.install();
    expect(r.stderr).toBe("");
    expect([r.status, r.changes]).toEqual([0, ["kubectl apply CiliumLocalRedirectPolicy/kube-system/nodelocaldns"]]);
  });

  it("NodeLocal DNSCache: no kube-dns Service, no change at all", async () => {
    const s = setup(withDns(), tkeCluster({ services: {} }));
    const r = await s.install();
    expect([r.status, r.changes]).toEqual([1, []]);
    expect(r.stderr).toContain("cannot read the ClusterIP of service kube-system/kube-dns");
  });

  it("Gateway API: the CRDs go in before the chart", async () => {
    const profile = { ...preset("prod"), cilium: { version: "1.19.5", mode: "overlay" }, features: { gatewayApi: true, masquerade: undefined } };
    const s = setup(profile);
    const r = await s.install();
    expect(r.status).toBe(0);
    const crds = r.changes.findIndex((c) => c.startsWith("kubectl apply CustomResourceDefinition//gatewayclasses.gateway.networking.k8s.io"));
    const chart = r.changes.findIndex((c) => c.startsWith("helm upgrade --install cilium"));
    expect(crds).toBeGreaterThanOrEqual(0);
    expect(chart).toBeGreaterThan(crds);
    expect(r.changes[crds].split(" ").length).toBe(2 + 7);
    // waited for until Established, before helm
    const calls = s.cluster.state.calls;
    const wait = calls.findIndex((c) => c.startsWith("kubectl wait --for=condition=Established") && c.includes("crd/tlsroutes.gateway.networking.k8s.io"));
    expect(wait).toBeGreaterThan(calls.findIndex((c) => c.startsWith("kubectl apply --server-side")));
    expect(wait).toBeLessThan(calls.findIndex((c) => c.startsWith("helm upgrade --install cilium")));
    // the TLSRoute Cilium 1.19's operator indexes is served
    const tls = s.cluster.state.objects["CustomResourceDefinition//tlsroutes.gateway.networking.k8s.io"] as { spec: { versions: { name: string; served: boolean }[] } };
    expect(tls.spec.versions.filter((v) => v.served).map((v) => v.name)).toContain("v1alpha2");
  });

  it("Gateway API: a cluster holding newer CRDs than the minor supports stops before any change, with the way out", async () => {
    const profile = { ...preset("prod"), cilium: { version: "1.19.5", mode: "overlay" }, features: { gatewayApi: true, masquerade: undefined } };
    const state = tkeCluster({ vip: "169.254.128.27" });
    state.crds.push("tlsroutes.gateway.networking.k8s.io");
    state.objects["CustomResourceDefinition//tlsroutes.gateway.networking.k8s.io"] = {
      kind: "CustomResourceDefinition",
      metadata: { name: "tlsroutes.gateway.networking.k8s.io", annotations: { "gateway.networking.k8s.io/bundle-version": "v1.5.1" } },
      spec: { versions: [{ name: "v1", served: true }, { name: "v1alpha2", served: false }] },
    };
    const r = await setup(profile, state).install();
    expect([r.status, r.changes]).toEqual([1, []]);
    expect(r.stderr).toContain("the cluster holds the Gateway API v1.5.1 CRDs (crd/tlsroutes.gateway.networking.k8s.io), newer than v1.4.1");
    expect(r.stderr).toContain("kubectl apply --server-side --force-conflicts -f gateway-api-crds.yaml");
  });

  it("Gateway API: the same CRDs, or older ones, are no reason to stop (1.19 over v1.3.0 CRDs upgrades them)", async () => {
    const profile = { ...preset("prod"), cilium: { version: "1.19.5", mode: "overlay" }, features: { gatewayApi: true, masquerade: undefined } };
    const state = tkeCluster({ vip: "169.254.128.27" });
    state.crds.push("gateways.gateway.networking.k8s.io");
    state.objects["CustomResourceDefinition//gateways.gateway.networking.k8s.io"] = {
      kind: "CustomResourceDefinition",
      metadata: { name: "gateways.gateway.networking.k8s.io", annotations: { "gateway.networking.k8s.io/bundle-version": "v1.3.0" } },
      spec: { versions: [{ name: "v1", served: true }] },
    };
    const r = await setup(profile, state).install();
    expect(r.status).toBe(0);
    expect(r.changes.some((c) => c.includes("CustomResourceDefinition//gateways.gateway.networking.k8s.io"))).toBe(true);
  });

  it("flow logs to CLS: refused before any change when the cluster's log collection is off", async () => {
    const profile = { ...preset("prod"), features: { ...(preset("prod").features ?? {}), flowLogs: { cls: { logset: "l", topic: "t" } } } };
    const off = await setup(profile).install();
    expect([off.status, off.changes]).toEqual([1, []]);
    expect(off.stderr).toContain("turn on the cluster's log collection");
    const on = setup(profile, tkeCluster({ crds: ["nodepools.karpenter.sh", "tkemachinenodeclasses.karpenter.k8s.tke", "logconfigs.cls.cloud.tencent.com"] }));
    const r = await on.install();
    expect(r.status).toBe(0);
    expect(r.changes).toContain("kubectl apply LogConfig//cilium-flow-logs");
  });
});
