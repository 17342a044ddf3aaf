import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputFile } from "../src/emit/index.js";
import { parseProfileText } from "../src/parse.js";
import type { FilledProfile } from "../src/profile.js";
import { validateProfile } from "../src/validate.js";
import { helmValuesFiles, renderFile, renderObject, writeBundleTo } from "./helpers.js";
import { expectPreflightBeside, preflightRelease } from "./preflight-matrix.js";
import { helmTemplate, helmTemplateAsync } from "./real-helm.js";
import { readFileSync } from "node:fs";
import { ROOT } from "./helpers.js";
import { casesHere, onceInNpmTest, profilePathsHere } from "./slice.js";

/**
 * The consumer itself: every bundle goes through the real `helm template` of its chart version, with its
 * values files in install.sh's order and its namespace, and the rendered objects must mean what the profile
 * asks. Expectations come from the profile, not from the bundle, so a wrong derive cannot agree with itself.
 * npm test runs the covering slice of the profiles and of the new releases' modes (test/slice.ts), npm run
 * test:slow the rest of both.
 */

const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-helm-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec } };
}
interface PodSpec {
  containers?: { name: string; image: string; env?: { name: string; value?: string }[] }[];
  initContainers?: { name: string; image: string }[];
}

/** Writes the bundle to a folder (scratch/name) and runs helm template there; the parsed objects. */
function templateBundle(name: string, version: string, files: readonly OutputFile[]): K8sObject[] {
  const { dir, namespace } = writeBundle(name, files);
  return parseObjects(helmTemplate(version, namespace, helmValuesFiles(files), dir));
}

const filledProfile = (path: string, text: string): FilledProfile => {
  const parsed = parseProfileText(text, path);
  return validateProfile(parsed.value, path, parsed.locate).profile as FilledProfile;
};

const podSpecs = (objects: readonly K8sObject[]) => objects.flatMap((o) => (o.spec?.template?.spec ? [{ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }] : []));
const images = (objects: readonly K8sObject[]) => podSpecs(objects).flatMap(({ spec }) => [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.image));

/**
 * Every workload whose configuration the bundle sets rolls when it changes: the chart puts a checksum of its
 * ConfigMap on the Pod template only with rollOutCiliumPods / <component>.rollOutPods on.
 */
const CONFIG_CHECKSUMS: readonly [owner: string, annotation: string][] = [
  ["DaemonSet/cilium", "cilium.io/cilium-configmap-checksum"],
  ["Deployment/cilium-operator", "cilium.io/cilium-configmap-checksum"],
  ["DaemonSet/cilium-envoy", "cilium.io/cilium-envoy-configmap-checksum"],
  ["Deployment/hubble-relay", "cilium.io/hubble-relay-configmap-checksum"],
  ["Deployment/hubble-ui", "cilium.io/hubble-ui-nginx-configmap-checksum"],
];
function expectConfigChecksums(objects: readonly K8sObject[]): void {
  const present = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  // the agent, the operator and (Cilium >= 1.16 runs it by default) Envoy are in every bundle
  for (const always of ["DaemonSet/cilium", "Deployment/cilium-operator", "DaemonSet/cilium-envoy"]) expect(present.has(always), always).toBe(true);
  for (const [owner, annotation] of CONFIG_CHECKSUMS) {
    const o = present.get(owner);
    if (o === undefined) continue;
    const checksum = o.spec?.template?.metadata?.annotations?.[annotation] ?? "";
    expect(/^[0-9a-f]{64}$/.test(checksum), `${owner} carries a config checksum ${annotation}`).toBe(true);
  }
}

