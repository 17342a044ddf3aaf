import type { ChartCatalog, ChartImage } from "../knowledge/chart.js";
import { GUIDE_IMAGE_ORDER, TKE_MIRROR_RULES } from "../knowledge/images.js";
import {
  CNI_CONFIGMAP,
  ENI_IP_UNAVAILABLE_TAINT,
  STARTUP_TAINT,
  LOCAL_ROUTER_IPV4,
  OPERATOR_TOLERATION_KEYS,
  SUPER_NODE_INSTANCE_TYPE,
} from "../knowledge/tke.js";
import {
  OVERLAY_TUNNEL_PROTOCOL,
  RFC1918_CIDRS,
  SCALE_CLIENT_RATE_LIMIT,
  SCALE_IDENTITY_LABELS,
} from "../knowledge/features.js";
import { CERTGEN_METHOD } from "../knowledge/gitops.js";
import { WHY, WHY_VARIANT, whyMirrored } from "../knowledge/why.js";
import { VALUES_FILES } from "../knowledge/bundle.js";
import type { FilledProfile } from "../profile.js";
import type { ValueEntry, ValueOverride, ValuesFile } from "../settings.js";
import type { ResolvedFeatures } from "./features.js";
import { flowLogExports, meshSubnet } from "./addons.js";
import { TKE_CLB_ANNOTATIONS } from "../knowledge/addons.js";


function entry(path: string, value: unknown, why = WHY[path]): ValueEntry {
  if (why === undefined) throw new Error(`bug: no explanation for Helm value ${path} in knowledge/why.ts`);
  return { path: path.split("."), value, why, origin: "bundle", overrides: [] };
}

/** The values files in the order helm gets them; empty files are left out. */
export function deriveHelmValues(p: FilledProfile, f: ResolvedFeatures, charts: ChartCatalog, meshPeerRanges: readonly string[] = [], gitops = false): ValuesFile[] {
  const files = [deriveTkeValues(p, f), deriveImageValues(p, charts), deriveFeatureValues(p, f, meshPeerRanges, gitops)];
  const extras = extraValueLeaves(p.cilium.extraValues as Record<string, unknown>);
  return (extras.length === 0 ? files : withOverrides(files, extras)).filter((file) => file.entries.length > 0);
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length < path.length && prefix.every((k, i) => path[i] === k);
const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => b[i] === k);
const PROFILE_WHY = "set in the profile (cilium.extraValues)";

/**
 * cilium.extraValues, merged last as Helm would, with each value of the bundle it changes taken out of its
 * own file (so no file sets a key twice) and recorded as overridden:
 * - an extra value at a path the bundle sets replaces it;
 * - an extra value inside a map the bundle sets is merged into that map, written once as the profile's;
 * - an extra value (not an empty map) above a path the bundle sets replaces that whole subtree.
 */
function withOverrides(files: ValuesFile[], extras: [string[], unknown][]): ValuesFile[] {
  const added: ValueEntry[] = [];
  const dropped = new Set<ValueEntry>();
  const used = new Set<number>();
  const collected: ValueOverride[][] = [];
  const overridesOf = (i: number): ValueOverride[] => (collected[i] ??= []);
  for (const file of files) {
    for (const b of file.entries) {
      const inside = extras.map((e, i) => ({ e, i })).filter(({ e: [path] }) => startsWith(path, b.path));
      if (inside.length > 0) {
        let merged: unknown = structuredClone(b.value);
        if (!isMap(merged)) merged = {};
        for (const { e: [path, value], i } of inside) {
          used.add(i);
          setPath(merged as Record<string, unknown>, path.slice(b.path.length), value);
        }
        dropped.add(b);
        // only a leaf the bundle's map already had is changed; a new key beside them is an addition
        const overrides = inside.flatMap(({ e: [path] }) => {
          const old = valueAt(b.value, path.slice(b.path.length));
          return old === undefined ? [] : [{ extraPath: path, bundlePath: path, bundleValue: old, why: b.why }];
        });
        added.push({ path: b.path, value: merged, why: `${PROFILE_WHY}, merged into the bundle's value`, origin: "profile", overrides });
        continue;
      }
      const over = extras.findIndex(([path, value]) => samePath(path, b.path) || (startsWith(b.path, path) && !(isMap(value) && Object.keys(value).length === 0)));
      if (over === -1) continue;
      dropped.add(b);
      overridesOf(over).push({ extraPath: extras[over][0], bundlePath: b.path, bundleValue: b.value, why: b.why });
    }
  }
  for (const [i, [path, value]] of extras.entries()) {
    if (used.has(i)) continue;
    // the path stays a list: a key of a free-form map may itself contain dots
    const overrides = collected[i] ?? [];
    const why = overrides.length === 0 ? PROFILE_WHY : `${PROFILE_WHY}, over the bundle's ${overrides.map((o) => `${o.bundlePath.join(".")} (${o.why})`).join("; ")}`;
    added.push({ path, value, why, origin: "profile", overrides });
  }
  const last = files.length - 1;
  return files.map((file, index) => ({ ...file, entries: [...file.entries.filter((e) => !dropped.has(e)), ...(index === last ? added : [])] }));
}

