import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeCluster, removeFakeClusters, kubeadmCluster, type ClusterState } from "./fake-cluster/cluster.js";
import { renderObject, ROOT } from "./helpers.js";

afterAll(removeFakeClusters);

/** install.sh and uninstall.sh of self-managed platforms' bundles, against a fake cluster (as test/lifecycle.test.ts for TKE). */

const profileOf = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Record<string, unknown> & { selfManaged: Record<string, unknown>; cilium?: object };

function setup(profile: object, state: ClusterState) {
  const cluster = new FakeCluster(state);
  const render = (p: object) => {
    const result = renderObject({ ...p, name: "c1" });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return result.files;
  };
  let folder = cluster.writeBundle("v1", render(profile));
  let n = 1;
  return {
    cluster,
    rerender: (next: object) => (folder = cluster.writeBundle(`v${++n}`, render(next))),
    install: (...args: string[]) => cluster.run(join(folder, "install.sh"), args),
    uninstall: (...args: string[]) => cluster.run(join(folder, "uninstall.sh"), args),
  };
}

const kubeadm = profileOf("presets/kubeadm.json");
const removing = profileOf("test/golden/kubeadm-remove-kube-proxy/profile.json");
const keeping = profileOf("test/golden/kubeadm-native-keep-kube-proxy/profile.json");

describe.concurrent("kubeadm: out/kubeadm/install.sh and uninstall.sh on a fake cluster", () => {
  it("first install on a cluster made with kubeadm-config.yaml (no kube-proxy), a re-run, a patch upgrade, an uninstall", async () => {
    const s = setup(kubeadm, kubeadmCluster({ vip: "10.24.0.2", kubeProxy: false }));
    const first = await s.install();
    expect(first.stderr).toBe("");
    expect([first.status, first.changes]).toEqual([0, ["helm upgrade --install cilium 1.19.5"]]);
    expect(first.stdout).toContain("kube-proxy: not installed");
    expect((await s.install()).changes).toEqual([]);
    s.rerender({ ...kubeadm, cilium: { version: "1.19.6" } });
    const upgrade = await s.install();
    expect([upgrade.status, upgrade.changes]).toEqual([0, ["helm upgrade --install cilium 1.19.6"]]);
    const gone = await s.uninstall();
    expect(gone.stderr).toBe("");
    expect([gone.status, gone.changes]).toEqual([0, ["helm uninstall cilium"]]);
  });

  it("a minor upgrade runs Cilium's pre-flight check first", async () => {
    const s = setup({ ...kubeadm, cilium: { version: "1.18.12" } }, kubeadmCluster({ vip: "10.24.0.2", kubeProxy: false }));
    expect((await s.install()).status).toBe(0);
    s.rerender(kubeadm);
    const r = await s.install();
    expect([r.status, r.changes]).toEqual([0, ["helm upgrade --install cilium-preflight 1.19.5", "helm uninstall cilium-preflight", "helm upgrade --install cilium 1.19.5"]]);
  });

  it("refuses a cluster where kube-proxy still runs while the profile says it is absent, changing nothing", async () => {
    const s = setup(kubeadm, kubeadmCluster({ vip: "10.24.0.2", kubeProxy: true }));
    const r = await s.install();
    expect(r.status).not.toBe(0);
    expect(r.changes).toEqual([]);
    expect(r.stderr).toContain("kube-proxy runs in this cluster but the profile says it is absent");
  });

  it("refuses another cluster (its kubernetes endpoint is not the profile's API server)", async () => {
    const s = setup(kubeadm, kubeadmCluster({ vip: "10.24.0.9", kubeProxy: false }));
    const r = await s.install();
    expect([r.status === 0, r.changes]).toEqual([false, []]);
    expect(r.stderr).toContain("fix selfManaged.apiServer.host");
  });

  it("kubeProxy remove: kube-proxy's DaemonSet and ConfigMap go before the chart; uninstall leaves them removed and says how to restore", async () => {
    const s = setup(removing, kubeadmCluster({ vip: "192.168.10.11", kubeProxy: true }));
    const r = await s.install();
    expect(r.stderr).toBe("");
    expect([r.status, r.changes]).toEqual([0, ["kubectl delete daemonset kube-proxy", "kubectl delete configmap kube-proxy", "helm upgrade --install cilium 1.19.5"]]);
    expect(s.cluster.state.daemonSets["kube-proxy"]).toBeUndefined();
    expect(r.stdout).toContain("sudo ./cleanup-node.sh kube-proxy");
    const again = await s.install();
    expect([again.status, again.changes]).toEqual([0, []]);
    const gone = await s.uninstall();
    expect([gone.status, gone.changes]).toEqual([0, ["helm uninstall cilium"]]);
    expect(gone.stdout).toContain("kubeadm init phase addon kube-proxy --config kubeadm-config.yaml");
  });

  it("kubeProxy keep (no replacement): installs beside a running kube-proxy, leaves it alone, refuses a cluster without one", async () => {
    const s = setup(keeping, kubeadmCluster({ vip: "172.16.0.10", kubeProxy: true }));
    const r = await s.install();
    expect(r.stderr).toBe("");
    expect([r.status, r.changes]).toEqual([0, ["helm upgrade --install cilium 1.18.12"]]);
    expect(s.cluster.state.daemonSets["kube-proxy"]).toBeDefined();
    const bare = setup(keeping, kubeadmCluster({ vip: "172.16.0.10", kubeProxy: false }));
    const refused = await bare.install();
    expect([refused.status === 0, refused.changes]).toEqual([false, []]);
    expect(refused.stderr).toContain("kube-proxy does not run in this cluster but the profile keeps it");
  });
});

