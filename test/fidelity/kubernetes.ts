// Kubernetes API fidelity: kubernetes-models' own validators, plus what they let through — unknown fields
// (found by recording which fields the validator reads) and values outside the API's allowed sets.
import { validate as validateConfigMap } from "../../node_modules/kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap.mjs";
import { validate as validateFlowSchema } from "../../node_modules/kubernetes-models/_schemas/IoK8sApiFlowcontrolV1FlowSchema.mjs";
import { validate as validatePriorityLevel } from "../../node_modules/kubernetes-models/_schemas/IoK8sApiFlowcontrolV1PriorityLevelConfiguration.mjs";

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; params: unknown }[] | null };

const VALIDATORS: Record<string, { apiVersion: string; validate: Validator }> = {
  ConfigMap: { apiVersion: "v1", validate: validateConfigMap as Validator },
  FlowSchema: { apiVersion: "flowcontrol.apiserver.k8s.io/v1", validate: validateFlowSchema as Validator },
  PriorityLevelConfiguration: { apiVersion: "flowcontrol.apiserver.k8s.io/v1", validate: validatePriorityLevel as Validator },
};

/** Allowed values the OpenAPI schemas do not carry as enums (flowcontrol/v1 API documentation). */
const ALLOWED: [RegExp, readonly unknown[]][] = [
  [/^\/spec\/type$/, ["Limited", "Exempt"]],
  [/^\/spec\/limited\/limitResponse\/type$/, ["Queue", "Reject"]],
  [/^\/spec\/distinguisherMethod\/type$/, ["ByUser", "ByNamespace"]],
  [/^\/spec\/rules\/\d+\/subjects\/\d+\/kind$/, ["User", "Group", "ServiceAccount"]],
  [/^\/spec\/rules\/\d+\/resourceRules\/\d+\/verbs\/\d+$/, ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*"]],
];

interface Seen {
  value: object;
  read: Set<string>;
  enumerated: boolean;
}

/** A deep copy whose objects record the fields a validator reads; maps (enumerated) accept any key. */
function track(value: unknown, path: string, seen: Map<string, Seen>): unknown {
  if (value === null || typeof value !== "object") return value;
  const record: Seen = { value, read: new Set(), enumerated: false };
  seen.set(path, record);
  const copy = Array.isArray(value)
    ? value.map((v, i) => track(v, `${path}/${i}`, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, track(v, `${path}/${k}`, seen)]));
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.get(target, key, receiver);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function leaves(value: unknown, path = ""): [string, unknown][] {
  if (value === null || typeof value !== "object") return [[path, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, `${path}/${k}`));
}

/** Every problem the Kubernetes API server would raise for this object (empty when it would accept it). */
export function kubernetesProblems(object: { kind?: unknown; apiVersion?: unknown; [field: string]: unknown }): string[] {
  const entry = typeof object.kind === "string" ? VALIDATORS[object.kind] : undefined;
  if (!entry) return [`no validator for kind ${object.kind}`];
  const problems: string[] = [];
  if (object.apiVersion !== entry.apiVersion) problems.push(`apiVersion ${object.apiVersion} is not ${entry.apiVersion}`);
  const seen = new Map<string, Seen>();
  if (!entry.validate(track(object, "", seen))) {
    for (const e of entry.validate.errors ?? []) problems.push(`${e.instancePath || "/"}: ${e.keyword} ${JSON.stringify(e.params)}`);
  }
  for (const [path, s] of seen) {
    if (Array.isArray(s.value) || s.enumerated) continue;
    for (const key of Object.keys(s.value)) if (!s.read.has(key)) problems.push(`${path}/${key}: unknown field`);
  }
  for (const [path, value] of leaves(object)) {
    const rule = ALLOWED.find(([pattern]) => pattern.test(path));
    if (rule && !rule[1].includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${rule[1].join(", ")}`);
  }
  return problems;
}
