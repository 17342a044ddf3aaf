import type { ChartCatalog, ChartImage } from "../knowledge/chart.js";
import { GUIDE_IMAGE_ORDER, TKE_MIRROR_RULES } from "../knowledge/images.js";
import {
  CNI_CONFIGMAP,
  ENI_IP_UNAVAILABLE_TAINT,
  LOCAL_ROUTER_IPV4,
  OPERATOR_TOLERATION_KEYS,
  SUPER_NODE_INSTANCE_TYPE,
} from "../knowledge/tke.js";
import {
  OVERLAY_TUNNEL_PROTOCOL,
  RFC1918_CIDRS,
  SCALE_AGENT_RESOURCES,
  SCALE_CLIENT_RATE_LIMIT,
  SCALE_IDENTITY_LABELS,
  SCALE_OPERATOR_RESOURCES,
} from "../knowledge/features.js";
import { WHY, WHY_VARIANT, whyMirrored } from "../knowledge/why.js";
import { VALUES_FILES } from "../knowledge/bundle.js";
import type { FilledProfile } from "../profile.js";
import type { ValueEntry, ValuesFile } from "../settings.js";
import type { ResolvedFeatures } from "./features.js";


function entry(path: string, value: unknown, why = WHY[path]): ValueEntry {
  if (why === undefined) throw new Error(`bug: no explanation for Helm value ${path} in knowledge/why.ts`);
  return { path: path.split("."), value, why, origin: "bundle" };
}

/** The values files in the order helm gets them; empty files are left out. */
export function deriveHelmValues(p: FilledProfile, f: ResolvedFeatures, charts: ChartCatalog): ValuesFile[] {
  return [deriveTkeValues(p, f), deriveImageValues(p, charts), deriveFeatureValues(p, f)].filter((file) => file.entries.length > 0);
}

function deriveTkeValues(p: FilledProfile, f: ResolvedFeatures): ValuesFile {
  const overlay = p.cilium.mode === "overlay";
  const modeEntries = overlay
    ? [
        entry("routingMode", "tunnel", WHY_VARIANT["routingMode.overlay"]),
        entry("tunnelProtocol", OVERLAY_TUNNEL_PROTOCOL),
        entry("ipam.mode", "multi-pool", WHY_VARIANT["ipam.mode.overlay"]),
        entry("ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.cidrs", p.cilium.podCidrs),
        entry("ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.maskSize", p.cilium.podMaskSize),
        entry("enableIPv4Masquerade", true, WHY_VARIANT["enableIPv4Masquerade.overlay"]),
        entry("bpf.masquerade", true, WHY_VARIANT["bpf.masquerade.overlay"]),
      ]
    : [
        entry("routingMode", "native"),
        entry("endpointRoutes.enabled", true),
        entry("ipam.mode", "delegated-plugin"),
        f.masquerade ? entry("enableIPv4Masquerade", true, WHY_VARIANT["enableIPv4Masquerade.masquerade"]) : entry("enableIPv4Masquerade", false),
        entry("devices", "eth+"),
        entry("cni.chainingMode", "generic-veth"),
        entry("cni.customConf", true),
        entry("cni.configMap", CNI_CONFIGMAP.name),
        entry("cni.externalRouting", true),
        entry("extraConfig.local-router-ipv4", LOCAL_ROUTER_IPV4),
        entry("sysctlfix.enabled", false),
      ];
  const tolerationKeys = [...OPERATOR_TOLERATION_KEYS, ...(p.cluster.network === "vpc-cni" ? [ENI_IP_UNAVAILABLE_TAINT] : [])];
  const common = [
    entry("localRedirectPolicies.enabled", p.features.localRedirectPolicy),
    entry("kubeProxyReplacement", "true"),
    entry("k8sServiceHost", p.apiserverVIP),
    entry("k8sServicePort", p.apiserverPort),
    entry("rollOutCiliumPods", true),
    entry("operator.rollOutPods", true),
    entry(
      "operator.tolerations",
      tolerationKeys.map((key) => ({ key, operator: "Exists" })),
    ),
    entry("operator.affinity", {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: SUPER_NODE_INSTANCE_TYPE.label, operator: "NotIn", values: [SUPER_NODE_INSTANCE_TYPE.value] }] }],
        },
      },
    }),
  ];
  return { file: VALUES_FILES.tke, title: "Cilium on TKE: the values that adapt the chart to the cluster", entries: [...modeEntries, ...common] };
}

