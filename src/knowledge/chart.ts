import { compareReleases } from "./releases.js";

// Read and parsed on first use (?lazy: see scripts/codegen.mjs), so a run pays only for the minor versions
// its profiles use, and only for the key data when a profile has cilium.extraValues.
import chart118 from "../../schema/cilium/1.18.json?lazy";
import chart119 from "../../schema/cilium/1.19.json?lazy";
import images118 from "../../schema/cilium/1.18.images.json?lazy";
import images119 from "../../schema/cilium/1.19.images.json?lazy";
import chart120 from "../../schema/cilium/1.20.json?lazy";
import images120 from "../../schema/cilium/1.20.images.json?lazy";

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

/** Each minor's chart data as text. */
const MINOR_TEXTS: readonly { minor: string; text: () => string; images: () => string }[] = [
  { minor: "1.18", text: chart118, images: images118 },
  { minor: "1.19", text: chart119, images: images119 },
  { minor: "1.20", text: chart120, images: images120 },
];

/** The official chart repository; a chart reference "cilium/<chart>" goes through it. */
export const CILIUM_HELM_REPO = { name: "cilium", url: "https://helm.cilium.io/" } as const;

/**
 * The helm repository entry install.sh adds for the chart: a name of the tool's own, so `helm repo add
 * --force-update` never repoints a repository the user already keeps under the name "cilium".
 */
export const INSTALL_HELM_REPO_NAME = "tke-cilium";

/** A chart repository URL with this scheme is an OCI registry (helm, Argo CD and Flux each spell it their own way). */
export const OCI_SCHEME = "oci://";

/** A chart release added to a repository with `tke-cilium chart add` (.tke-cilium/charts/<version>.json). */
export interface AddedChart {
  version: string;
  images: ChartImage[];
  keys: string[];
  types: Record<string, string>;
  /** Where it was read from, as shown to the user. */
  origin: string;
}

/**
 * The chart releases a run knows: the data shipped in schema/cilium/, plus those added to the user's
 * repository. Every question about a chart goes through one of these, so added releases render and have
 * their extraValues checked exactly like built-in ones.
 */
export interface ChartCatalog {
  /** Every known release, oldest first. */
  versions(): readonly string[];
  has(version: string): boolean;
  images(version: string): readonly ChartImage[];
  keys(version: string): ReadonlySet<string>;
  types(version: string): ReadonlyMap<string, readonly string[]>;
}

const minorOfVersion = (version: string) => version.split(".").slice(0, 2).join(".");

class BuiltinCharts implements ChartCatalog {
  private readonly parsed = new Map<string, ChartMinorData>();
  private readonly parsedImages = new Map<string, Record<string, ChartImage[]>>();
  private readonly keyCache = new Map<string, ReadonlySet<string>>();
  private readonly typeCache = new Map<string, ReadonlyMap<string, readonly string[]>>();
  private allVersions: string[] | undefined;

  private minorData(minor: string): ChartMinorData | undefined {
    const cached = this.parsed.get(minor);
    if (cached) return cached;
    const entry = MINOR_TEXTS.find((m) => m.minor === minor);
    if (!entry) return undefined;
    const data = JSON.parse(entry.text()) as ChartMinorData;
    this.parsed.set(minor, data);
    return data;
  }

  private minorOf(version: string): ChartMinorData {
    const found = this.minorData(minorOfVersion(version));
    if (!found || !(version in found.versions)) throw new Error(`no chart data for Cilium ${version}`);
    return found;
  }

  versions(): readonly string[] {
    // the image files list every release and are small; the key files are read only for extraValues
    this.allVersions ??= MINOR_TEXTS.flatMap((m) => Object.keys(this.imagesOfMinor(m.minor) ?? {}));
    return this.allVersions;
  }

  has(version: string): boolean {
    const images = this.imagesOfMinor(minorOfVersion(version));
    return images !== undefined && Object.hasOwn(images, version);
  }

  private imagesOfMinor(minor: string): Record<string, ChartImage[]> | undefined {
    let images = this.parsedImages.get(minor);
    if (!images) {
      const entry = MINOR_TEXTS.find((m) => m.minor === minor);
      if (!entry) return undefined;
      images = (JSON.parse(entry.images()) as { versions: Record<string, ChartImage[]> }).versions;
      this.parsedImages.set(minor, images);
    }
    return images;
  }

  images(version: string): readonly ChartImage[] {
    const found = this.imagesOfMinor(minorOfVersion(version))?.[version];
    if (!found) throw new Error(`no chart data for Cilium ${version}`);
    return found;
  }

