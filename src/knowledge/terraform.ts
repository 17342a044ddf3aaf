/** The tencentcloud Terraform provider (argument reference of v1.83.25) as the bundle uses it. */
export const PROVIDER = { name: "tencentcloud", source: "tencentcloudstack/tencentcloud", version: ">= 1.83.25" } as const;
export const TERRAFORM_REQUIRED_VERSION = ">= 1.3.0";

export const RESOURCES = {
  cluster: { type: "tencentcloud_kubernetes_cluster", name: "tke_cluster" },
  nativeNodePool: { type: "tencentcloud_kubernetes_native_node_pool" },
  regularNodePool: { type: "tencentcloud_kubernetes_node_pool" },
} as const;

/** TKE's names for the container networks (network_type). */
export const NETWORK_TYPE = { "vpc-cni": "VPC-CNI", gr: "GR" } as const;

export const CLUSTER_DEPLOY_TYPE = "MANAGED_CLUSTER";

/** The Karpenter add-on as an extension_addon; cluster-autoscaler is then not installed. */
export const KARPENTER_ADDON = { name: "karpenter", param: { kind: "App", spec: { chart: { chartName: "karpenter" } } } } as const;

/**
 * The apiserver is reached through an intranet CLB in cluster_intranet_subnet_id (the provider requires
 * cluster_intranet with it); no internet endpoint is opened.
 */
export const CLUSTER_INTRANET_ACCESS = true;

/** Node pool defaults the profile does not expose. Pools scale between the profile's min and max size. */
export const NODE_DEFAULTS = {
  autoscaling: true,
  chargeType: "POSTPAID_BY_HOUR",
  systemDisk: { type: "CLOUD_PREMIUM", size: 50 },
  nativeType: "Native",
  scalingPolicy: "ZoneEquality",
} as const;
