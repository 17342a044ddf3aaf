import renderEgressPolicy from "./policy.sh.hbs?template";
import { EGRESS_NODE } from "../../knowledge/addons.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { file } from "../../emit/output.js";
import { sh } from "../../text/shell.js";
import { defineCapability } from "../capability.js";

/**
 * features.egressGateway, and nodePool.egress: the egress nodes (Terraform pools make them) and the script
 * that prints a CiliumEgressGatewayPolicy over them once they run.
 */
export const egressGateway = defineCapability({
  id: "egress-gateway",
  kind: "add-on",
  summary: "Cilium's egress gateway, and egress-gateway-policy.sh for the egress nodes of nodePool.egress",
  fields: ["/features/egressGateway", "/nodePool/egress"],
  resolve: (p) =>
    !p.features.egressGateway
      ? null
      : { policy: p.nodePool.egress !== undefined && p.nodePool.type !== "karpenter" ? { script: BUNDLE_FILES.egressPolicy, label: { ...EGRESS_NODE.label } } : null },
  values: () => ({ features: [entry("egressGateway.enabled", true)] }),
  files: ({ policy }, { header }) => {
    if (policy === null) return [];
    const selector = `${policy.label.key}=${policy.label.value}`;
    const view = {
      header: header("Prints a CiliumEgressGatewayPolicy that sends chosen Pods' traffic out through the egress nodes."),
      script: policy.script,
      selector: sh(selector),
      selectorText: selector,
    };
    return [file(policy.script, renderEgressPolicy(view), 0o755)];
  },
  delivery: ({ policy }) => (policy === null ? {} : { scripts: { egressPolicy: policy.script } }),
  plan: ({ policy }) => [
    {
      kind: "say",
      id: "egress-gateway/next",
      phase: "next-steps",
      text:
        policy === null
          ? "Label egress nodes and write a CiliumEgressGatewayPolicy to route Pods through them"
          : `Once the egress pool's nodes are Ready, route Pods through them: ./${policy.script} NAME NAMESPACE | kubectl apply -f -`,
      undo: null,
    },
  ],
});