/** What a self-managed cluster's profile (platform kubeadm, k3s, kubespray) asks of the rendered chart. */
function expectSelfManagedMeaning(p: FilledProfile, objects: readonly K8sObject[]): void {
  const s = p.selfManaged!;
  const c = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config")?.data;
  expect(c, "cilium-config").toBeDefined();
  expect(c!["kube-proxy-replacement"]).toBe(String(s.kubeProxyReplacement));
  expect(c!.ipam).toBe(s.ipam);
  if (s.ipam === "cluster-pool") {
    expect(c!["cluster-pool-ipv4-cidr"]).toBe(s.podCidrs.join(" "));
    expect(c!["cluster-pool-ipv4-mask-size"]).toBe(String(s.podMaskSize));
  }
  expect(c!["routing-mode"]).toBe(s.routing.mode);
  if (s.routing.mode === "tunnel") expect(c!["tunnel-protocol"]).toBe(s.routing.tunnelProtocol);
  else expect(c!["ipv4-native-routing-cidr"]).toBe(s.podCidrs[0]);
  expect(c!["auto-direct-node-routes"] ?? "false").toBe(String(s.routing.mode === "native" && s.routing.autoDirectNodeRoutes));
  expect(c!["cni-exclusive"]).toBe(String(!s.multus));
  // kubespray's NodeLocal DNS answers from the host network: with the replacement, no transparent DNS proxy
  if (p.platform === "kubespray" && (s.kubespray?.nodeLocalDns ?? true) && s.kubeProxyReplacement) expect(c!["dnsproxy-enable-transparent-mode"]).toBe("false");
  const deployments = new Set(objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name));
  expect(deployments.has("hubble-relay")).toBe(p.features.hubble);
  if (p.features.hubble) {
    const ui = objects.find((o) => o.kind === "Service" && o.metadata.name === "hubble-ui") as (K8sObject & { spec: { type?: string } }) | undefined;
    expect(ui?.spec.type ?? "ClusterIP").toBe(s.hubbleUi === "nodeport" ? "NodePort" : "ClusterIP");
  }
  // every Cilium workload reaches the API server at the profile's address and port
  expectApiServer(objects, s.apiServer.host, s.apiServer.port);
}

/** Every container that names the API server (at least one does) names it at `host` and `port`. */
function expectApiServer(objects: readonly K8sObject[], host: string, port: number | string): void {
  let seen = 0;
  for (const { owner, spec } of podSpecs(objects)) {
    for (const container of spec.containers ?? []) {
      const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
      if (!env.has("KUBERNETES_SERVICE_HOST")) continue;
      seen++;
      expect(env.get("KUBERNETES_SERVICE_HOST"), owner).toBe(host);
      expect(env.get("KUBERNETES_SERVICE_PORT"), owner).toBe(String(port));
    }
  }
  expect(seen).toBeGreaterThan(0);
}

/**
 * Cilium's ip-masq-agent ConfigMap never has an empty nonMasqueradeCIDRs (Cilium would fall back to every
 * private range): native keeps the VPC's ranges (or the RFC 1918 fallback), overlay only its Pod CIDRs.
 */
function expectNonMasquerade(p: FilledProfile, objects: readonly K8sObject[]): void {
  const text = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "ip-masq-agent")?.data?.config;
  expect(text, "ConfigMap ip-masq-agent").toBeDefined();
  const config = parseAllDocuments(text!)[0].toJS() as { nonMasqueradeCIDRs?: string[]; masqLinkLocal?: boolean };
  expect(config.masqLinkLocal).toBe(true);
  const cidrs = config.nonMasqueradeCIDRs ?? [];
  if (p.cilium.mode === "overlay") expect(cidrs).toEqual(p.cilium.podCidrs);
  else expect(cidrs).toEqual(expect.arrayContaining(p.cluster.vpcCidrs.length > 0 ? p.cluster.vpcCidrs : ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]));
}

