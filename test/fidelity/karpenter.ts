// Karpenter fidelity: the NodePool and TKEMachineNodeClass CRD schemas (closed: the API server prunes and,
// with field validation, rejects unknown fields), plus the CRDs' CEL rules the bundle can trip.
import { join } from "node:path";
import { crdValidatorAt } from "./crd.js";
import { ROOT } from "../helpers.js";

type Schema = Record<string, unknown>;

function crdValidator(file: string, version: string) {
  return crdValidatorAt(join(ROOT, "test/fixtures/karpenter", file), version);
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
