import { describe, expect, it } from "vitest";
import { renderProfiles } from "../src/pipeline.js";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ALL_CODES } from "../src/rules/codes.js";
import { CAPABILITIES } from "../src/capabilities/index.js";
import { selfManagedExamples } from "../src/capabilities/self-managed.js";
import type { RuleExample } from "../src/capabilities/capability.js";
import { ROOT } from "./helpers.js";

const base = {
  region: "ap-singapore",
  apiserverVIP: "169.254.128.7",
  nodePool: { type: "native" },
};

type Patch = Record<string, unknown>;

/** For each rule: a profile that trips it (with the pointer and severity expected) and a near-identical one that does not. */
const CASES: Record<string, { fires: Patch; pointer: string; severity?: "error" | "warning"; quiet: Patch; peer?: Patch }> = {
  VIP_NOT_LINK_LOCAL: { fires: { apiserverVIP: "10.1.2.3" }, pointer: "/apiserverVIP", quiet: { apiserverVIP: "169.254.255.254" } },
  VIP_IS_LOCAL_ROUTER: { fires: { apiserverVIP: "169.254.32.16" }, pointer: "/apiserverVIP", quiet: { apiserverVIP: "169.254.32.17" } },
  FIELD_NOT_FOR_PLATFORM: {
    fires: { platform: "kubeadm", apiserverVIP: undefined, nodePool: undefined, selfManaged: { apiServer: { host: "10.24.0.2" }, podCidrs: ["10.244.0.0/16"], nodeCidrs: ["10.24.0.0/16"] } },
    pointer: "/region",
    quiet: { platform: "kubeadm", region: undefined, apiserverVIP: undefined, nodePool: undefined, selfManaged: { apiServer: { host: "10.24.0.2" }, podCidrs: ["10.244.0.0/16"], nodeCidrs: ["10.24.0.0/16"] } },
  },
  UNKNOWN_REGION: { fires: { region: "ap-mars" }, pointer: "/region", quiet: { region: "ap-qingyuan" } },
  UNSUPPORTED_CILIUM_VERSION: { fires: { cilium: { version: "1.19.7" } }, pointer: "/cilium/version", quiet: { cilium: { version: "1.19.6" } } },
  DOTTED_HELM_KEY: {
    fires: { cilium: { extraValues: { "hubble.relay.enabled": true } } },
    pointer: "/cilium/extraValues/hubble.relay.enabled",
    quiet: { cilium: { extraValues: { hubble: { relay: { enabled: true } }, extraConfig: { "bpf-lb-sock.hostns-only": "true" } } } },
  },
  PLACEHOLDER_VALUE: {
    fires: { nodePool: { type: "karpenter", subnetIds: ["subnet-changeme"], securityGroupIds: ["sg-1"] } },
    pointer: "/nodePool/subnetIds/0",
    quiet: { nodePool: { type: "karpenter", subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] } },
  },
  CILIUM_NOT_VERIFIED: { fires: { cilium: { version: "1.20.0" } }, pointer: "/cilium/version", severity: "warning", quiet: { cilium: { version: "1.19.6" } } },
  KUBERNETES_TOO_OLD: { fires: { cluster: { kubernetesVersion: "1.29.9" } }, pointer: "/cluster/kubernetesVersion", quiet: { cluster: { kubernetesVersion: "1.32.0" } } },
  OS_UNSUPPORTED: { fires: { nodePool: { type: "regular", os: "ubuntu20.04x86_64" } }, pointer: "/nodePool/os", quiet: { nodePool: { type: "regular", os: "ubuntu22.04x86_64" } } },
  NODE_POOL_SIZE: { fires: { nodePool: { type: "regular", minSize: 4, maxSize: 3 } }, pointer: "/nodePool/minSize", quiet: { nodePool: { type: "regular", minSize: 3, maxSize: 3 } } },
  POD_CIDR_OVERLAP: {
    fires: { cluster: { vpcCidrs: ["10.0.0.0/16"] }, cilium: { mode: "overlay", podCidrs: ["10.0.0.0/8"] } },
    pointer: "/cilium/podCidrs/0",
    quiet: { cluster: { vpcCidrs: ["10.0.0.0/16"] }, cilium: { mode: "overlay", podCidrs: ["10.244.0.0/16"] } },
  },
  SERVICE_CIDR_OVERLAP: {
    fires: { cluster: { vpcCidrs: ["172.16.0.0/16"], serviceCidr: "172.16.128.0/17" } },
    pointer: "/cluster/serviceCidr",
    quiet: { cluster: { vpcCidrs: ["172.16.0.0/16"], serviceCidr: "172.17.0.0/17" } },
  },
  EGRESS_WITH_ENDPOINT_SLICE: {
    fires: { features: { egressGateway: true, endpointSlice: true } },
    pointer: "/features/endpointSlice",
    quiet: { features: { egressGateway: true } },
  },
  STARTUP_TAINT_WITH_AUTOSCALING: {
    fires: { nodePool: { type: "regular", minSize: 0 } },
    pointer: "/nodePool/minSize",
    severity: "warning",
    quiet: { nodePool: { type: "regular", minSize: 0, startupTaint: false } },
  },
  UNKNOWN_HELM_VALUE: {
    fires: { cilium: { extraValues: { kubeProxyReplacment: true } } },
    pointer: "/cilium/extraValues/kubeProxyReplacment",
    quiet: { cilium: { extraValues: { bpf: { lbMapMax: 131072 } } } },
  },
  HELM_VALUE_TYPE: {
    fires: { cilium: { extraValues: { hubble: { relay: { enabled: "yes" } } } } },
    pointer: "/cilium/extraValues/hubble/relay/enabled",
    quiet: { cilium: { extraValues: { hubble: { relay: { enabled: true } } } } },
  },
  EXTRA_VALUE_OVERRIDE: {
    fires: { cilium: { extraValues: { operator: { tolerations: [] } } } },
    pointer: "/cilium/extraValues/operator/tolerations",
    quiet: { cilium: { extraValues: { operator: { replicas: 1 } } } },
  },
  ENVOY_WITH_DELEGATED_IPAM: {
    fires: { cilium: { extraValues: { gatewayAPI: { enabled: true, hostNetwork: { enabled: true } } } } },
    pointer: "/cilium/extraValues/gatewayAPI/enabled",
    quiet: { cilium: { mode: "overlay", extraValues: { gatewayAPI: { enabled: true, hostNetwork: { enabled: true } } } } },
  },
  IPSEC_ON_VPC_CNI: {
    fires: { cilium: { extraValues: { encryption: { enabled: true, type: "ipsec" } } } },
    pointer: "/cilium/extraValues/encryption/type",
    quiet: { cilium: { extraValues: { encryption: { enabled: true, type: "wireguard" } } } },
  },
  CLUSTERMESH_WITH_EGRESS_GATEWAY: {
    fires: { features: { egressGateway: true }, cilium: { extraValues: { clustermesh: { useAPIServer: true } } } },
    pointer: "/cilium/extraValues/clustermesh/useAPIServer",
    quiet: { features: { egressGateway: false }, cilium: { extraValues: { clustermesh: { useAPIServer: true } } } },
  },
  GATEWAY_API_WITHOUT_HOST_NETWORK: {
    fires: { cilium: { mode: "overlay", extraValues: { gatewayAPI: { enabled: true } } } },
    pointer: "/cilium/extraValues/gatewayAPI/enabled",
    quiet: { cilium: { mode: "overlay", extraValues: { gatewayAPI: { enabled: true, hostNetwork: { enabled: true } } } } },
  },
  AUTO_DIRECT_ROUTES_WITH_TUNNEL: {
    fires: { cilium: { mode: "overlay", extraValues: { autoDirectNodeRoutes: true } } },
    pointer: "/cilium/extraValues/autoDirectNodeRoutes",
    quiet: { cilium: { extraValues: { autoDirectNodeRoutes: true } } },
  },
  TUNNEL_WITHOUT_MASQUERADE: {
    fires: { cilium: { mode: "overlay", extraValues: { enableIPv4Masquerade: false } } },
    pointer: "/cilium/extraValues/enableIPv4Masquerade",
    quiet: { cilium: { mode: "overlay", extraValues: { enableIPv4Masquerade: true } } },
  },
  KUBERNETES_UNTESTED: {
    fires: { cilium: { version: "1.18.3" }, cluster: { kubernetesVersion: "1.34.1" } },
    pointer: "/cluster/kubernetesVersion",
    quiet: { cilium: { version: "1.18.3" }, cluster: { kubernetesVersion: "1.33.4" } },
  },
  DUPLICATE_PROFILE_NAME: { fires: { name: "twin" }, pointer: "/name", quiet: { name: "single" } },
  FLOW_LOGS_WITHOUT_HUBBLE: {
    fires: { features: { flowLogs: true }, cilium: { extraValues: { hubble: { enabled: false } } } },
    pointer: "/cilium/extraValues/hubble/enabled",
    quiet: { features: { flowLogs: true }, cilium: { extraValues: { hubble: { enabled: true } } } },
  },
  // run with an Argo CD engine in tke-cilium.json (see diagnosticsFor)
  GITOPS_LOCAL_CHART: { fires: { cilium: { chart: "charts/cilium-1.19.5.tgz" } }, pointer: "/cilium/chart", quiet: { cilium: { chart: "cilium/cilium" } } },
  GITOPS_NAME_TOO_LONG: { fires: { name: "c".repeat(57) }, pointer: "/name", quiet: { name: "c".repeat(56) } },
  GITOPS_NEEDS_KUBE_DNS_IP: { fires: { features: { nodeLocalDns: true } }, pointer: "/cluster/kubeDnsIP", quiet: { features: { nodeLocalDns: true }, cluster: { kubeDnsIP: "192.168.0.10" } } },
  GITOPS_NEEDS_ENI_AGENT_VERSION: { fires: {}, pointer: "/cluster/eniAgentVersion", quiet: { cluster: { eniAgentVersion: "v3.8.3" } } },
  ENI_AGENT_TOO_OLD: { fires: { cluster: { eniAgentVersion: "v3.7.12" } }, pointer: "/cluster/eniAgentVersion", quiet: { cluster: { eniAgentVersion: "3.8.0" } } },
  GITOPS_NEEDS_VPC_CIDRS: { fires: { features: { masquerade: true } }, pointer: "/cluster/vpcCidrs", quiet: { features: { masquerade: true }, cluster: { vpcCidrs: ["10.0.0.0/16"] } } },
};

