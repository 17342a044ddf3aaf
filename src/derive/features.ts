import { AUTOSCALER_IGNORED_STARTUP_TAINT, STARTUP_TAINT } from "../knowledge/tke.js";
import type { FilledProfile } from "../profile.js";

/** Feature switches after the defaults that depend on other fields. */
export interface ResolvedFeatures {
  /** Pods leave the VPC through the node IP: BPF masquerade + Cilium's ipMasqAgent. */
  masquerade: boolean;
  /** Cilium's ipMasqAgent is configured (egress gateway, or masquerade in native mode). */
  masqAgent: boolean;
  scaleTuning: boolean;
  /** The taint new nodes carry until cilium-agent is ready (Terraform pools: taints; Karpenter: startupTaints); null for none. */
  startupTaint: { key: string; value: string; effect: string } | null;
  /** Cilium's VXLAN runs between nodes (overlay, or the egress gateway's tunnel in native mode). */
  vxlan: boolean;
}

export function resolveFeatures(p: FilledProfile): ResolvedFeatures {
  const native = p.cilium.mode === "native";
  const asked = p.features.masquerade ?? false;
  const masquerade = p.features.egressGateway || asked;
  // the guide taints regular pools; its native pool has none (only GR with native routing would need one)
  const tainted = p.nodePool.startupTaint ?? p.nodePool.type !== "native";
  return {
    masquerade,
    masqAgent: p.features.egressGateway || (native && asked),
    scaleTuning: p.features.scaleTuning ?? false,
    vxlan: !native || p.features.egressGateway,
    startupTaint: !tainted ? null : p.nodePool.type === "native" ? { ...AUTOSCALER_IGNORED_STARTUP_TAINT } : { ...STARTUP_TAINT },
  };
}
