import { describe, expect, it } from "vitest";
import { chartImages } from "../src/knowledge/chart.js";
import { fileOf, helmValuesFiles, leafPaths, parseYaml, renderFile, renderObject } from "./helpers.js";

const base = { region: "ap-guangzhou", apiserverVIP: "169.254.128.7", nodePool: { type: "native" } };

function values(files: ReturnType<typeof renderObject>["files"]): Map<string, unknown> {
  const merged = new Map<string, unknown>();
  for (const name of helmValuesFiles(files)) for (const [k, v] of leafPaths(parseYaml(fileOf(files, name)!.content))) merged.set(k, v);
  return merged;
}

describe("GR clusters", () => {
  it("refuse native mode", () => {
    const r = renderObject({ ...base, cluster: { network: "gr" } });
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["GR_NATIVE_UNSUPPORTED"]);
    expect(r.files).toEqual([]);
  });

  it("render overlay without cni-config.yaml, with a GR cluster in Terraform and no ENI toleration", () => {
    const r = renderObject({ ...base, cluster: { network: "gr" }, cilium: { mode: "overlay" } });
    expect(r.files.map((f) => f.path)).not.toContain("cni-config.yaml");
    expect(fileOf(r.files, "terraform/main.tf")!.content).toMatch(/network_type\s+= "GR"/);
    const v = values(r.files);
    expect(v.get("routingMode")).toBe("tunnel");
    expect(JSON.stringify(v.get("operator.tolerations"))).not.toContain("eni-ip-unavailable");
    expect(fileOf(r.files, "install.sh")!.content).not.toContain("add-pod-eni-ip-limit-webhook");
  });
});

describe("overlay on VPC-CNI", () => {
  const r = renderObject({ ...base, cluster: { vpcCidrs: ["10.0.0.0/16"] }, cilium: { mode: "overlay", podCidrs: ["10.244.0.0/16"], podMaskSize: 26 } });
  it("uses vxlan and multi-pool IPAM from the profile's Pod CIDRs", () => {
    const v = values(r.files);
    expect(v.get("tunnelProtocol")).toBe("vxlan");
    expect(v.get("ipam.mode")).toBe("multi-pool");
    expect(v.get("ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.cidrs")).toEqual(["10.244.0.0/16"]);
    expect(v.get("ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.maskSize")).toBe(26);
    expect(v.get("bpf.masquerade")).toBe(true);
    expect(v.has("sysctlfix.enabled")).toBe(false);
    expect(JSON.stringify(v.get("operator.tolerations"))).toContain("eni-ip-unavailable");
  });
  it("removes the ENI IP webhook in install.sh", () => {
    expect(fileOf(r.files, "install.sh")!.content).toContain("run kubectl delete mutatingwebhookconfiguration 'add-pod-eni-ip-limit-webhook'\n");
  });
  it("refuses Pod CIDRs overlapping the VPC, naming both ranges", () => {
    const bad = renderObject({ ...base, cluster: { vpcCidrs: ["10.0.0.0/16"] }, cilium: { mode: "overlay", podCidrs: ["10.0.128.0/17"] } });
    const d = bad.diagnostics.find((x) => x.code === "POD_CIDR_OVERLAP")!;
    expect(d.message).toContain("10.0.128.0/17");
    expect(d.message).toContain("10.0.0.0/16");
    expect(bad.files).toEqual([]);
  });
});

