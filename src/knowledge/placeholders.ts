/**
 * What `tke-cilium init` writes where it was not told a value it cannot do without (a non-interactive run
 * for a Karpenter pool): well-formed ids, so the profile validates while the user edits it, which render and
 * check refuse until they are replaced (PLACEHOLDER_VALUE).
 */
export const PLACEHOLDERS = [
  { pointer: "/nodePool/subnetIds", field: "nodePool.subnetIds", value: "subnet-changeme", what: "the node subnets' ids (subnet-..., in the VPC console)" },
  { pointer: "/nodePool/securityGroupIds", field: "nodePool.securityGroupIds", value: "sg-changeme", what: "the nodes' security group ids (sg-...)" },
] as const;
