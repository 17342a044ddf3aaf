import ipaddr from "ipaddr.js";
import { SUPPORTED_CILIUM_VERSIONS } from "./knowledge/chart.js";
import { findUnsupportedOs, findVerifiedOs, VERIFIED_OS } from "./knowledge/os.js";
import { APISERVER_VIP_RANGE, KUBERNETES_MINIMUM, KUBERNETES_RECOMMENDED_MINIMUM, LOCAL_ROUTER_IPV4, MAINLAND_CHINA_REGIONS } from "./knowledge/tke.js";
import type { Severity } from "./diagnostics.js";
import type { FilledProfile } from "./profile.js";

export interface Finding {
  pointer: string;
  message: string;
  /** Overrides the rule's severity for this finding (e.g. too old is an error, old a warning). */
  severity?: Severity;
}

export interface Rule {
  code: string;
  severity: Severity;
  title: string;
  /** Why the rule exists and what to do, for `tke-cilium explain CODE`. */
  explanation: string;
  /** Where the knowledge comes from. */
  source: string;
  /** Cross-field check on a schema-valid profile; absent for rules enforced by the schema or across profiles. */
  check?: (profile: FilledProfile) => Finding[];
}

const inRange = (ip: string, cidr: string) => ipaddr.IPv4.parse(ip).match(ipaddr.IPv4.parseCIDR(cidr));

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function osFindings(osName: string, pointer: string): Finding[] {
  const bad = findUnsupportedOs(osName);
  if (bad) return [{ pointer, message: `${osName}: ${bad.why}; Cilium needs kernel 5.10 or later. Use tlinux4_x86_64_public or ubuntu24.04x86_64` }];
  if (!findVerifiedOs(osName)) {
    return [
      {
        pointer,
        severity: "warning",
        message: `${osName} is not in the verified OS table (${VERIFIED_OS.map((o) => o.osName).join(", ")}); test it on one node first`,
      },
    ];
  }
  return [];
}