describe("egress gateway and masquerading", () => {
  it("native egress uses exactly the profile's VPC CIDRs", () => {
    const r = renderObject({ ...base, cluster: { vpcCidrs: ["10.0.0.0/16", "172.18.0.0/16"] }, features: { egressGateway: true } });
    const v = values(r.files);
    expect(v.get("ipMasqAgent.config.nonMasqueradeCIDRs")).toEqual(["10.0.0.0/16", "172.18.0.0/16"]);
    expect(v.get("egressGateway.enabled")).toBe(true);
    expect(v.get("enableIPv4Masquerade")).toBe(true);
    expect(v.get("bpf.masquerade")).toBe(true);
    expect(v.get("ipMasqAgent.config.masqLinkLocal")).toBe(true);
    expect(r.diagnostics).toEqual([]);
    // egress and masquerading reach running agents through the chart's config checksum, not a restart on every run
    expect(fileOf(r.files, "install.sh")!.content).not.toContain("rollout restart");
    expect(v.get("rollOutCiliumPods")).toBe(true);
    expect(v.get("operator.rollOutPods")).toBe(true);
    expect(fileOf(r.files, "install.sh")!.content).not.toContain("ip-masq-agent-config' -o jsonpath");
  });

  it("without vpcCidrs falls back to RFC 1918, warns, and reads ip-masq-agent-config at install time", () => {
    const r = renderObject({ ...base, features: { egressGateway: true } });
    expect(values(r.files).get("ipMasqAgent.config.nonMasqueradeCIDRs")).toEqual(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([["MASQUERADE_WITHOUT_VPC_CIDRS", "warning"]]);
    expect(fileOf(r.files, "install.sh")!.content).toContain("get configmap 'ip-masq-agent-config'");
  });

  it("refuses egress with endpointSlice", () => {
    const r = renderObject({ ...base, cluster: { vpcCidrs: ["10.0.0.0/16"] }, features: { egressGateway: true, endpointSlice: true } });
    expect(r.diagnostics.map((d) => d.code)).toContain("EGRESS_WITH_ENDPOINT_SLICE");
    expect(r.files).toEqual([]);
  });

  it("overlay egress keeps only the overlay's Pod CIDRs unmasqueraded (an empty list would mean Cilium's private-range default)", () => {
    for (const vpcCidrs of [["10.0.0.0/16"], []]) {
      const r = renderObject({ ...base, cluster: { vpcCidrs }, cilium: { mode: "overlay", podCidrs: ["10.244.0.0/16", "10.245.0.0/16"] }, features: { egressGateway: true } });
      const v = values(r.files);
      expect(v.get("ipMasqAgent.enabled")).toBe(true);
      expect(v.get("ipMasqAgent.config.nonMasqueradeCIDRs")).toEqual(["10.244.0.0/16", "10.245.0.0/16"]);
    }
  });
});

describe("scale tuning", () => {
  it("is off at any size unless asked, and never puts limits on the agent (the guide: only on OOM or throttling)", () => {
    const at = (maxNodes: number, scaleTuning?: boolean) =>
      values(renderObject({ ...base, cluster: { maxNodes }, features: { endpointSlice: true, ...(scaleTuning === undefined ? {} : { scaleTuning }) } }).files);
    for (const nodes of [200, 800, 5000]) {
      expect(at(nodes).has("k8sClientRateLimit.qps"), `${nodes}`).toBe(false);
      expect(at(nodes).has("resources.limits.memory"), `${nodes}`).toBe(false);
    }
    const asked = at(800, true);
    expect(asked.get("k8sClientRateLimit.qps")).toBe(20);
    expect(asked.get("k8sClientRateLimit.operator.burst")).toBe(400);
    expect(asked.get("extraConfig.labels")).toContain("!job-name");
    expect([...asked.keys()].filter((k) => k.startsWith("resources") || k.startsWith("operator.resources"))).toEqual([]);
  });

  it("takes the agent's resources through extraValues, with a warning naming nothing overridden", () => {
    const r = renderObject({ ...base, cluster: { maxNodes: 800 }, features: { endpointSlice: true, scaleTuning: true }, cilium: { extraValues: { resources: { requests: { memory: "1Gi" } } } } });
    expect(values(r.files).get("resources.requests.memory")).toBe("1Gi");
    expect(values(r.files).has("resources.limits.memory")).toBe(false);
    expect(r.diagnostics.filter((d) => d.code === "EXTRA_VALUE_OVERRIDE")).toEqual([]);
  });
});

describe("overrides through cilium.extraValues", () => {
  it("a value the bundle sets is replaced, written once, with a warning naming what the bundle wanted and why", () => {
    const r = renderObject({ ...base, features: { masquerade: false, scaleTuning: true }, cilium: { extraValues: { k8sClientRateLimit: { qps: 50 }, devices: "eth0" } } });
    const v = values(r.files);
    expect(v.get("k8sClientRateLimit.qps")).toBe(50);
    expect(v.get("k8sClientRateLimit.burst")).toBe(40);
    expect(v.get("devices")).toBe("eth0");
    const warnings = r.diagnostics.filter((d) => d.code === "EXTRA_VALUE_OVERRIDE");
    expect(warnings.map((d) => [d.pointer, d.severity])).toEqual([
      ["/cilium/extraValues/k8sClientRateLimit/qps", "warning"],
      ["/cilium/extraValues/devices", "warning"],
    ]);
    expect(warnings[1].message).toContain('the bundle\'s devices: "eth+"');
    // each key once in each file: the bundle's own value left its file
    for (const f of r.files.filter((f) => f.path.endsWith("-values.yaml"))) expect(f.content.match(/^devices:/gm)?.length ?? 0, f.path).toBeLessThan(2);
    expect(fileOf(r.files, "tke-values.yaml")!.content).not.toMatch(/^devices:/m);
  });

  it("an override that would break the cluster is refused under its own code", () => {
    const r = renderObject({ ...base, cilium: { extraValues: { ipam: { mode: "delegated-plugin" }, gatewayAPI: { enabled: true, hostNetwork: { enabled: true } } } } });
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["ENVOY_WITH_DELEGATED_IPAM"]);
    expect(r.files).toEqual([]);
  });
});

describe("custom registry", () => {
  const r = renderObject({ ...base, images: { mirror: "custom", registry: "reg.example.com/ns", useDigest: false } });
  it("moves every image of the chart under the registry, with useDigest false", () => {
    const v = values(r.files);
    for (const image of chartImages("1.19.5")) {
      expect(v.get(`${image.path}.repository`), image.path).toBe(`reg.example.com/ns/${image.repository}`);
      if (image.useDigest) expect(v.get(`${image.path}.useDigest`), image.path).toBe(false);
    }
  });
  it("lists every image to copy in images.txt, the operator as operator-generic", () => {
    const text = fileOf(r.files, "images.txt")!.content;
    const pairs = text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(/\s+/));
    const sources = pairs.map(([s]) => s);
    expect(new Set(sources).size).toBe(sources.length);
    expect(sources).toContain("quay.io/cilium/operator-generic:v1.19.5");
    for (const image of chartImages("1.19.5").filter((i) => i.path !== "operator.image")) expect(sources).toContain(`${image.repository}:${image.tag}`);
    for (const [source, target] of pairs) expect(target).toBe(`reg.example.com/ns/${source}`);
  });
});

it("the egress and overlay presets render their features", () => {
  expect(values(renderFile("presets/egress.json").files).get("egressGateway.enabled")).toBe(true);
  expect(values(renderFile("presets/overlay.json").files).get("routingMode")).toBe("tunnel");
});
