import ipaddr from "ipaddr.js";
import { checkHelmValue, CILIUM_HELM_REPO, isFreeFormValue, type ChartCatalog, type HelmValueProblem } from "../knowledge/chart.js";
import { unknownVersionFinding, unverifiedVersionFinding } from "./versions.js";
import { nearest } from "../text/nearest.js";
import { compareVersions } from "../text/version.js";
import { ENI_AGENT_VERSIONS } from "../knowledge/lifecycle.js";
import { LARGE_CLUSTER_NODES } from "../knowledge/features.js";
import { extraValueLeaves } from "../derive/helm.js";
import { findUnsupportedOs, findVerifiedOs, VERIFIED_OS } from "../knowledge/os.js";
import { APISERVER_VIP_RANGE, CILIUM_TESTED_KUBERNETES_MAX, KNOWN_REGIONS, KUBERNETES_MINIMUM, KUBERNETES_RECOMMENDED_MINIMUM, LOCAL_ROUTER_IPV4, MAINLAND_CHINA_REGIONS } from "../knowledge/tke.js";
import type { FilledProfile } from "../profile.js";
import type { GitopsContext } from "../settings.js";
import { invalidMeshPeers, meshPeers, type MeshDirectory } from "../mesh.js";
import { GATEWAY_API, WIREGUARD_OS_PREFIXES, WIREGUARD_OS_TEXT } from "../knowledge/addons.js";
import { meshSubnet } from "../derive/addons.js";
import { PLACEHOLDERS } from "../knowledge/placeholders.js";
import { FLOW_FILTER_FIELDS, jsonFieldName } from "../knowledge/flow-filter.js";
import type { Code } from "./catalogue.js";
import { extraPointer, type Finding } from "./finding.js";

/** A cross-field check on a schema-valid profile; its code's entry in the catalogue says the rest. */
export interface ProfileRule {
  code: Code;
  check: (profile: FilledProfile, context: RuleContext) => Finding[];
}

/** What the rules may consult besides the profile: the chart releases this run knows, and the GitOps engine of tke-cilium.json. */
export interface RuleContext {
  charts: ChartCatalog;
  gitops?: GitopsContext | null;
  /** The Cluster Mesh members of the run, and this profile's path among them. */
  mesh?: MeshDirectory;
  path?: string;
}

const inRange = (ip: string, cidr: string) => ipaddr.IPv4.parse(ip).match(ipaddr.IPv4.parseCIDR(cidr));

type ExtraValueProblem = { path: string[]; value: unknown; problem: HelmValueProblem | { kind: "dotted"; index: number } };
const extraValueCache = new WeakMap<FilledProfile, ExtraValueProblem[]>();

/**
 * Each path of cilium.extraValues the chart of cilium.version would not take, with what is wrong; worked out
 * once per profile (three rules read it). A key with dots where the chart has no free-form map is refused
 * first: Helm would read "hubble.relay.enabled" as one key of that name and ignore it.
 */
const MAX_SUGGESTIONS = 50;

/** A FlowFilter field by its proto name or its JSON name (both are read). */
const FLOW_FILTER_KEYS = new Set(FLOW_FILTER_FIELDS.flatMap((f) => [f, jsonFieldName(f)]));

function extraValueProblems(p: FilledProfile, charts: ChartCatalog): ExtraValueProblem[] {
  const cached = extraValueCache.get(p);
  if (cached) return cached;
  // a "did you mean" costs a pass over the chart's keys: the first few unknown keys get one, so 20,000 unknown
  // keys cost their own length, not 20,000 passes
  let suggestions = 0;
  const suggest = (word: string, candidates: readonly string[]) => (++suggestions <= MAX_SUGGESTIONS ? nearest(word, candidates) : undefined);
  const problems = !charts.has(p.cilium.version)
    ? []
    : extraValueLeaves(p.cilium.extraValues as Record<string, unknown>).flatMap(([path, value]): ExtraValueProblem[] => {
        const dotted = path.findIndex((key, i) => key.includes(".") && !isFreeFormValue(p.cilium.version, path.slice(0, i), charts));
        if (dotted >= 0) return [{ path, value, problem: { kind: "dotted", index: dotted } }];
        const problem = checkHelmValue(p.cilium.version, path, value, suggest, charts);
        return problem ? [{ path, value, problem }] : [];
      });
  extraValueCache.set(p, problems);
  return problems;
}

