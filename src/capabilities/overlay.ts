import { OVERLAY_TUNNEL_PROTOCOL } from "../knowledge/features.js";
import { WHY_VARIANT } from "../knowledge/why.js";
import { valueEntry as entry } from "../derive/value-entry.js";
import type { FilledProfile } from "../profile.js";
import type { ValueEntry } from "../settings.js";

/** The Pod ranges of an overlay: Cilium's own IPAM hands them out, whatever the cluster's network. */
export interface OverlayPods {
  podCidrs: readonly string[];
  maskSize: number;
}

export const overlayPods = (p: FilledProfile): OverlayPods => ({ podCidrs: p.cilium.podCidrs, maskSize: p.cilium.podMaskSize });

/** The values both overlay datapaths share (VXLAN, multi-pool IPAM, masquerading through the node). */
export function overlayValues(s: OverlayPods): ValueEntry[] {
  return [
    entry("routingMode", "tunnel", WHY_VARIANT["routingMode.overlay"]),
    entry("tunnelProtocol", OVERLAY_TUNNEL_PROTOCOL),
    entry("ipam.mode", "multi-pool", WHY_VARIANT["ipam.mode.overlay"]),
    entry("ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.cidrs", s.podCidrs),
    entry("ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.maskSize", s.maskSize),
    entry("enableIPv4Masquerade", true, WHY_VARIANT["enableIPv4Masquerade.overlay"]),
    entry("bpf.masquerade", true, WHY_VARIANT["bpf.masquerade.overlay"]),
  ];
}