// each capability carries the cases of its own codes (src/capabilities/<id>/: examples)
for (const c of CAPABILITIES) for (const e of c.examples as readonly RuleExample<string>[]) CASES[e.code] = e;
// the rules every self-managed platform shares are core's; their examples live beside them
for (const e of selfManagedExamples()) CASES[e.code] = e;

/** The GitOps rules run for a repository whose tke-cilium.json names Argo CD. */
const ARGOCD = { config: { engine: "argocd", namespace: "argocd", repoURL: "https://git.example.com/fleet.git", revision: "HEAD", project: "default", destination: "{name}" }, outPath: "out" } as const;

/** DUPLICATE_PROFILE_NAME needs two profiles in one run; every other rule is checked on one. */
function diagnosticsFor(code: string, patch: Patch) {
  const profile = { ...base, ...patch };
  const sources = [{ path: "a.json", text: JSON.stringify(profile) }];
  if (code === "DUPLICATE_PROFILE_NAME") sources.push({ path: "b.json", text: JSON.stringify({ ...base, name: "twin" }) });
  // the Cluster Mesh rules compare the profile with the other members of its mesh in the same run
  const peer = CASES[code]?.peer;
  if (peer !== undefined) sources.push({ path: "peer.json", text: JSON.stringify({ ...base, ...peer }) });
  return renderProfiles(sources, undefined, code.startsWith("GITOPS_") ? ARGOCD : null)[0].diagnostics;
}