describe.concurrent("k3s: out/k3s/install.sh and uninstall.sh on a fake cluster", () => {
  const k3s = profileOf("presets/k3s.json");

  it("first install, a re-run, an upgrade and an uninstall change only the release; the next steps name the server files", async () => {
    const s = setup(k3s, kubeadmCluster({ vip: "10.0.0.10", kubeProxy: false }));
    const first = await s.install();
    expect(first.stderr).toBe("");
    expect([first.status, first.changes]).toEqual([0, ["helm upgrade --install cilium 1.19.5"]]);
    expect(first.stdout).toContain("Every k3s server runs with k3s-config.yaml (in /etc/rancher/k3s/config.yaml.d/)");
    expect((await s.install()).changes).toEqual([]);
    s.rerender({ ...k3s, cilium: { version: "1.19.6" } });
    expect((await s.install()).changes).toEqual(["helm upgrade --install cilium 1.19.6"]);
    const gone = await s.uninstall();
    expect([gone.status, gone.changes]).toEqual([0, ["helm uninstall cilium"]]);
  });

  it("refuses another cluster", async () => {
    const s = setup(k3s, kubeadmCluster({ vip: "10.0.0.99", kubeProxy: false }));
    const r = await s.install();
    expect([r.status === 0, r.changes]).toEqual([false, []]);
  });
});

describe.concurrent("kubespray: out/kubespray/install.sh on a fake cluster (seed 001: kube-proxy in IPVS mode stays)", () => {
  const kubespray = profileOf("presets/kubespray.json");

  it("installs beside the running kube-proxy, changing only the release; a re-run changes nothing, an upgrade only the release; uninstalls", async () => {
    const s = setup(kubespray, kubeadmCluster({ vip: "11.0.1.132", kubeProxy: true }));
    const first = await s.install();
    expect(first.stderr).toBe("");
    expect([first.status, first.changes]).toEqual([0, ["helm upgrade --install cilium 1.19.5"]]);
    expect(first.stdout).toContain("kube-proxy: runs, and keeps serving Services");
    expect(s.cluster.state.daemonSets["kube-proxy"]).toBeDefined();
    expect((await s.install()).changes).toEqual([]);
    s.rerender({ ...kubespray, cilium: { ...kubespray.cilium, version: "1.19.6" } });
    const upgraded = await s.install();
    expect([upgraded.status, upgraded.changes]).toEqual([0, ["helm upgrade --install cilium 1.19.6"]]);
    expect(s.cluster.state.daemonSets["kube-proxy"]).toBeDefined();
    const gone = await s.uninstall();
    expect(gone.changes).toEqual(["helm uninstall cilium"]);
    expect(gone.stdout).toContain("On every node that ran Cilium: sudo ./cleanup-node.sh cilium");
  });

  it("refuses a cluster without kube-proxy, which the profile keeps", async () => {
    const s = setup(kubespray, kubeadmCluster({ vip: "11.0.1.132", kubeProxy: false }));
    const r = await s.install();
    expect([r.status === 0, r.changes]).toEqual([false, []]);
  });
});
