import type { FilledProfile } from "../../profile.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** TKE's annotation that makes a LoadBalancer Service an internal CLB in the given subnet. */
const INTERNAL_SUBNET_ANNOTATION = "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid";

/** The subnet of the UI's internal CLB: the profile's choice, else the nodes', else the apiserver's; null when none is known. */
function uiSubnet(p: FilledProfile): string | null {
  const asked = p.features.hubbleUiClb;
  const chosen = typeof asked === "object" ? asked.subnetId : undefined;
  return chosen ?? p.nodePool.subnetIds[0] ?? p.cluster.intranetSubnetId ?? null;
}

/**
 * features.hubbleUiClb: the Hubble UI reachable from the VPC (an office VPN, a bastion) through a TKE internal
 * CLB, instead of kubectl port-forward. The chart's hubble-ui Service takes its type and annotations from
 * hubble.ui.service (Cilium 1.18 to 1.20).
 */
export const hubbleUiClb = defineCapability({
  id: "hubble-ui-clb",
  kind: "add-on",
  summary: "the Hubble UI behind a TKE internal CLB (hubble-ui Service of type LoadBalancer in a VPC subnet)",
  fields: ["/features/hubbleUiClb"],
  codes: [
    {
      code: "HUBBLE_UI_CLB_WITHOUT_HUBBLE",
      stage: "profile",
      severity: "error",
      title: "the Hubble UI's CLB needs the Hubble UI",
      explanation: "features.hubbleUiClb exposes the hubble-ui Service, which the chart creates only with Hubble Relay and UI on: set features.hubble true, or drop features.hubbleUiClb.",
      source: "cilium chart: templates/hubble-ui/service.yaml",
    },
    {
      code: "HUBBLE_UI_CLB_WITHOUT_SUBNET",
      stage: "profile",
      severity: "error",
      title: "the Hubble UI's internal CLB needs a subnet",
      explanation:
        "A TKE internal CLB takes its address from a VPC subnet named in the service.kubernetes.io/qcloud-loadbalancer-internal-subnetid annotation. Give features.hubbleUiClb.subnetId, or nodePool.subnetIds or cluster.intranetSubnetId, whose first subnet is used.",
      source: "TKE: Service annotations (qcloud-loadbalancer-internal-subnetid)",
    },
  ] as const,
  profileRules: [
    {
      code: "HUBBLE_UI_CLB_WITHOUT_HUBBLE",
      check: (p) =>
        p.features.hubbleUiClb !== false && !p.features.hubble
          ? [{ pointer: "/features/hubbleUiClb", message: "the hubble-ui Service exists only with features.hubble true: turn Hubble on, or drop hubbleUiClb" }]
          : [],
    },
    {
      code: "HUBBLE_UI_CLB_WITHOUT_SUBNET",
      check: (p) =>
        p.features.hubbleUiClb !== false && uiSubnet(p) === null
          ? [{ pointer: "/features/hubbleUiClb", message: "the internal CLB needs a subnet: give hubbleUiClb.subnetId (or nodePool.subnetIds, or cluster.intranetSubnetId)" }]
          : [],
    },
  ],
  examples: [
    {
      code: "HUBBLE_UI_CLB_WITHOUT_HUBBLE",
      fires: { nodePool: { type: "native", subnetIds: ["subnet-1"] }, features: { hubbleUiClb: true } },
      pointer: "/features/hubbleUiClb",
      quiet: { nodePool: { type: "native", subnetIds: ["subnet-1"] }, features: { hubble: true, hubbleUiClb: true } },
    },
    {
      code: "HUBBLE_UI_CLB_WITHOUT_SUBNET",
      fires: { features: { hubble: true, hubbleUiClb: true } },
      pointer: "/features/hubbleUiClb",
      quiet: { features: { hubble: true, hubbleUiClb: { subnetId: "subnet-ui" } } },
    },
  ],
  resolve: (p) => {
    const subnet = p.features.hubbleUiClb === false ? null : uiSubnet(p);
    return subnet === null ? null : { subnet };
  },
  values: ({ subnet }) => ({
    features: [
      entry("hubble.ui.service.type", "LoadBalancer", "the Hubble UI behind a TKE CLB (features.hubbleUiClb)"),
      entry("hubble.ui.service.annotations", { [INTERNAL_SUBNET_ANNOTATION]: subnet }, "an internal CLB: its address from this VPC subnet, not the internet"),
    ],
  }),
  plan: () => [
    {
      kind: "say",
      id: "hubble-ui-clb/next",
      phase: "next-steps",
      text: "Open the Hubble UI at the internal CLB's address from inside the VPC: kubectl -n kube-system get service hubble-ui",
      undo: null,
    },
  ],
});
