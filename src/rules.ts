import ipaddr from "ipaddr.js";
import { checkHelmValue, type HelmValueProblem } from "./knowledge/chart.js";
import { nearest } from "./text/nearest.js";
import { LARGE_CLUSTER_NODES } from "./knowledge/features.js";
import { resolveFeatures } from "./derive/features.js";
import { deriveHelmValues, extraValueLeaves } from "./derive/helm.js";
import { escapePointerToken } from "./parse.js";
import { findUnsupportedOs, findVerifiedOs, VERIFIED_OS } from "./knowledge/os.js";
import { APISERVER_VIP_RANGE, KUBERNETES_MINIMUM, KUBERNETES_RECOMMENDED_MINIMUM, LOCAL_ROUTER_IPV4, MAINLAND_CHINA_REGIONS } from "./knowledge/tke.js";
import type { Severity } from "./diagnostics.js";
import type { FilledProfile } from "./profile.js";

export interface Finding {
  pointer: string;
  message: string;
  /** Point at the member's key rather than its value (unknown keys). */
  atKey?: boolean;
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

/** Each path of cilium.extraValues the chart of cilium.version would not take, with what is wrong. */
function extraValueProblems(p: FilledProfile): { path: string[]; value: unknown; problem: HelmValueProblem }[] {
  return extraValueLeaves(p.cilium.extraValues as Record<string, unknown>).flatMap(([path, value]) => {
    const problem = checkHelmValue(p.cilium.version, path, value, nearest);
    return problem ? [{ path, value, problem }] : [];
  });
}

const extraPointer = (path: readonly string[]) => `/cilium/extraValues/${path.map(escapePointerToken).join("/")}`;

/** Two CIDRs overlap when either contains the other's network address. */
function overlaps(a: string, b: string): boolean {
  const [na, la] = ipaddr.IPv4.parseCIDR(a);
  const [nb, lb] = ipaddr.IPv4.parseCIDR(b);
  return na.match(nb, lb) || nb.match(na, la);
}

function overlapFindings(ranges: readonly string[], pointer: string, others: readonly { cidr: string; what: string }[]): Finding[] {
  return ranges.flatMap((cidr, i) =>
    others.filter((o) => overlaps(cidr, o.cidr)).map((o) => ({ pointer: `${pointer}/${i}`, message: `${cidr} overlaps ${o.what} ${o.cidr}` })),
  );
}

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
    explanation: "Image lists, value keys and value types come from the released chart of each version: 1.18.0 to 1.18.11 and 1.19.0 to 1.19.5 (the enum of cilium.version in the schema). A new release needs its chart data imported (scripts/import-chart-data.mjs).",
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
    code: "POD_CIDR_OVERLAP",
    severity: "error",
    title: "overlay Pod CIDRs must not overlap the VPC or the Service CIDR",
    explanation:
      "In overlay mode Pod IPs come from cilium.podCidrs. A Pod CIDR that overlaps a VPC range or the Service CIDR makes those addresses ambiguous: nodes route them to Pods and cut off real VPC hosts or Services. The default cluster-pool range 10.0.0.0/8 breaking node networks is the seeds' most repeated failure. Pick a range outside every cluster.vpcCidrs entry and cluster.serviceCidr.",
    source: "guide: install.md overlay values (Pod CIDR must not conflict with VPC or Service CIDR); seeds 001, 003, 004 (cluster-pool 10.0.0.0/8)",
    check: (p) => {
      if (p.cilium.mode !== "overlay") return [];
      const others = [
        ...p.cluster.vpcCidrs.map((cidr) => ({ cidr, what: "VPC CIDR" })),
        ...(p.cluster.serviceCidr ? [{ cidr: p.cluster.serviceCidr, what: "Service CIDR" }] : []),
      ];
      const own = p.cilium.podCidrs.flatMap((cidr, i) =>
        p.cilium.podCidrs.slice(0, i).filter((other) => overlaps(cidr, other)).map((other) => ({ pointer: `/cilium/podCidrs/${i}`, message: `${cidr} overlaps Pod CIDR ${other}` })),
      );
      return [...overlapFindings(p.cilium.podCidrs, "/cilium/podCidrs", others), ...own];
    },
  },
  {
    code: "SERVICE_CIDR_OVERLAP",
    severity: "error",
    title: "the Service CIDR must not overlap the VPC",
    explanation: "TKE requires the Service CIDR to be outside the VPC's ranges; kube-proxy replacement would otherwise capture traffic meant for VPC hosts.",
    source: "terraform provider: service_cidr (different from the VPC CIDR)",
    check: (p) =>
      p.cluster.serviceCidr
        ? p.cluster.vpcCidrs.filter((v) => overlaps(p.cluster.serviceCidr!, v)).map((v) => ({ pointer: "/cluster/serviceCidr", message: `${p.cluster.serviceCidr} overlaps VPC CIDR ${v}` }))
        : [],
  },
  {
    code: "EGRESS_WITH_ENDPOINT_SLICE",
    severity: "error",
    title: "the egress gateway does not work with CiliumEndpointSlice",
    explanation: "Cilium's egress gateway is incompatible with CiliumEndpointSlice (and Cluster Mesh). Turn one of features.egressGateway and features.endpointSlice off.",
    source: "guide: egress-gateway.md, known issues",
    check: (p) => (p.features.egressGateway && p.features.endpointSlice ? [{ pointer: "/features/endpointSlice", message: "endpointSlice cannot be on together with egressGateway" }] : []),
  },
  {
    code: "MASQUERADE_WITHOUT_VPC_CIDRS",
    severity: "warning",
    title: "native masquerading needs the VPC's CIDRs",
    explanation:
      "With BPF masquerade in native mode, ipMasqAgent.config.nonMasqueradeCIDRs must cover every VPC range (primary and secondary), or cross-node Pod traffic is SNATed and loses its identity. Without cluster.vpcCidrs the values file falls back to the three RFC 1918 ranges, and install.sh reads the exact ranges from the ip-masq-agent-config ConfigMap when it can. Set cluster.vpcCidrs to make the bundle exact.",
    source: "guide: egress-gateway.md (nonMasqueradeCIDRs), appendix/masquerading.md",
    check: (p) =>
      p.cilium.mode === "native" && resolveFeatures(p).masqAgent && p.cluster.vpcCidrs.length === 0
        ? [{ pointer: "/cluster/vpcCidrs", message: "no cluster.vpcCidrs: nonMasqueradeCIDRs falls back to 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (install.sh prefers ip-masq-agent-config)" }]
        : [],
  },
  {
    code: "MASQUERADE_IN_OVERLAY",
    severity: "warning",
    title: "features.masquerade has no effect in overlay mode",
    explanation: "Overlay mode always masquerades Pod traffic leaving the cluster; the switch only matters in native mode.",
    source: "guide: install.md FAQ (how can Pods access the public network)",
    check: (p) => (p.cilium.mode === "overlay" && p.features.masquerade ? [{ pointer: "/features/masquerade", message: "overlay mode already masquerades; remove features.masquerade" }] : []),
  },
  {
    code: "REGISTRY_REQUIRED",
    severity: "error",
    title: "images.mirror custom needs images.registry",
    explanation: "A custom mirror moves every image under images.registry (for example myregistry.tencentcloudcr.com/cilium); without it there is nowhere to pull from.",
    source: "SPEC §2; guide: appendix/tcr.md",
    check: (p) => (p.images.mirror === "custom" && !p.images.registry ? [{ pointer: "/images/registry", message: "set images.registry to the registry and namespace holding the copied images" }] : []),
  },
  {
    code: "REGISTRY_WITHOUT_CUSTOM_MIRROR",
    severity: "error",
    title: "images.registry only applies to images.mirror custom",
    explanation: "images.registry is ignored unless images.mirror is custom; a registry next to another mirror is most likely a forgotten switch.",
    source: "SPEC §2",
    check: (p) => (p.images.mirror !== "custom" && p.images.registry ? [{ pointer: "/images/registry", message: `images.mirror is ${p.images.mirror}; set it to custom to use this registry, or remove images.registry` }] : []),
  },
  {
    code: "CUSTOM_REGISTRY_DIGEST",
    severity: "warning",
    title: "a copied registry usually needs images.useDigest false",
    explanation:
      "Helm pulls repository:tag@digest with the chart's upstream digests. skopeo copy -a keeps them, but a docker pull/tag/push copy does not, and every pull then fails. Set images.useDigest to false unless the copy keeps digests.",
    source: "reference README (image objects, useDigest); guide: appendix/tcr.md",
    check: (p) => (p.images.mirror === "custom" && p.images.useDigest ? [{ pointer: "/images/useDigest", message: "the chart pins upstream digests; set useDigest false unless the copy keeps them (skopeo copy -a does)" }] : []),
  },
  {
    code: "LARGE_CLUSTER_WITHOUT_ENDPOINT_SLICE",
    severity: "warning",
    title: `from ${LARGE_CLUSTER_NODES} nodes, enable CiliumEndpointSlice`,
    explanation: `At ${LARGE_CLUSTER_NODES} nodes and more, one CiliumEndpoint per Pod loads the apiserver's watches; CiliumEndpointSlice batches them (about 100 to one). It is beta in 1.19 and cannot be rolled back smoothly: test it first. Not advised together with the egress gateway.`,
    source: "guide: appendix/large-scale-tuning.md §1",
    check: (p) =>
      (p.cluster.maxNodes ?? 0) >= LARGE_CLUSTER_NODES && !p.features.endpointSlice && !p.features.egressGateway
        ? [{ pointer: "/features/endpointSlice", message: `${p.cluster.maxNodes} nodes: consider features.endpointSlice` }]
        : [],
  },
  {
    code: "STARTUP_TAINT_WITH_AUTOSCALING",
    severity: "warning",
    title: "a pool scaling from zero nodes should not carry the Cilium startup taint",
    explanation:
      "Native and regular pools scale with cluster-autoscaler. With no node left in the pool it simulates a new node from the pool's template, taints included: Pods that do not tolerate node.cilium.io/agent-not-ready look unschedulable there, and the pool never scales up from zero. With at least one node, the autoscaler copies a real node, whose taint Cilium has already removed. Keep nodePool.minSize at 1 or more, or set nodePool.startupTaint to false.",
    source: "guide: install.md (regular node pool taint); cluster-autoscaler template-node behaviour",
    check: (p) =>
      p.nodePool.type !== "karpenter" && p.nodePool.startupTaint && p.nodePool.minSize === 0 && p.nodePool.maxSize > 0
        ? [{ pointer: "/nodePool/minSize", message: "a pool that scales from zero with the startup taint may never scale up; keep minSize at 1 or more" }]
        : [],
  },
  {
    code: "UNKNOWN_HELM_VALUE",
    severity: "error",
    title: "cilium.extraValues sets a value the chart does not have",
    explanation:
      "The Cilium chart's own schema is not strict: Helm accepts a misspelt key and ignores it, and the setting silently never happens. tke-cilium checks every path of cilium.extraValues against the chart's key set for cilium.version (keys of values.yaml and every value its templates read). Free-form maps (extraConfig, resources, tolerations, annotations...) accept any sub-key.",
    source: "schema/cilium/ (the released chart's values.yaml and templates)",
    check: (p) =>
      extraValueProblems(p).flatMap(({ path, problem }) => {
        if (problem.kind !== "unknown") return [];
        const hint = problem.suggestion ? `; did you mean \`${problem.suggestion}\`?` : "";
        return [{ pointer: extraPointer(path), atKey: true, message: `${path.join(".")} is not a value of the Cilium ${p.cilium.version} chart${hint}` }];
      }),
  },
  {
    code: "HELM_VALUE_TYPE",
    severity: "error",
    title: "cilium.extraValues sets a value of the wrong type",
    explanation:
      "Helm validates the merged values against the chart's values.schema.json and fails the install on a wrong type: booleans must be true/false, not \"yes\" or \"true\"; numbers must be numbers. tke-cilium checks the types before anything is rendered.",
    source: "schema/cilium/ (the released chart's values.schema.json)",
    check: (p) =>
      extraValueProblems(p).flatMap(({ path, value, problem }) =>
        problem.kind === "type"
          ? [{ pointer: extraPointer(path), message: `${problem.path} must be ${problem.expected.join(" or ")} in the Cilium ${p.cilium.version} chart, got ${JSON.stringify(value)}` }]
          : [],
      ),
  },
  {
    code: "EXTRA_VALUE_CONFLICT",
    severity: "error",
    title: "cilium.extraValues must not set a value the bundle already sets",
    explanation:
      "Helm merges maps but replaces lists and scalars, so two values files setting one path silently keep only the last (a second operator.tolerations would drop the TKE tolerations). Change the profile field that drives the value instead, or set a neighbouring key.",
    source: "SPEC §3 invariants",
    check: (p) => {
      const leaves = extraValueLeaves(p.cilium.extraValues as Record<string, unknown>);
      if (leaves.length === 0) return [];
      const owned = deriveHelmValues({ ...p, cilium: { ...p.cilium, extraValues: {} } }).flatMap((f) => f.entries.map((e) => ({ path: e.path.join("."), file: f.file })));
      return leaves.flatMap(([path]) => {
        const dotted = path.join(".");
        const clash = owned.find((o) => o.path === dotted || o.path.startsWith(dotted + ".") || dotted.startsWith(o.path + "."));
        return clash ? [{ pointer: extraPointer(path), message: `${dotted} collides with ${clash.path}, which ${clash.file} sets` }] : [];
      });
    },
  },
  {
    code: "DUPLICATE_PROFILE_NAME",
    severity: "error",
    title: "two profiles render to one output folder",
    explanation: "Each profile writes out/<name>/; two profiles with one name in one run would overwrite each other. Rename one (the name field, or the file).",
    source: "SPEC §2",
  },
];
