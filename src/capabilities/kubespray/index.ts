import { KUBESPRAY_GROUP_VARS } from "../../knowledge/platforms.js";
import { WHY_KUBESPRAY } from "../../knowledge/why.js";
import { valueEntry } from "../../derive/value-entry.js";
import { file } from "../../emit/output.js";
import type { PlanStep } from "../../plan/step.js";
import { manifestsToYaml } from "../../text/yaml.js";
import { defineCapability } from "../capability.js";
import { selfManagedNodeSteps, selfManagedConnect, selfManagedKubeProxyCheck, selfManagedNodeFiles, selfManagedPrelude, selfManagedSlice, selfManagedValues, type SelfManagedSlice } from "../self-managed.js";

/**
 * A kubespray cluster (seed 001): kubespray builds the cluster with kube_network_plugin cni (it installs no
 * CNI of its own) and this bundle installs Cilium with Helm, as seed 001's release annotations show; the
 * group_vars file gives kubespray the same Pod and Service subnets, node prefix, kube-proxy and NodeLocal DNS.
 */
export const kubespray = defineCapability({
  id: "kubespray",
  kind: "platform",
  platforms: ["kubespray"],
  summary: "a kubespray cluster: group_vars with kube_network_plugin cni and the same subnets, NodeLocal DNS kept working",
  fields: ["/platform", "/selfManaged", "/selfManaged/kubespray"],
  codes: [
    {
      code: "KUBESPRAY_ONE_POD_CIDR",
      stage: "profile",
      severity: "error",
      title: "kubespray takes one IPv4 Pod CIDR",
      explanation: "kube_pods_subnet is one CIDR (seed 001: 10.233.64.0/18, kubespray's default); list one in selfManaged.podCidrs so Cilium's pool and kubespray's agree.",
      source: "seed 001; kubespray roles/kubespray_defaults (kube_pods_subnet)",
    },
  ] as const,
  profileRules: [
    {
      code: "KUBESPRAY_ONE_POD_CIDR",
      check: (p) =>
        p.platform === "kubespray" && (p.selfManaged?.podCidrs.length ?? 0) > 1
          ? [{ pointer: "/selfManaged/podCidrs", message: "kubespray's kube_pods_subnet is one CIDR: list one" }]
          : [],
    },
  ],
  examples: (() => {
    const cluster = { apiServer: { host: "11.0.1.132" }, podCidrs: ["10.233.64.0/18"], serviceCidr: "10.233.0.0/18", nodeCidrs: ["11.0.1.0/24"] };
    const on = (selfManaged: object) => ({ platform: "kubespray", region: undefined, apiserverVIP: undefined, nodePool: undefined, selfManaged: { ...cluster, ...selfManaged } });
    return [{ code: "KUBESPRAY_ONE_POD_CIDR" as const, fires: on({ podCidrs: ["10.233.64.0/18", "10.234.0.0/18"] }), pointer: "/selfManaged/podCidrs", quiet: on({}) }];
  })(),
  resolve: (p) => {
    const s = selfManagedSlice(p, "kubespray");
    if (s === null) return null;
    const k = p.selfManaged?.kubespray;
    return {
      ...s,
      maxPods: p.selfManaged!.maxPods,
      nodeLocalDns: k?.nodeLocalDns ?? true,
      nodeLocalDnsIP: k?.nodeLocalDnsIP ?? "169.254.25.10",
      kubeProxyMode: k?.kubeProxyMode ?? "ipvs",
    };
  },
  prelude: (s) => selfManagedPrelude(s),
  values: (s) => ({
    tke: [
      ...selfManagedValues(s),
      ...(s.nodeLocalDns && s.kubeProxyReplacement ? [valueEntry("dnsProxy.enableTransparentMode", false, WHY_KUBESPRAY["dnsProxy.enableTransparentMode"])] : []),
    ],
  }),
  files: (s, { header }) => [
    file(KUBESPRAY_GROUP_VARS, manifestsToYaml(header("kubespray group_vars (inventory/<cluster>/group_vars/k8s_cluster/): kubespray builds the cluster without a CNI, this bundle's install.sh installs Cilium."), [groupVars(s)])),
    ...selfManagedNodeFiles(s, header),
  ],
  plan: (s) => {
    const steps: PlanStep[] = [selfManagedConnect("kubespray"), ...selfManagedKubeProxyCheck("kubespray", s)];
    steps.push({
      kind: "say",
      id: "kubespray/group-vars",
      phase: "next-steps",
      text: `kubespray's cluster.yml runs with ${KUBESPRAY_GROUP_VARS} in group_vars/k8s_cluster/ (kube_network_plugin cni: it installs no CNI; this install.sh installs Cilium after it)`,
      undo: null,
    });
    steps.push(...selfManagedNodeSteps("kubespray"));
    return steps;
  },
});

type KubespraySlice = SelfManagedSlice & { maxPods: number; nodeLocalDns: boolean; nodeLocalDnsIP: string; kubeProxyMode: string };

/** kubespray's variables for a cluster whose CNI is this bundle's Cilium. */
function groupVars(s: KubespraySlice): Record<string, unknown> {
  const kubeProxyRuns = s.kubeProxy === "keep";
  return {
    kube_network_plugin: "cni",
    kube_network_plugin_multus: s.multus,
    kube_pods_subnet: s.podCidrs[0],
    kube_service_addresses: s.serviceCidr,
    kube_network_node_prefix: s.podMaskSize,
    kubelet_max_pods: s.maxPods,
    kube_apiserver_port: s.apiServer.port,
    ...(kubeProxyRuns ? { kube_proxy_mode: s.kubeProxyMode } : { kube_proxy_remove: true }),
    enable_nodelocaldns: s.nodeLocalDns,
    ...(s.nodeLocalDns ? { nodelocaldns_ip: s.nodeLocalDnsIP } : {}),
  };
}
