import removeKubeProxy from "./remove-kube-proxy.sh.hbs?raw";
import { KUBE_PROXY, KUBEADM_API_VERSION, KUBEADM_KUBE_PROXY_PHASE, NODE_SCRIPTS } from "../../knowledge/platforms.js";
import { file } from "../../emit/output.js";
import type { PlanStep } from "../../plan/step.js";
import { manifestsToYaml } from "../../text/yaml.js";
import { defineCapability } from "../capability.js";
import { selfManagedNodeSteps, selfManagedConnect, selfManagedKubeProxyCheck, selfManagedNodeFiles, selfManagedPrelude, selfManagedSlice, selfManagedValues, type SelfManagedSlice } from "../self-managed.js";

/** The kubeadm configuration file of the bundle. */
export const KUBEADM_CONFIG_FILE = "kubeadm-config.yaml";

/**
 * A kubeadm cluster (seed 003): the values of a self-managed cluster, kubeadm's InitConfiguration and
 * ClusterConfiguration (v1beta4) with the same Pod and Service subnets, and kube-proxy checked, or removed
 * from a running cluster before the chart.
 */
export const kubeadm = defineCapability({
  id: "kubeadm",
  kind: "platform",
  platforms: ["kubeadm"],
  summary: "a kubeadm cluster: its API server, Pod and Service subnets in kubeadm-config.yaml, kube-proxy skipped or removed",
  fields: ["/platform", "/selfManaged"],
  resolve: (p) => selfManagedSlice(p, "kubeadm"),
  prelude: (s) => selfManagedPrelude(s),
  values: (s) => ({ tke: selfManagedValues(s) }),
  files: (s, { header }) => [
    file(KUBEADM_CONFIG_FILE, manifestsToYaml(header("kubeadm init --config kubeadm-config.yaml: the cluster's Pod and Service subnets as Cilium's values have them."), kubeadmConfig(s))),
    ...selfManagedNodeFiles(s, header),
  ],
  plan: (s) => {
    const words = { namespace: KUBE_PROXY.namespace, daemonSet: KUBE_PROXY.daemonSet, configMap: KUBE_PROXY.configMap };
    const steps: PlanStep[] = [
      selfManagedConnect("kubeadm"),
    ];
    steps.push(...selfManagedKubeProxyCheck("kubeadm", s));
    if (s.kubeProxy === "remove")
      steps.push({
        kind: "run",
        id: "kubeadm/remove-kube-proxy",
        phase: "switch-off",
        script: { template: removeKubeProxy, words },
        need: [],
        undo: {
          kind: "keep",
          note: "kube-proxy stays removed: Cilium's kube-proxy replacement served Services",
          tell: `install.sh removed kube-proxy; without Cilium nothing serves Services. On a control-plane node: kubeadm init phase addon kube-proxy --config ${KUBEADM_CONFIG_FILE}, then restart the Pods. On every node: sudo ./${NODE_SCRIPTS.cleanup} cilium.`,
        },
      });
    steps.push({
      kind: "say",
      id: "kubeadm/nodes",
      phase: "nodes",
      text:
        s.kubeProxy === "remove"
          ? `On every node, now that Cilium serves Services: sudo ./${NODE_SCRIPTS.cleanup} kube-proxy (kube-proxy's KUBE iptables rules and IPVS table go)`
          : `New clusters: kubeadm init --config ${KUBEADM_CONFIG_FILE} (its subnets are the ones Cilium's values use), then install.sh`,
      undo: null,
    });
    steps.push(...selfManagedNodeSteps("kubeadm"));
    return steps;
  },
});

/** InitConfiguration and ClusterConfiguration (kubeadm.k8s.io/v1beta4). */
function kubeadmConfig(s: SelfManagedSlice): object[] {
  const skip = s.kubeProxyReplacement && s.kubeProxy !== "keep";
  return [
    {
      apiVersion: KUBEADM_API_VERSION,
      kind: "InitConfiguration",
      localAPIEndpoint: { advertiseAddress: s.apiServer.host, bindPort: s.apiServer.port },
      ...(skip ? { skipPhases: [KUBEADM_KUBE_PROXY_PHASE] } : {}),
    },
    {
      apiVersion: KUBEADM_API_VERSION,
      kind: "ClusterConfiguration",
      kubernetesVersion: `v${s.kubernetesVersion}`,
      controlPlaneEndpoint: `${s.apiServer.host}:${s.apiServer.port}`,
      networking: { podSubnet: s.podCidrs.join(","), serviceSubnet: s.serviceCidr },
      controllerManager: { extraArgs: [{ name: "node-cidr-mask-size-ipv4", value: String(s.podMaskSize) }] },
    },
  ];
}
