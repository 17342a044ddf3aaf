import type { FilledProfile } from "../profile.js";
import type { CheckedSettings } from "../settings.js";
import type { Code } from "./codes.js";
import { LABEL_VALUE_MAX } from "../knowledge/gitops.js";
import { finalValueAt, mapValueAt } from "../derive/helm.js";
import { SELF_MANAGED_BUNDLE_RULES } from "../capabilities/self-managed.js";
import { show } from "../validate.js";
import { extraPointer, onTkeOnly, type Finding } from "./finding.js";

/** A check on the derived bundle (its checked Settings, with the final merged Helm values), run once derive has run once. */
export interface BundleRule {
  code: Code;
  check: (settings: CheckedSettings, profile: FilledProfile) => Finding[];
}

export const BUNDLE_RULES: readonly BundleRule[] = onTkeOnly<Parameters<BundleRule["check"]>, BundleRule>([
  {
    code: "GITOPS_NAME_TOO_LONG",
    check: (s) =>
      s.gitops?.engine === "argocd" && s.gitops.name.length > LABEL_VALUE_MAX
        ? [{ pointer: "/name", message: `the Argo CD Application "${s.gitops.name}" has ${s.gitops.name.length} characters; a label value holds ${LABEL_VALUE_MAX}: shorten the profile's name` }]
        : [],
  },
  {
    code: "GITOPS_NEEDS_VPC_CIDRS",
    check: (s) =>
      s.gitops !== null && s.plan.some((step) => step.id === "masquerade/vpc-cidrs")
        ? [{ pointer: "/cluster/vpcCidrs", message: `masquerading in native mode needs the VPC's CIDRs in ipMasqAgent.config.nonMasqueradeCIDRs, and ${s.gitops.engine === "argocd" ? "Argo CD" : "Flux"} cannot read them from the cluster as install.sh does: list them in cluster.vpcCidrs (the VPC's primary and secondary CIDRs)` }]
        : [],
  },
  {
    code: "GITOPS_NEEDS_KUBE_DNS_IP",
    check: (s, p) =>
      s.gitops !== null && p.features.nodeLocalDns && p.cluster.kubeDnsIP === undefined
        ? [{ pointer: "/cluster/kubeDnsIP", message: `NodeLocal DNSCache needs kube-dns's ClusterIP, and ${s.gitops.engine === "argocd" ? "Argo CD" : "Flux"} cannot read it from the cluster as install.sh does: set cluster.kubeDnsIP (kubectl -n kube-system get service kube-dns -o jsonpath='{.spec.clusterIP}')` }]
        : [],
  },
  {
    code: "EXTRA_VALUE_OVERRIDE",
    check: (s) =>
      s.helm.flatMap((f) =>
        f.entries.flatMap((e) =>
          e.overrides.map((o) => ({
            pointer: extraPointer(o.extraPath),
            message: `overrides the bundle's ${o.bundlePath.join(".")}: ${show(o.bundleValue)} (${o.why})`,
          })),
        ),
      ),
  },
  {
    code: "ENVOY_WITH_DELEGATED_IPAM",
    check: (s, p) => {
      if (at(s, "ipam.mode") !== "delegated-plugin") return [];
      return ENVOY_SWITCHES.filter((path) => at(s, path) === true).map((path) => ({
        pointer: pointerOf(p, path, path === "gatewayAPI.enabled" && p.features.gatewayApi ? "/features/gatewayApi" : "/cilium/mode"),
        message: `${path} turns on the Envoy config, which cilium-agent refuses with ipam.mode delegated-plugin (native mode): use cilium.mode overlay`,
      }));
    },
  },
  {
    code: "IPSEC_ON_VPC_CNI",
    check: (s, p) => {
      const ipsec = at(s, "encryption.enabled") === true && (at(s, "encryption.type") ?? "ipsec") === "ipsec";
      return ipsec && p.cilium.mode === "native" ? [{ pointer: pointerOf(p, "encryption.type", pointerOf(p, "encryption.enabled", p.features.encryption === "ipsec" ? "/features/encryption" : "/cilium/mode")), message: "IPsec does not work for Pods on VPC-CNI (native mode): use encryption.type wireguard" }] : [];
    },
  },
  {
    code: "CLUSTERMESH_WITH_EGRESS_GATEWAY",
    check: (s, p) => {
      const mesh = ["clustermesh.useAPIServer", "clustermesh.config.enabled"].find((path) => at(s, path) === true);
      return mesh && at(s, "egressGateway.enabled") === true
        ? [{ pointer: pointerOf(p, mesh, p.clusterMesh !== undefined ? "/clusterMesh" : "/features/egressGateway"), message: `${mesh} (Cluster Mesh) cannot run with the egress gateway (features.egressGateway)` }]
        : [];
    },
  },
  {
    code: "GATEWAY_API_WITHOUT_HOST_NETWORK",
    check: (s, p) => {
      // the chart's default for gatewayAPI.hostNetwork.enabled is false
      return at(s, "gatewayAPI.enabled") === true && at(s, "gatewayAPI.hostNetwork.enabled") !== true && at(s, "ipam.mode") !== "delegated-plugin"
        ? [{ pointer: pointerOf(p, "gatewayAPI.hostNetwork.enabled", pointerOf(p, "gatewayAPI.enabled", "/cilium/extraValues")), message: "Gateway API on TKE needs gatewayAPI.hostNetwork.enabled: true" }]
        : [];
    },
  },
  {
    code: "AUTO_DIRECT_ROUTES_WITH_TUNNEL",
    check: (s, p) => {
      return at(s, "autoDirectNodeRoutes") === true && at(s, "routingMode") === "tunnel"
        ? [{ pointer: pointerOf(p, "autoDirectNodeRoutes", "/cilium/mode"), message: "autoDirectNodeRoutes cannot be used with routingMode tunnel (overlay mode): cilium-agent refuses to start" }]
        : [];
    },
  },
  {
    code: "FLOW_LOGS_WITHOUT_HUBBLE",
    check: (s, p) =>
      at(s, "hubble.export.dynamic.enabled") === true && at(s, "hubble.enabled") === false
        ? [{ pointer: pointerOf(p, "hubble.enabled", "/features/flowLogs"), message: "flow logs are written by the Hubble server, which hubble.enabled false turns off: remove it, or turn features.flowLogs off" }]
        : [],
  },
  {
    code: "TUNNEL_WITHOUT_MASQUERADE",
    check: (s, p) => {
      // the chart's default for enableIPv4Masquerade is true
      return at(s, "routingMode") === "tunnel" && at(s, "enableIPv4Masquerade") === false
        ? [{ pointer: pointerOf(p, "enableIPv4Masquerade", "/cilium/mode"), message: "routingMode tunnel needs enableIPv4Masquerade: Pod addresses exist only inside the tunnels" }]
        : [];
    },
  },
], (_settings, p) => p).concat(SELF_MANAGED_BUNDLE_RULES);

/** The switches that turn on cilium-agent's Envoy config. */
const ENVOY_SWITCHES = ["gatewayAPI.enabled", "ingressController.enabled", "envoyConfig.enabled"] as const;

/** A value of the bundle's final Helm values (every file merged, extraValues included). */
function at(s: CheckedSettings, dotted: string): unknown {
  return finalValueAt(s.helm, dotted.split("."));
}

/** Where a value came from: its cilium.extraValues path when the profile set it there, else the field given. */
function pointerOf(p: FilledProfile, dotted: string, fallback: string): string {
  const path = dotted.split(".");
  return mapValueAt(p.cilium.extraValues, path) !== undefined ? extraPointer(path) : fallback;
}
