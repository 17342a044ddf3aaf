/** Values of the optional features, as the guide and its appendices give them (Cilium 1.19.5). */

/** Large-scale tuning appendix: client-go rate limits (defaults: agent 10/20, operator 100/200). */
export const SCALE_CLIENT_RATE_LIMIT = { qps: 20, burst: 40, operator: { qps: 200, burst: 400 } } as const;

/** High-cardinality labels that mint a new security identity per rollout, Job or revision; "!" excludes. */
export const SCALE_IDENTITY_LABELS = "!pod-template-hash !controller-revision-hash !job-name !batch.kubernetes.io/controller-uid";


/** From this many nodes the guide advises scale tuning and CiliumEndpointSlice. */
export const LARGE_CLUSTER_NODES = 200;

/** Fallback nonMasqueradeCIDRs when the VPC's CIDRs are unknown: every private range a VPC can use. */
export const RFC1918_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/** Overlay defaults of the guide: the default CiliumPodIPPool. */
export const OVERLAY_TUNNEL_PROTOCOL = "vxlan";

/** Cilium's VXLAN port (tunnelPort's default for vxlan): Linux's 8472, not IANA's 4789. */
export const CILIUM_VXLAN_PORT = 8472;

/** What the nodes' security group must allow between nodes, per set-up: for `tke-cilium explain ports`, the README and install.sh. */
export const SECURITY_GROUP_PORTS = [
  `Every mode: TCP 4240 between nodes (cilium-health), TCP 4244 (Hubble, when on); the apiserver VIP is reached through TKE's own path.`,
  `Overlay mode (VXLAN): UDP ${CILIUM_VXLAN_PORT} between all nodes. Cilium's VXLAN uses ${CILIUM_VXLAN_PORT}, not the IANA port 4789: a rule for 4789 alone drops every cross-node Pod packet.`,
  `Egress gateway: UDP ${CILIUM_VXLAN_PORT} between the Pods' nodes and the gateway nodes as well, the same rule as overlay mode.`,
  `Native mode without the egress gateway: no tunnel port; Pods use VPC addresses, so the security group rules for Pod traffic are the VPC's own.`,
] as const;
