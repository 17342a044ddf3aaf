import untaintNodes from "./untaint-nodes.sh.hbs?raw";
import type { Snippet } from "../plan/step.js";

/**
 * Shared by the node pools that place Cilium's startup taint (Karpenter's startupTaints, the Terraform pools'
 * taints): uninstall.sh takes it off the live nodes that still carry it, as `kubectl taint nodes --all KEY-`
 * would, without failing on the nodes that do not.
 */
export function untaintNodesSnippet(key: string): Snippet {
  return { template: untaintNodes, words: { taintKey: key, taintRemoval: `${key}-` } };
}
