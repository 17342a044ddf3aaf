import { defineCapability } from "../capability.js";
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
    return terraform.cluster === null && terraform.nodePool === null ? null : terraform;
  },
  files: (terraform, context) => emitTerraform(terraform, context),
  delivery: ({ cluster, nodePool }) => ({
    terraform: [
      ...(cluster ? [{ dir: cluster.dir, phase: "before-install" as const, what: "the cluster, without nodes" }] : []),
      ...(nodePool ? [{ dir: nodePool.dir, phase: "after-install" as const, what: "the node pool" }] : []),
    ],
  }),
  plan: ({ cluster, nodePool }) =>
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
            undo: null,
          },
        ],
});
