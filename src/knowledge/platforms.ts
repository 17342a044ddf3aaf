/**
 * Facts about self-managed clusters (kubeadm, k3s, kubespray) and Cilium's chart on them. Sources: the seeds
 * (001 kubespray, 003 kubeadm, 004 k3s), Cilium's docs (kubeproxy-free, ipam, routing) and chart 1.18-1.20,
 * kubernetes/website kubeadm-config.v1beta4.
 */

/** The platforms a profile may name; tke is the default. */
export const PLATFORMS = ["tke", "kubeadm", "k3s", "kubespray"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The profile fields only a TKE cluster has (top level, no schema default: their presence is the user's). */
export const TKE_ONLY_FIELDS = ["region", "apiserverVIP", "nodePool"] as const;

/** The chart's cluster-pool default (ipam.operator.clusterPoolIPv4PodCIDRList, 1.18-1.20): seed 003's outage. */
export const CHART_DEFAULT_POOL = "10.0.0.0/8";

/** Addresses Cilium takes from every node's Pod block besides the Pods: cilium_host (router) and the health endpoint. */
export const CILIUM_NODE_ADDRESSES = 2;

/** kubeadm's config API for Kubernetes 1.31-1.35 (v1beta3 deprecated in 1.31, removed in 1.36). */
export const KUBEADM_API_VERSION = "kubeadm.k8s.io/v1beta4";

/** The kubeadm init phase that installs kube-proxy; InitConfiguration.skipPhases names it. */
export const KUBEADM_KUBE_PROXY_PHASE = "addon/kube-proxy";

/** kube-proxy as kubeadm deploys it (kube-system): removing both keeps a kubeadm upgrade from reinstalling it. */
export const KUBE_PROXY = { daemonSet: "kube-proxy", configMap: "kube-proxy", namespace: "kube-system" } as const;

/** The minimum kernel of a Cilium minor (system_requirements.rst); the newest known applies to a newer minor. */
export const KERNEL_MINIMUM: Readonly<Record<string, string>> = { "1.18": "5.10", "1.19": "5.10", "1.20": "5.10" };

/** The cilium CLI's default external targets (to-entities-world, to-cidr-external curl them): they need internet egress. */
export const CONNECTIVITY_EXTERNAL_DEFAULTS = { target: "one.one.one.one.", ip: "1.1.1.1", otherIp: "1.0.0.1", cidr: "1.0.0.0/8" } as const;

/** The Cilium interfaces a node keeps after Cilium stops (cleanup-node.sh removes them). */
export const CILIUM_INTERFACES = ["cilium_host", "cilium_net", "cilium_vxlan", "cilium_geneve"] as const;

/** The core rules about TKE's own fields (apiserverVIP, region, nodePool, VPC-CNI, the VPC): not run on other platforms. */
export const TKE_ONLY_CORE_CODES: ReadonlySet<string> = new Set([
  "PLACEHOLDER_VALUE",
  "OS_UNSUPPORTED",
  "POD_CIDR_OVERLAP",
  "SERVICE_CIDR_OVERLAP",
  "GITOPS_NEEDS_VPC_CIDRS",
  "GITOPS_NEEDS_KUBE_DNS_IP",
  "IPSEC_ON_VPC_CNI",
  "ENVOY_WITH_DELEGATED_IPAM",
]);

/** The CNI configuration cilium-agent writes on a node (seed 001: 05-cilium.conflist). */
export const CILIUM_CNI_CONFIG = "/etc/cni/net.d/05-cilium.conflist";

/** The node scripts of a self-managed cluster's bundle. */
export const NODE_SCRIPTS = { preflight: "preflight-node.sh", cleanup: "cleanup-node.sh" } as const;

/** The minimum kernel for a Cilium release: its minor's, or the newest minor's known. */
export function kernelMinimum(version: string): string {
  const minor = version.split(".").slice(0, 2).join(".");
  const known = Object.keys(KERNEL_MINIMUM).sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
  return KERNEL_MINIMUM[minor] ?? KERNEL_MINIMUM[known[known.length - 1]];
}

/** The k3s files of a bundle. */
export const K3S_FILES = { config: "k3s-config.yaml", dropIn: "k3s-cilium-cleanup.conf" } as const;

/** Where the k3s drop-in expects cleanup-node.sh (copied there by the user, README). */
export const K3S_CLEANUP_SCRIPT = "/usr/local/sbin/cilium-cleanup-node.sh";

/** The kubespray group_vars file of a bundle (for inventory/<cluster>/group_vars/k8s_cluster/). */
export const KUBESPRAY_GROUP_VARS = "k8s-net-tke-cilium.yml";
