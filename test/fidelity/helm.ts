// Helm fidelity: merge the bundle's values files over the chart's values.yaml in the order install.sh passes
// them (maps merge, everything else is replaced, null deletes), then validate with the chart's draft-07 schema.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { ROOT, parseYaml } from "../helpers.js";

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

export function mergeValues(base: Values, overlay: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(overlay)) {
    if (v === null) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? mergeValues(out[k] as Values, v) : v;
  }
  return out;
}

const cache = new Map<string, { defaults: Values; validate: ReturnType<Ajv["compile"]> }>();

export function chartFixture(version: string) {
  const cached = cache.get(version);
  if (cached) return cached;
  const dir = join(ROOT, "test/fixtures/cilium", version);
  if (!existsSync(dir)) throw new Error(`no chart fixture for Cilium ${version}: copy its values.yaml and values.schema.json into ${dir}`);
  const defaults = parseYaml(readFileSync(join(dir, "values.yaml"), "utf8")) as Values;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const entry = { defaults, validate: ajv.compile(JSON.parse(readFileSync(join(dir, "values.schema.json"), "utf8"))) };
  cache.set(version, entry);
  return entry;
}

/** Problems Helm would report for these values files at this chart version; empty when it would install. */
export function helmProblems(version: string, valuesFiles: string[]): string[] {
  const chart = chartFixture(version);
  const merged = valuesFiles.reduce((acc, text) => mergeValues(acc, parseYaml(text) as Values), chart.defaults);
  if (chart.validate(merged)) return [];
  return (chart.validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}