/** Every rule the tool enforces, schema-level and cross-field, with its explanation. */
export const RULES: readonly Rule[] = [
  {
    code: "VIP_NOT_LINK_LOCAL",
    severity: "error",
    title: "apiserverVIP must be TKE's 169.254.x.x apiserver address",
    explanation:
      "Cilium's kube-proxy replacement intercepts traffic to Service and load-balancer addresses. If k8sServiceHost is the intranet CLB VIP (or a name resolving to it), cilium-agent's own apiserver connection goes through Cilium's BPF load balancer; when that state is flushed the agent loses the apiserver for good (\"operation not permitted\"). TKE also exposes the apiserver on a link-local VIP Cilium leaves alone. Read it with: kubectl get ep kubernetes -n default -o jsonpath='{.subsets[0].addresses[0].ip}'.",
    source: "guide: install.md FAQ and appendix/troubleshooting/connect-apiserver-operation-not-permitted.md",
    check: (p) => (inRange(p.apiserverVIP, APISERVER_VIP_RANGE) ? [] : [{ pointer: "/apiserverVIP", message: `${p.apiserverVIP} is not in ${APISERVER_VIP_RANGE}; use the address of the default/kubernetes endpoint, never the CLB VIP` }]),
  },
  {
    code: "VIP_IS_LOCAL_ROUTER",
    severity: "error",
    title: "apiserverVIP must differ from the cilium_host address",
    explanation: `In native mode Cilium gives cilium_host the fixed address ${LOCAL_ROUTER_IPV4} on every node (extraConfig.local-router-ipv4). An apiserver VIP equal to it would be routed to the node itself.`,
    source: "seed 000 tke-values.yaml; guide install.md",
    check: (p) => (p.apiserverVIP === LOCAL_ROUTER_IPV4 ? [{ pointer: "/apiserverVIP", message: `${LOCAL_ROUTER_IPV4} is the cilium_host address on every node; it cannot be the apiserver VIP` }] : []),
  },
  {
    code: "UNKNOWN_REGION",
    severity: "error",
    title: "region must be a Tencent Cloud region id",
    explanation: "The region goes into the Terraform provider block. The schema lists the public regions and the finance zones TKE runs in.",
    source: "SPEC §2",
  },
  {
    code: "UNSUPPORTED_CILIUM_VERSION",
    severity: "error",
    title: "cilium.version must be a release tke-cilium has chart data for",
    explanation: `Image lists and the value key set come from the released chart of each version. Supported: ${SUPPORTED_CILIUM_VERSIONS.join(", ")}.`,
    source: "schema/cilium/",
  },
  {
    code: "KUBERNETES_TOO_OLD",
    severity: "error",
    title: `cluster.kubernetesVersion below ${KUBERNETES_MINIMUM} is unsupported, below ${KUBERNETES_RECOMMENDED_MINIMUM} discouraged`,
    explanation: `Cilium 1.18 and 1.19 support Kubernetes ${KUBERNETES_MINIMUM} and later (error below). Since 2026-04 the guide asks for ${KUBERNETES_RECOMMENDED_MINIMUM} or later (warning below).`,
    source: "seed 000 (>= 1.30.0); guide install.md (>= 1.32)",
    check: (p) => {
      const v = p.cluster.kubernetesVersion;
      if (compareVersions(v, KUBERNETES_MINIMUM) < 0) return [{ pointer: "/cluster/kubernetesVersion", message: `Kubernetes ${v} is older than ${KUBERNETES_MINIMUM}, the oldest Cilium supports` }];
      if (compareVersions(v, KUBERNETES_RECOMMENDED_MINIMUM) < 0) {
        return [{ pointer: "/cluster/kubernetesVersion", severity: "warning", message: `Kubernetes ${v} is older than ${KUBERNETES_RECOMMENDED_MINIMUM}, the guide's minimum` }];
      }
      return [];
    },
  },
  {
    code: "GR_NATIVE_UNSUPPORTED",
    severity: "error",
    title: "GR clusters support overlay mode only",
    explanation:
      "On a GlobalRouter cluster, Cilium's chained native routing breaks cross-node Pod-to-Pod traffic and cannot enforce L7/DNS policies; the guide dropped that combination. Use cilium.mode overlay, or a VPC-CNI cluster.",
    source: "guide: appendix/gr-native-not-recommended.md",
    check: (p) => (p.cluster.network === "gr" && p.cilium.mode === "native" ? [{ pointer: "/cilium/mode", message: "native mode does not work on GR clusters; set cilium.mode to overlay or use cluster.network vpc-cni" }] : []),
  },
  {
    code: "KARPENTER_SELECTORS_REQUIRED",
    severity: "error",
    title: "a Karpenter pool needs subnetIds and securityGroupIds",
    explanation: "TKEMachineNodeClass requires non-empty subnetSelectorTerms and securityGroupSelectorTerms; the API server rejects the object otherwise.",
    source: "reference/karpenter/karpenter.k8s.tke_tkemachinenodeclasses.yaml",
    check: (p) => {
      if (p.nodePool.type !== "karpenter") return [];
      const missing: Finding[] = [];
      if (p.nodePool.subnetIds.length === 0) missing.push({ pointer: "/nodePool/subnetIds", message: "a Karpenter pool needs at least one subnet id (subnet-...)" });
      if (p.nodePool.securityGroupIds.length === 0) missing.push({ pointer: "/nodePool/securityGroupIds", message: "a Karpenter pool needs at least one security group id (sg-...)" });
      return missing;
    },
  },
  {
    code: "OS_UNSUPPORTED",
    severity: "error",
    title: "node OS must have kernel 5.10 or later",
    explanation:
      "Cilium needs Linux 5.10+. TencentOS 3.x and Ubuntu 20.04 are errors; an OS outside the guide's verified table is a warning (test one node first).",
    source: "guide: appendix/verified-os.md",
    check: (p) => [...osFindings(p.cluster.osImage, "/cluster/osImage"), ...(p.nodePool.type === "regular" ? osFindings(p.nodePool.os, "/nodePool/os") : [])],
  },
  {
    code: "NODE_POOL_SIZE",
    severity: "error",
    title: "nodePool.minSize must not exceed nodePool.maxSize",
    explanation: "The node pool's autoscaling range would be empty; TKE rejects it.",
    source: "terraform provider: min_size/max_size, scaling.min_replicas/max_replicas",
    check: (p) => (p.nodePool.minSize > p.nodePool.maxSize ? [{ pointer: "/nodePool/minSize", message: `minSize ${p.nodePool.minSize} is above maxSize ${p.nodePool.maxSize}` }] : []),
  },
  {
    code: "IMAGES_NOT_MIRRORED",
    severity: "warning",
    title: "mainland-China clusters should pull Cilium's images from a mirror",
    explanation: "Cilium's images live on quay.io and ghcr.io, which nodes in mainland China (or without internet) often cannot reach. images.mirror tke uses TKE's intranet mirrors.",
    source: "guide: install.md FAQ (image pull failure)",
    check: (p) => (p.images.mirror === "none" && MAINLAND_CHINA_REGIONS.has(p.region) ? [{ pointer: "/images/mirror", message: `${p.region} is in mainland China, where quay.io pulls often fail; use images.mirror tke` }] : []),
  },
  {
    code: "DUPLICATE_PROFILE_NAME",
    severity: "error",
    title: "two profiles render to one output folder",
    explanation: "Each profile writes out/<name>/; two profiles with one name in one run would overwrite each other. Rename one (the name field, or the file).",
    source: "SPEC §2",
  },
];
