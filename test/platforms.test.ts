import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { FilledProfile } from "../src/profile.js";
import { allProfilePaths, renderFile, renderObject, ROOT } from "./helpers.js";
import { validateProfile } from "../src/validate.js";
import { parseProfileText } from "../src/parse.js";

/** The documented keys of kubeadm's v1beta4 init configuration (test/fixtures/README.md says where from). */
const KUBEADM_KEYS = JSON.parse(readFileSync(join(ROOT, "test/fixtures/kubeadm/v1beta4-example-keys.json"), "utf8")) as { apiVersion: string } & Record<string, string[]>;

const filled = (path: string): FilledProfile => {
  const parsed = parseProfileText(readFileSync(join(ROOT, path), "utf8"), path);
  return validateProfile(parsed.value, path, parsed.locate).profile as FilledProfile;
};

/** Every key path of a document: maps by key, list items by their own keys under the list's path. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, prefix));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    return [path, ...keyPaths(v, path)];
  });
}

const kubeadmProfiles = allProfilePaths().filter((p) => filled(p).platform === "kubeadm");

it("has kubeadm profiles to check (the preset and a golden case)", () => {
  expect(kubeadmProfiles).toEqual(expect.arrayContaining(["presets/kubeadm.json"]));
  expect(kubeadmProfiles.length).toBeGreaterThanOrEqual(2);
});

describe.each(kubeadmProfiles)("kubeadm-config.yaml of %s", (path) => {
  const p = filled(path);
  const s = p.selfManaged!;
  const result = renderFile(path);
  const text = result.files.find((f) => f.path === "kubeadm-config.yaml")?.content ?? "";
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);

  it("holds an InitConfiguration and a ClusterConfiguration of kubeadm.k8s.io/v1beta4, with documented keys only", () => {
    expect(docs.map((d) => d.kind)).toEqual(["InitConfiguration", "ClusterConfiguration"]);
    for (const d of docs) {
      expect(d.apiVersion).toBe(KUBEADM_KEYS.apiVersion);
      const known = new Set(KUBEADM_KEYS[d.kind as string]);
      expect(keyPaths(d).filter((k) => !known.has(k)), `${String(d.kind)}: keys the reference does not document`).toEqual([]);
    }
  });

  it("gives kubeadm the subnets Cilium's values use, and skips kube-proxy with its replacement", () => {
    const [init, cluster] = docs as [{ skipPhases?: string[]; localAPIEndpoint: { advertiseAddress: string; bindPort: number } }, { networking: { podSubnet: string; serviceSubnet: string }; controlPlaneEndpoint: string }];
    expect(cluster.networking.podSubnet).toBe(s.podCidrs.join(","));
    expect(cluster.networking.serviceSubnet).toBe(s.serviceCidr);
    expect(cluster.controlPlaneEndpoint).toBe(`${s.apiServer.host}:${s.apiServer.port}`);
    expect(init.localAPIEndpoint).toEqual({ advertiseAddress: s.apiServer.host, bindPort: s.apiServer.port });
    expect(init.skipPhases ?? []).toEqual(s.kubeProxyReplacement && s.kubeProxy !== "keep" ? ["addon/kube-proxy"] : []);
  });
});

describe("preflight-node.sh of presets/kubeadm.json (Pod CIDR 10.244.0.0/16, Cilium 1.19: kernel 5.10)", () => {
  const script = renderFile("presets/kubeadm.json").files.find((f) => f.path === "preflight-node.sh")!.content;

  /** Runs the script with uname and ip answering as a node would. */
  function onNode(kernel: string, routes: string): { status: number | null; stdout: string } {
    const dir = mkdtempSync(join(tmpdir(), "tke-cilium-node-"));
    try {
      writeFileSync(join(dir, "preflight-node.sh"), script, { mode: 0o755 });
      writeFileSync(join(dir, "uname"), `#!/bin/sh\necho ${kernel}\n`, { mode: 0o755 });
      writeFileSync(join(dir, "ip"), `#!/bin/sh\ncat <<'EOF'\n${routes}\nEOF\n`, { mode: 0o755 });
      const r = spawnSync("bash", [join(dir, "preflight-node.sh")], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      return { status: r.status, stdout: r.stdout };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const lan = "default via 10.24.0.1 dev eth0\n10.24.0.0/16 dev eth0 proto kernel scope link src 10.24.0.2";

  it("passes a 5.15 kernel on a LAN outside the Pod CIDR (Cilium's own routes through cilium_host do not count)", () => {
    const r = onNode("5.15.0-160-generic", `${lan}\n10.244.1.0/24 via 10.244.1.47 dev cilium_host proto kernel src 10.244.1.47`);
    expect(r.stdout).toContain("ok: kernel 5.15.0-160-generic");
    expect(r.stdout).toContain("ok: no route into the Pod CIDRs 10.244.0.0/16");
    expect(r.status).toBe(0);
  });

  it("fails a 5.4 kernel (seed 004's minimum, below 1.19's)", () => {
    const r = onNode("5.4.0-150-generic", lan);
    expect(r.stdout).toContain("FAIL: kernel 5.4.0-150-generic is older than 5.10");
    expect(r.status).toBe(1);
  });

  it("fails a route into the Pod CIDR, and a host route inside it (seed 003's LAN)", () => {
    const r = onNode("6.8.0", `${lan}\n10.0.0.0/8 dev wg0 scope link\n10.244.7.9 dev tun0`);
    expect(r.stdout).toContain("FAIL: route 10.0.0.0/8 dev wg0 scope link overlaps the Pod CIDR 10.244.0.0/16");
    expect(r.stdout).toContain("FAIL: route 10.244.7.9/32 dev tun0 overlaps the Pod CIDR 10.244.0.0/16");
    expect(r.stdout).not.toContain("10.24.0.0/16 dev eth0 proto kernel scope link src 10.24.0.2 overlaps");
    expect(r.status).toBe(1);
  });
});

describe("the connectivity test a self-managed bundle suggests", () => {
  const line = (path: string) => renderFile(path).files.find((f) => f.path === "install.sh")!.content.split("\n").find((l) => l.includes("cilium connectivity test"))!;

  it("uses TKE's mirrored test images only when the profile pulls from TKE's mirrors", () => {
    expect(line("test/golden/kubeadm-remove-kube-proxy/profile.json")).not.toContain("tencentcloudcr.com");
    expect(line("presets/kubeadm.json")).toContain("--curl-image quay.tencentcloudcr.com/cilium/alpine-curl");
  });

  it("names seed 003's failing tests and how to run without internet egress", () => {
    const l = line("test/golden/kubeadm-remove-kube-proxy/profile.json");
    expect(l).toContain("to-entities-world and to-cidr-external tests need Pods to reach one.one.one.one. and 1.1.1.1");
    expect(l).toContain("--external-target");
    expect(l).toContain("!/to-cidr-external");
  });
});

/** The k3s server flags and systemd's stop keys (test/fixtures/README.md says where from). */
const K3S = JSON.parse(readFileSync(join(ROOT, "test/fixtures/k3s/server-config-keys.json"), "utf8")) as { keys: string[]; flannelBackends: string[]; systemdServiceStopKeys: string[] };
const k3sProfiles = allProfilePaths().filter((p) => filled(p).platform === "k3s");

it("has k3s profiles to check (the preset and a golden case)", () => {
  expect(k3sProfiles).toEqual(expect.arrayContaining(["presets/k3s.json", "test/golden/k3s-keep-kube-proxy-geneve/profile.json"]));
});

describe.each(k3sProfiles)("k3s files of %s", (path) => {
  const p = filled(path);
  const s = p.selfManaged!;
  const files = renderFile(path).files;
  const config = parseAllDocuments(files.find((f) => f.path === "k3s-config.yaml")!.content).map((d) => d.toJS() as Record<string, unknown>);

  it("k3s-config.yaml: one map of documented server flags, flannel off, the profile's CIDRs, kube-proxy off with its replacement", () => {
    expect(config).toHaveLength(1);
    const c = config[0];
    expect(Object.keys(c).filter((k) => !K3S.keys.includes(k))).toEqual([]);
    expect(K3S.flannelBackends).toContain(c["flannel-backend"]);
    expect(c["flannel-backend"]).toBe("none");
    expect(c["disable-network-policy"]).toBe(true);
    expect(c["cluster-cidr"]).toBe(s.podCidrs.join(","));
    expect(c["service-cidr"]).toBe(s.serviceCidr);
    expect(c["disable-kube-proxy"] ?? false).toBe(s.kubeProxyReplacement && s.kubeProxy !== "keep");
    expect(c["kube-controller-manager-arg"]).toEqual([`node-cidr-mask-size-ipv4=${s.podMaskSize}`]);
  });

  it("the systemd drop-in runs cleanup-node.sh cilium when k3s stops, and its failure does not fail the stop", () => {
    const dropIn = files.find((f) => f.path === "k3s-cilium-cleanup.conf")!.content;
    const lines = dropIn.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines[0]).toBe("[Service]");
    const settings = lines.slice(1).map((l) => l.split("=")[0]);
    expect(settings.filter((k) => !K3S.systemdServiceStopKeys.includes(k))).toEqual([]);
    expect(lines).toContain("ExecStopPost=-/usr/local/sbin/cilium-cleanup-node.sh cilium");
    expect(files.find((f) => f.path === "cleanup-node.sh")!.content).toContain("  cilium)\n");
  });
});