/** The value at `path` inside `value`; undefined when there is none (a scalar on the way replaces the whole of it). */
function valueAt(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (!isMap(node)) return node;
    node = node[key];
  }
  return node;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isMap(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/**
 * The value Helm ends up with at one path from the bundle's files (later files win, maps merge), before the
 * chart's defaults; undefined when no file sets it. Reads the entries in place: the bundle rules ask a few paths
 * of every profile, and a fleet check must not build a merged copy of each bundle's values for that.
 */
export function finalValueAt(files: readonly ValuesFile[], path: readonly string[]): unknown {
  let result: unknown = undefined;
  for (const file of files) {
    for (const e of file.entries) {
      if (e.path.length > path.length || !e.path.every((k, i) => path[i] === k)) continue;
      if (e.path.length === path.length) {
        result = e.value;
        continue;
      }
      // a map above the path: it sets the value when it holds it; anything else there replaces it
      let node: unknown = e.value;
      for (const key of path.slice(e.path.length)) {
        if (!isMap(node)) {
          node = undefined;
          break;
        }
        if (!(key in node)) {
          node = null;
          break;
        }
        node = node[key];
      }
      if (node === null) continue;
      result = node;
    }
  }
  return result;
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
  const taintKey = f.startupTaint !== null && f.startupTaint.key !== STARTUP_TAINT.key ? [entry("agentNotReadyTaintKey", f.startupTaint.key)] : [];
  const common = [
    ...taintKey,
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

function deriveFeatureValues(p: FilledProfile, f: ResolvedFeatures, meshPeerRanges: readonly string[], gitops: boolean): ValuesFile {
  const native = p.cilium.mode === "native";
  const entries: ValueEntry[] = [];
  if (p.features.hubble) entries.push(entry("hubble.relay.enabled", true), entry("hubble.ui.enabled", true));
  if (p.features.egressGateway) entries.push(entry("egressGateway.enabled", true));
  if (f.masqAgent) {
    if (native) entries.push(entry("bpf.masquerade", true));
    entries.push(entry("ipMasqAgent.enabled", true), entry("ipMasqAgent.config.masqLinkLocal", true));
    if (native) {
      const own = p.cluster.vpcCidrs.length > 0 ? p.cluster.vpcCidrs : [...RFC1918_CIDRS];
      const peers = meshPeerRanges.filter((cidr) => !own.includes(cidr));
      entries.push(
        peers.length === 0
          ? entry("ipMasqAgent.config.nonMasqueradeCIDRs", own)
          : entry("ipMasqAgent.config.nonMasqueradeCIDRs", [...own, ...peers], WHY_VARIANT["ipMasqAgent.config.nonMasqueradeCIDRs.mesh"]),
      );
    }
  }
  if (p.features.endpointSlice) entries.push(entry("ciliumEndpointSlice.enabled", true));
  if (p.features.bandwidthManager) entries.push(entry("bandwidthManager.enabled", true));
  if (p.features.encryption !== "none") {
    entries.push(
      entry("encryption.enabled", true),
      p.features.encryption === "ipsec" ? entry("encryption.type", "ipsec", WHY_VARIANT["encryption.type.ipsec"]) : entry("encryption.type", "wireguard"),
    );
  }
  if (p.features.gatewayApi) entries.push(entry("gatewayAPI.enabled", true), entry("gatewayAPI.hostNetwork.enabled", true), entry("envoy.rollOutPods", true));
  const exports = flowLogExports(p);
  if (exports.length > 0) {
    entries.push(
      entry("hubble.export.dynamic.enabled", true),
      entry("hubble.export.dynamic.config.content", exports),
      entry("hubble.redact.enabled", true),
      entry("hubble.redact.http.urlQuery", true),
      entry("hubble.redact.http.userInfo", true),
    );
  }
  if (p.clusterMesh !== undefined) {
    const subnet = meshSubnet(p);
    entries.push(
      entry("cluster.name", p.cluster.id ?? ""),
      entry("cluster.id", p.clusterMesh.clusterId),
      entry("clustermesh.useAPIServer", true),
      entry("clustermesh.apiserver.service.type", "LoadBalancer"),
      ...(subnet === null ? [] : [entry("clustermesh.apiserver.service.annotations", { [TKE_CLB_ANNOTATIONS.internalSubnet]: subnet })]),
    );
  }
  if (gitops) entries.push(...inClusterCertificates(p.clusterMesh !== undefined));
  if (f.scaleTuning) {
    entries.push(
      entry("k8sClientRateLimit", structuredClone(SCALE_CLIENT_RATE_LIMIT)),
      entry("extraConfig.labels", SCALE_IDENTITY_LABELS),
    );
  }
  return { file: VALUES_FILES.features, title: "Optional Cilium features chosen in the profile", entries };
}

/**
 * A GitOps engine renders the chart on every refresh: certificates must come from the cluster (the chart's
 * certgen cronJob mode), not from helm's template functions, or every render differs from the last.
 */
function inClusterCertificates(mesh: boolean): ValueEntry[] {
  return [
    entry("hubble.tls.auto.method", CERTGEN_METHOD),
    ...(mesh ? [entry("clustermesh.apiserver.tls.auto.method", CERTGEN_METHOD)] : []),
    entry("certgen.ttlSecondsAfterFinished", null),
  ];
}

/** extraValues as leaves: nested maps are walked (Helm merges them), anything else is one value. */
export function extraValueLeaves(value: Record<string, unknown>, prefix: string[] = []): [string[], unknown][] {
  return Object.entries(value).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0
      ? extraValueLeaves(v as Record<string, unknown>, [...prefix, k])
      : [[[...prefix, k], v] as [string[], unknown]],
  );
}
