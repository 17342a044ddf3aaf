import { parse as parseYaml } from "yaml";
import type { ChartImage } from "./knowledge/chart.js";
import { imageProblem } from "./chart-check.js";

/**
 * What tke-cilium needs from a released Cilium chart, read from the chart's own files: the image objects of
 * its default values, every value path it knows (keys of values.yaml and every `.Values` path its templates
 * and files read) and the JSON types its values schema allows. Pure: the files come in as text.
 */
export interface ChartFacts {
  version: string;
  images: ChartImage[];
  keys: string[];
  /** Dotted path → "|"-joined JSON types of values.schema.json. */
  types: Record<string, string>;
}

/** The chart's files by their path inside the chart folder ("values.yaml", "templates/x.yaml"...). */
export type ChartFiles = ReadonlyMap<string, string>;

export class ChartFormatError extends Error {}

export function chartFacts(files: ChartFiles): ChartFacts {
  const chartYaml = files.get("Chart.yaml");
  const valuesYaml = files.get("values.yaml");
  if (chartYaml === undefined || valuesYaml === undefined) throw new ChartFormatError("no Chart.yaml and values.yaml at the top of the chart: not a Helm chart");
  const meta = parseYaml(chartYaml) as { name?: unknown; version?: unknown } | null;
  if (meta?.name !== "cilium") throw new ChartFormatError(`Chart.yaml names the chart ${JSON.stringify(meta?.name)}, not cilium`);
  const version = String(meta.version ?? "");
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new ChartFormatError(`Chart.yaml has version ${JSON.stringify(version)}; a released Cilium chart has X.Y.Z`);
  const values = parseYaml(valuesYaml) as unknown;
  const keys = new Set<string>();
  valueKeys(values, [], keys);
  for (const [path, text] of files) if (/^(templates|files)\//.test(path)) templateKeys(text, keys);
  const schemaText = files.get("values.schema.json");
  const types: Record<string, string> = {};
  if (schemaText !== undefined) schemaTypes(JSON.parse(schemaText) as SchemaNode, [], types);
  const images = findImages(values, [], []);
  for (const image of images) {
    const problem = imageProblem(image);
    if (problem !== null) throw new ChartFormatError(`values.yaml has ${problem}`);
  }
  return {
    version,
    images,
    keys: [...keys].sort(),
    types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every key path of the default values, maps and leaves alike (lists are values, not walked). */
function valueKeys(node: unknown, path: string[], out: Set<string>): void {
  if (!isMap(node)) return;
  for (const [key, child] of Object.entries(node)) {
    const next = [...path, key];
    out.add(next.join("."));
    valueKeys(child, next, out);
  }
}

/** `.Values.a.b` paths a template reads, each prefix included, and `hasKey .Values.a "b"` as a.b. */
function templateKeys(text: string, out: Set<string>): void {
  for (const m of text.matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) {
    const parts = m[1].slice(1).split(".");
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join("."));
  }
  for (const m of text.matchAll(/hasKey\s+\(?\s*\.Values((?:\.[A-Za-z0-9_]+)*)\s*\)?\s+"([A-Za-z0-9_]+)"/g)) {
    out.add([...m[1].split(".").filter(Boolean), m[2]].join("."));
  }
}

/** Every object with a repository and a tag: an image Helm renders. */
function findImages(node: unknown, path: string[], out: ChartImage[]): ChartImage[] {
  if (!isMap(node)) return out;
  if (typeof node.repository === "string" && "tag" in node) {
    if (node.repository !== "") {
      out.push({
        path: path.join("."),
        repository: node.repository,
        tag: String(node.tag ?? ""),
        digest: typeof node.digest === "string" ? node.digest : "",
        useDigest: node.useDigest === true,
      });
    }
    return out;
  }
  for (const [key, value] of Object.entries(node)) findImages(value, [...path, key], out);
  return out;
}

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
}

function schemaTypes(node: SchemaNode, path: string[], out: Record<string, string>): void {
  if (node === null || typeof node !== "object") return;
  if (path.length > 0 && node.type !== undefined) out[path.join(".")] = [node.type].flat().sort().join("|");
  for (const [key, child] of Object.entries(node.properties ?? {})) schemaTypes(child, [...path, key], out);
}
