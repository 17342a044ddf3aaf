import { CONSOLIDATION_POLICY, NODECLASS_API, NODEPOOL_API, NODE_ARCH, NODE_OS, REQUIREMENT_KEYS } from "../knowledge/karpenter.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { manifestsToYaml } from "../text/yaml.js";
import { file, headerLines, type Emitter, phasedMetadata } from "./output.js";

/** Karpenter pools: the NodePool and the TKEMachineNodeClass it launches nodes from. */
export const emitNodePool: Emitter = (settings) => {
  const k = settings.karpenter;
  if (k === null) return [];
  const nodePool = {
    apiVersion: NODEPOOL_API.apiVersion,
    kind: NODEPOOL_API.kind,
    metadata: phasedMetadata({ name: k.name }, settings.afterChartAnnotations),
    spec: {
      disruption: { consolidationPolicy: CONSOLIDATION_POLICY, consolidateAfter: k.consolidateAfter, budgets: [{ nodes: k.budget }] },
      template: {
        metadata: { annotations: { [k.machineAnnotation.key]: k.machineAnnotation.value } },
        spec: {
          requirements: [
            { key: REQUIREMENT_KEYS.arch, operator: "In", values: [NODE_ARCH] },
            { key: REQUIREMENT_KEYS.os, operator: "In", values: [NODE_OS] },
            { key: REQUIREMENT_KEYS.instanceFamily, operator: "In", values: [...k.instanceFamilies] },
            { key: REQUIREMENT_KEYS.capacityType, operator: "In", values: [...k.capacityTypes] },
            { key: REQUIREMENT_KEYS.instanceCpu, operator: "Gt", values: [String(k.minInstanceCpu)] },
          ],
          nodeClassRef: { group: NODECLASS_API.group, kind: NODECLASS_API.kind, name: k.name },
          ...(k.startupTaints.length > 0 ? { startupTaints: k.startupTaints } : {}),
        },
      },
      limits: { cpu: k.cpuLimit },
    },
  };
  const nodeClass = {
    apiVersion: NODECLASS_API.apiVersion,
    kind: NODECLASS_API.kind,
    metadata: phasedMetadata({ name: k.name }, settings.afterChartAnnotations),
    spec: {
      subnetSelectorTerms: k.subnetIds.map((id) => ({ id })),
      securityGroupSelectorTerms: k.securityGroupIds.map((id) => ({ id })),
      ...(k.sshKeyIds.length > 0 ? { sshKeySelectorTerms: k.sshKeyIds.map((id) => ({ id })) } : {}),
    },
  };
  const comments = new Map([
    ["0:spec.template.metadata.annotations", "native nodes boot TencentOS 3.1 by default, whose kernel is too old for Cilium; this label selects TencentOS 4"],
    ["0:spec.disruption.consolidateAfter", "always written: TKE's Karpenter CRD requires it"],
    ["0:spec.limits", "upper bound on the vCPUs this pool may launch"],
    ...(k.startupTaints.length > 0 ? [["0:spec.template.spec.startupTaints", "no Pods until cilium-agent runs on the node; Cilium removes the taint, and Karpenter expects it to"] as [string, string]] : []),
  ]);
  const header = headerLines(settings, "Karpenter node pool for Cilium nodes; apply after Cilium is installed (install.sh does).");
  return [file(BUNDLE_FILES.nodePool, manifestsToYaml(header, [nodePool, nodeClass], comments))];
};