describe.each(allProfilePaths().filter((p) => filled(p).platform === "kubespray"))("kubespray group_vars of %s", (path) => {
  const p = filled(path);
  const s = p.selfManaged!;
  const vars = parseAllDocuments(renderFile(path).files.find((f) => f.path === "k8s-net-tke-cilium.yml")!.content)[0].toJS() as Record<string, unknown>;

  it("builds the cluster without a CNI of kubespray's, with the subnets, node prefix, kube-proxy and NodeLocal DNS of the profile", () => {
    expect(vars.kube_network_plugin).toBe("cni");
    expect(vars.kube_network_plugin_multus).toBe(s.multus);
    expect(vars.kube_pods_subnet).toBe(s.podCidrs[0]);
    expect(vars.kube_service_addresses).toBe(s.serviceCidr);
    expect(vars.kube_network_node_prefix).toBe(s.podMaskSize);
    expect(vars.kubelet_max_pods).toBe(s.maxPods);
    if (s.kubeProxy === "keep") expect([vars.kube_proxy_mode, vars.kube_proxy_remove]).toEqual([s.kubespray?.kubeProxyMode ?? "ipvs", undefined]);
    else expect([vars.kube_proxy_mode, vars.kube_proxy_remove]).toEqual([undefined, true]);
    expect(vars.enable_nodelocaldns).toBe(s.kubespray?.nodeLocalDns ?? true);
    expect(vars.nodelocaldns_ip).toBe(s.kubespray?.nodeLocalDnsIP ?? "169.254.25.10");
  });
});

