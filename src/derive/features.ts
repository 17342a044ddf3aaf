import { LARGE_CLUSTER_NODES } from "../knowledge/features.js";
import type { FilledProfile } from "../profile.js";

/** Feature switches after the defaults that depend on other fields. */
export interface ResolvedFeatures {
  /** Pods leave the VPC through the node IP: BPF masquerade + Cilium's ipMasqAgent. */
  masquerade: boolean;
  /** Cilium's ipMasqAgent is configured (egress gateway, or masquerade in native mode). */
  masqAgent: boolean;
  scaleTuning: boolean;
}

export function resolveFeatures(p: FilledProfile): ResolvedFeatures {
  const native = p.cilium.mode === "native";
  const masquerade = p.features.egressGateway || p.features.masquerade;
  return {
    masquerade,
    masqAgent: p.features.egressGateway || (native && p.features.masquerade),
    scaleTuning: p.features.scaleTuning ?? (p.cluster.maxNodes ?? 0) >= LARGE_CLUSTER_NODES,
  };
}
