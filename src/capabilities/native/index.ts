import eniAgent from "./eni-agent.sh.hbs?raw";
import removeCniConfig from "./remove-cni-config.sh.hbs?raw";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { ENI_AGENT_VERSIONS } from "../../knowledge/lifecycle.js";
import { CNI_CONFIGMAP, CNI_CONFLIST, ENI_AGENT, LOCAL_ROUTER_IPV4 } from "../../knowledge/tke.js";
import { WHY_VARIANT } from "../../knowledge/why.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { file } from "../../emit/output.js";
import { check } from "../../plan/step.js";
import { literalBlock, manifestsToYaml } from "../../text/yaml.js";
import { compareVersions } from "../../text/version.js";
import { defineCapability } from "../capability.js";

/** cilium.mode native: Pods keep their VPC-CNI addresses; Cilium chained behind tke-route-eni (generic-veth). */
export const native = defineCapability({
  id: "native",
  kind: "datapath",
  summary: "native routing on VPC-CNI: Cilium chained behind TKE's tke-route-eni, Pods keep their ENI addresses",
  fields: ["/cilium/mode"],
  codes: [
    {
      code: "GR_NATIVE_UNSUPPORTED",
      stage: "profile",
      severity: "error",
      title: "GR clusters support overlay mode only",
      explanation:
        "On a GlobalRouter cluster, Cilium's chained native routing breaks cross-node Pod-to-Pod traffic and cannot enforce L7/DNS policies; the guide dropped that combination. Use cilium.mode overlay, or a VPC-CNI cluster.",
      source: "guide: appendix/gr-native-not-recommended.md",
    },
    {
      code: "ENI_AGENT_TOO_OLD",
      stage: "profile",
      severity: "error",
      title: "tke-eni-agent is too old for Cilium in native mode",
      explanation:
        "tke-eni-agent before v3.8.0 routes Pods with policy route table 2004, which Cilium's L7 proxy (Envoy) takes over: Pod traffic breaks once Cilium runs. install.sh checks the live version before it changes anything; cluster.eniAgentVersion says it in the profile, for review and for GitOps. Upgrade the eniipamd add-on in the TKE console (the guide recommends v3.8.3 or later), then update the field.",
      source: "guide: install.md (tke-eni-agent v3.8.0); seed 000 (v3.8.0-rc.0 patch)",
    },
    {
      code: "GITOPS_NEEDS_ENI_AGENT_VERSION",
      stage: "profile",
      severity: "error",
      title: "a native GitOps bundle cannot check tke-eni-agent's version in the cluster",
      explanation:
        "Native mode needs tke-eni-agent v3.8.0 or later (ENI_AGENT_TOO_OLD). install.sh reads the version from the live DaemonSet before the first install; a GitOps engine renders and applies from git alone, so the version the bundle is reviewed against must be in the profile: set cluster.eniAgentVersion to the tag of `kubectl -n kube-system get daemonset tke-eni-agent -o jsonpath='{.spec.template.spec.containers[0].image}'`, and update it when TKE upgrades the add-on.",
      source: "guide: install.md; tke-cilium",
    },
  ] as const,
  profileRules: [
    {
      code: "GR_NATIVE_UNSUPPORTED",
      check: (p) => (p.cluster.network === "gr" && p.cilium.mode === "native" ? [{ pointer: "/cilium/mode", message: "native mode does not work on GR clusters; set cilium.mode to overlay or use cluster.network vpc-cni" }] : []),
    },
    {
      code: "ENI_AGENT_TOO_OLD",
      check: (p) => {
        const v = p.cluster.eniAgentVersion;
        if (v === undefined || p.cilium.mode !== "native" || compareVersions(v.replace(/^v/, ""), ENI_AGENT_VERSIONS.minimum.slice(1)) >= 0) return [];
        return [{ pointer: "/cluster/eniAgentVersion", message: `tke-eni-agent ${v} uses policy route table 2004, which Cilium's L7 proxy takes over: upgrade the eniipamd add-on to ${ENI_AGENT_VERSIONS.recommended} or later in the TKE console, then update cluster.eniAgentVersion` }];
      },
    },
    {
      code: "GITOPS_NEEDS_ENI_AGENT_VERSION",
      check: (p, context) =>
        context.gitops && p.cilium.mode === "native" && p.cluster.eniAgentVersion === undefined
          ? [{ pointer: "/cluster/eniAgentVersion", message: `native mode needs tke-eni-agent ${ENI_AGENT_VERSIONS.minimum} or later, and ${context.gitops.config.engine === "argocd" ? "Argo CD" : "Flux"} cannot check the cluster as install.sh does: set cluster.eniAgentVersion (the tag of kubectl -n kube-system get daemonset tke-eni-agent -o jsonpath='{.spec.template.spec.containers[0].image}')` }]
          : [],
    },
  ],

  examples: [
    { code: "GR_NATIVE_UNSUPPORTED", fires: { cluster: { network: "gr" } }, pointer: "/cilium/mode", quiet: { cluster: { network: "vpc-cni" } } },
    { code: "ENI_AGENT_TOO_OLD", fires: { cluster: { eniAgentVersion: "v3.7.12" } }, pointer: "/cluster/eniAgentVersion", quiet: { cluster: { eniAgentVersion: "3.8.0" } } },
    { code: "GITOPS_NEEDS_ENI_AGENT_VERSION", fires: {}, pointer: "/cluster/eniAgentVersion", quiet: { cluster: { eniAgentVersion: "v3.8.3" } } },
  ],
  resolve: (p, { features }) =>
    p.cilium.mode !== "native"
      ? null
      : {
          masquerade: features.masquerade,
          cniConfig: { ...CNI_CONFIGMAP, conflist: CNI_CONFLIST, file: BUNDLE_FILES.cniConfig },
          eniAgent: { daemonSet: ENI_AGENT.daemonSet, minVersion: ENI_AGENT_VERSIONS.minimum, recommended: ENI_AGENT_VERSIONS.recommended },
        },
  values: (s) => ({
    tke: [
      entry("routingMode", "native"),
      entry("endpointRoutes.enabled", true),
      entry("ipam.mode", "delegated-plugin"),
      s.masquerade ? entry("enableIPv4Masquerade", true, WHY_VARIANT["enableIPv4Masquerade.masquerade"]) : entry("enableIPv4Masquerade", false),
      entry("devices", "eth+"),
      entry("cni.chainingMode", "generic-veth"),
      entry("cni.customConf", true),
      entry("cni.configMap", s.cniConfig.name),
      entry("cni.externalRouting", true),
      entry("extraConfig.local-router-ipv4", LOCAL_ROUTER_IPV4),
      entry("sysctlfix.enabled", false),
    ],
  }),
  files: (s, { header }) => {
    const cni = s.cniConfig;
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: cni.name, namespace: cni.namespace },
      data: { [cni.key]: literalBlock(JSON.stringify(cni.conflist, null, 2)) },
    };
    return [file(cni.file, manifestsToYaml(header("VPC-CNI's tke-route-eni chained with cilium-cni (generic-veth); apply before installing Cilium."), [configMap]))];
  },
  delivery: (s) => ({ manifests: [{ file: s.cniConfig.file, phase: "before-chart", what: "the chained CNI configuration cilium-agent reads (cni.configMap)" }] }),
  plan: ({ eniAgent: e, cniConfig: cni }) => [
    check("native/eni-agent", "requirements", { template: eniAgent, words: { daemonSet: e.daemonSet, min: e.minVersion, recommended: e.recommended }, texts: { nameText: e.daemonSet, minText: e.minVersion } }),
    {
      kind: "apply",
      id: "native/cni-config",
      phase: "before-chart",
      title: "Apply the chained CNI configuration",
      file: cni.file,
      serverSide: false,
      established: [],
      undo: {
        kind: "commands",
        phase: "after-chart-removal",
        title: "Delete the chained CNI configuration",
        script: { template: removeCniConfig, words: { name: cni.name, namespace: cni.namespace } },
        needsBundleFiles: false,
      },
    },
  ],
});
