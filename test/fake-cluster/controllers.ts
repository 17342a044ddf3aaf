// The fake cluster's controllers: what runs in a cluster after helm and kubectl have answered. The Cilium
// operator (a Deployment that needs the Gateway API CRDs its minor indexes), the agents and the other
// DaemonSets (one Pod per node), and the datapath (a live change of routing or IPAM cuts every Pod off).
// reconcile() brings the state to what these controllers would make of it; it runs before and after each
// kubectl/helm call and whenever a test edits the cluster, and what it changes is never a script's change.
import { parse } from "yaml";
import type { ClusterState } from "./cluster.js";

/**
 * The Gateway API CRDs (plural name -> the version that must be served) each Cilium minor's operator reads
 * when gatewayAPI.enabled, as the fake judges a cluster; written from Cilium's Gateway API pages and the
 * reports named below, not from tke-cilium's own table (src/knowledge/addons.ts), so a wrong table fails.
 * - 1.18: GatewayClass, Gateway, HTTPRoute, GRPCRoute (v1), ReferenceGrant (v1beta1), TLSRoute (v1alpha2).
 * - 1.19: the same; its operator indexes TLSRoute v1alpha2 at start-up and exits when it is not served
 *   (cilium/cilium#44920, #45139; kubernetes-sigs/kubespray#13222).
 * - 1.20: v1 of TLSRoute, ReferenceGrant and BackendTLSPolicy besides GatewayClass, Gateway, HTTPRoute, GRPCRoute.
 * A missing or unserved one crash-loops the operator here (stricter than 1.18, which turns Gateway API off with
 * a log line: either way the bundle's Gateway never works).
 */
const GATEWAY_API_NEEDS: Record<string, Record<string, string>> = {
  "1.18": { gatewayclasses: "v1", gateways: "v1", httproutes: "v1", grpcroutes: "v1", referencegrants: "v1beta1", tlsroutes: "v1alpha2" },
  "1.19": { gatewayclasses: "v1", gateways: "v1", httproutes: "v1", grpcroutes: "v1", referencegrants: "v1beta1", tlsroutes: "v1alpha2" },
  "1.20": { gatewayclasses: "v1", gateways: "v1", httproutes: "v1", grpcroutes: "v1", referencegrants: "v1", tlsroutes: "v1", backendtlspolicies: "v1" },
};

/** The CRDs cilium-operator registers once it runs (agents and the bundle's manifests use them). */
const CILIUM_CRDS = [
  "ciliumnetworkpolicies.cilium.io",
  "ciliumclusterwidenetworkpolicies.cilium.io",
  "ciliumendpoints.cilium.io",
  "ciliumidentities.cilium.io",
  "ciliumnodes.cilium.io",
  "ciliumlocalredirectpolicies.cilium.io",
  "ciliumegressgatewaypolicies.cilium.io",
];

/** The cilium-config entries that are the datapath: changed under running Pods, every Pod loses its network. */
const DATAPATH_KEYS = ["routing-mode", "ipam", "tunnel-protocol"] as const;

interface Pod {
  name: string;
  /** the DaemonSet or Deployment it belongs to */
  owner: string;
  node: string | null;
  image: string;
  status: "Running" | "Pending" | "CrashLoopBackOff" | "ImagePullBackOff";
  /** why it is not Running */
  reason?: string;
}

const OPERATOR = "Deployment/kube-system/cilium-operator";
const RELEASE = "kube-system/cilium";

/** Nodes Pods run on (super nodes run no DaemonSet or host-network Pod). */
export const workerNodes = (state: ClusterState) => state.nodes.filter((n) => n.type !== "eklet").map((n) => n.name);

/** A release's values as helm merges them: each -f file in order over the one before, maps merged key by key. */
export function releaseValues(state: ClusterState, release = RELEASE): Record<string, any> {
  const found = state.releases[release];
  if (!found) return {};
  const merge = (a: any, b: any): any =>
    a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)
      ? Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, k in b ? merge(a[k], b[k]) : a[k]]))
      : b;
  // every call of a script reconciles the state, which reads the release's values: parsed once per set of files
  const key = found.values.join("\0");
  const known = MERGED_VALUES.get(key);
  if (known !== undefined) return known;
  const merged: Record<string, any> = deepFreeze(found.values.map((text) => (parse(text, { version: "1.1" }) ?? {}) as Record<string, any>).reduce(merge, {}));
  if (MERGED_VALUES.size >= 256) MERGED_VALUES.clear();
  MERGED_VALUES.set(key, merged);
  return merged;
}

