// Karpenter fidelity: the NodePool and TKEMachineNodeClass CRD schemas (closed: the API server prunes and,
// with field validation, rejects unknown fields), plus the CRDs' CEL rules the bundle can trip.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { ROOT } from "../helpers.js";

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
} as const;

function crdValidator(file: string, version: string) {
  const crd = parse(readFileSync(join(ROOT, "test/fixtures/karpenter", file), "utf8"));
  const v = crd.spec.versions.find((x: { name: string }) => x.name === version);
  const schema = closeSchema(v.schema.openAPIV3Schema) as Schema;
  // metadata is validated by the API server itself, not the CRD schema
  (schema.properties as Schema).metadata = { type: "object" };
  const ajv = new Ajv({ allErrors: true, strict: false, formats: KUBERNETES_FORMATS });
  return { kind: crd.spec.names.kind as string, group: crd.spec.group as string, validate: ajv.compile(schema) };
}

const CRDS = [
  crdValidator("karpenter.sh_nodepools.v1.9.0.yaml", "v1"),
  crdValidator("tke-chart.karpenter.sh_nodepools.yaml", "v1"),
  crdValidator("karpenter.k8s.tke_tkemachinenodeclasses.yaml", "v1beta1"),
];

/** The CEL rules (x-kubernetes-validations) that apply to what the bundle writes. */
function celProblems(object: Schema): string[] {
  const spec = object.spec as Schema;
  const problems: string[] = [];
  if (object.kind === "TKEMachineNodeClass") {
    for (const field of ["subnetSelectorTerms", "securityGroupSelectorTerms", "sshKeySelectorTerms"]) {
      const terms = spec[field] as Schema[] | undefined;
      if (terms === undefined) continue;
      if (terms.length === 0) problems.push(`${field} cannot be empty`);
      if (!terms.every((t) => "id" in t || "tags" in t)) problems.push(`${field}: each term needs id or tags`);
      if (terms.every((t) => "id" in t && "tags" in t)) problems.push(`${field}: id is mutually exclusive with tags`);
    }
  }
  if (object.kind === "NodePool") {
    const requirements = ((spec.template as Schema).spec as Schema).requirements as { operator: string; values?: string[] }[];
    for (const r of requirements) {
      if (r.operator === "In" && (r.values ?? []).length === 0) problems.push("In requirements need values");
      if (["Gt", "Lt", "Gte", "Lte"].includes(r.operator) && !((r.values ?? []).length === 1 && /^\d+$/.test(r.values![0]))) {
        problems.push(`${r.operator} requirements need one non-negative integer`);
      }
    }
  }
  return problems;
}

/** Problems of one Karpenter object against every CRD of its kind (core and TKE chart); empty when accepted. */
export function karpenterProblems(object: Schema): string[] {
  const group = String(object.apiVersion).split("/")[0];
  const crds = CRDS.filter((c) => c.kind === object.kind && c.group === group);
  if (crds.length === 0) return [`no CRD for ${object.apiVersion} ${object.kind}`];
  const problems = crds.flatMap((c) => (c.validate(object) ? [] : (c.validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`)));
  return [...new Set([...problems, ...celProblems(object)])];
}
