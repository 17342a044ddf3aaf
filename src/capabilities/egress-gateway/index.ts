import renderEgressPolicy from "./policy.sh.hbs?template";
import { EGRESS_NODE } from "../../knowledge/addons.js";
import { ADDON_LABEL, BUNDLE_FILES, MANAGED_BY_LABEL } from "../../knowledge/bundle.js";
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
  codes: [
    {
      code: "EGRESS_POOL_WITHOUT_GATEWAY",
      stage: "profile",
      severity: "error",
      title: "an egress pool without the egress gateway",
      explanation:
        "nodePool.egress creates the nodes a CiliumEgressGatewayPolicy sends Pods' traffic out through. Without features.egressGateway the policy CRD does nothing and the pool's public IPs are paid for nothing. Turn the egress gateway on, or drop the pool.",
      source: "guide: egress-gateway.md (Creating Egress Nodes)",
    },
    {
      code: "EGRESS_POOL_ON_KARPENTER",
      stage: "profile",
      severity: "error",
      title: "an egress pool needs a fixed size, which Karpenter does not keep",
      explanation:
        "The guide's egress nodes are a fixed set: each one's public IP is an address the outside world allows, and the policies name the nodes. Karpenter launches and removes nodes to fit pending Pods, so its pools have no fixed size. Render the egress pool with a native or regular nodePool.type.",
      source: "guide: egress-gateway.md (egress node pools typically do not autoscale)",
    },
    {
      code: "EGRESS_POOL_SAME_NAME",
      stage: "profile",
      severity: "error",
      title: "the egress pool needs its own name",
      explanation:
        "The egress pool is a second Terraform resource beside the node pool, of the same type; two resources of one type cannot share a name. Set nodePool.egress.name (default egress) to another name than nodePool.name (default cilium).",
      source: "tke-cilium",
    },
  ] as const,
  profileRules: [
    {
      code: "EGRESS_POOL_WITHOUT_GATEWAY",
      check: (p) =>
        p.nodePool.egress !== undefined && !p.features.egressGateway
          ? [{ pointer: "/nodePool/egress", message: "an egress pool serves Cilium's egress gateway: set features.egressGateway true, or remove nodePool.egress" }]
          : [],
    },
    {
      code: "EGRESS_POOL_ON_KARPENTER",
      check: (p) =>
        p.nodePool.egress !== undefined && p.nodePool.type === "karpenter"
          ? [{ pointer: "/nodePool/egress", message: "Karpenter sizes its pools to pending Pods, but an egress pool has a fixed size (its public IPs are what the outside allows): use a native or regular pool for a profile with nodePool.egress" }]
          : [],
    },
    {
      code: "EGRESS_POOL_SAME_NAME",
      check: (p) =>
        p.nodePool.egress !== undefined && p.nodePool.type !== "karpenter" && p.nodePool.egress.name === (p.nodePool.name ?? "cilium")
          ? [{ pointer: "/nodePool/egress/name", message: `the egress pool and the node pool are both named "${p.nodePool.egress.name}": give nodePool.egress.name another name` }]
          : [],
    },
  ],

  examples: [
    { code: "EGRESS_POOL_WITHOUT_GATEWAY", fires: { nodePool: { type: "native", egress: {} }, features: { egressGateway: false } },
      pointer: "/nodePool/egress",
      quiet: { nodePool: { type: "native", egress: {} }, features: { egressGateway: true } } },
    { code: "EGRESS_POOL_ON_KARPENTER", fires: { nodePool: { type: "karpenter", subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"], egress: {} }, features: { egressGateway: true } },
      pointer: "/nodePool/egress",
      quiet: { nodePool: { type: "regular", egress: {} }, features: { egressGateway: true } } },
    { code: "EGRESS_POOL_SAME_NAME", fires: { nodePool: { type: "native", name: "egress", egress: {} }, features: { egressGateway: true } },
      pointer: "/nodePool/egress/name",
      quiet: { nodePool: { type: "native", name: "egress", egress: { name: "egress-gw" } }, features: { egressGateway: true } } },
  ],
  // the policies egress-gateway-policy.sh printed (labelled as the add-on's); the user's own are left alone
  leftovers: [{ resource: "ciliumegressgatewaypolicies.cilium.io", namespace: null, crd: "ciliumegressgatewaypolicies.cilium.io" }],
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
      managedByKey: sh(MANAGED_BY_LABEL.key),
      managedByValue: sh(MANAGED_BY_LABEL.value),
      addonKey: sh(ADDON_LABEL),
      addonValue: sh("egress-gateway"),
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