/** A release's merged values by the text of its values files (read-only: a caller that writes into them throws). */
const MERGED_VALUES = new Map<string, Record<string, any>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Why the operator of the installed release cannot start with the cluster's Gateway API CRDs, or null. */
export function gatewayApiProblem(state: ClusterState): string | null {
  const release = state.releases[RELEASE];
  if (!release || releaseValues(state).gatewayAPI?.enabled !== true) return null;
  const minor = release.version.split(".").slice(0, 2).join(".");
  const needs = GATEWAY_API_NEEDS[minor];
  if (!needs) return `the fake knows no Gateway API needs of Cilium ${minor}`;
  for (const [plural, version] of Object.entries(needs)) {
    const name = `${plural}.gateway.networking.k8s.io`;
    if (!state.crds.includes(name)) return `failed to start: CRD ${name} not found`;
    const crd = state.objects[`CustomResourceDefinition//${name}`] as { spec?: { versions?: { name: string; served: boolean }[] } } | undefined;
    if (!crd?.spec?.versions?.some((v) => v.name === version && v.served)) return `failed to start: ${name} does not serve ${version}`;
  }
  return null;
}

/** The operator as `kubectl get pods` would show it: Pending with no node, crash-looping on wrong CRDs. */
function operatorPods(state: ClusterState): Pod[] {
  const release = state.releases[RELEASE];
  if (!release) return [];
  const placed = handPlaced(state);
  if (placed) {
    // a test's own operator: as many Running as it says are ready, the rest Pending
    const { replicas = 2, readyReplicas = 0 } = placed.status ?? {};
    return Array.from({ length: Math.max(replicas, readyReplicas) }, (_, i): Pod => ({ name: `cilium-operator-${i}`, owner: OPERATOR, node: null, image: "", status: i < readyReplicas ? "Running" : "Pending" }));
  }
  const replicas = Number(releaseValues(state).operator?.replicas ?? 2);
  const nodes = workerNodes(state);
  const problem = gatewayApiProblem(state);
  const image = `quay.tencentcloudcr.com/cilium/operator-generic:v${release.version}`;
  return Array.from({ length: replicas }, (_, i): Pod => {
    const name = `cilium-operator-${i}`;
    // one replica per node (the chart's anti-affinity): the others wait for a node
    if (i >= nodes.length) return { name, owner: OPERATOR, node: null, image, status: "Pending", reason: "0 nodes available (anti-affinity)" };
    if (state.missingImages?.includes(image)) return { name, owner: OPERATOR, node: nodes[i], image, status: "ImagePullBackOff", reason: `Back-off pulling image "${image}"` };
    if (problem) return { name, owner: OPERATOR, node: nodes[i], image, status: "CrashLoopBackOff", reason: problem };
    return { name, owner: OPERATOR, node: nodes[i], image, status: "Running" };
  });
}

/** Every Pod of the kube-system DaemonSets (one per worker node unless switched off) and of the operator. */
export function pods(state: ClusterState): Pod[] {
  const nodes = workerNodes(state);
  const daemons = Object.entries(state.daemonSets).flatMap(([name, ds]) =>
    Object.entries(ds.nodeSelector ?? {}).some(([k, v]) => k === "label-not-exist" && v === "node-not-exist")
      ? []
      : nodes.map((node): Pod => ({ name: `${name}-${node}`, owner: `DaemonSet/kube-system/${name}`, node, image: ds.image, status: "Running" })),
  );
  return [...daemons, ...operatorPods(state)];
}

/** An operator Deployment a test wrote into the state itself (not this model's): the model leaves it alone. */
function handPlaced(state: ClusterState): { status?: { replicas?: number; readyReplicas?: number } } | null {
  const object = state.objects[OPERATOR] as { modelled?: boolean; status?: { replicas?: number; readyReplicas?: number } } | undefined;
  return object && object.modelled !== true ? object : null;
}

/** Brings the state to what the cluster's controllers make of it (the operator's Deployment and its CRDs). */
export function reconcile(state: ClusterState): ClusterState {
  if (handPlaced(state)) return state;
  const operator = operatorPods(state);
  if (operator.length === 0) {
    delete state.objects[OPERATOR];
    return state;
  }
  const ready = operator.filter((p) => p.status === "Running").length;
  state.objects[OPERATOR] = { modelled: true, status: { replicas: operator.length, readyReplicas: ready } };
  // a running operator registers Cilium's CRDs; they stay after the release goes (as Helm leaves them)
  if (ready > 0) for (const crd of CILIUM_CRDS) if (!state.crds.includes(crd)) state.crds.push(crd);
  return state;
}

/**
 * What a helm upgrade of the release cilium does to running Pods: a changed datapath entry of cilium-config
 * on a live release cuts every Pod off until it is recreated. Recorded in state.incidents, never expected.
 */
export function datapathIncident(before: Record<string, string> | undefined, after: Record<string, string>): string | null {
  if (!before) return null;
  const changed = DATAPATH_KEYS.filter((k) => before[k] !== undefined && before[k] !== after[k]).map((k) => `${k}: ${before[k]} -> ${after[k]}`);
  return changed.length > 0 ? `all Pods lost network (${changed.join("; ")})` : null;
}