  keys(version: string): ReadonlySet<string> {
    const cached = this.keyCache.get(version);
    if (cached) return cached;
    const keys = new Set<string>();
    for (const [v, data] of Object.entries(this.minorOf(version).versions)) {
      for (const k of data.keysAdded) keys.add(k);
      for (const k of data.keysRemoved) keys.delete(k);
      if (v === version) break;
    }
    this.keyCache.set(version, keys);
    return keys;
  }

  types(version: string): ReadonlyMap<string, readonly string[]> {
    const cached = this.typeCache.get(version);
    if (cached) return cached;
    const types = new Map<string, readonly string[]>();
    for (const [v, data] of Object.entries(this.minorOf(version).versions)) {
      for (const [path, type] of Object.entries(data.typesChanged)) {
        if (type === null) types.delete(path);
        else types.set(path, type.split("|"));
      }
      if (v === version) break;
    }
    this.typeCache.set(version, types);
    return types;
  }
}

/** The chart data shipped with tke-cilium. */
export const BUILTIN_CHARTS: ChartCatalog = new BuiltinCharts();

/** The built-in releases plus those added to the repository (a built-in release is never replaced). */
export function withAddedCharts(base: ChartCatalog, added: readonly AddedChart[]): ChartCatalog {
  const extra = new Map(added.filter((a) => !base.has(a.version)).map((a) => [a.version, a]));
  if (extra.size === 0) return base;
  const keyCache = new Map<string, ReadonlySet<string>>();
  const typeCache = new Map<string, ReadonlyMap<string, readonly string[]>>();
  const get = (version: string) => {
    const found = extra.get(version);
    if (!found) throw new Error(`no chart data for Cilium ${version}`);
    return found;
  };
  const versions = [...base.versions(), ...extra.keys()].sort(compareReleases);
  return {
    versions: () => versions,
    has: (version) => base.has(version) || extra.has(version),
    images: (version) => (extra.has(version) ? get(version).images : base.images(version)),
    keys: (version) => {
      if (!extra.has(version)) return base.keys(version);
      let keys = keyCache.get(version);
      if (!keys) keyCache.set(version, (keys = new Set(get(version).keys)));
      return keys;
    },
    types: (version) => {
      if (!extra.has(version)) return base.types(version);
      let types = typeCache.get(version);
      if (!types) typeCache.set(version, (types = new Map(Object.entries(get(version).types).map(([k, t]) => [k, t.split("|")]))));
      return types;
    },
  };
}

/** Every Cilium release tke-cilium carries chart data for, oldest first. */
export function supportedCiliumVersions(): string[] {
  return [...BUILTIN_CHARTS.versions()];
}

export const chartImages = (version: string, charts: ChartCatalog = BUILTIN_CHARTS): readonly ChartImage[] => charts.images(version);
export const chartKeys = (version: string, charts: ChartCatalog = BUILTIN_CHARTS): ReadonlySet<string> => charts.keys(version);
export const chartValueTypes = (version: string, charts: ChartCatalog = BUILTIN_CHARTS): ReadonlyMap<string, readonly string[]> => charts.types(version);

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
/** The chart's keys as one array per catalogue and release, made once (not once per unknown key). */
const keyLists = new WeakMap<ChartCatalog, Map<string, readonly string[]>>();
function chartKeyList(version: string, charts: ChartCatalog): readonly string[] {
  let lists = keyLists.get(charts);
  if (lists === undefined) keyLists.set(charts, (lists = new Map()));
  let list = lists.get(version);
  if (list === undefined) lists.set(version, (list = [...charts.keys(version)]));
  return list;
}

export function checkHelmValue(
  version: string,
  path: readonly string[],
  value: unknown,
  suggest: (word: string, candidates: readonly string[]) => string | undefined,
  charts: ChartCatalog = BUILTIN_CHARTS,
): HelmValueProblem | null {
  const dotted = path.join(".");
  const types = charts.types(version);
  for (let i = 1; i < path.length; i++) {
    const prefix = path.slice(0, i).join(".");
    const allowed = types.get(prefix);
    if (allowed && !allowed.includes("object")) return { kind: "type", path: prefix, expected: allowed };
  }
  if (!isChartValuePath(version, dotted, charts)) return { kind: "unknown", suggestion: suggest(dotted, chartKeyList(version, charts)) };
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
export function isChartValuePath(version: string, path: string, charts: ChartCatalog = BUILTIN_CHARTS): boolean {
  const keys = charts.keys(version);
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

/** Does the chart take any key below `path` (a free-form map such as extraConfig, or a Kubernetes object)? */
export function isFreeFormValue(version: string, path: readonly string[], charts: ChartCatalog = BUILTIN_CHARTS): boolean {
  return path.length > 0 && isChartValuePath(version, [...path, "\u0000any"].join("."), charts);
}
