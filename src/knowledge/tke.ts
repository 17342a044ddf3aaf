/** Facts about TKE clusters that the Cilium install depends on (seeds and the TKE guide, Cilium 1.19.5). */

/** The apiserver address Cilium must use: TKE's link-local VIP, never the intranet CLB (guide: "operation not permitted"). */
export const APISERVER_VIP_RANGE = "169.254.0.0/16";

/** cilium_host address on every node when Cilium does not allocate Pod IPs (extraConfig.local-router-ipv4). */
export const LOCAL_ROUTER_IPV4 = "169.254.32.16";

/** Taints the operator must tolerate so it can start before nodes are initialised (the guide's list, in order). */
export const OPERATOR_TOLERATION_KEYS = [
  "node-role.kubernetes.io/control-plane",
  "node-role.kubernetes.io/master",
  "node.kubernetes.io/not-ready",
  "node.cloudprovider.kubernetes.io/uninitialized",
  "tke.cloud.tencent.com/uninitialized",
] as const;

/** VPC-CNI only: set on nodes until their ENI has IPs; the operator must not wait for it. */
export const ENI_IP_UNAVAILABLE_TAINT = "tke.cloud.tencent.com/eni-ip-unavailable";

/** Super nodes (eklet) cannot run the hostNetwork operator: its readiness probe never passes there. */
export const SUPER_NODE_INSTANCE_TYPE = { label: "node.kubernetes.io/instance-type", value: "eklet" } as const;

/** The nodes that may have run Cilium: every node but super nodes (they run no agent). */
export const NOT_SUPER_NODES_SELECTOR = `${SUPER_NODE_INSTANCE_TYPE.label}!=${SUPER_NODE_INSTANCE_TYPE.value}`;

/** uninstall.sh's last line on TKE: the console add-on install.sh cannot switch back on. */
export const IP_MASQ_AGENT_CONSOLE_NOTE = "In the TKE console, re-enable the ip-masq-agent add-on if it was unchecked when the cluster was created.";

/** Annotation that makes native nodes boot TencentOS 4 instead of TencentOS 3.1 (guide, 2026-01 name). */
export const TS4_IMAGE_ANNOTATION = { name: "node.tke.cloud.tencent.com/image-label", value: "ts4-public" } as const;

/** Karpenter passes node annotations through this NodePool template annotation. */
export const KARPENTER_MACHINE_ANNOTATIONS_KEY = "beta.karpenter.k8s.tke.machine.spec/annotations";

/** Keeps workloads off a node until cilium-agent runs there (Cilium removes it once ready). */
export const STARTUP_TAINT = { key: "node.cilium.io/agent-not-ready", value: "true", effect: "NoSchedule" } as const;

/**
 * The chart's agentNotReadyTaintKey may start with this prefix: cluster-autoscaler then ignores the taint when it
 * simulates a new node, and a pool with no node left can still scale up.
 */
export const AUTOSCALER_IGNORED_STARTUP_TAINT = { ...STARTUP_TAINT, key: "ignore-taint.cluster-autoscaler.kubernetes.io/cilium-agent-not-ready" } as const;

/** TKE DaemonSets Cilium replaces. Kept but scheduled nowhere: deleting kube-proxy blocks cluster upgrades. */
export const REPLACED_DAEMONSETS = [
  { name: "kube-proxy", optional: false },
  { name: "tke-cni-agent", optional: false },
  { name: "ip-masq-agent", optional: true },
] as const;

/** A nodeSelector no node matches: how the guide switches a DaemonSet off while keeping a way back. */
export const NOWHERE_NODE_SELECTOR = { "label-not-exist": "node-not-exist" } as const;

/** TKE fills this ConfigMap with the VPC's CIDRs; it is kept for Cilium's ipMasqAgent. */
export const IP_MASQ_AGENT_CONFIGMAP = "ip-masq-agent-config";

/** Injects ENI IP requests into Pods; in overlay mode on VPC-CNI it blocks scheduling. */
export const ENI_IP_LIMIT_WEBHOOK = "add-pod-eni-ip-limit-webhook";

/**
 * tke-eni-agent below this version uses policy route tables 2000+LinkIndex, and table 2004 collides with
 * Cilium's L7 proxy table: Pods behind the third ENI lose their traffic. From v3.8.0 the tables moved to 4000+.
 */
export const ENI_AGENT = { daemonSet: "tke-eni-agent", minVersion: "v3.8.0" } as const;

/** The chained CNI configuration of native mode: TKE's route-eni plugin first, then cilium-cni. */
export const CNI_CONFIGMAP = { name: "cni-config", namespace: "kube-system", key: "cni-config" } as const;
export const CNI_CONFLIST = {
  cniVersion: "0.3.1",
  name: "generic-veth",
  plugins: [
    {
      type: "tke-route-eni",
      routeTable: 1,
      disableIPv6: true,
      mtu: 1500,
      ipam: { type: "tke-eni-ipamc", backend: "127.0.0.1:61677" },
    },
    { type: "cilium-cni", "chaining-mode": "generic-veth" },
  ],
} as const;

/** Where Cilium lives in the cluster. */
export const CILIUM_NAMESPACE = "kube-system";
export const CILIUM_RELEASE = "cilium";

/** Kubernetes versions: below the first Cilium 1.18/1.19 does not support; below the second the guide advises against. */
export const KUBERNETES_MINIMUM = "1.30";
export const KUBERNETES_RECOMMENDED_MINIMUM = "1.32";

/** Regions in mainland China, where pulling from quay.io and ghcr.io is unreliable without a mirror. */
export const MAINLAND_CHINA_REGIONS = new Set([
  "ap-beijing",
  "ap-nanjing",
  "ap-shanghai",
  "ap-guangzhou",
  "ap-chengdu",
  "ap-chongqing",
  "ap-shenzhen",
  "ap-qingyuan",
  "ap-tianjin",
  "ap-shanghai-fsi",
  "ap-shenzhen-fsi",
  "ap-beijing-fsi",
  // edge zones the guide's installer counts as mainland (its short codes jnec, hzec, fzec...)
  "ap-jinan-ec",
  "ap-hangzhou-ec",
  "ap-fuzhou-ec",
  "ap-wuhan-ec",
  "ap-changsha-ec",
  "ap-shijiazhuang-ec",
  "ap-hefei-ec",
  "ap-shenyang-ec",
  "ap-xian-ec",
  "ap-xibei-ec",
  "ap-zhengzhou-ec",
]);

/** Every region id tke-cilium knows: mainland China, and the regions outside it TKE runs in. Others are a warning, not an error. */
export const KNOWN_REGIONS = new Set([
  ...MAINLAND_CHINA_REGIONS,
  "ap-hongkong",
  "ap-singapore",
  "ap-jakarta",
  "ap-seoul",
  "ap-bangkok",
  "ap-tokyo",
  "na-siliconvalley",
  "na-ashburn",
  "sa-saopaulo",
  "eu-frankfurt",
]);

/** The newest Kubernetes minor each Cilium minor is e2e-tested on (Cilium docs, Kubernetes Compatibility); newer runs untested. */
export const CILIUM_TESTED_KUBERNETES_MAX: Readonly<Record<string, string>> = { "1.18": "1.33" };
