import { describe, expect, it } from "vitest";
import { renderProfiles } from "../src/pipeline.js";
import { RULES } from "../src/rules.js";

const base = {
  region: "ap-singapore",
  apiserverVIP: "169.254.128.7",
  nodePool: { type: "native" },
};

type Patch = Record<string, unknown>;

/** For each rule: a profile that trips it (with the pointer and severity expected) and a near-identical one that does not. */
const CASES: Record<string, { fires: Patch; pointer: string; severity?: "error" | "warning"; quiet: Patch }> = {
  VIP_NOT_LINK_LOCAL: { fires: { apiserverVIP: "10.1.2.3" }, pointer: "/apiserverVIP", quiet: { apiserverVIP: "169.254.255.254" } },
  VIP_IS_LOCAL_ROUTER: { fires: { apiserverVIP: "169.254.32.16" }, pointer: "/apiserverVIP", quiet: { apiserverVIP: "169.254.32.17" } },
  UNKNOWN_REGION: { fires: { region: "us-east-1" }, pointer: "/region", quiet: { region: "na-ashburn" } },
  UNSUPPORTED_CILIUM_VERSION: { fires: { cilium: { version: "1.20.0" } }, pointer: "/cilium/version", quiet: { cilium: { version: "1.18.0" } } },
  KUBERNETES_TOO_OLD: { fires: { cluster: { kubernetesVersion: "1.29.9" } }, pointer: "/cluster/kubernetesVersion", quiet: { cluster: { kubernetesVersion: "1.32.0" } } },
  GR_NATIVE_UNSUPPORTED: { fires: { cluster: { network: "gr" } }, pointer: "/cilium/mode", quiet: { cluster: { network: "vpc-cni" } } },
  KARPENTER_SELECTORS_REQUIRED: {
    fires: { nodePool: { type: "karpenter", securityGroupIds: ["sg-1"] } },
    pointer: "/nodePool/subnetIds",
    quiet: { nodePool: { type: "karpenter", subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] } },
  },
  OS_UNSUPPORTED: { fires: { nodePool: { type: "regular", os: "ubuntu20.04x86_64" } }, pointer: "/nodePool/os", quiet: { nodePool: { type: "regular", os: "ubuntu22.04x86_64" } } },
  NODE_POOL_SIZE: { fires: { nodePool: { type: "regular", minSize: 4, maxSize: 3 } }, pointer: "/nodePool/minSize", quiet: { nodePool: { type: "regular", minSize: 3, maxSize: 3 } } },
  IMAGES_NOT_MIRRORED: {
    fires: { region: "ap-beijing", images: { mirror: "none" } },
    pointer: "/images/mirror",
    severity: "warning",
    quiet: { region: "ap-singapore", images: { mirror: "none" } },
  },
  DUPLICATE_PROFILE_NAME: { fires: { name: "twin" }, pointer: "/name", quiet: { name: "single" } },
};

/** DUPLICATE_PROFILE_NAME needs two profiles in one run; every other rule is checked on one. */
function diagnosticsFor(code: string, patch: Patch) {
  const profile = { ...base, ...patch };
  const sources = [{ path: "a.json", text: JSON.stringify(profile) }];
  if (code === "DUPLICATE_PROFILE_NAME") sources.push({ path: "b.json", text: JSON.stringify({ ...base, name: "twin" }) });
  return renderProfiles(sources)[0].diagnostics;
}

describe.each(RULES.map((r) => r.code))("rule %s", (code) => {
  const rule = RULES.find((r) => r.code === code)!;
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
