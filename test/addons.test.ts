import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import type { OutputFile } from "../src/emit/index.js";
import { renderProfiles } from "../src/pipeline.js";
import { fileOf, mainHere, renderObject, ROOT, writeBundleTo } from "./helpers.js";

/**
 * The newest guide's add-ons: NodeLocal DNSCache, encryption, Gateway API, Cluster Mesh across profiles, flow
 * logs. The values side of each is checked through the real helm template in helm-template.test.ts; here the
 * manifests, the refusals (through the CLI's main, in this process: exit 1 with a code), and a mesh rendered as one run.
 */

type Obj = Record<string, any>;
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null);
const base = { region: "ap-guangzhou", apiserverVIP: "169.254.128.9", nodePool: { type: "native", subnetIds: ["subnet-a1"] } };
const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-addons-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** Runs the CLI's validate (its main, in this process) on profiles written to a fresh folder; its exit code and the diagnostic codes it printed. */
async function validate(profiles: Record<string, object>): Promise<{ status: number | null; codes: string[]; stderr: string }> {
  const dir = mkdtempSync(join(scratch, "v-"));
  for (const [name, profile] of Object.entries(profiles)) writeFileSync(join(dir, `${name}.json`), JSON.stringify(profile, null, 2));
  const r = await mainHere(dir, ["validate", ...Object.keys(profiles).map((n) => `${n}.json`)]);
  return { status: r.status, codes: [...r.stderr.matchAll(/ (error|warning) ([A-Z0-9_]+) /g)].map((m) => `${m[1]} ${m[2]}`), stderr: r.stderr };
}

const meshMember = (id: number, over: Obj = {}) => ({
  ...base,
  name: `m${id}`,
  cluster: { id: `cls-mesh${String(id).padStart(4, "0")}`, ...(over.cluster ?? {}) },
  cilium: { mode: "overlay", podCidrs: [`10.${100 + id}.0.0/16`], ...(over.cilium ?? {}) },
  clusterMesh: { name: "fleet", clusterId: id, address: `10.0.${id}.20`, ...(over.clusterMesh ?? {}) },
  features: { ...(over.features ?? {}) },
});

describe("refusals exit 1 with a code", () => {
  it("Gateway API in native mode: the agents refuse Envoy's configuration with delegated IPAM", async () => {
    const r = await validate({ a: { ...base, features: { gatewayApi: true, masquerade: false } } });
    expect(r.status).toBe(1);
    expect(r.codes).toContain("error ENVOY_WITH_DELEGATED_IPAM");
    expect(r.stderr).toMatch(/a\.json:\d+:\d+ error ENVOY_WITH_DELEGATED_IPAM \/features\/gatewayApi/);
  });

  it("a duplicate clusterId in a mesh of three", async () => {
    const r = await validate({ a: meshMember(1), b: meshMember(2), c: meshMember(3, { clusterMesh: { clusterId: 2 } }) });
    expect(r.status).toBe(1);
    expect(r.codes.filter((c) => c === "error MESH_DUPLICATE_CLUSTER_ID")).toHaveLength(2);
  });

  it("overlapping Pod CIDRs in a mesh of three", async () => {
    const r = await validate({ a: meshMember(1), b: meshMember(2), c: meshMember(3, { cilium: { podCidrs: ["10.101.128.0/17"] } }) });
    expect(r.status).toBe(1);
    expect(r.codes.filter((c) => c === "error MESH_OVERLAPPING_POD_CIDRS")).toHaveLength(2);
  });

  it("Cluster Mesh with the egress gateway", async () => {
    const r = await validate({ a: meshMember(1, { features: { egressGateway: true } }), b: meshMember(2) });
    expect(r.status).toBe(1);
    expect(r.codes).toContain("error CLUSTERMESH_WITH_EGRESS_GATEWAY");
  });

  it("IPsec on VPC-CNI native mode; WireGuard there is fine", async () => {
    expect((await validate({ a: { ...base, features: { encryption: "ipsec", masquerade: false } } })).codes).toContain("error IPSEC_ON_VPC_CNI");
    expect(await validate({ a: { ...base, features: { encryption: "wireguard", masquerade: false } } })).toMatchObject({ status: 0, codes: [] });
  });

  it("a clean mesh of three validates with no finding", async () => {
    expect(await validate({ a: meshMember(1), b: meshMember(2), c: meshMember(3) })).toMatchObject({ status: 0, codes: [] });
  });
});

