import { parse as parseYaml } from "yaml";
import type { ChartImage } from "./knowledge/chart.js";
import { CHART_VERSION, imageProblem } from "./chart-check.js";

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

/**
 * Bounds of what a chart may hold, far above any Cilium release (1.20's values.yaml: 188 KB, ~3,000 keys, 9
 * levels deep) and far below what would take more than a second or a few MB of memory: a tarball from a pull
 * request or a download is untrusted input.
 */
export const CHART_LIMITS = { yamlBytes: 2 * 1024 * 1024, lines: 20_000, keys: 100_000, depth: 64, aliases: 100 } as const;

/** A YAML file of the chart as a value, or a ChartFormatError: size, aliases (a "billion laughs") and nesting capped. */
function parseChartYaml(name: string, text: string): unknown {
  if (text.length > CHART_LIMITS.yamlBytes) throw new ChartFormatError(`${name} has ${text.length} characters, more than the ${CHART_LIMITS.yamlBytes} any Cilium chart's has`);
  // the parser's cost grows with the nodes: their number is bounded by lines and flow commas, counted first
  let breaks = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) breaks++;
  let commas = 0;
  for (let i = text.indexOf(","); i >= 0; i = text.indexOf(",", i + 1)) commas++;
  if (breaks > CHART_LIMITS.lines || commas > CHART_LIMITS.lines) throw new ChartFormatError(`${name} has ${breaks} lines and ${commas} commas, more than the ${CHART_LIMITS.lines} any Cilium chart's has`);
  let value: unknown;
  try {
    // uniqueKeys: the library compares each key with every other one (quadratic: 50,000 keys take 27 s)
    value = parseYaml(text, { maxAliasCount: CHART_LIMITS.aliases, uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    const message = (error as Error).message.split("\n")[0].slice(0, 200);
    throw new ChartFormatError(`${name} is not YAML a chart can have: ${/call stack/i.test(message) ? "nested too deep" : /alias/i.test(message) ? `more than ${CHART_LIMITS.aliases} aliases (an alias bomb?)` : message}`);
  }
  return value;
}

export function chartFacts(files: ChartFiles): ChartFacts {
  const chartYaml = files.get("Chart.yaml");
  const valuesYaml = files.get("values.yaml");
  if (chartYaml === undefined || valuesYaml === undefined) throw new ChartFormatError("no Chart.yaml and values.yaml at the top of the chart: not a Helm chart");
  const meta = parseChartYaml("Chart.yaml", chartYaml) as { name?: unknown; version?: unknown } | null;
  if (!isMap(meta) || meta.name !== "cilium") throw new ChartFormatError(`Chart.yaml names the chart ${JSON.stringify(isMap(meta) ? meta.name : null)?.slice(0, 80)}, not cilium`);
  const version = String(meta.version ?? "").slice(0, 80);
  if (!CHART_VERSION.test(version)) throw new ChartFormatError(`Chart.yaml has version ${JSON.stringify(version)}; a released Cilium chart has X.Y.Z (no leading zeros, no suffix)`);
  const values = parseChartYaml("values.yaml", valuesYaml);
  const keys = new Set<string>();
  valueKeys(values, [], keys);
  for (const [path, text] of files) if (/^(templates|files)\//.test(path)) templateKeys(text, keys);
  if (keys.size > CHART_LIMITS.keys) throw new ChartFormatError(`${keys.size} value keys, more than the ${CHART_LIMITS.keys} any Cilium chart has`);
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
  if (path.length >= CHART_LIMITS.depth) throw new ChartFormatError(`values.yaml nests maps more than ${CHART_LIMITS.depth} deep at ${path.slice(0, 8).join(".")}...`);
  for (const [key, child] of Object.entries(node)) {
    if (out.size > CHART_LIMITS.keys) throw new ChartFormatError(`values.yaml has more than the ${CHART_LIMITS.keys} value keys any Cilium chart has`);
    const next = [...path, key];
    out.add(next.join("."));
    valueKeys(child, next, out);
  }
}

/** `.Values.a.b` paths a template reads, each prefix included, and `hasKey .Values.a "b"` as a.b. */
function templateKeys(text: string, out: Set<string>): void {
  // a path longer than any value path is not one: its first segments are read (each prefix once, not n² of them)
  for (const m of text.matchAll(/\.Values((?:\.[A-Za-z0-9_]{1,100}){1,32})/g)) {
    const parts = m[1].slice(1).split(".");
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join("."));
    if (out.size > CHART_LIMITS.keys) throw new ChartFormatError(`the chart's templates read more than the ${CHART_LIMITS.keys} value keys any Cilium chart has`);
  }
  // no two adjacent runs of white space that could take the same characters: linear, whatever the text
  for (const m of text.matchAll(/hasKey[ \t]+(?:\([ \t]*)?\.Values((?:\.[A-Za-z0-9_]{1,100}){0,32})[ \t]*(?:\)[ \t]*)?"([A-Za-z0-9_]{1,100})"/g)) {
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
