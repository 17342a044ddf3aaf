import vpcCidrs from "./vpc-cidrs.sh.hbs?raw";
import { RFC1918_CIDRS } from "../../knowledge/features.js";
import { IP_MASQ_AGENT_CONFIGMAP } from "../../knowledge/tke.js";
import { WHY_VARIANT } from "../../knowledge/why.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { meshPeerPodRanges } from "../../mesh-peers.js";
import { check } from "../../plan/step.js";
import { defineCapability } from "../capability.js";

/**
 * Cilium's ipMasqAgent: Pods leave the VPC through their node's address (features.masquerade in native mode,
 * and always with the egress gateway). In native mode the VPC's ranges stay unmasqueraded: the profile's, or
 * read by install.sh from TKE's ip-masq-agent-config when the profile gives none.
 */
export const masquerade = defineCapability({
  id: "masquerade",
  kind: "add-on",
  summary: "Cilium's ipMasqAgent with BPF masquerading; the VPC's ranges (and a mesh's peers') left unmasqueraded",
  fields: ["/features/masquerade", "/cluster/vpcCidrs"],
  codes: [
    {
      code: "MASQUERADE_WITHOUT_VPC_CIDRS",
      stage: "bundle",
      severity: "warning",
      title: "native masquerading needs the VPC's CIDRs",
      explanation:
        "With BPF masquerade in native mode, ipMasqAgent.config.nonMasqueradeCIDRs must cover every VPC range (primary and secondary), or cross-node Pod traffic is SNATed and loses its identity. Without cluster.vpcCidrs the values file falls back to the three RFC 1918 ranges, and install.sh reads the exact ranges from the ip-masq-agent-config ConfigMap when it can. Set cluster.vpcCidrs to make the bundle exact.",
      source: "guide: egress-gateway.md (nonMasqueradeCIDRs), appendix/masquerading.md",
    },
    {
      code: "MASQUERADE_IN_OVERLAY",
      stage: "profile",
      severity: "warning",
      title: "features.masquerade has no effect in overlay mode",
      explanation: "Overlay mode always masquerades Pod traffic leaving the cluster; the switch only matters in native mode.",
      source: "guide: install.md FAQ (how can Pods access the public network)",
    },
    {
      code: "NATIVE_WITHOUT_MASQUERADE",
      stage: "profile",
      severity: "warning",
      title: "native mode without masquerading: Pods need a NAT gateway to reach the internet",
      explanation:
        "In native mode Pods have VPC addresses. Without masquerading their traffic leaves with those addresses, so it reaches the internet only through a NAT gateway; the node's public IP (EIP) is not used. The guide's installer turns masquerading on by default for that reason. Set features.masquerade to true to leave through the node's address, or to false to say the VPC has a NAT gateway (this silences the warning).",
      source: "guide: appendix/masquerading.md; static/scripts/cilium.sh (masquerade default)",
    },
  ] as const,
  bundleRules: [
    {
      code: "MASQUERADE_WITHOUT_VPC_CIDRS",
      check: (s) =>
        s.gitops === null && s.plan.some((step) => step.id === "masquerade/vpc-cidrs")
          ? [{ pointer: "/cluster/vpcCidrs", message: "no cluster.vpcCidrs: nonMasqueradeCIDRs falls back to 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (install.sh prefers ip-masq-agent-config)" }]
          : [],
    },
  ],

  profileRules: [
    {
      code: "MASQUERADE_IN_OVERLAY",
      check: (p) => (p.cilium.mode === "overlay" && p.features.masquerade ? [{ pointer: "/features/masquerade", message: "overlay mode already masquerades; remove features.masquerade" }] : []),
    },
    {
      code: "NATIVE_WITHOUT_MASQUERADE",
      check: (p) =>
        p.cilium.mode === "native" && p.features.masquerade === undefined && !p.features.egressGateway
          ? [{ pointer: "/features", message: "native mode without features.masquerade: Pods reach the internet only through a NAT gateway, not the node's EIP; set masquerade true (the guide installer's default), or false if the VPC has a NAT gateway" }]
          : [],
    },
  ],
  examples: [
    { code: "MASQUERADE_WITHOUT_VPC_CIDRS", fires: { features: { masquerade: true } },
      pointer: "/cluster/vpcCidrs",
      severity: "warning",
      quiet: { cluster: { vpcCidrs: ["10.0.0.0/16"] }, features: { masquerade: true } } },
    { code: "MASQUERADE_IN_OVERLAY", fires: { cilium: { mode: "overlay" }, features: { masquerade: true } },
      pointer: "/features/masquerade",
      severity: "warning",
      quiet: { cilium: { mode: "overlay" } } },
    { code: "NATIVE_WITHOUT_MASQUERADE", fires: { features: {} }, pointer: "/features", quiet: { features: { masquerade: false } } },
  ],
  resolve: (p, { features, mesh, profilePath }) => {
    if (!features.masqAgent) return null;
    // overlay: an empty list would make Cilium fall back to every private range (cilium#11409), so Pod → VPC
    // traffic would leave with an overlay Pod IP the VPC cannot route back; only the overlay's own ranges stay
    if (p.cilium.mode !== "native") return { native: null, overlay: { podCidrs: [...p.cilium.podCidrs] } };
    const own = p.cluster.vpcCidrs.length > 0 ? p.cluster.vpcCidrs : [...RFC1918_CIDRS];
    const peers = meshPeerPodRanges(p, profilePath, mesh).filter((cidr) => !own.includes(cidr));
    return { overlay: null, native: { own, peers, fromCluster: p.cluster.vpcCidrs.length === 0 ? { configMap: IP_MASQ_AGENT_CONFIGMAP, fallback: [...RFC1918_CIDRS] } : null } };
  },
  values: ({ native, overlay }) => ({
    features: [
      ...(native ? [entry("bpf.masquerade", true)] : []),
      entry("ipMasqAgent.enabled", true),
      entry("ipMasqAgent.config.masqLinkLocal", true),
      ...(native === null
        ? overlay === null
          ? []
          : [entry("ipMasqAgent.config.nonMasqueradeCIDRs", overlay.podCidrs, WHY_VARIANT["ipMasqAgent.config.nonMasqueradeCIDRs.overlay"])]
        : [
            native.peers.length === 0
              ? entry("ipMasqAgent.config.nonMasqueradeCIDRs", native.own)
              : entry("ipMasqAgent.config.nonMasqueradeCIDRs", [...native.own, ...native.peers], WHY_VARIANT["ipMasqAgent.config.nonMasqueradeCIDRs.mesh"]),
          ]),
    ],
  }),
  plan: ({ native }) =>
    native?.fromCluster
      ? [
          check(
            "masquerade/vpc-cidrs",
            "reads",
            { template: vpcCidrs, words: { configMap: native.fromCluster.configMap }, texts: { configMapText: native.fromCluster.configMap, fallbackText: native.fromCluster.fallback.join(",") } },
            { provide: ["masq_args", "BUNDLE_ID"], helmArgs: { variable: "masq_args", position: "after-values" } },
          ),
        ]
      : [],
});
