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
  ] as const,
  profileRules: [
    {
      code: "GR_NATIVE_UNSUPPORTED",
      check: (p) => (p.cluster.network === "gr" && p.cilium.mode === "native" ? [{ pointer: "/cilium/mode", message: "native mode does not work on GR clusters; set cilium.mode to overlay or use cluster.network vpc-cni" }] : []),
    },
  ],

  examples: [
    { code: "GR_NATIVE_UNSUPPORTED", fires: { cluster: { network: "gr" } }, pointer: "/cilium/mode", quiet: { cluster: { network: "vpc-cni" } } },
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
