import { parse, parseAllDocuments, stringify } from "yaml";
import type { OutputFile } from "./emit/index.js";

/**
 * `tke-cilium diff`, the pure half: what the bundle would install (its Helm values, chart version and
 * manifests) against what the cluster runs, as the command layer read it with helm and kubectl. Values are
 * compared whole (helm get values returns exactly the user-supplied values); a live object is compared on
 * the fields the bundle sets (the server adds status, uid, defaults...).
 */

export interface LiveObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
}

/** What to ask the cluster, and what the bundle says the answers should be. */
export interface DesiredState {
  release: { name: string; namespace: string };
  chartVersion: string;
  values: Record<string, unknown>;
  objects: { ref: LiveObjectRef; file: string; object: Record<string, unknown> }[];
}

/** What the cluster answered: null where there is no such release or object. */
export interface LiveState {
  values: Record<string, unknown> | null;
  chartVersion: string | null;
  objects: (Record<string, unknown> | null)[];
}

/** One difference, from the cluster (live/) to the bundle (bundle/), named like a path: helm/NS/RELEASE/values.yaml, NS/KIND/NAME.yaml. */
export interface LiveDifference {
  title: string;
  live: string;
  bundle: string;
}

interface BundleJson {
  chart: { version: string };
  release: { name: string; namespace: string };
  valuesFiles: string[];
  manifests: { file: string }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A YAML document kubectl or helm printed, as data (null when empty). */
export function parseLiveYaml(text: string): unknown {
  return parse(text, { version: "1.1" }) ?? null;
}

/** Helm's coalescing of values files: maps merge, anything else (lists too) is replaced by the later file. */
export function mergeValues(target: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(over)) target[k] = isRecord(v) && isRecord(target[k]) ? mergeValues({ ...(target[k] as Record<string, unknown>) }, v) : v;
  return target;
}

/** A bundle's install, as data: from its bundle.json, values files and manifests. */
export function desiredState(files: readonly OutputFile[]): DesiredState {
  const text = (path: string) => {
    const found = files.find((f) => f.path === path);
    if (found === undefined) throw new Error(`bug: the bundle has no ${path}`);
    return found.content;
  };
  const bundle = JSON.parse(text("bundle.json")) as BundleJson;
  const values = bundle.valuesFiles.reduce<Record<string, unknown>>((all, file) => mergeValues(all, (parse(text(file), { version: "1.1" }) as Record<string, unknown> | null) ?? {}), {});
  const objects = bundle.manifests.flatMap(({ file }) =>
    parseAllDocuments(text(file), { version: "1.1" })
      .map((d) => d.toJS() as Record<string, unknown> | null)
      .filter(isRecord)
      .map((object) => {
        const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
        return { file, object, ref: { apiVersion: String(object.apiVersion), kind: String(object.kind), name: String(metadata.name), namespace: metadata.namespace ?? null } };
      }),
  );
  return { release: bundle.release, chartVersion: bundle.chart.version, values, objects };
}

/** `live` cut down to the fields `desired` sets (lists item by item), so server-side additions are not differences. */
export function projectOnto(desired: unknown, live: unknown): unknown {
  if (isRecord(desired) && isRecord(live)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(desired)) if (k in live) out[k] = projectOnto(desired[k], live[k]);
    return out;
  }
  if (Array.isArray(desired) && Array.isArray(live)) return live.map((item, i) => (i < desired.length ? projectOnto(desired[i], item) : item));
  return live;
}

const yamlText = (value: unknown) => (value === null || value === undefined ? "" : stringify(value, { sortMapEntries: true, lineWidth: 0 }));

/** Every difference between the bundle and the cluster, grouped by object: Helm values, chart version, then each manifest object. */
export function diffLive(desired: DesiredState, live: LiveState): LiveDifference[] {
  const { name, namespace } = desired.release;
  const out: LiveDifference[] = [];
  const add = (title: string, liveText: string, bundleText: string) => {
    if (liveText !== bundleText) out.push({ title, live: liveText, bundle: bundleText });
  };
  add(`helm/${namespace}/${name}/chart-version`, live.chartVersion === null ? "" : `version: ${live.chartVersion}\n`, `version: ${desired.chartVersion}\n`);
  add(`helm/${namespace}/${name}/values.yaml`, yamlText(live.values), yamlText(desired.values));
  desired.objects.forEach(({ ref, object }, i) => {
    const found = live.objects[i] ?? null;
    add(`${ref.namespace ?? "cluster-scoped"}/${ref.kind}/${ref.name}.yaml`, found === null ? "" : yamlText(projectOnto(object, found)), yamlText(object));
  });
  return out;
}