/** What the profile asks of the rendered chart. */
function expectMeaning(p: FilledProfile, objects: readonly K8sObject[]): void {
  if (p.platform !== "tke") return expectSelfManagedMeaning(p, objects);
  const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config")?.data;
  expect(config, "cilium-config").toBeDefined();
  const c = config!;
  const native = p.cilium.mode === "native";
  const masquerade = p.features.egressGateway || p.features.masquerade || !native;
  expect(c["kube-proxy-replacement"]).toBe("true");
  expect(c["enable-ipv4-masquerade"]).toBe(String(masquerade));
  expect(c["enable-local-redirect-policy"] ?? "false").toBe(String(p.features.localRedirectPolicy));
  if (native) {
    expect(c["routing-mode"]).toBe("native");
    expect(c.ipam).toBe("delegated-plugin");
    expect(c["cni-chaining-mode"]).toBe("generic-veth");
    expect(c["enable-endpoint-routes"]).toBe("true");
    expect(c["cni-external-routing"]).toBe("true");
    expect(c["custom-cni-conf"]).toBe("true");
    expect(c["read-cni-conf"]).toMatch(/\/cni-config$/);
    expect(c.devices).toBe("eth+");
    expect(c["local-router-ipv4"]).toBe("169.254.32.16");
    expect(c["enable-bpf-masquerade"] ?? "false").toBe(String(masquerade));
    expect(c["enable-ip-masq-agent"] ?? "false").toBe(String(masquerade));
  } else {
    expect(c["routing-mode"]).toBe("tunnel");
    expect(c["tunnel-protocol"]).toBe("vxlan");
    expect(c.ipam).toBe("multi-pool");
    expect(c["enable-bpf-masquerade"]).toBe("true");
    expect(c["auto-create-cilium-pod-ip-pools"]).toBe(`default=ipv4-cidrs:${p.cilium.podCidrs.join(",")};ipv4-mask-size:${p.cilium.podMaskSize}`);
    expect(c["cni-chaining-mode"] ?? "none").toBe("none");
  }
  expect(c["enable-egress-gateway"] ?? "false").toBe(String(p.features.egressGateway));
  if (p.features.egressGateway || p.features.masquerade) expectNonMasquerade(p, objects);
  expect(c["enable-cilium-endpoint-slice"] ?? "false").toBe(String(p.features.endpointSlice));
  expect(c["enable-bandwidth-manager"] ?? "false").toBe(String(p.features.bandwidthManager));
  const encryption = p.features.encryption;
  expect(c["enable-wireguard"] ?? "false").toBe(String(encryption === "wireguard"));
  expect(c["enable-ipsec"] ?? "false").toBe(String(encryption === "ipsec"));
  expect(c["enable-gateway-api"] ?? "false").toBe(String(p.features.gatewayApi));
  if (p.features.gatewayApi) expect(c["gateway-api-hostnetwork-enabled"]).toBe("true");
  if (p.clusterMesh) {
    expect(c["cluster-name"]).toBe(p.cluster.id);
    expect(c["cluster-id"]).toBe(String(p.clusterMesh.clusterId));
    const service = objects.find((o) => o.kind === "Service" && o.metadata.name === "clustermesh-apiserver") as
      | (K8sObject & { metadata: { annotations?: Record<string, string> }; spec: { type?: string } })
      | undefined;
    expect(service?.spec.type).toBe("LoadBalancer");
    if (p.clusterMesh.clbId !== undefined) expect(service?.metadata.annotations?.["service.kubernetes.io/tke-existed-lbid"]).toBe(p.clusterMesh.clbId);
    else expect(service?.metadata.annotations?.["service.kubernetes.io/qcloud-loadbalancer-internal-subnetid"]).toBe(p.clusterMesh.subnetId ?? p.nodePool.subnetIds[0] ?? p.cluster.intranetSubnetId);
  } else {
    expect(c["cluster-id"] ?? "0").toBe("0");
  }
  if (p.features.flowLogs !== false) {
    expect(c["hubble-flowlogs-config-path"]).toBeTruthy();
    expect(c["hubble-redact-enabled"]).toBe("true");
    const flowlogs = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-flowlog-config")?.data?.["flowlogs.yaml"] ?? "";
    const wanted = p.features.flowLogs === true ? ["all"] : (p.features.flowLogs.exports ?? [{ name: "all" }]).map((e) => e.name);
    const exported = (parseAllDocuments(flowlogs)[0].toJS() as { flowLogs: { name: string; excludeFilters: unknown[] }[] }).flowLogs;
    expect(exported.map((e) => e.name)).toEqual(wanted);
    for (const e of exported) expect(e.excludeFilters).toEqual(expect.arrayContaining([{ source_ip: ["169.254.0.71"] }, { destination_ip: ["169.254.0.71"] }]));
  } else {
    expect(c["hubble-flowlogs-config-path"]).toBeUndefined();
  }
  const deployments = new Set(objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name));
  expect(deployments.has("hubble-relay")).toBe(p.features.hubble);
  expect(deployments.has("hubble-ui")).toBe(p.features.hubble);

  // every Cilium workload reaches the apiserver at the profile's VIP and port
  expectApiServer(objects, p.apiserverVIP, p.apiserverPort);

  // every image from where the profile says nodes pull
  const all = images(objects);
  expect(all.length).toBeGreaterThan(0);
  for (const image of all) {
    if (p.images.mirror === "custom") expect(image.startsWith(`${p.images.registry}/`), image).toBe(true);
    else if (p.images.mirror === "tke") expect(image, image).not.toMatch(/^quay\.io\//);
    else expect(image, image).not.toMatch(/tencentcloudcr\.com/);
    if (!p.images.useDigest) expect(image, image).not.toContain("@sha256:");
  }
  const operator = podSpecs(objects).find((s) => s.owner === "Deployment/cilium-operator")!.spec.containers![0].image;
  expect(operator).toMatch(/\/operator-generic:v\d+\.\d+\.\d+/);
  if (p.images.mirror === "tke") expect(operator).toMatch(/^quay\.tencentcloudcr\.com\/cilium\/operator-generic:/);
}

