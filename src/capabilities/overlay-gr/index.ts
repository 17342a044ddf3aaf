import { defineCapability } from "../capability.js";
import { overlayPods, overlayValues } from "../overlay.js";

/** cilium.mode overlay on a GlobalRouter cluster: VXLAN between nodes (native routing is refused on GR). */
export const overlayGr = defineCapability({
  id: "overlay-gr",
  kind: "datapath",
  summary: "overlay (VXLAN, Cilium's multi-pool IPAM) on a GlobalRouter cluster",
  fields: ["/cilium/mode", "/cilium/podCidrs", "/cilium/podMaskSize"],
  resolve: (p) => (p.cilium.mode === "overlay" && p.cluster.network === "gr" ? overlayPods(p) : null),
  values: (s) => ({ tke: overlayValues(s) }),
});
