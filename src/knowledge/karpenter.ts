/** Karpenter on TKE: the NodePool (karpenter.sh/v1, core v1.9.0) and TKE's TKEMachineNodeClass. */
export const NODEPOOL_API = { apiVersion: "karpenter.sh/v1", kind: "NodePool" } as const;
export const NODECLASS_API = { apiVersion: "karpenter.k8s.tke/v1beta1", kind: "TKEMachineNodeClass", group: "karpenter.k8s.tke" } as const;

/** Consolidate nodes that are empty or underused (the guide's policy). */
export const CONSOLIDATION_POLICY = "WhenEmptyOrUnderutilized";

export const REQUIREMENT_KEYS = {
  arch: "kubernetes.io/arch",
  os: "kubernetes.io/os",
  instanceFamily: "karpenter.k8s.tke/instance-family",
  capacityType: "karpenter.sh/capacity-type",
  instanceCpu: "karpenter.k8s.tke/instance-cpu",
} as const;

/** Cilium's images and the TencentOS 4 nodes the guide verified are amd64 Linux. */
export const NODE_ARCH = "amd64";
export const NODE_OS = "linux";
