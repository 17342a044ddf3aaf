import connect from "./connect.sh.hbs?raw";
import network from "./network.sh.hbs?raw";
import notOurs from "./not-ours.sh.hbs?raw";
import restore from "./restore.sh.hbs?raw";
import { NETWORK_AGENTS, TKE_MANAGED_CILIUM_IMAGE_MARK } from "../../knowledge/lifecycle.js";
import { APISERVER_VIP_RANGE, ENI_IP_UNAVAILABLE_TAINT, KNOWN_REGIONS, LOCAL_ROUTER_IPV4, IP_MASQ_AGENT_CONSOLE_NOTE, NOT_SUPER_NODES_SELECTOR, NOWHERE_NODE_SELECTOR, OPERATOR_TOLERATION_KEYS, REPLACED_DAEMONSETS, STARTUP_TAINT, SUPER_NODE_INSTANCE_TYPE } from "../../knowledge/tke.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { check } from "../../plan/step.js";
import { inRange } from "../../text/cidr.js";
import { nearest } from "../../text/nearest.js";
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
  codes: [
    {
      code: "VIP_NOT_LINK_LOCAL",
      stage: "profile",
      severity: "error",
      title: "apiserverVIP must be TKE's 169.254.x.x apiserver address",
      explanation:
        "Cilium's kube-proxy replacement intercepts traffic to Service and load-balancer addresses. If k8sServiceHost is the intranet CLB VIP (or a name resolving to it), cilium-agent's own apiserver connection goes through Cilium's BPF load balancer; when that state is flushed the agent loses the apiserver for good (\"operation not permitted\"). TKE also exposes the apiserver on a link-local VIP Cilium leaves alone. Read it with: kubectl get ep kubernetes -n default -o jsonpath='{.subsets[0].addresses[0].ip}'.",
      source: "guide: install.md FAQ and appendix/troubleshooting/connect-apiserver-operation-not-permitted.md",
    },
    {
      code: "VIP_IS_LOCAL_ROUTER",
      stage: "profile",
      severity: "error",
      title: "apiserverVIP must differ from the cilium_host address",
      explanation: `In native mode Cilium gives cilium_host the fixed address ${LOCAL_ROUTER_IPV4} on every node (extraConfig.local-router-ipv4). An apiserver VIP equal to it would be routed to the node itself.`,
      source: "seed 000 tke-values.yaml; guide install.md",
    },
    {
      code: "UNKNOWN_REGION",
      stage: "profile",
      severity: "warning",
      title: "region is not one tke-cilium knows",
      explanation:
        "The region goes into the Terraform provider block and picks the image mirror and the connectivity test's targets. tke-cilium knows the public regions, the finance zones and the edge zones the guide's installer lists (ap-qingyuan, ap-tianjin, ap-hangzhou-ec...); a region it does not know is rendered as given, as an overseas one (no mainland mirror default). Check the spelling; if the region is new, the bundle still works.",
      source: "Tencent Cloud region list; guide: static/scripts/cilium.sh (is_china_region)",
    },
  ] as const,
  profileRules: [
    {
      code: "VIP_NOT_LINK_LOCAL",
      check: (p) => (inRange(p.apiserverVIP, APISERVER_VIP_RANGE) ? [] : [{ pointer: "/apiserverVIP", message: `${p.apiserverVIP} is not in ${APISERVER_VIP_RANGE}; use the address of the default/kubernetes endpoint, never the CLB VIP` }]),
    },
    {
      code: "VIP_IS_LOCAL_ROUTER",
      check: (p) => (p.apiserverVIP === LOCAL_ROUTER_IPV4 ? [{ pointer: "/apiserverVIP", message: `${LOCAL_ROUTER_IPV4} is the cilium_host address on every node; it cannot be the apiserver VIP` }] : []),
    },
    {
      code: "UNKNOWN_REGION",
      check: (p) => {
        if (KNOWN_REGIONS.has(p.region)) return [];
        const guess = nearest(p.region, [...KNOWN_REGIONS]);
        return [{ pointer: "/region", message: `${p.region} is not a region tke-cilium knows${guess ? `; did you mean ${guess}?` : ""} (the bundle is rendered as given)`, ...(guess ? { suggestion: guess } : {}) }];
      },
    },
  ],
  examples: [
    { code: "VIP_NOT_LINK_LOCAL", fires: { apiserverVIP: "10.1.2.3" }, pointer: "/apiserverVIP", quiet: { apiserverVIP: "169.254.255.254" } },
    { code: "VIP_IS_LOCAL_ROUTER", fires: { apiserverVIP: "169.254.32.16" }, pointer: "/apiserverVIP", quiet: { apiserverVIP: "169.254.32.17" } },
    { code: "UNKNOWN_REGION", fires: { region: "ap-mars" }, pointer: "/region", quiet: { region: "ap-qingyuan" } },
  ],
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
  prelude: (s) => ({ apiserverVIP: s.apiserverVIP, nodesSelector: NOT_SUPER_NODES_SELECTOR, lastTell: IP_MASQ_AGENT_CONSOLE_NOTE }),
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
