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
