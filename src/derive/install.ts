import { CILIUM_HELM_REPO } from "../knowledge/chart.js";
import { RFC1918_CIDRS } from "../knowledge/features.js";
import {
  CILIUM_NAMESPACE,
  CILIUM_RELEASE,
  ENI_AGENT,
  ENI_IP_LIMIT_WEBHOOK,
  IP_MASQ_AGENT_CONFIGMAP,
  REPLACED_DAEMONSETS,
  SUPER_NODE_INSTANCE_TYPE,
} from "../knowledge/tke.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import type { FilledProfile } from "../profile.js";
import type { InstallSettings } from "../settings.js";
import type { ResolvedFeatures } from "./features.js";


export function deriveInstall(p: FilledProfile, f: ResolvedFeatures, valuesFiles: string[], has: { cniConfig: boolean; apf: boolean; karpenter: boolean }): InstallSettings {
  const native = p.cilium.mode === "native";
  const nextSteps = [
    has.karpenter
      ? "Karpenter now launches nodes for pending Pods; watch them join: kubectl get nodes -w"
      : "Create or scale the node pool (terraform apply in terraform/), then watch nodes join: kubectl get nodes -w",
    `Check Cilium once nodes are Ready: kubectl -n ${CILIUM_NAMESPACE} get pods -l app.kubernetes.io/part-of=cilium`,
    "Run the connectivity test: cilium connectivity test",
  ];
  if (p.features.egressGateway) nextSteps.push("Label egress nodes and write a CiliumEgressGatewayPolicy to route Pods through them");
  return {
    release: CILIUM_RELEASE,
    namespace: CILIUM_NAMESPACE,
    chart: p.cilium.chart,
    chartIsLocalFile: p.cilium.chart.endsWith(".tgz"),
    helmRepo: p.cilium.chart.startsWith(`${CILIUM_HELM_REPO.name}/`) ? { ...CILIUM_HELM_REPO } : null,
    version: p.cilium.version,
    valuesFiles,
    apiserverVIP: p.apiserverVIP,
    eniAgent: native ? { daemonSet: ENI_AGENT.daemonSet, minVersion: ENI_AGENT.minVersion } : null,
    existingNodesSelector: `${SUPER_NODE_INSTANCE_TYPE.label}!=${SUPER_NODE_INSTANCE_TYPE.value}`,
    disableDaemonSets: REPLACED_DAEMONSETS,
    cniConfigFile: has.cniConfig ? BUNDLE_FILES.cniConfig : null,
    deleteEniIpWebhook: !native && p.cluster.network === "vpc-cni" ? ENI_IP_LIMIT_WEBHOOK : null,
    nonMasqueradeFromCluster:
      native && f.masqAgent && p.cluster.vpcCidrs.length === 0 ? { configMap: IP_MASQ_AGENT_CONFIGMAP, fallback: [...RFC1918_CIDRS] } : null,
    restartAfterUpgrade: f.masqAgent || p.features.egressGateway,
    apfFile: has.apf ? BUNDLE_FILES.apf : null,
    nodePoolFile: has.karpenter ? BUNDLE_FILES.nodePool : null,
    nextSteps,
  };
}
