// Read and parsed on first use (?lazy: see scripts/codegen.mjs), so a run pays only for the minor versions
// its profiles use, and only for the key data when a profile has cilium.extraValues.
import chart118 from "../../schema/cilium/1.18.json?lazy";
import chart119 from "../../schema/cilium/1.19.json?lazy";
import images118 from "../../schema/cilium/1.18.images.json?lazy";
import images119 from "../../schema/cilium/1.19.images.json?lazy";

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
  keysAdded: string[];
  keysRemoved: string[];
  /** Dotted path → "|"-joined JSON types of the chart's values schema; null when a path lost its type. */
  typesChanged: Record<string, string | null>;
}

interface ChartMinorData {
  versions: Record<string, ChartVersionData>;
}

/** Each minor's chart data as text, with the patch releases it holds (the schema's enum is checked against this). */
const MINOR_TEXTS: readonly { minor: string; text: () => string; images: () => string }[] = [
  { minor: "1.18", text: chart118, images: images118 },
  { minor: "1.19", text: chart119, images: images119 },
];
const parsed = new Map<string, ChartMinorData>();
const parsedImages = new Map<string, Record<string, ChartImage[]>>();

function minorData(minor: string): ChartMinorData | undefined {
  const cached = parsed.get(minor);
  if (cached) return cached;
  const entry = MINOR_TEXTS.find((m) => m.minor === minor);
  if (!entry) return undefined;
  const data = JSON.parse(entry.text()) as ChartMinorData;
  parsed.set(minor, data);
  return data;
}

/** Every Cilium release tke-cilium carries chart data for, oldest first. */
export function supportedCiliumVersions(): string[] {
  return MINOR_TEXTS.flatMap((m) => Object.keys(minorData(m.minor)!.versions));
}

/** The official chart repository; a chart reference "cilium/<chart>" goes through it. */
export const CILIUM_HELM_REPO = { name: "cilium", url: "https://helm.cilium.io/" } as const;

function minorOf(version: string): ChartMinorData {
  const found = minorData(version.split(".").slice(0, 2).join("."));
  if (!found || !(version in found.versions)) throw new Error(`no chart data for Cilium ${version}`);
  return found;
}

export function chartImages(version: string): readonly ChartImage[] {
  const minor = version.split(".").slice(0, 2).join(".");
  let images = parsedImages.get(minor);
  if (!images) {
    const entry = MINOR_TEXTS.find((m) => m.minor === minor);
    if (!entry) throw new Error(`no chart data for Cilium ${version}`);
    images = (JSON.parse(entry.images()) as { versions: Record<string, ChartImage[]> }).versions;
    parsedImages.set(minor, images);
  }
  const found = images[version];
  if (!found) throw new Error(`no chart data for Cilium ${version}`);
  return found;
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

const typeCache = new Map<string, ReadonlyMap<string, readonly string[]>>();

/** The JSON types the chart's values.schema.json allows at each typed path, at `version`. */
export function chartValueTypes(version: string): ReadonlyMap<string, readonly string[]> {
  const cached = typeCache.get(version);
  if (cached) return cached;
  const types = new Map<string, readonly string[]>();
  for (const [v, data] of Object.entries(minorOf(version).versions)) {
    for (const [path, type] of Object.entries(data.typesChanged)) {
      if (type === null) types.delete(path);
      else types.set(path, type.split("|"));
    }
    if (v === version) break;
  }
  typeCache.set(version, types);
  return types;
}

/** JSON type names of a value, as JSON Schema sees it (an integer is also a number). */
function jsonTypes(value: unknown): string[] {
  if (value === null) return ["null"];
  if (Array.isArray(value)) return ["array"];
  if (typeof value === "number") return Number.isInteger(value) ? ["integer", "number"] : ["number"];
  return [typeof value];
}

export type HelmValueProblem = { kind: "unknown"; suggestion: string | undefined } | { kind: "type"; path: string; expected: readonly string[] };

/**
 * What is wrong with setting `path` to `value` in the chart at `version`: an unknown path (with the nearest
 * known one), a value of a type the chart's schema refuses (also when a map is put where a scalar is
 * expected), or null when Helm would take it.
 */
export function checkHelmValue(version: string, path: readonly string[], value: unknown, suggest: (word: string, candidates: readonly string[]) => string | undefined): HelmValueProblem | null {
  const dotted = path.join(".");
  const types = chartValueTypes(version);
  for (let i = 1; i < path.length; i++) {
    const prefix = path.slice(0, i).join(".");
    const allowed = types.get(prefix);
    if (allowed && !allowed.includes("object")) return { kind: "type", path: prefix, expected: allowed };
  }
  if (!isChartValuePath(version, dotted)) return { kind: "unknown", suggestion: suggest(dotted, [...chartKeys(version)]) };
  const allowed = types.get(dotted);
  if (allowed && !jsonTypes(value).some((t) => allowed.includes(t))) return { kind: "type", path: dotted, expected: allowed };
  return null;
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
