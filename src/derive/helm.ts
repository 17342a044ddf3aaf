import { VALUES_FILES } from "../knowledge/bundle.js";
import type { FilledProfile } from "../profile.js";
import type { ValueEntry, ValueOverride, ValuesFile } from "../settings.js";
import type { ValuesFileKey } from "../capabilities/capability.js";

/** The values files in the order helm gets them; empty files are left out. */
export function deriveHelmValues(p: FilledProfile, contributed: Record<ValuesFileKey, readonly ValueEntry[]>): ValuesFile[] {
  const files = [
    { file: VALUES_FILES.tke, title: p.platform === "tke" ? "Cilium on TKE: the values that adapt the chart to the cluster" : `Cilium on ${p.platform}: the values that adapt the chart to the cluster`, entries: [...contributed.tke] },
    { file: VALUES_FILES.images, title: "Cilium's images, pulled from where TKE nodes can reach them", entries: [...contributed.images] },
    { file: VALUES_FILES.features, title: "Optional Cilium features chosen in the profile", entries: [...contributed.features] },
  ];
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

/** The value at `path` in nested maps (cilium.extraValues, a values file's object); undefined past a non-map. */
export function mapValueAt(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) node = isMap(node) ? node[key] : undefined;
  return node;
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

/** extraValues as leaves: nested maps are walked (Helm merges them), anything else is one value. */
export function extraValueLeaves(value: Record<string, unknown>, prefix: string[] = []): [string[], unknown][] {
  return Object.entries(value).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0
      ? extraValueLeaves(v as Record<string, unknown>, [...prefix, k])
      : [[[...prefix, k], v] as [string[], unknown]],
  );
}
