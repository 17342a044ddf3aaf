/**
 * API Priority and Fairness for Cilium (the guide's cilium-apf.yaml): the PriorityLevelConfiguration's
 * nominalConcurrencyShares shrinks as the cluster grows, so thousands of agents cannot starve the apiserver.
 */
export const APF_SHARES: readonly { maxNodes: number; shares: number }[] = [
  { maxNodes: 500, shares: 10 },
  { maxNodes: 1000, shares: 6 },
  { maxNodes: 3000, shares: 3 },
];
/** Beyond the table, and when the cluster size is unknown (the upstream file's value). */
export const APF_DEFAULT_SHARES = 2;

export const APF_NAME = "cilium";
export const APF_API_VERSION = "flowcontrol.apiserver.k8s.io/v1";
export const APF_MATCHING_PRECEDENCE = 2;
/** One flow per user: each ServiceAccount (agent, operator) queues on its own. */
export const APF_DISTINGUISHER = "ByUser";
/** Whose requests the FlowSchema matches: cilium-agent's ServiceAccount. */
export const APF_SUBJECT = { kind: "ServiceAccount", name: "cilium" } as const;
/** Only the bulk calls are limited. */
export const APF_VERBS = ["list"] as const;
/** A fixed share: it neither lends nor borrows concurrency, and excess requests queue instead of failing. */
export const APF_LIMITS = { borrowingLimitPercent: 0, lendablePercent: 0, type: "Limited", limitResponse: "Queue" } as const;
export const APF_QUEUING = { handSize: 6, queueLengthLimit: 50, queues: 64 } as const;
/** What Cilium lists in bulk: its own CRDs and Pods, cluster-wide. */
export const APF_RESOURCE_RULES = [
  { apiGroups: ["cilium.io"], resources: ["*"] },
  { apiGroups: [""], resources: ["pods"] },
] as const;

export function apfShares(maxNodes: number | undefined): number {
  if (maxNodes === undefined) return APF_DEFAULT_SHARES;
  return APF_SHARES.find((row) => maxNodes <= row.maxNodes)?.shares ?? APF_DEFAULT_SHARES;
}

/** The table as one comment line, e.g. "<=500 nodes: 10, <=1000: 6, <=3000: 3, more: 2". */
export function apfTableText(): string {
  const rows = APF_SHARES.map((row, i) => `${i === 0 ? "<=" + row.maxNodes + " nodes" : "<=" + row.maxNodes}: ${row.shares}`);
  return [...rows, `more: ${APF_DEFAULT_SHARES}`].join(", ");
}