/** Writes the bundle to a folder (scratch/name); its install.sh's namespace. */
function writeBundle(name: string, files: readonly OutputFile[]): { dir: string; namespace: string } {
  const dir = join(scratch, name);
  writeBundleTo(dir, files);
  return { dir, namespace: /^NAMESPACE='([^']+)'$/m.exec(files.find((f) => f.path === "install.sh")!.content)![1] };
}
const parseObjects = (text: string): K8sObject[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);

/**
 * Each profile's two real helm renders (the release cilium, its pre-flight release), started for every profile
 * this suite runs before the first test and awaited by each test: helm runs on both cores (helmTemplateAsync's
 * pool) while the tests check what is already rendered. A render that fails rejects, and the test that awaits it fails.
 */
interface ProfileRender {
  p: FilledProfile;
  files: readonly OutputFile[];
  errors: unknown[];
  main: Promise<string>;
  preflight: Promise<string>;
}
const renders = new Map<string, ProfileRender>();
function profileRender(path: string): ProfileRender {
  const known = renders.get(path);
  if (known) return known;
  const result = renderFile(path);
  const p = filledProfile(path, readFileSync(join(ROOT, path), "utf8"));
  const { dir, namespace } = writeBundle(path.replace(/[^a-z0-9]+/gi, "-"), result.files);
  const pre = preflightRelease(result.files);
  const made: ProfileRender = {
    p,
    files: result.files,
    errors: result.diagnostics.filter((d) => d.severity === "error"),
    main: helmTemplateAsync(p.cilium.version, namespace, helmValuesFiles(result.files), dir),
    preflight: helmTemplateAsync(pre.version, pre.namespace, pre.valuesFiles, dir, "cilium-preflight"),
  };
  // awaited by the tests; a rejection before its test runs is not an unhandled one
  made.main.catch(() => undefined);
  made.preflight.catch(() => undefined);
  renders.set(path, made);
  return made;
}
beforeAll(() => {
  for (const path of profilePathsHere()) profileRender(path);
});

describe.each(profilePathsHere())("helm template of %s", (path) => {
  it("succeeds with the chart of its version and means what the profile asks", async () => {
    const { p, errors, main } = profileRender(path);
    expect(errors).toEqual([]);
    const objects = parseObjects(await main);
    expectMeaning(p, objects);
    expectConfigChecksums(objects);
  });

  // Cilium's pre-flight check is a Helm release of its own, installed beside the release cilium during a minor
  // upgrade; Helm refuses to install an object another release owns (test/preflight.test.ts has the rest)
  it("its pre-flight release renders nothing the release cilium renders", async () => {
    const { files, errors, main, preflight } = profileRender(path);
    expect(errors).toEqual([]);
    expectPreflightBeside(files, parseObjects(await main), await preflight);
  });
});

