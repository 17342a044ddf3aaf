/** Values of the optional features, as the guide and its appendices give them (Cilium 1.19.5). */

/** Large-scale tuning appendix: client-go rate limits (defaults: agent 10/20, operator 100/200). */
export const SCALE_CLIENT_RATE_LIMIT = { qps: 20, burst: 40, operator: { qps: 200, burst: 400 } } as const;

/** High-cardinality labels that mint a new security identity per rollout, Job or revision; "!" excludes. */
export const SCALE_IDENTITY_LABELS = "!pod-template-hash !controller-revision-hash !job-name !batch.kubernetes.io/controller-uid";

export const SCALE_AGENT_RESOURCES = { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } } as const;
export const SCALE_OPERATOR_RESOURCES = { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } } as const;

/** From this many nodes the guide advises scale tuning and CiliumEndpointSlice. */
export const LARGE_CLUSTER_NODES = 200;

/** Fallback nonMasqueradeCIDRs when the VPC's CIDRs are unknown: every private range a VPC can use. */
export const RFC1918_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/** Overlay defaults of the guide: the default CiliumPodIPPool. */
export const OVERLAY_TUNNEL_PROTOCOL = "vxlan";
