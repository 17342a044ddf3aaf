import chart118 from "../../schema/cilium/1.18.json" with { type: "json" };
import chart119 from "../../schema/cilium/1.19.json" with { type: "json" };

/** One image object of the chart's default values, as Helm renders it. */
export interface ChartImage {
  /** Dotted value path of the image object, e.g. "hubble.relay.image". */
  path: string;
  repository: string;
  tag: string;
  digest: string;
  useDigest: boolean;
}

interface ChartVersionData {
  images: ChartImage[];
  keysAdded: string[];
  keysRemoved: string[];
}

interface ChartMinorData {
  versions: Record<string, ChartVersionData>;
}

const MINORS: readonly ChartMinorData[] = [chart118, chart119];

/** Every Cilium release tke-cilium carries chart data for, oldest first. */
export const SUPPORTED_CILIUM_VERSIONS: readonly string[] = MINORS.flatMap((m) => Object.keys(m.versions));

/** The official chart repository; a chart reference "cilium/<chart>" goes through it. */
export const CILIUM_HELM_REPO = { name: "cilium", url: "https://helm.cilium.io/" } as const;

function minorOf(version: string): ChartMinorData {
  const found = MINORS.find((m) => version in m.versions);
  if (!found) throw new Error(`no chart data for Cilium ${version}`);
  return found;
}

export function chartImages(version: string): readonly ChartImage[] {
  return minorOf(version).versions[version].images;
}

const keyCache = new Map<string, ReadonlySet<string>>();

/** Every value path the chart knows at `version` (keys of values.yaml and paths its templates read). */
export function chartKeys(version: string): ReadonlySet<string> {
  const cached = keyCache.get(version);
  if (cached) return cached;
  const keys = new Set<string>();
  for (const [v, data] of Object.entries(minorOf(version).versions)) {
    for (const k of data.keysAdded) keys.add(k);
    for (const k of data.keysRemoved) keys.delete(k);
    if (v === version) break;
  }
  keyCache.set(version, keys);
  return keys;
}

/**
 * Chart values typed as Kubernetes objects (affinity, tolerations, resources...): the chart's defaults show
 * some sub-keys, but any field of the Kubernetes type is valid below them.
 */
const KUBERNETES_OBJECT_KEYS = new Set([
  "affinity",
  "nodeSelector",
  "tolerations",
  "resources",
  "annotations",
  "podAnnotations",
  "labels",
  "podLabels",
  "securityContext",
  "podSecurityContext",
  "extraEnv",
  "extraVolumes",
  "extraVolumeMounts",
  "topologySpreadConstraints",
  "updateStrategy",
]);

/**
 * Is `path` (dotted) a value the chart reads? Either a key of the chart, or below a key that is a free-form
 * map (a leaf of the key set, such as extraConfig) or a Kubernetes object (operator.affinity...).
 */
export function isChartValuePath(version: string, path: string): boolean {
  const keys = chartKeys(version);
  if (keys.has(path)) return true;
  const parts = path.split(".");
  for (let i = parts.length - 1; i > 0; i--) {
    const prefix = parts.slice(0, i).join(".");
    if (!keys.has(prefix)) continue;
    if (KUBERNETES_OBJECT_KEYS.has(parts[i - 1])) return true;
    return !hasChildKey(keys, prefix);
  }
  return false;
}

function hasChildKey(keys: ReadonlySet<string>, prefix: string): boolean {
  for (const k of keys) if (k.startsWith(prefix + ".")) return true;
  return false;
}