/** A peer's range is read unvalidated: only a well-formed one is compared. */
function validCidr(cidr: string): boolean {
  try {
    ipaddr.IPv4.parseCIDR(cidr);
    return true;
  } catch {
    return false;
  }
}

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

/** The rules on the profile as written (after the schema), in the order `tke-cilium rules` lists them. */
export const PROFILE_RULES: readonly ProfileRule[] = [
  {
    code: "GITOPS_LOCAL_CHART",
    check: (p, context) =>
      context.gitops && !p.cilium.chart.startsWith(`${CILIUM_HELM_REPO.name}/`)
        ? [{ pointer: "/cilium/chart", message: `tke-cilium.json delivers bundles with ${context.gitops.config.engine === "argocd" ? "Argo CD" : "Flux"}, which fetches the chart from a Helm repository, not the local file "${p.cilium.chart}"; use ${CILIUM_HELM_REPO.name}/cilium`, suggestion: `${CILIUM_HELM_REPO.name}/cilium` }]
        : [],
  },
  {
    code: "VIP_NOT_LINK_LOCAL",
    check: (p) => (inRange(p.apiserverVIP, APISERVER_VIP_RANGE) ? [] : [{ pointer: "/apiserverVIP", message: `${p.apiserverVIP} is not in ${APISERVER_VIP_RANGE}; use the address of the default/kubernetes endpoint, never the CLB VIP` }]),
  },
  {
    code: "VIP_IS_LOCAL_ROUTER",
    check: (p) => (p.apiserverVIP === LOCAL_ROUTER_IPV4 ? [{ pointer: "/apiserverVIP", message: `${LOCAL_ROUTER_IPV4} is the cilium_host address on every node; it cannot be the apiserver VIP` }] : []),
  },
  {
    code: "UNSUPPORTED_CILIUM_VERSION",
    check: (p, { charts }) => unknownVersionFinding(p.cilium.version, charts.versions()),
  },
  {
    code: "CILIUM_NOT_VERIFIED",
    check: (p, { charts }) => (charts.has(p.cilium.version) ? unverifiedVersionFinding(p.cilium.version) : []),
  },
  {
    code: "ENI_AGENT_TOO_OLD",
    check: (p) => {
      const v = p.cluster.eniAgentVersion;
      if (v === undefined || p.cilium.mode !== "native" || compareVersions(v.replace(/^v/, ""), ENI_AGENT_VERSIONS.minimum.slice(1)) >= 0) return [];
      return [{ pointer: "/cluster/eniAgentVersion", message: `tke-eni-agent ${v} uses policy route table 2004, which Cilium's L7 proxy takes over: upgrade the eniipamd add-on to ${ENI_AGENT_VERSIONS.recommended} or later in the TKE console, then update cluster.eniAgentVersion` }];
    },
  },
  {
    code: "GITOPS_NEEDS_ENI_AGENT_VERSION",
    check: (p, context) =>
      context.gitops && p.cilium.mode === "native" && p.cluster.eniAgentVersion === undefined
        ? [{ pointer: "/cluster/eniAgentVersion", message: `native mode needs tke-eni-agent ${ENI_AGENT_VERSIONS.minimum} or later, and ${context.gitops.config.engine === "argocd" ? "Argo CD" : "Flux"} cannot check the cluster as install.sh does: set cluster.eniAgentVersion (the tag of kubectl -n kube-system get daemonset tke-eni-agent -o jsonpath='{.spec.template.spec.containers[0].image}')` }]
        : [],
  },
  {
    code: "KUBERNETES_TOO_OLD",
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
    check: (p) => (p.cluster.network === "gr" && p.cilium.mode === "native" ? [{ pointer: "/cilium/mode", message: "native mode does not work on GR clusters; set cilium.mode to overlay or use cluster.network vpc-cni" }] : []),
  },
  {
    code: "PLACEHOLDER_VALUE",
    check: (p) =>
      PLACEHOLDERS.flatMap((ph) => {
        const list = (ph.pointer === "/nodePool/subnetIds" ? p.nodePool.subnetIds : p.nodePool.securityGroupIds) as readonly string[];
        const i = list.indexOf(ph.value);
        return i < 0 ? [] : [{ pointer: `${ph.pointer}/${i}`, message: `${ph.field} still holds init's placeholder ${ph.value}; put ${ph.what} there` }];
      }),
  },
  {
    code: "KARPENTER_SELECTORS_REQUIRED",
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
    check: (p) => [...osFindings(p.cluster.osImage, "/cluster/osImage"), ...(p.nodePool.type === "regular" ? osFindings(p.nodePool.os, "/nodePool/os") : [])],
  },
  {
    code: "NODE_POOL_SIZE",
    check: (p) => (p.nodePool.minSize > p.nodePool.maxSize ? [{ pointer: "/nodePool/minSize", message: `minSize ${p.nodePool.minSize} is above maxSize ${p.nodePool.maxSize}` }] : []),
  },
  {
    code: "IMAGES_NOT_MIRRORED",
    check: (p) => (p.images.mirror === "none" && MAINLAND_CHINA_REGIONS.has(p.region) ? [{ pointer: "/images/mirror", message: `${p.region} is in mainland China, where quay.io pulls often fail; use images.mirror tke` }] : []),
  },
  {
    code: "POD_CIDR_OVERLAP",
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
    check: (p) =>
      p.cluster.serviceCidr
        ? p.cluster.vpcCidrs.filter((v) => overlaps(p.cluster.serviceCidr!, v)).map((v) => ({ pointer: "/cluster/serviceCidr", message: `${p.cluster.serviceCidr} overlaps VPC CIDR ${v}` }))
        : [],
  },
  {
    code: "EGRESS_WITH_ENDPOINT_SLICE",
    check: (p) => (p.features.egressGateway && p.features.endpointSlice ? [{ pointer: "/features/endpointSlice", message: "endpointSlice cannot be on together with egressGateway" }] : []),
  },
  {
    code: "MASQUERADE_IN_OVERLAY",
    check: (p) => (p.cilium.mode === "overlay" && p.features.masquerade ? [{ pointer: "/features/masquerade", message: "overlay mode already masquerades; remove features.masquerade" }] : []),
  },
  {
    code: "REGISTRY_REQUIRED",
    check: (p) => (p.images.mirror === "custom" && !p.images.registry ? [{ pointer: "/images/registry", message: "set images.registry to the registry and namespace holding the copied images" }] : []),
  },
  {
    code: "REGISTRY_WITHOUT_CUSTOM_MIRROR",
    check: (p) => (p.images.mirror !== "custom" && p.images.registry ? [{ pointer: "/images/registry", message: `images.mirror is ${p.images.mirror}; set it to custom to use this registry, or remove images.registry` }] : []),
  },
  {
    code: "CUSTOM_REGISTRY_DIGEST",
    check: (p) => (p.images.mirror === "custom" && p.images.useDigest ? [{ pointer: "/images/useDigest", message: "the chart pins upstream digests: the copy must keep them, as skopeo copy --all in images.txt does; set useDigest false for a docker pull/tag/push copy" }] : []),
  },
  {
    code: "LARGE_CLUSTER_WITHOUT_ENDPOINT_SLICE",
    check: (p) =>
      (p.cluster.maxNodes ?? 0) >= LARGE_CLUSTER_NODES && !p.features.endpointSlice && !p.features.egressGateway
        ? [{ pointer: "/features/endpointSlice", message: `${p.cluster.maxNodes} nodes: consider features.endpointSlice` }]
        : [],
  },
  {
    code: "UNKNOWN_REGION",
    check: (p) => {
      if (KNOWN_REGIONS.has(p.region)) return [];
      const guess = nearest(p.region, [...KNOWN_REGIONS]);
      return [{ pointer: "/region", message: `${p.region} is not a region tke-cilium knows${guess ? `; did you mean ${guess}?` : ""} (the bundle is rendered as given)`, ...(guess ? { suggestion: guess } : {}) }];
    },
  },
  {
    code: "NATIVE_WITHOUT_MASQUERADE",
    check: (p) =>
      p.cilium.mode === "native" && p.features.masquerade === undefined && !p.features.egressGateway
        ? [{ pointer: "/features", message: "native mode without features.masquerade: Pods reach the internet only through a NAT gateway, not the node's EIP; set masquerade true (the guide installer's default), or false if the VPC has a NAT gateway" }]
        : [],
  },
  {
    code: "BANDWIDTH_MANAGER_IN_NATIVE",
    check: (p) =>
      p.cilium.mode === "native" && p.features.bandwidthManager
        ? [{ pointer: "/features/bandwidthManager", message: "native mode (generic-veth chaining) runs legacy host routing, never BPF host routing, which Bandwidth Manager is meant to pair with" }]
        : [],
  },
  {
    code: "EGRESS_POOL_WITHOUT_GATEWAY",
    check: (p) =>
      p.nodePool.egress !== undefined && !p.features.egressGateway
        ? [{ pointer: "/nodePool/egress", message: "an egress pool serves Cilium's egress gateway: set features.egressGateway true, or remove nodePool.egress" }]
        : [],
  },
  {
    code: "EGRESS_POOL_ON_KARPENTER",
    check: (p) =>
      p.nodePool.egress !== undefined && p.nodePool.type === "karpenter"
        ? [{ pointer: "/nodePool/egress", message: "Karpenter sizes its pools to pending Pods, but an egress pool has a fixed size (its public IPs are what the outside allows): use a native or regular pool for a profile with nodePool.egress" }]
        : [],
  },
  {
    code: "EGRESS_POOL_SAME_NAME",
    check: (p) =>
      p.nodePool.egress !== undefined && p.nodePool.type !== "karpenter" && p.nodePool.egress.name === (p.nodePool.name ?? "cilium")
        ? [{ pointer: "/nodePool/egress/name", message: `the egress pool and the node pool are both named "${p.nodePool.egress.name}": give nodePool.egress.name another name` }]
        : [],
  },
  {
    code: "FLOW_LOG_EXPORT_TWICE",
    check: (p) => {
      const flowLogs = p.features.flowLogs;
      if (typeof flowLogs !== "object" || flowLogs.exports === undefined) return [];
      const names = flowLogs.exports.map((e) => e.name);
      return names.flatMap((name, i) =>
        names.indexOf(name) < i ? [{ pointer: `/features/flowLogs/exports/${i}/name`, message: `export "${name}" is named twice: both would write /var/run/cilium/hubble/${name}.log; give each export its own name` }] : [],
      );
    },
  },
  {
    code: "NODE_LOCAL_DNS_WITHOUT_LRP",
    check: (p) =>
      p.features.nodeLocalDns && !p.features.localRedirectPolicy
        ? [{ pointer: "/features/localRedirectPolicy", message: "features.nodeLocalDns redirects kube-dns traffic with a CiliumLocalRedirectPolicy: set localRedirectPolicy true" }]
        : [],
  },
  {
    code: "GATEWAY_API_NEEDS_CILIUM_1_19",
    check: (p) =>
      p.features.gatewayApi && compareVersions(p.cilium.version.split(".").slice(0, 2).join("."), GATEWAY_API.minCilium) < 0
        ? [{ pointer: "/features/gatewayApi", message: `the bundle ships the Gateway API ${GATEWAY_API.version} CRDs the guide pins for Cilium ${GATEWAY_API.minCilium}; Cilium ${p.cilium.version} reads TLSRoute v1alpha2, which they no longer serve: use cilium.version 1.19 or later` }]
        : [],
  },
  {
    code: "WIREGUARD_MODULE_UNVERIFIED",
    check: (p) => {
      if (p.features.encryption !== "wireguard") return [];
      // native and Karpenter pools boot TencentOS 4 (the image annotation); a regular pool boots nodePool.os
      if (p.nodePool.type !== "regular" || WIREGUARD_OS_PREFIXES.some((prefix) => p.nodePool.os.startsWith(prefix))) return [];
      return [{ pointer: "/nodePool/os", message: `WireGuard needs the wireguard kernel module; the guide knows ${WIREGUARD_OS_TEXT} carries it, ${p.nodePool.os} is unverified: check lsmod | grep wireguard on a node` }];
    },
  },
  {
    code: "CLUSTERMESH_WITHOUT_CLUSTER_ID",
    check: (p) =>
      p.clusterMesh !== undefined && p.cluster.id === undefined
        ? [{ pointer: "/cluster", message: "Cluster Mesh names each cluster by its TKE cluster id (Cilium's cluster.name, and the kubeconfig context of clustermesh.sh): set cluster.id" }]
        : [],
  },
  {
    code: "CLUSTERMESH_WITHOUT_SUBNET",
    check: (p) =>
      p.clusterMesh !== undefined && meshSubnet(p) === null
        ? [{ pointer: "/clusterMesh", message: "clustermesh-apiserver needs a subnet for its internal CLB: set clusterMesh.subnetId (or nodePool.subnetIds, or cluster.intranetSubnetId)" }]
        : [],
  },
  {
    code: "MESH_NATIVE_WITHOUT_VPC_CIDRS",
    check: (p) =>
      p.clusterMesh !== undefined && p.cilium.mode === "native" && p.cluster.vpcCidrs.length === 0
        ? [{ pointer: "/cluster/vpcCidrs", message: "in native mode this cluster's Pods use VPC addresses: list the VPC's CIDRs in cluster.vpcCidrs, so the mesh can check they do not overlap its peers' and the peers do not masquerade them" }]
        : [],
  },
  {
    code: "MESH_DUPLICATE_CLUSTER_ID",
    check: (p, { mesh = [], path = "" }) => {
      if (p.clusterMesh === undefined) return [];
      const { name, clusterId } = p.clusterMesh;
      const same = meshPeers(mesh, path, name as string).filter((peer) => peer.clusterId === clusterId);
      return same.length === 0 ? [] : [{ pointer: "/clusterMesh/clusterId", message: `clusterId ${clusterId} is also taken in mesh "${name}" by ${same.map((peer) => peer.path).join(", ")}: each cluster of a mesh needs its own (1-255)` }];
    },
  },
  {
    code: "MESH_OVERLAPPING_POD_CIDRS",
    check: (p, { mesh = [], path = "" }) => {
      if (p.clusterMesh === undefined) return [];
      const native = p.cilium.mode === "native";
      const own = native ? p.cluster.vpcCidrs : p.cilium.podCidrs;
      const pointer = native ? "/cluster/vpcCidrs" : "/cilium/podCidrs";
      return meshPeers(mesh, path, p.clusterMesh.name as string).flatMap((peer) =>
        own.flatMap((cidr, i) =>
          peer.podRanges
            .filter((other) => validCidr(other) && overlaps(cidr, other))
            .map((other) => ({ pointer: `${pointer}/${i}`, message: `${cidr} overlaps ${other}, the Pod addresses of ${peer.path} (${peer.mode} mode) in mesh "${p.clusterMesh!.name}": Pods of a mesh need distinct addresses` })),
        ),
      );
    },
  },
  {
    code: "MESH_MIXED_DATAPATH",
    check: (p, { mesh = [], path = "" }) => {
      if (p.clusterMesh === undefined) return [];
      const other = meshPeers(mesh, path, p.clusterMesh.name as string).filter((peer) => peer.mode !== p.cilium.mode);
      return other.length === 0
        ? []
        : [{ pointer: "/cilium/mode", message: `${p.cilium.mode} mode, but ${other.map((peer) => `${peer.path} (${peer.mode})`).join(", ")} in mesh "${p.clusterMesh.name}": the clusters of a mesh need one datapath mode` }];
    },
  },
  {
    code: "MESH_WITH_GITOPS",
    check: (p, { gitops = null }) =>
      p.clusterMesh !== undefined && gitops !== null
        ? [{ pointer: "/clusterMesh", message: `${gitops.config.engine === "argocd" ? "Argo CD" : "Flux"} delivers this bundle, but the mesh's connections (cilium clustermesh connect) live in the release, not in git: the engine reverts them` }]
        : [],
  },
  {
    code: "FLOW_FILTER_UNKNOWN_FIELD",
    check: (p) => {
      const flowLogs = (p.features as { flowLogs?: unknown }).flowLogs;
      if (flowLogs === null || typeof flowLogs !== "object") return [];
      const exports = ((flowLogs as { exports?: { include?: object[]; exclude?: object[] }[] }).exports ?? []);
      return exports.flatMap((e, i) =>
        (["include", "exclude"] as const).flatMap((side) =>
          (e[side] ?? []).flatMap((filter, j) =>
            Object.keys(filter)
              .filter((key) => !FLOW_FILTER_KEYS.has(key))
              .map((key) => {
                const guess = nearest(key, [...FLOW_FILTER_KEYS]);
                return {
                  pointer: `/features/flowLogs/exports/${i}/${side}/${j}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`,
                  atKey: true,
                  message: `${JSON.stringify(key.slice(0, 60))} is not a field of Hubble's FlowFilter${guess ? `; did you mean "${guess}"?` : ""}: the exporter would refuse its whole configuration`,
                  ...(guess ? { suggestion: guess } : {}),
                };
              }),
          ),
        ),
      );
    },
  },
  {
    code: "MESH_INVALID_PEER",
    check: (p, { mesh = [], path = "" }) =>
      p.clusterMesh === undefined
        ? []
        : invalidMeshPeers(mesh, path, p.clusterMesh.name as string).map((peer) => ({
            pointer: "/clusterMesh/name",
            message: `${peer.path}, a member of mesh "${p.clusterMesh!.name}", is not a valid profile (${peer.invalid}): fix it first; none of its values is used`,
          })),
  },
  {
    code: "MESH_WITHOUT_PEERS",
    check: (p, { mesh = [], path = "" }) =>
      p.clusterMesh !== undefined && meshPeers(mesh, path, p.clusterMesh.name as string).length === 0 && invalidMeshPeers(mesh, path, p.clusterMesh.name as string).length === 0
        ? [{ pointer: "/clusterMesh/name", message: `no other profile of this run is in mesh "${p.clusterMesh.name}": render and check the mesh's profiles together (or list them in tke-cilium.json), or clustermesh.sh connects to nothing` }]
        : [],
  },
  {
    code: "KUBERNETES_UNTESTED",
    check: (p) => {
      const minor = p.cilium.version.split(".").slice(0, 2).join(".");
      const max = CILIUM_TESTED_KUBERNETES_MAX[minor];
      const v = p.cluster.kubernetesVersion;
      return max !== undefined && v !== undefined && compareVersions(v.split(".").slice(0, 2).join("."), max) > 0
        ? [{ pointer: "/cluster/kubernetesVersion", message: `Cilium ${minor} is tested on Kubernetes up to ${max}; ${v} is outside its range: use Cilium 1.19 (cilium.version)` }]
        : [];
    },
  },
  {
    code: "STARTUP_TAINT_WITH_AUTOSCALING",
    check: (p) =>
      p.nodePool.type === "regular" && (p.nodePool.startupTaint ?? true) && p.nodePool.minSize === 0 && p.nodePool.maxSize > 0
        ? [{ pointer: "/nodePool/minSize", message: "a pool that scales from zero with the startup taint may never scale up; keep minSize at 1 or more" }]
        : [],
  },
  {
    code: "UNKNOWN_HELM_VALUE",
    check: (p, { charts }) =>
      extraValueProblems(p, charts).flatMap(({ path, problem }) => {
        if (problem.kind !== "unknown") return [];
        const hint = problem.suggestion ? `; did you mean \`${problem.suggestion}\`?` : "";
        return [{ pointer: extraPointer(path), atKey: true, message: `${path.join(".")} is not a value of the Cilium ${p.cilium.version} chart${hint}`, suggestion: problem.suggestion }];
      }),
  },
  {
    code: "DOTTED_HELM_KEY",
    check: (p, { charts }) =>
      extraValueProblems(p, charts).flatMap(({ path, problem }) => {
        if (problem.kind !== "dotted") return [];
        const key = path[problem.index];
        const nested = key.split(".").reduceRight<string>((inner, part) => `{"${part}": ${inner}}`, "…");
        return [
          {
            pointer: extraPointer(path.slice(0, problem.index + 1)),
            atKey: true,
            message: `"${key}" is one key with dots in it; Helm would read it as a key of that name and ignore it. Nest it: ${nested}`,
            suggestion: [...path.slice(0, problem.index), ...key.split(".")].join("."),
          },
        ];
      }),
  },
  {
    code: "HELM_VALUE_TYPE",
    check: (p, { charts }) =>
      extraValueProblems(p, charts).flatMap(({ path, value, problem }) =>
        problem.kind === "type"
          ? [{ pointer: extraPointer(path), message: `${problem.path} must be ${problem.expected.join(" or ")} in the Cilium ${p.cilium.version} chart, got ${JSON.stringify(value)}` }]
          : [],
      ),
  },
];