/** Each new release in each mode, through its own chart (npm test: each release and each mode once, on a diagonal). */
const NEW_RELEASES = ["1.18.12", "1.19.6", "1.20.0"];
const MODES = [
  { name: "native", profile: { cilium: { mode: "native" }, features: { hubble: true, masquerade: true }, cluster: { vpcCidrs: ["10.0.0.0/16"] } } },
  { name: "overlay", profile: { cilium: { mode: "overlay" }, features: { endpointSlice: true, bandwidthManager: true } } },
  { name: "overlay-egress", profile: { cilium: { mode: "overlay", podCidrs: ["10.244.0.0/16", "10.250.0.0/16"] }, features: { egressGateway: true }, cluster: { vpcCidrs: ["10.0.0.0/16"] } } },
  { name: "gr-overlay", profile: { cluster: { network: "gr" }, cilium: { mode: "overlay" }, images: { mirror: "none" }, region: "ap-singapore" } },
];
const RELEASE_MODES = NEW_RELEASES.flatMap((version, v) => MODES.map((mode, m) => ({ version, v, mode, m })));
const diagonal = ({ v, m }: (typeof RELEASE_MODES)[number]) => v === m % NEW_RELEASES.length;
describe.each(NEW_RELEASES)("Cilium %s", (version) => {
  const modes = casesHere(RELEASE_MODES, diagonal).filter((c) => c.version === version).map((c) => c.mode);
  it.each(modes)("renders in $name mode and passes helm template with its own chart", ({ profile }) => {
    const full = {
      region: "ap-guangzhou",
      apiserverVIP: "169.254.128.9",
      nodePool: { type: "native" },
      ...profile,
      cilium: { ...profile.cilium, version },
    };
    const result = renderObject(full, `test/cilium-${version.replaceAll(".", "-")}.json`);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const p = filledProfile("x.json", JSON.stringify(full));
    const objects = templateBundle(`new-${version}-${JSON.stringify(profile).length}`, version, result.files);
    expectMeaning(p, objects);
    expectConfigChecksums(objects);
  });
});

// one-off checks: npm test only (npm run test:slow collects this file for the rest of its profiles and modes)
onceInNpmTest(() => {
  describe("a bundle Helm rejects fails", () => {
    it("helm template refuses a values file of the wrong type, and the test sees it", () => {
      const result = renderFile("presets/prod.json");
      const broken = result.files.map((f) => (f.path === "tke-values.yaml" ? { ...f, content: f.content.replace(/^enableIPv4Masquerade: false$/m, 'enableIPv4Masquerade: "no"') } : f));
      expect(broken.find((f) => f.path === "tke-values.yaml")!.content).toContain('enableIPv4Masquerade: "no"');
      expect(() => templateBundle("broken-type", "1.19.5", broken)).toThrow(/enableIPv4Masquerade/);
    });

    it("the renders started ahead (helmTemplateAsync) fail the same way: the awaiting test sees helm's error", async () => {
      const result = renderFile("presets/prod.json");
      const broken = result.files.map((f) => (f.path === "tke-values.yaml" ? { ...f, content: f.content.replace(/^enableIPv4Masquerade: false$/m, 'enableIPv4Masquerade: "no"') } : f));
      const { dir, namespace } = writeBundle("broken-type-ahead", broken);
      await expect(helmTemplateAsync("1.19.5", namespace, helmValuesFiles(broken), dir)).rejects.toThrow(/enableIPv4Masquerade/);
    });

    it("a bundle whose values say something else than the profile fails the meaning check", () => {
      const result = renderFile("presets/prod.json");
      const p = filledProfile("presets/prod.json", readFileSync(join(ROOT, "presets/prod.json"), "utf8"));
      const broken = result.files.map((f) => (f.path === "image-values.yaml" ? { ...f, content: f.content.replaceAll("quay.tencentcloudcr.com", "quay.io") } : f));
      const objects = templateBundle("broken-mirror", "1.19.5", broken);
      expect(() => expectMeaning(p, objects)).toThrow(/quay\.io/);
    });

    it("a bundle whose components do not roll on a config change fails the checksum check", () => {
      const result = renderFile("presets/prod.json");
      const broken = result.files.map((f) => ({ ...f, content: f.content.replaceAll("rollOutPods: true", "rollOutPods: false") }));
      expect(broken.some((f) => f.content.includes("rollOutPods: false"))).toBe(true);
      expect(() => expectConfigChecksums(templateBundle("no-roll", "1.19.5", broken))).toThrow(/cilium-operator|cilium-envoy|hubble/);
    });
  });
});
