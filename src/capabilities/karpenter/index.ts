import untaintPool from "./untaint-pool.sh.hbs?raw";
import { KARPENTER_CRDS } from "../../knowledge/lifecycle.js";
import { CONSOLIDATION_POLICY, NODECLASS_API, NODEPOOL_API, NODE_ARCH, NODE_OS, REQUIREMENT_KEYS } from "../../knowledge/karpenter.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { KARPENTER_MACHINE_ANNOTATIONS_KEY, TS4_IMAGE_ANNOTATION } from "../../knowledge/tke.js";
import { file, phasedMetadata } from "../../emit/output.js";
import type { FilledProfile } from "../../profile.js";
import type { Finding } from "../../rules/finding.js";
import type { KarpenterSettings } from "../../settings.js";
import type { ResolvedFeatures } from "../../derive/features.js";
import { manifestsToYaml } from "../../text/yaml.js";
import { defineCapability } from "../capability.js";
import { untaintNodesSnippet } from "../startup-taint.js";

function resolveKarpenter(p: FilledProfile, features: ResolvedFeatures): KarpenterSettings {
  const pool = p.nodePool;
  return {
    name: pool.name ?? "default",
    instanceFamilies: pool.instanceFamilies,
    capacityTypes: pool.capacityTypes,
    minInstanceCpu: pool.minInstanceCpu,
    cpuLimit: pool.cpuLimit,
    consolidateAfter: pool.consolidateAfter,
    budget: pool.disruptionBudget,
    subnetIds: pool.subnetIds,
    securityGroupIds: pool.securityGroupIds,
    sshKeyIds: pool.sshKeyIds,
    startupTaints: features.startupTaint === null ? [] : [{ ...features.startupTaint }],
    machineAnnotation: { key: KARPENTER_MACHINE_ANNOTATIONS_KEY, value: `${TS4_IMAGE_ANNOTATION.name}=${TS4_IMAGE_ANNOTATION.value}` },
  };
}

/**
 * The node pool stays (its nodes run workloads until rebuilt); with a startup taint, uninstall.sh takes
 * Cilium's taint out of its startupTaints and off the live nodes, or no node would become Ready again.
 */
function untaintUndo(k: KarpenterSettings & { file: string }) {
  const tell = `The Karpenter node pool (${k.file}) stays: delete it (kubectl delete -f ${k.file}) to have Karpenter replace its nodes, or keep it and rebuild them.`;
  const taint = k.startupTaints[0];
  if (taint === undefined) return { kind: "keep" as const, note: "its nodes run Cilium until rebuilt", tell };
  const nodes = untaintNodesSnippet(taint.key);
  return {
    kind: "commands" as const,
    phase: "restore" as const,
    title: "Take Cilium's startup taint out of the Karpenter node pool and off the nodes",
    script: { template: `${untaintPool}${nodes.template}`, words: { ...nodes.words, name: { kind: "dnsLabel" as const, value: k.name }, taintKey: taint.key }, texts: { file: k.file } },
    needsBundleFiles: false,
    tell,
  };
}

/** nodePool.type karpenter: TKE's Karpenter add-on launches the nodes from nodepool.yaml once Cilium runs. */
export const karpenter = defineCapability({
  id: "karpenter",
  kind: "add-on",
  summary: "a Karpenter NodePool and TKEMachineNodeClass, applied once Cilium runs",
  fields: ["/nodePool"],
  codes: [
    {
      code: "KARPENTER_SELECTORS_REQUIRED",
      stage: "profile",
      severity: "error",
      title: "a Karpenter pool needs subnetIds and securityGroupIds",
      explanation: "TKEMachineNodeClass requires non-empty subnetSelectorTerms and securityGroupSelectorTerms; the API server rejects the object otherwise.",
      source: "reference/karpenter/karpenter.k8s.tke_tkemachinenodeclasses.yaml",
    },
  ] as const,
  profileRules: [
    {
      code: "KARPENTER_SELECTORS_REQUIRED",
      check: (p) => {
        if (p.nodePool.type !== "karpenter") return [];
        const missing: Finding[] = [];
        if (p.nodePool.subnetIds.length === 0) missing.push({ pointer: "/nodePool/subnetIds", message: "a Karpenter pool needs at least one subnet id (subnet-...)" });
        if (p.nodePool.securityGroupIds.length === 0) missing.push({ pointer: "/nodePool/securityGroupIds", message: "a Karpenter pool needs at least one security group id (sg-...)" });
        return missing;
      },
    },
  ],

  examples: [
    { code: "KARPENTER_SELECTORS_REQUIRED", fires: { nodePool: { type: "karpenter", securityGroupIds: ["sg-1"] } },
      pointer: "/nodePool/subnetIds",
      quiet: { nodePool: { type: "karpenter", subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] } } },
  ],
  resolve: (p, { features }) => (p.nodePool.type === "karpenter" ? { ...resolveKarpenter(p, features), file: BUNDLE_FILES.nodePool, crds: [...KARPENTER_CRDS] } : null),
  files: (k, { header, afterChart }) => {
  const nodePool = {
    apiVersion: NODEPOOL_API.apiVersion,
    kind: NODEPOOL_API.kind,
    metadata: phasedMetadata({ name: k.name }, afterChart),
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
    metadata: phasedMetadata({ name: k.name }, afterChart),
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
    return [file(k.file, manifestsToYaml(header("Karpenter node pool for Cilium nodes; apply after Cilium is installed (install.sh does)."), [nodePool, nodeClass], comments))];
  },
  delivery: (k) => ({ manifests: [{ file: k.file, phase: "after-chart", what: "the Karpenter node pool: nodes join once Cilium runs" }] }),
  plan: (k) => [
    ...k.crds.map((crd) => ({ kind: "require-crd" as const, id: `karpenter/crd-${crd}`, phase: "requirements" as const, crd, hint: "enable TKE's Karpenter add-on first (nodepool.yaml needs it)" })),
    {
      kind: "apply",
      id: "karpenter/node-pool",
      phase: "nodes",
      title: "Create the Karpenter node pool",
      file: k.file,
      serverSide: false,
      established: [],
      undo: untaintUndo(k),
    },
    { kind: "say", id: "karpenter/next", phase: "next-steps", text: "Karpenter now launches nodes for pending Pods; watch them join: kubectl get nodes -w", undo: null },
  ],
});
