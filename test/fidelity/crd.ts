// A CRD's structural schema as a JSON Schema validator, closed to unknown fields as the API server's field
// validation is (strict: an unknown field is refused, not silently pruned).
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { parse } from "yaml";

type Schema = Record<string, unknown>;

/** additionalProperties: false wherever a structural schema lists properties and does not keep unknown fields. */
function closeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) if (!k.startsWith("x-kubernetes-")) out[k] = closeSchema(v);
  const preserve = (node as Schema)["x-kubernetes-preserve-unknown-fields"] === true;
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

/** The OpenAPI formats Kubernetes CRDs use, checked as the API server reads them. */
const KUBERNETES_FORMATS = {
  int32: { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: "number", validate: (n: number) => Number.isSafeInteger(n) },
  "date-time": /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  duration: /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/,
} as const;

/** One version of the CRD in `path`: its kind, group and a validator of whole objects (metadata is the API server's own). */
export function crdValidatorAt(path: string, version: string) {
  const crd = parse(readFileSync(path, "utf8"));
  const v = crd.spec.versions.find((x: { name: string }) => x.name === version);
  if (v === undefined) throw new Error(`${path} has no version ${version}`);
  const schema = closeSchema(v.schema.openAPIV3Schema) as Schema;
  (schema.properties as Schema).metadata = { type: "object" };
  const ajv = new Ajv({ allErrors: true, strict: false, formats: KUBERNETES_FORMATS });
  return { kind: crd.spec.names.kind as string, group: crd.spec.group as string, version, scope: crd.spec.scope as string, validate: ajv.compile(schema) };
}
