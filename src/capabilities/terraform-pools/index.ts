import { RESOURCES } from "../../knowledge/terraform.js";
import type { PlanStep } from "../../plan/step.js";
import type { TfRoot } from "../../settings.js";
import { defineCapability } from "../capability.js";
import { untaintNodesSnippet } from "../startup-taint.js";
import { emitTerraform } from "./hcl.js";
import { deriveTerraform } from "./roots.js";

/**
 * The Terraform roots: a new cluster (without nodes, applied first) and the native or regular node pool
 * (applied after install.sh), each in its own folder and state; the egress pool sits beside the main one.
 */
export const terraformPools = defineCapability({
  id: "terraform-pools",
  kind: "add-on",
  summary: "Terraform for a new cluster and for the native or regular node pool (and the egress pool)",
  fields: ["/nodePool", "/cluster"],
  codes: [
    {
      code: "NODE_POOL_SIZE",
      stage: "profile",
      severity: "error",
      title: "nodePool.minSize must not exceed nodePool.maxSize",
      explanation: "The node pool's autoscaling range would be empty; TKE rejects it.",
      source: "terraform provider: min_size/max_size, scaling.min_replicas/max_replicas",
    },
    {
      code: "STARTUP_TAINT_WITH_AUTOSCALING",
      stage: "profile",
      severity: "warning",
      title: "a pool scaling from zero nodes should not carry the Cilium startup taint",
      explanation:
        "Regular pools carry the guide's startup taint node.cilium.io/agent-not-ready and scale with cluster-autoscaler. With no node left in the pool it simulates a new node from the pool's template, taints included: Pods that do not tolerate the taint look unschedulable there, and the pool never scales up from zero. With at least one node, the autoscaler copies a real node, whose taint Cilium has already removed. Keep nodePool.minSize at 1 or more, or set nodePool.startupTaint to false. (A native pool with startupTaint true gets a key the autoscaler ignores, set in the chart's agentNotReadyTaintKey too; Karpenter pools use startupTaints, which Karpenter understands.)",
      source: "guide: install.md (regular node pool taint); cluster-autoscaler template-node behaviour",
    },
  ] as const,
  profileRules: [
    {
      code: "NODE_POOL_SIZE",
      check: (p) => (p.nodePool.minSize > p.nodePool.maxSize ? [{ pointer: "/nodePool/minSize", message: `minSize ${p.nodePool.minSize} is above maxSize ${p.nodePool.maxSize}` }] : []),
    },
    {
      code: "STARTUP_TAINT_WITH_AUTOSCALING",
      check: (p) =>
        p.nodePool.type === "regular" && (p.nodePool.startupTaint ?? true) && p.nodePool.minSize === 0 && p.nodePool.maxSize > 0
          ? [{ pointer: "/nodePool/minSize", message: "a pool that scales from zero with the startup taint may never scale up; keep minSize at 1 or more" }]
          : [],
    },
  ],
  examples: [
    { code: "NODE_POOL_SIZE", fires: { nodePool: { type: "regular", minSize: 4, maxSize: 3 } }, pointer: "/nodePool/minSize", quiet: { nodePool: { type: "regular", minSize: 3, maxSize: 3 } } },
    { code: "STARTUP_TAINT_WITH_AUTOSCALING", fires: { nodePool: { type: "regular", minSize: 0 } },
      pointer: "/nodePool/minSize",
      severity: "warning",
      quiet: { nodePool: { type: "regular", minSize: 0, startupTaint: false } } },
  ],
  resolve: (p, { name, features }) => {
    const terraform = deriveTerraform(p, name, features);
    return terraform.cluster === null && terraform.nodePool === null ? null : { ...terraform, startupTaint: features.startupTaint };
  },
  files: (terraform, context) => emitTerraform(terraform, context),
  delivery: ({ cluster, nodePool }) => ({
    terraform: [
      ...(cluster ? [{ dir: cluster.dir, phase: "before-install" as const, what: "the cluster, without nodes" }] : []),
      ...(nodePool ? [{ dir: nodePool.dir, phase: "after-install" as const, what: "the node pool" }] : []),
    ],
  }),
  plan: ({ cluster, nodePool, startupTaint }) =>
    nodePool === null
      ? []
      : [
          {
            kind: "say",
            id: "terraform-pools/next",
            phase: "next-steps",
            text:
              `Now create the node pool, from this bundle's folder: terraform -chdir=${nodePool.dir} init && terraform -chdir=${nodePool.dir} apply` +
              (cluster ? ` -var cluster_id=CLUSTER_ID, where CLUSTER_ID is what terraform -chdir=${cluster.dir} output -raw cluster_id prints` : ""),
            undo: startupTaint === null ? null : untaintUndo(nodePool, startupTaint),
          },
        ],
});

/**
 * The pools' startup taint after uninstall: off the live nodes (uninstall.sh), and out of the pools' template
 * by the user, whose Terraform state it is: the exact change, printed under "What is left to do".
 */
function untaintUndo(root: TfRoot, taint: { key: string; value: string; effect: string }): Extract<PlanStep, { kind: "say" }>["undo"] {
  const pools = [
    ...[root.nativePool, root.egressNativePool].flatMap((p) => (p !== null && p.taints.some((t) => t.key === taint.key) ? [`${RESOURCES.nativeNodePool.type}.${p.name}`] : [])),
    ...[root.regularPool, root.egressRegularPool].flatMap((p) => (p !== null && p.taints.some((t) => t.key === taint.key) ? [`${RESOURCES.regularNodePool.type}.${p.name}`] : [])),
  ];
  return {
    kind: "commands",
    phase: "restore",
    title: "Take Cilium's startup taint off the nodes",
    script: untaintNodesSnippet(taint.key),
    needsBundleFiles: false,
    tell:
      `Cilium's startup taint stays in the node pools' template, so their new nodes would never become Ready: in ${root.dir}/main.tf delete the taints block with key = "${taint.key}" ` +
      `(value = "${taint.value}", effect = "${taint.effect}") from ${pools.join(" and ")}, then terraform -chdir=${root.dir} apply ` +
      `(or set nodePool.startupTaint to false in the profile, render, and apply that). The Terraform state is yours: uninstall.sh does not run Terraform.`,
  };
}
