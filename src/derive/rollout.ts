import { AGENT_ROLLOUT } from "../knowledge/lifecycle.js";

/** install.sh's wait for the cilium DaemonSet: its timeout and the reckoning printed beside it. */
export interface RolloutTimeout {
  minutes: number;
  /** How the figure came about, for install.sh's step title and the README's example. */
  reckoning: string;
  /**
   * The nodes replaced at once, for install.sh's own count over the nodes the DaemonSet runs on: a number, or a
   * percentage of them (the other one 0).
   */
  batch: { nodes: number; percent: number };
}

/**
 * The agents' rollout budget: one batch of maxUnavailable nodes after another, `secondsPerBatch` each, over
 * cluster.maxNodes (k8s rounds a percentage of a DaemonSet's nodes up, and never below one node); never
 * below the floor. Without cluster.maxNodes the floor, said as such.
 */
export function deriveRolloutTimeout(maxNodes: number | undefined, maxUnavailable: unknown): RolloutTimeout {
  const floor = AGENT_ROLLOUT.floorMinutes;
  const { perBatch, said, batch } = batchSize(maxNodes ?? 0, maxUnavailable);
  if (maxNodes === undefined) return { minutes: floor, reckoning: `cluster.maxNodes unset: the ${floor}m floor`, batch };
  const batches = Math.ceil(maxNodes / perBatch);
  const minutes = Math.max(floor, Math.ceil((batches * AGENT_ROLLOUT.secondsPerBatch) / 60));
  return { minutes, reckoning: `${batches} batches of ${said} (maxUnavailable) x ${AGENT_ROLLOUT.secondsPerBatch} s for cluster.maxNodes ${maxNodes}, at least ${floor}m`, batch };
}

function batchSize(nodes: number, maxUnavailable: unknown): { perBatch: number; said: string; batch: RolloutTimeout["batch"] } {
  if (typeof maxUnavailable === "number" && Number.isInteger(maxUnavailable) && maxUnavailable >= 1) return { perBatch: maxUnavailable, said: `${maxUnavailable} nodes`, batch: { nodes: maxUnavailable, percent: 0 } };
  const percent = typeof maxUnavailable === "string" ? /^(\d{1,3})%$/.exec(maxUnavailable) : null;
  if (percent !== null && Number(percent[1]) >= 1) {
    const p = Math.min(100, Number(percent[1]));
    return { perBatch: Math.max(1, Math.ceil((nodes * p) / 100)), said: `${percent[1]} percent of the nodes`, batch: { nodes: 0, percent: p } };
  }
  return { perBatch: AGENT_ROLLOUT.chartMaxUnavailable, said: `${AGENT_ROLLOUT.chartMaxUnavailable} nodes`, batch: { nodes: AGENT_ROLLOUT.chartMaxUnavailable, percent: 0 } };
}
