import { ENI_IP_LIMIT_WEBHOOK } from "../../knowledge/tke.js";
import { defineCapability } from "../capability.js";
import { overlayPods, overlayValues } from "../overlay.js";

/** cilium.mode overlay on a VPC-CNI cluster: VXLAN between nodes; TKE's ENI IP webhook has nothing left to do. */
export const overlayVpcCni = defineCapability({
  id: "overlay-vpc-cni",
  kind: "datapath",
  summary: "overlay (VXLAN, Cilium's multi-pool IPAM) on a VPC-CNI cluster",
  fields: ["/cilium/mode", "/cilium/podCidrs", "/cilium/podMaskSize"],
  resolve: (p) => (p.cilium.mode === "overlay" && p.cluster.network === "vpc-cni" ? { ...overlayPods(p), webhook: ENI_IP_LIMIT_WEBHOOK } : null),
  values: (s) => ({ tke: overlayValues(s) }),
  plan: (s) => [
    {
      kind: "delete",
      id: "overlay-vpc-cni/eni-ip-webhook",
      phase: "hand-over",
      title: "Remove the ENI IP webhook (overlay Pods do not use ENI IPs)",
      resource: "mutatingwebhookconfiguration",
      name: s.webhook,
      undo: { kind: "external", note: "TKE re-applies its add-on manifests", tell: `The ${s.webhook} webhook install.sh deleted comes back when TKE re-applies its add-on manifests.` },
    },
  ],
});
