import { K3S_CLEANUP_SCRIPT, K3S_FILES } from "../../knowledge/platforms.js";
import { file } from "../../emit/output.js";
import type { PlanStep } from "../../plan/step.js";
import { manifestsToYaml } from "../../text/yaml.js";
import { defineCapability } from "../capability.js";
import { selfManagedNodeSteps, selfManagedConnect, selfManagedNodeFiles, selfManagedPrelude, selfManagedSlice, selfManagedValues, type SelfManagedSlice } from "../self-managed.js";

/**
 * A k3s cluster (seed 004): the values of a self-managed cluster, the k3s server configuration that leaves
 * the network to Cilium (flannel and the network policy controller off, kube-proxy off with its replacement,
 * the same Pod and Service CIDRs), and a systemd drop-in that removes Cilium's interfaces and rules when k3s stops.
 */
export const k3s = defineCapability({
  id: "k3s",
  kind: "platform",
  platforms: ["k3s"],
  summary: "a k3s cluster: its server configuration for Cilium (flannel off), and the clean-up when k3s stops",
  fields: ["/platform", "/selfManaged", "/selfManaged/k3s"],
  codes: [
    {
      code: "K3S_FLANNEL_NOT_DISABLED",
      stage: "profile",
      severity: "error",
      title: "k3s runs flannel or its network policy controller beside Cilium",
      explanation:
        "k3s starts flannel (flannel-backend vxlan by default) and its own network policy controller unless told not to: beside Cilium two CNIs route the same Pods and two controllers write iptables rules for NetworkPolicies. k3s's custom-CNI guide and Cilium's k3s guide start the servers with flannel-backend none and disable-network-policy. Seed 004's cluster needed both gone before Cilium ran. Leave selfManaged.k3s.flannelBackend none and networkPolicy false.",
      source: "seed 004; k3s docs networking/basic-network-options; Cilium docs installation/k3s",
    },
    {
      code: "K3S_WITHOUT_CLEANUP_HOOK",
      stage: "profile",
      severity: "error",
      title: "k3s without the clean-up of Cilium's interfaces and rules",
      explanation:
        "k3s-killall.sh and k3s-uninstall.sh remove flannel's interfaces and KUBE rules but not cilium_host, cilium_net, cilium_vxlan or Cilium's iptables rules. Seed 004: stopped without removing them first, the server lost its network; after a crash Pods failed and CoreDNS resolved only cluster names, until the interfaces and rules were deleted and the Pods restarted. The bundle's drop-in runs cleanup-node.sh cilium when k3s stops; keep selfManaged.k3s.cleanupHook on.",
      source: "seed 004; k3s docs networking/basic-network-options (Cilium tab); k3s install.sh (k3s-killall.sh)",
    },
    {
      code: "K3S_KUBE_PROXY_REMOVE",
      stage: "profile",
      severity: "error",
      title: "k3s's kube-proxy is not a DaemonSet install.sh could remove",
      explanation:
        "k3s runs kube-proxy inside its own process: there is no DaemonSet to delete. Set selfManaged.kubeProxy absent: k3s-config.yaml carries disable-kube-proxy, which takes effect when each server restarts; then run cleanup-node.sh kube-proxy on every node for the rules it left.",
      source: "k3s docs reference/server-config (disable-kube-proxy); Cilium docs installation/k3s",
    },
  ] as const,
  profileRules: [
    {
      code: "K3S_FLANNEL_NOT_DISABLED",
      check: (p) => {
        const k = p.platform === "k3s" ? p.selfManaged?.k3s : undefined;
        if (k === undefined) return [];
        return [
          ...(k.flannelBackend === "none" ? [] : [{ pointer: "/selfManaged/k3s/flannelBackend", message: `flannel-backend ${k.flannelBackend} runs flannel beside Cilium: set it to none` }]),
          ...(k.networkPolicy ? [{ pointer: "/selfManaged/k3s/networkPolicy", message: "k3s's network policy controller would enforce NetworkPolicies beside Cilium: set networkPolicy false" }] : []),
        ];
      },
    },
    {
      code: "K3S_WITHOUT_CLEANUP_HOOK",
      check: (p) =>
        p.platform === "k3s" && p.selfManaged?.k3s?.cleanupHook === false
          ? [{ pointer: "/selfManaged/k3s/cleanupHook", message: "without the drop-in, stopping k3s leaves Cilium's interfaces and rules behind and the server can lose its network (seed 004)" }]
          : [],
    },
    {
      code: "K3S_KUBE_PROXY_REMOVE",
      check: (p) =>
        p.platform === "k3s" && p.selfManaged?.kubeProxy === "remove"
          ? [{ pointer: "/selfManaged/kubeProxy", message: "k3s's kube-proxy runs inside k3s: set kubeProxy absent (k3s-config.yaml disables it on restart)" }]
          : [],
    },
  ],
  examples: (() => {
    const cluster = { apiServer: { host: "10.0.0.10" }, podCidrs: ["100.127.0.0/16"], serviceCidr: "10.43.0.0/16", nodeCidrs: ["10.0.0.0/24"] };
    const on = (selfManaged: object) => ({ platform: "k3s", region: undefined, apiserverVIP: undefined, nodePool: undefined, selfManaged: { ...cluster, ...selfManaged } });
    return [
      { code: "K3S_FLANNEL_NOT_DISABLED" as const, fires: on({ k3s: { flannelBackend: "vxlan" } }), pointer: "/selfManaged/k3s/flannelBackend", quiet: on({ k3s: { flannelBackend: "none" } }) },
      { code: "K3S_WITHOUT_CLEANUP_HOOK" as const, fires: on({ k3s: { cleanupHook: false } }), pointer: "/selfManaged/k3s/cleanupHook", quiet: on({ k3s: { cleanupHook: true } }) },
      { code: "K3S_KUBE_PROXY_REMOVE" as const, fires: on({ kubeProxy: "remove" }), pointer: "/selfManaged/kubeProxy", quiet: on({ kubeProxy: "absent" }) },
    ];
  })(),
  resolve: (p) => {
    const s = selfManagedSlice(p, "k3s");
    if (s === null) return null;
    const k = p.selfManaged?.k3s;
    return { ...s, flannelBackend: k?.flannelBackend ?? "none", networkPolicy: k?.networkPolicy ?? false, cleanupHook: k?.cleanupHook ?? true };
  },
  prelude: (s) => selfManagedPrelude(s),
  values: (s) => ({ tke: selfManagedValues(s) }),
  files: (s, { header }) => [
    file(K3S_FILES.config, manifestsToYaml(header(`Copy to /etc/rancher/k3s/config.yaml.d/50-cilium.yaml on every k3s server before it starts: the network is Cilium's.`), [k3sConfig(s)])),
    ...(s.cleanupHook ? [file(K3S_FILES.dropIn, dropIn(header("Copy to /etc/systemd/system/k3s.service.d/ on every node (k3s-agent.service.d/ on agents), then systemctl daemon-reload.")))] : []),
    ...selfManagedNodeFiles(s, header),
  ],
  plan: (s) => {
    const steps: PlanStep[] = [selfManagedConnect("k3s")];
    steps.push({
      kind: "say",
      id: "k3s/servers",
      phase: "next-steps",
      text:
        `Every k3s server runs with ${K3S_FILES.config} (in /etc/rancher/k3s/config.yaml.d/)` +
        (s.cleanupHook ? `, every node with ${K3S_FILES.dropIn} (k3s.service.d/) and cleanup-node.sh as ${K3S_CLEANUP_SCRIPT}` : "") +
        (s.kubeProxyReplacement && s.kubeProxy !== "keep" ? "; on a cluster that ran kube-proxy, restart k3s, then sudo ./cleanup-node.sh kube-proxy on every node" : ""),
      undo: null,
    });
    steps.push(...selfManagedNodeSteps("k3s"));
    return steps;
  },
});

type K3sSlice = SelfManagedSlice & { flannelBackend: string; networkPolicy: boolean; cleanupHook: boolean };

/** The k3s server configuration (keys are the server flags without dashes). */
function k3sConfig(s: K3sSlice): Record<string, unknown> {
  return {
    "flannel-backend": s.flannelBackend,
    "disable-network-policy": !s.networkPolicy,
    ...(s.kubeProxyReplacement && s.kubeProxy !== "keep" ? { "disable-kube-proxy": true } : {}),
    "cluster-cidr": s.podCidrs.join(","),
    "service-cidr": s.serviceCidr,
    "kube-controller-manager-arg": [`node-cidr-mask-size-ipv4=${s.podMaskSize}`],
  };
}

/** The systemd drop-in: Cilium's interfaces and rules go when k3s stops (a failure does not fail the stop). */
function dropIn(header: readonly string[]): string {
  return [...header.map((l) => `# ${l}`), "", "[Service]", `ExecStopPost=-${K3S_CLEANUP_SCRIPT} cilium`, ""].join("\n");
}