it("every code the source can emit is listed by tke-cilium rules", () => {
  const listed = new Set(ALL_CODES.map((r) => r.code));
  // What can reach a user: codes written by the parser, validator, pipeline and rule tables, and the
  // schema's x-code. catalogue.ts is left out: it is the list being checked.
  const emitted = new Set<string>();
  for (const file of sourceFiles(join(ROOT, "src")).filter((f) => !f.endsWith("catalogue.ts"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/\b(?:code: |report\()"([A-Z0-9_]+)"/g)) emitted.add(m[1]);
  }
  for (const m of readFileSync(join(ROOT, "schema/profile.schema.json"), "utf8").matchAll(/"x-code": "([A-Z_]+)"/g)) emitted.add(m[1]);
  expect([...emitted].sort()).toEqual([...listed].sort());
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

const RULE_STAGES = new Set(["profile", "bundle", "fleet"]);
const RULE_CODES = ALL_CODES.filter((r) => RULE_STAGES.has(r.stage) || r.code === "UNKNOWN_REGION").map((r) => r.code);

describe.each(RULE_CODES.filter((code) => code !== "INVALID_NAME"))("rule %s", (code) => {
  const rule = ALL_CODES.find((r) => r.code === code)!;
  const c = CASES[code];

  it("has a firing and a quiet case in this test", () => {
    expect(c, `add ${code} to CASES`).toBeDefined();
  });

  it("fires", () => {
    const hits = diagnosticsFor(code, c.fires).filter((d) => d.code === code);
    expect(hits.map((d) => [d.pointer, d.severity])).toEqual([[c.pointer, c.severity ?? rule.severity]]);
  });

  it("stays quiet", () => {
    expect(diagnosticsFor(code, c.quiet).filter((d) => d.code === code)).toEqual([]);
  });

  it("explains itself", () => {
    expect(rule.explanation.length).toBeGreaterThan(40);
    expect(rule.source).not.toBe("");
  });
});

it("warns, but does not fail, below the recommended Kubernetes version", () => {
  const hits = diagnosticsFor("KUBERNETES_TOO_OLD", { cluster: { kubernetesVersion: "1.31.4" } }).filter((d) => d.code === "KUBERNETES_TOO_OLD");
  expect(hits.map((d) => d.severity)).toEqual(["warning"]);
});

it("warns about an OS outside the verified table", () => {
  const hits = diagnosticsFor("OS_UNSUPPORTED", { nodePool: { type: "regular", os: "fedora40x86_64" } }).filter((d) => d.code === "OS_UNSUPPORTED");
  expect(hits.map((d) => d.severity)).toEqual(["warning"]);
});