describe("presets/mesh rendered as one run", () => {
  const paths = ["presets/mesh/gz-east.json", "presets/mesh/gz-west.json", "presets/mesh/sh.json"];
  const results = renderProfiles(paths.map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") })));

  it("renders with no finding, and each bundle equals the one in out/", () => {
    for (const r of results) {
      expect(r.diagnostics).toEqual([]);
      for (const f of r.files) expect(f.content, `${r.name}/${f.path}`).toBe(readFileSync(join(ROOT, "out", r.name!, f.path), "utf8"));
    }
  });

  it("each member's values list the other members, with their addresses, and never itself; clustermesh.sh copies the first member's CA", () => {
    const peers = (r: (typeof results)[number]) => docs(fileOf(r.files, "features-values.yaml")!.content)[0].clustermesh.config;
    expect(results.map(peers)).toEqual([
      { enabled: true, clusters: [{ name: "cls-mesh0002", port: 2379, ips: ["10.20.0.100"] }, { name: "cls-mesh0003", port: 2379, ips: ["10.30.0.100"] }] },
      { enabled: true, clusters: [{ name: "cls-mesh0001", port: 2379, ips: ["10.10.0.100"] }, { name: "cls-mesh0003", port: 2379, ips: ["10.30.0.100"] }] },
      { enabled: true, clusters: [{ name: "cls-mesh0001", port: 2379, ips: ["10.10.0.100"] }, { name: "cls-mesh0002", port: 2379, ips: ["10.20.0.100"] }] },
    ]);
    for (const r of results) expect(fileOf(r.files, "clustermesh.sh")!.content).not.toMatch(/^\s*cilium /m);
    expect(fileOf(results[0].files, "clustermesh.sh")!.content).not.toContain("FROM=");
    for (const r of results.slice(1)) expect(fileOf(r.files, "clustermesh.sh")!.content).toContain("FROM='cls-mesh0001'");
    for (const r of results.slice(1)) expect(fileOf(r.files, "install.sh")!.content).toContain("run ./clustermesh.sh ca first");
  });

  it("clustermesh-apiserver's Service: a CLB made beforehand (clbId) is reused, otherwise an internal CLB in the subnet", () => {
    const annotations = (r: (typeof results)[number]) => docs(fileOf(r.files, "features-values.yaml")!.content)[0].clustermesh.apiserver.service.annotations;
    expect(results.map(annotations)).toEqual([
      { "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid": "subnet-gzeast01" },
      { "service.kubernetes.io/tke-existed-lbid": "lb-gzwest01" },
      { "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid": "subnet-shmesh01" },
    ]);
  });

  it("native members do not masquerade their peers' Pods (the peers' VPC CIDRs)", () => {
    const cidrs = (r: (typeof results)[number]) => docs(fileOf(r.files, "features-values.yaml")!.content)[0].ipMasqAgent.config.nonMasqueradeCIDRs;
    expect(results.map(cidrs)).toEqual([
      ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/16"],
      ["10.20.0.0/16", "10.10.0.0/16", "10.30.0.0/16"],
      ["10.30.0.0/16", "10.10.0.0/16", "10.20.0.0/16"],
    ]);
  });

  it("a member rendered alone warns that it has no peers", () => {
    const alone = renderProfiles([{ path: paths[2], text: readFileSync(join(ROOT, paths[2]), "utf8") }])[0];
    expect(alone.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning MESH_WITHOUT_PEERS"]);
  });
});

describe("NodeLocal DNSCache", () => {
  const render = (images: object) => renderObject({ ...base, images, features: { nodeLocalDns: true, masquerade: false } });

  it.each([
    [{ mirror: "tke" }, "docker.io/k8smirror/k8s-dns-node-cache:1.26.4"],
    [{ mirror: "none" }, "registry.k8s.io/dns/k8s-dns-node-cache:1.26.4"],
    [{ mirror: "custom", registry: "tcr.example.com/mirror" }, "tcr.example.com/mirror/registry.k8s.io/dns/k8s-dns-node-cache:1.26.4"],
  ])("with images %j the DaemonSet pulls %s", (images, image) => {
    const r = render(images);
    const objects = docs(fileOf(r.files, "node-local-dns.yaml")!.content);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceAccount/node-local-dns",
      "Service/kube-dns-upstream",
      "ConfigMap/node-local-dns",
      "DaemonSet/node-local-dns",
      "Service/node-local-dns",
    ]);
    const container = objects[3].spec.template.spec.containers[0];
    expect(container.image).toBe(image);
    expect(container.args.slice(0, 2)).toEqual(["-localip", "__PILLAR__DNS__SERVER__"]);
    expect(objects[2].data.Corefile).toMatch(/^cluster\.local:53 \{/);
    expect(objects[2].data.Corefile).toContain("forward . __PILLAR__CLUSTER__DNS__ {");
    if ((images as { mirror: string }).mirror === "custom") expect(fileOf(r.files, "images.txt")!.content).toMatch(new RegExp(`^registry\\.k8s\\.io/dns/k8s-dns-node-cache:1\\.26\\.4 +${image.replaceAll(".", "\\.")}$`, "m"));
    const [policy] = docs(fileOf(r.files, "localdns-redirect-policy.yaml")!.content);
    expect(policy.kind).toBe("CiliumLocalRedirectPolicy");
    expect(policy.spec.redirectFrontend.serviceMatcher).toEqual({ serviceName: "kube-dns", namespace: "kube-system" });
    expect(policy.spec.redirectBackend.localEndpointSelector.matchLabels).toEqual(objects[3].spec.template.metadata.labels);
    const delivery = JSON.parse(fileOf(r.files, "bundle.json")!.content);
    expect(delivery.manifests.filter((m: Obj) => m.phase === "by-install-script").map((m: Obj) => m.file)).toEqual(["node-local-dns.yaml", "localdns-redirect-policy.yaml"]);
  });
});

describe("Gateway API", () => {
  const r = renderObject({ ...base, cilium: { mode: "overlay" }, features: { gatewayApi: true } });

  const crdsOf = (files: readonly OutputFile[]) => docs(fileOf(files, "gateway-api-crds.yaml")!.content);
  const served = (crd: Obj) => crd.spec.versions.filter((v: Obj) => v.served).map((v: Obj) => v.name);
  const STANDARD = ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants"];

  it.each([
    { version: "1.18.12", release: "v1.3.0", crds: [...STANDARD, "tlsroutes"], tlsRoute: ["v1alpha2"] },
    { version: "1.19.5", release: "v1.4.1", crds: [...STANDARD, "backendtlspolicies", "tlsroutes"], tlsRoute: ["v1alpha2", "v1alpha3"] },
    { version: "1.20.0", release: "v1.5.1", crds: [...STANDARD, "backendtlspolicies", "tlsroutes"], tlsRoute: ["v1"] },
  ])("Cilium $version ships the Gateway API $release CRDs its operator needs (TLSRoute serving $tlsRoute), applied server-side and Established before the chart", ({ version, release, crds, tlsRoute }) => {
    const r = renderObject({ ...base, cilium: { mode: "overlay", version }, features: { gatewayApi: true } });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const shipped = crdsOf(r.files);
    expect(shipped.map((c) => c.metadata.name)).toEqual(crds.map((n) => `${n}.gateway.networking.k8s.io`));
    for (const c of shipped) expect(c.metadata.annotations["gateway.networking.k8s.io/bundle-version"]).toBe(release);
    expect(served(shipped.find((c) => c.metadata.name.startsWith("tlsroutes"))!)).toEqual(tlsRoute);
    const delivery = JSON.parse(fileOf(r.files, "bundle.json")!.content);
    expect(delivery.manifests[0]).toMatchObject({ file: "gateway-api-crds.yaml", phase: "before-chart" });
    const script = fileOf(r.files, "install.sh")!.content;
    const apply = script.indexOf("kubectl apply --server-side --force-conflicts -f \"$HERE\"/'gateway-api-crds.yaml'");
    const wait = script.indexOf("run kubectl wait --for=condition=Established --timeout=2m");
    expect(apply).toBeGreaterThan(0);
    expect(wait).toBeGreaterThan(apply);
    expect(wait).toBeLessThan(script.indexOf("helm upgrade --install \"$RELEASE\""));
    const waited = script.slice(wait, script.indexOf("\n", wait));
    for (const n of crds) expect(waited).toContain(`'crd/${n}.gateway.networking.k8s.io'`);
  });

  it("the example puts a CLB (direct access) in front of the host-network Envoy, on a port that needs no capability", () => {
    const [gateway, route, service] = docs(fileOf(r.files, "gateway-example.yaml")!.content);
    expect(gateway.spec.gatewayClassName).toBe("cilium");
    const port = gateway.spec.listeners[0].port;
    expect(port).toBeGreaterThanOrEqual(1024);
    expect(route.spec.parentRefs[0].name).toBe(gateway.metadata.name);
    expect(service.metadata.annotations["service.cloud.tencent.com/direct-access"]).toBe("true");
    expect(service.spec.selector).toEqual({ "k8s-app": "cilium-envoy" });
    expect(service.spec.ports[0].targetPort).toBe(port);
  });

  it("Cilium 1.19 never gets the v1.5 standard TLSRoute (v1 only): its operator exits without v1alpha2", () => {
    for (const version of ["1.19.0", "1.19.5", "1.19.6"]) {
      const r = renderObject({ ...base, cilium: { mode: "overlay", version }, features: { gatewayApi: true } });
      expect(served(crdsOf(r.files).find((c) => c.metadata.name.startsWith("tlsroutes"))!), version).toContain("v1alpha2");
    }
  });
});

describe("flow logs", () => {
  it("true: one export of every flow; the CLS LogConfig only with a logset and topic", () => {
    const plain = renderObject({ ...base, features: { flowLogs: true, masquerade: false } });
    expect(fileOf(plain.files, "cls-logconfig.yaml")).toBeUndefined();
    const content = docs(fileOf(plain.files, "features-values.yaml")!.content)[0].hubble.export.dynamic.config.content;
    expect(content.map((e: Obj) => [e.name, e.filePath, e.fileMaxSizeMb, e.fileMaxBackups, e.fileCompress])).toEqual([["all", "/var/run/cilium/hubble/all.log", 50, 10, true]]);
    const cls = renderObject({ ...base, region: "ap-chengdu", features: { flowLogs: { cls: { logset: "ls", topic: "tp" } }, masquerade: false } });
    const [logConfig] = docs(fileOf(cls.files, "cls-logconfig.yaml")!.content);
    expect(logConfig.spec.clsDetail).toMatchObject({ region: "ap-chengdu", logsetName: "ls", topicName: "tp", logType: "json_log" });
    expect(logConfig.spec.inputDetail.containerFile).toMatchObject({ namespace: "kube-system", container: "cilium-agent", filePaths: [{ file: "*.log", path: "/var/run/cilium/hubble" }] });
  });
});

describe("IPsec on a GlobalRouter cluster", () => {
  it("renders, and install.sh creates the key Secret once before the chart", () => {
    const r = renderObject({ ...base, cluster: { network: "gr" }, cilium: { mode: "overlay" }, features: { encryption: "ipsec" } });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const script = fileOf(r.files, "install.sh")!.content;
    expect(script).toContain("if ! kubectl -n \"$NAMESPACE\" get secret 'cilium-ipsec-keys' -o name");
    expect(script.indexOf("create secret generic 'cilium-ipsec-keys'")).toBeLessThan(script.indexOf("helm upgrade --install \"$RELEASE\""));
    expect(docs(fileOf(r.files, "features-values.yaml")!.content)[0].encryption).toEqual({ enabled: true, type: "ipsec" });
  });
});

describe("the egress gateway's node pool", () => {
  const egress = (type: "native" | "regular", pool: Obj = {}) =>
    renderObject({ ...base, cluster: { vpcCidrs: ["10.0.0.0/16"] }, nodePool: { type, subnetIds: ["subnet-a1"], egress: { size: 2, ...pool } }, features: { egressGateway: true } });

  it("native: a second pool labelled egress-node=true, fixed size, public IPs, optional taint, own subnets", () => {
    const main = fileOf(egress("native", { taint: true, subnetIds: ["subnet-eg1"] }).files, "terraform/nodepool/main.tf")!.content;
    const block = main.slice(main.indexOf('resource "tencentcloud_kubernetes_native_node_pool" "egress"'));
    expect(main.indexOf('resource "tencentcloud_kubernetes_native_node_pool" "cilium"')).toBeGreaterThan(0);
    expect(block).toMatch(/labels \{\n\s+name\s+= "egress-node"\n\s+value = "true"\n\s+\}/);
    expect(block).toMatch(/taints \{\n\s+key\s+= "egress-node"\n\s+value\s+= "true"\n\s+effect = "NoSchedule"/);
    expect(block).toMatch(/enable_autoscaling\s+= false\n\s+replicas\s+= 2\n/);
    expect(block).toMatch(/internet_accessible \{\n\s+charge_type\s+= "TRAFFIC_POSTPAID_BY_HOUR"\n\s+max_bandwidth_out = 100/);
    expect(block).toContain('subnet_ids           = ["subnet-eg1"]');
  });

  it("regular: autoscaling off at the desired size, a free public IP per node, the label as a map", () => {
    const main = fileOf(egress("regular", { name: "gw", bandwidthOut: 20 }).files, "terraform/nodepool/main.tf")!.content;
    const block = main.slice(main.indexOf('resource "tencentcloud_kubernetes_node_pool" "gw"'));
    expect(block).toMatch(/enable_auto_scale\s+= false\n\s+min_size\s+= 2\n\s+max_size\s+= 2\n\s+desired_capacity\s+= 2\n\s+labels\s+= \{ "egress-node" = "true" \}/);
    expect(block).toMatch(/internet_charge_type\s+= "TRAFFIC_POSTPAID_BY_HOUR"\n\s+internet_max_bandwidth_out = 20\n\s+public_ip_assigned\s+= true/);
    expect(block).not.toContain('key    = "egress-node"');
  });

  it("egress-gateway-policy.sh prints the guide's policy over the live egress nodes (internal IPs)", () => {
    const r = egress("native");
    const dir = mkdtempSync(join(scratch, "egress-"));
    writeBundleTo(dir, r.files);
    mkdirSync(join(dir, "bin"));
    // the second node is dual-stack: its IPv6 InternalIP comes first
    const nodes = "10.0.1.5 10.0.1.5\n10.0.1.6 fd00::6 10.0.1.6\n";
    writeFileSync(join(dir, "bin/kubectl"), `#!/usr/bin/env bash\n[ "$*" = "get nodes -l egress-node=true -o jsonpath={range .items[*]}{.metadata.name}{\\" \\"}{.status.addresses[?(@.type==\\"InternalIP\\")].address}{\\"\\\\n\\"}{end}" ] || { echo "unexpected: $*" >&2; exit 3; }\nprintf '${nodes.replaceAll("\n", "\\n")}'\n`, { mode: 0o755 });
    const run = (...args: string[]) => spawnSync("bash", [join(dir, "egress-gateway-policy.sh"), ...args], { encoding: "utf8", env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}` } });
    const ok = run("web-out", "shop");
    expect(ok.stderr).toBe("");
    const [policy] = docs(ok.stdout);
    expect(policy).toEqual({
      apiVersion: "cilium.io/v2",
      kind: "CiliumEgressGatewayPolicy",
      // labelled as the egress gateway's: install.sh deletes it once the add-on is off
      metadata: { name: "web-out", labels: { "app.kubernetes.io/managed-by": "tke-cilium", "tke-cilium.io/addon": "egress-gateway" } },
      spec: {
        selectors: [{ podSelector: { matchLabels: { "io.kubernetes.pod.namespace": "shop" } } }],
        destinationCIDRs: ["0.0.0.0/0"],
        egressGateway: { nodeSelector: { matchLabels: { "kubernetes.io/hostname": "10.0.1.5" } }, egressIP: "10.0.1.5" },
        egressGateways: [{ nodeSelector: { matchLabels: { "kubernetes.io/hostname": "10.0.1.6" } }, egressIP: "10.0.1.6" }],
      },
    });
    expect(docs(run("all-out", "*", "1.2.3.0/24").stdout)[0].spec).toMatchObject({ selectors: [{ podSelector: {} }], destinationCIDRs: ["1.2.3.0/24"] });
    for (const bad of [["Bad_Name", "shop"], ["x", "a b"], ["x", "shop", "1.2.3.4"]]) {
      const r = run(...bad);
      expect([r.status, r.stdout]).toEqual([1, ""]);
    }
    expect(JSON.parse(fileOf(r.files, "bundle.json")!.content).scripts.egressPolicy).toBe("egress-gateway-policy.sh");
    expect(fileOf(r.files, "install.sh")!.content).toContain("./egress-gateway-policy.sh NAME NAMESPACE | kubectl apply -f -");
  });
});