describe("an add-on of TKE bundles on another platform", () => {
  // found by the scenario suite: features.gatewayApi on kubeadm rendered a valid bundle with no Gateway API in it
  it.each(["gatewayApi", "nodeLocalDns", "egressGateway", "flowLogs"])("features.%s on kubeadm is refused, not silently dropped", (feature) => {
    const kubeadm = JSON.parse(readFileSync(join(ROOT, "presets/kubeadm.json"), "utf8"));
    const r = renderObject({ ...kubeadm, features: { ...kubeadm.features, [feature]: true } });
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.pointer}`)).toEqual([`FIELD_NOT_FOR_PLATFORM /features/${feature}`]);
    expect(r.files).toEqual([]);
  });

  it("features left at their defaults, and Hubble (which every platform has), are no finding", () => {
    const kubeadm = JSON.parse(readFileSync(join(ROOT, "presets/kubeadm.json"), "utf8"));
    const r = renderObject({ ...kubeadm, features: { hubble: true, apf: true, encryption: "none", gatewayApi: false } });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("uninstall.sh's last word on each platform", () => {
  const lastLine = (path: string) => {
    const script = renderFile(path).files.find((f) => f.path === "uninstall.sh")!.content;
    return script.trimEnd().split("\n").pop()!;
  };
  it.each(["presets/kubeadm.json", "presets/k3s.json", "presets/kubespray.json"])("%s: the nodes need a CNI, and no TKE console is named", (path) => {
    expect(lastLine(path)).toContain("The nodes have no CNI now");
    expect(renderFile(path).files.find((f) => f.path === "uninstall.sh")!.content).not.toContain("TKE console");
  });
  it("presets/prod.json (TKE): the console's ip-masq-agent add-on", () => {
    expect(lastLine("presets/prod.json")).toContain("In the TKE console, re-enable the ip-masq-agent add-on");
  });
});