/** The chart's images in the guide's order, then any the guide does not list, in chart order. */
export function orderedImages(version: string, charts: ChartCatalog): ChartImage[] {
  const rank = (path: string) => {
    const i = GUIDE_IMAGE_ORDER.indexOf(path);
    return i === -1 ? GUIDE_IMAGE_ORDER.length : i;
  };
  return charts
    .images(version)
    .map((image, i) => ({ image, i }))
    .sort((a, b) => rank(a.image.path) - rank(b.image.path) || a.i - b.i)
    .map((x) => x.image);
}

/** Where an image's repository moves to, and why; null when it stays upstream. */
export function mirroredRepository(p: FilledProfile, repository: string): { repository: string; why: string } | null {
  if (p.images.mirror === "custom") {
    return { repository: `${p.images.registry}/${repository}`, why: "copied into the private registry (see images.txt)" };
  }
  if (p.images.mirror === "none") return null;
  const rule = TKE_MIRROR_RULES.find((r) => repository.startsWith(r.from));
  return rule ? { repository: rule.to + repository.slice(rule.from.length), why: rule.why } : null;
}

function deriveImageValues(p: FilledProfile, charts: ChartCatalog): ValuesFile {
  const entries: ValueEntry[] = [];
  for (const image of orderedImages(p.cilium.version, charts)) {
    const moved = mirroredRepository(p, image.repository);
    if (moved) entries.push(entry(`${image.path}.repository`, moved.repository, whyMirrored(image.repository, moved.why)));
    if (!p.images.useDigest && image.useDigest) {
      entries.push(entry(`${image.path}.useDigest`, false, "the copy does not keep upstream digests: pull by tag"));
    }
  }
  return { file: VALUES_FILES.images, title: "Cilium's images, pulled from where TKE nodes can reach them", entries };
}

function deriveFeatureValues(p: FilledProfile, f: ResolvedFeatures): ValuesFile {
  const native = p.cilium.mode === "native";
  const entries: ValueEntry[] = [];
  if (p.features.hubble) entries.push(entry("hubble.relay.enabled", true), entry("hubble.ui.enabled", true));
  if (p.features.egressGateway) entries.push(entry("egressGateway.enabled", true));
  if (f.masqAgent) {
    if (native) entries.push(entry("bpf.masquerade", true));
    entries.push(entry("ipMasqAgent.enabled", true), entry("ipMasqAgent.config.masqLinkLocal", true));
    if (native) entries.push(entry("ipMasqAgent.config.nonMasqueradeCIDRs", p.cluster.vpcCidrs.length > 0 ? p.cluster.vpcCidrs : [...RFC1918_CIDRS]));
  }
  if (p.features.endpointSlice) entries.push(entry("ciliumEndpointSlice.enabled", true));
  if (p.features.bandwidthManager) entries.push(entry("bandwidthManager.enabled", true));
  if (f.scaleTuning) {
    entries.push(
      entry("k8sClientRateLimit", structuredClone(SCALE_CLIENT_RATE_LIMIT)),
      entry("extraConfig.labels", SCALE_IDENTITY_LABELS),
      entry("resources", structuredClone(SCALE_AGENT_RESOURCES)),
      entry("operator.resources", structuredClone(SCALE_OPERATOR_RESOURCES)),
    );
  }
  for (const [path, value] of extraValueLeaves(p.cilium.extraValues as Record<string, unknown>)) {
    // the path stays a list: a key of a free-form map may itself contain dots
    entries.push({ path, value, why: "set in the profile (cilium.extraValues)", origin: "profile" });
  }
  return { file: VALUES_FILES.features, title: "Optional Cilium features chosen in the profile", entries };
}

/** extraValues as leaves: nested maps are walked (Helm merges them), anything else is one value. */
export function extraValueLeaves(value: Record<string, unknown>, prefix: string[] = []): [string[], unknown][] {
  return Object.entries(value).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0
      ? extraValueLeaves(v as Record<string, unknown>, [...prefix, k])
      : [[[...prefix, k], v] as [string[], unknown]],
  );
}
