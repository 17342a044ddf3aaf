import connect from "./connect.sh.hbs?raw";
import network from "./network.sh.hbs?raw";
import notOurs from "./not-ours.sh.hbs?raw";
import restore from "./restore.sh.hbs?raw";
import { NETWORK_AGENTS, TKE_MANAGED_CILIUM_IMAGE_MARK } from "../../knowledge/lifecycle.js";
import { ENI_IP_UNAVAILABLE_TAINT, NOWHERE_NODE_SELECTOR, OPERATOR_TOLERATION_KEYS, REPLACED_DAEMONSETS, STARTUP_TAINT, SUPER_NODE_INSTANCE_TYPE } from "../../knowledge/tke.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { check } from "../../plan/step.js";
import { defineCapability } from "../capability.js";

const NETWORK_NAMES = { "vpc-cni": "VPC-CNI", gr: "GlobalRouter (GR)" } as const;

/**
 * The TKE platform: the values that adapt the chart to a TKE cluster (its apiserver VIP, super nodes, the
 * ENI taint), the checks that kubectl points at the cluster the profile describes, and TKE's own
 * networking DaemonSets switched off before the chart and scheduled again by uninstall.
 */
export const tke = defineCapability({
  id: "tke",
  kind: "platform",
  summary: "Tencent Kubernetes Engine: apiserver VIP, VPC-CNI or GR, super nodes, TKE's DaemonSets replaced",
  fields: ["/region", "/apiserverVIP", "/apiserverPort", "/cluster/network", "/features/localRedirectPolicy"],
  resolve: (p, { features }) => {
    const other = p.cluster.network === "vpc-cni" ? "gr" : "vpc-cni";
    return {
      apiserverVIP: p.apiserverVIP,
      apiserverPort: p.apiserverPort,
      localRedirectPolicy: p.features.localRedirectPolicy,
      startupTaintKey: features.startupTaint !== null && features.startupTaint.key !== STARTUP_TAINT.key ? features.startupTaint.key : null,
      tolerationKeys: [...OPERATOR_TOLERATION_KEYS, ...(p.cluster.network === "vpc-cni" ? [ENI_IP_UNAVAILABLE_TAINT] : [])],
      network: { name: NETWORK_NAMES[p.cluster.network], agent: NETWORK_AGENTS[p.cluster.network], otherName: NETWORK_NAMES[other], otherAgent: NETWORK_AGENTS[other] },
      daemonSets: REPLACED_DAEMONSETS,
    };
  },
  values: (s) => ({
    tke: [
      ...(s.startupTaintKey === null ? [] : [entry("agentNotReadyTaintKey", s.startupTaintKey)]),
      entry("localRedirectPolicies.enabled", s.localRedirectPolicy),
      entry("kubeProxyReplacement", "true"),
      entry("k8sServiceHost", s.apiserverVIP),
      entry("k8sServicePort", s.apiserverPort),
      entry("rollOutCiliumPods", true),
      entry("operator.rollOutPods", true),
      entry("envoy.rollOutPods", true),
      entry(
        "operator.tolerations",
        s.tolerationKeys.map((key) => ({ key, operator: "Exists" })),
      ),
      entry("operator.affinity", {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: SUPER_NODE_INSTANCE_TYPE.label, operator: "NotIn", values: [SUPER_NODE_INSTANCE_TYPE.value] }] }],
          },
        },
      }),
    ],
  }),
  plan: (s) => {
    const n = s.network;
    const key = Object.keys(NOWHERE_NODE_SELECTOR)[0];
    return [
      check("tke/connect", "connect", { template: connect }),
      check("tke/network", "inspect-cluster", { template: network, words: { agent: n.agent, otherAgent: n.otherAgent }, texts: { agentText: n.agent, otherAgentText: n.otherAgent, nameText: n.name, otherNameText: n.otherName } }),
      check("tke/not-ours", "inspect-cluster", { template: notOurs, texts: { markText: TKE_MANAGED_CILIUM_IMAGE_MARK } }, { need: ["installed_version"] }),
      {
        kind: "patch",
        id: "tke/switch-off",
        phase: "switch-off",
        title: "Switch off TKE's kube-proxy, tke-cni-agent and ip-masq-agent (kept, scheduled nowhere)",
        daemonSets: s.daemonSets,
        nodeSelector: NOWHERE_NODE_SELECTOR,
        undo: {
          kind: "commands",
          phase: "restore",
          title: "Schedule TKE's networking DaemonSets again",
          script: {
            template: restore,
            lists: { daemonSets: s.daemonSets.map((d) => d.name) },
            words: { selectorPath: `{.spec.template.spec.nodeSelector.${key}}`, removePatch: JSON.stringify([{ op: "remove", path: `/spec/template/spec/nodeSelector/${key}` }]) },
          },
          needsBundleFiles: false,
        },
      },
    ];
  },
});
