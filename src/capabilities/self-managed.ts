import preflightNode from "./preflight-node.sh.hbs?template";
import cleanupNode from "./cleanup-node.sh.hbs?template";
import connect from "./connect-self-managed.sh.hbs?raw";
import kubeProxyAbsent from "./kube-proxy-absent.sh.hbs?raw";
import kubeProxyKept from "./kube-proxy-kept.sh.hbs?raw";
import { KUBE_PROXY, CHART_DEFAULT_POOL, CILIUM_CNI_CONFIG, CILIUM_INTERFACES, CILIUM_NODE_ADDRESSES, kernelMinimum, NODE_SCRIPTS, type Platform } from "../knowledge/platforms.js";
import { file, type OutputFile } from "../emit/output.js";
import { sh, shellWord } from "../text/shell.js";
import { check, type CheckStep, type SayStep } from "../plan/step.js";
import type { FilesContext } from "./capability.js";
import { NOT_SUPER_NODES_SELECTOR } from "../knowledge/tke.js";
import { WHY_SELF_MANAGED as WHY } from "../knowledge/why.js";
import { finalValueAt } from "../derive/helm.js";
import { valueEntry } from "../derive/value-entry.js";
import type { FilledProfile } from "../profile.js";
import type { Finding } from "../rules/finding.js";
import type { CheckedSettings, PlatformPrelude, ValueEntry } from "../settings.js";
import { overlaps } from "../text/cidr.js";

/**
 * What a self-managed cluster (platform kubeadm, k3s or kubespray) shares: the profile's selfManaged, the
 * Helm values it gives, and the rules the seeds learned (001 kubespray, 003 kubeadm, 004 k3s). Each platform's
 * capability adds its own glue (configuration files, plan steps) beside these.
 */
export type SelfManaged = NonNullable<FilledProfile["selfManaged"]>;

export interface SelfManagedSlice {
  platform: Platform;
  apiServer: { host: string; port: number };
  podCidrs: readonly string[];
  podMaskSize: number;
  serviceCidr: string;
  routing: SelfManaged["routing"];
  ipam: SelfManaged["ipam"];
  kubeProxyReplacement: boolean;
  kubeProxy: SelfManaged["kubeProxy"];
  multus: boolean;
  kubernetesVersion: string;
  ciliumVersion: string;
  /** The Hubble UI (features.hubble) as a NodePort Service. */
  hubbleUiNodePort: boolean;
}

/** The slice, when the profile names this platform. */
export function selfManagedSlice(p: FilledProfile, platform: Platform): SelfManagedSlice | null {
  if (p.platform !== platform || p.selfManaged === undefined) return null;
  const s = p.selfManaged;
  return {
    platform,
    apiServer: { host: s.apiServer.host, port: s.apiServer.port },
    podCidrs: s.podCidrs,
    podMaskSize: s.podMaskSize,
    // a schema default fills it (the name is optional elsewhere in the profile: cluster.serviceCidr)
    serviceCidr: s.serviceCidr!,
    routing: s.routing,
    ipam: s.ipam,
    kubeProxyReplacement: s.kubeProxyReplacement,
    kubeProxy: s.kubeProxy,
    multus: s.multus,
    kubernetesVersion: p.cluster.kubernetesVersion,
    ciliumVersion: p.cilium.version,
    hubbleUiNodePort: p.features.hubble && s.hubbleUi === "nodeport",
  };
}

const entry = (path: string, value: unknown, why = WHY[path]) => valueEntry(path, value, why);

/** uninstall.sh's last line on a self-managed cluster: nothing else gives the nodes a CNI back. */
const NO_CNI_LEFT_NOTE = "The nodes have no CNI now: install the one the cluster runs next (or run install.sh again) before Pods are scheduled.";

/**
 * The scripts' prelude on a self-managed cluster: its API server's address, every node listed for a rebuild (no
 * self-managed node is a TKE super node, so TKE's selector lists them all), and a last line of its own (TKE's is
 * about its console's ip-masq-agent add-on).
 */
export function selfManagedPrelude(s: SelfManagedSlice): PlatformPrelude {
  return { apiserverVIP: s.apiServer.host, nodesSelector: NOT_SUPER_NODES_SELECTOR, lastTell: NO_CNI_LEFT_NOTE };
}

/** The values that adapt the chart to a self-managed cluster. */
export function selfManagedValues(s: SelfManagedSlice): ValueEntry[] {
  const native = s.routing.mode === "native";
  return [
    s.kubeProxyReplacement ? entry("kubeProxyReplacement", "true") : entry("kubeProxyReplacement", "false", WHY["kubeProxyReplacement.off"]),
    entry("k8sServiceHost", s.apiServer.host),
    entry("k8sServicePort", s.apiServer.port),
    native ? entry("routingMode", "native", WHY["routingMode.native"]) : entry("routingMode", "tunnel"),
    ...(native ? [entry("ipv4NativeRoutingCIDR", s.podCidrs[0])] : [entry("tunnelProtocol", s.routing.tunnelProtocol)]),
    ...(native && s.routing.autoDirectNodeRoutes ? [entry("autoDirectNodeRoutes", true)] : []),
    ...(s.ipam === "cluster-pool"
      ? [entry("ipam.mode", "cluster-pool"), entry("ipam.operator.clusterPoolIPv4PodCIDRList", [...s.podCidrs]), entry("ipam.operator.clusterPoolIPv4MaskSize", s.podMaskSize)]
      : [entry("ipam.mode", "kubernetes", WHY["ipam.mode.kubernetes"])]),
    ...(s.multus ? [entry("cni.exclusive", false)] : []),
    ...(s.hubbleUiNodePort ? [entry("hubble.ui.service.type", "NodePort")] : []),
    entry("rollOutCiliumPods", true),
    entry("operator.rollOutPods", true),
    entry("envoy.rollOutPods", true),
  ];
}

/** The first check of install.sh: kubectl points at the profile's API server (its kubernetes endpoint). */
export function selfManagedConnect(owner: Platform): CheckStep {
  return check(`${owner}/connect`, "connect", { template: connect });
}

/** kube-proxy (a DaemonSet) as the profile says: never installed, or kept; one to remove is removed whether it runs or not. */
export function selfManagedKubeProxyCheck(owner: Platform, s: SelfManagedSlice): CheckStep[] {
  const words = { namespace: KUBE_PROXY.namespace, daemonSet: KUBE_PROXY.daemonSet };
  if (s.kubeProxy === "absent") return [check(`${owner}/kube-proxy`, "inspect-cluster", { template: kubeProxyAbsent, words })];
  if (s.kubeProxy === "keep") return [check(`${owner}/kube-proxy`, "inspect-cluster", { template: kubeProxyKept, words })];
  return [];
}

/** The node scripts in the next steps: the checks before Cilium runs on a node, the clean-up once it is gone (uninstall.sh says so). */
export function selfManagedNodeSteps(owner: Platform): SayStep[] {
  return [
    {
      kind: "say",
      id: `${owner}/node-checks`,
      phase: "next-steps",
      text: `On every node, before Cilium runs there (new nodes too): ./${NODE_SCRIPTS.preflight} (the kernel, and no route into the Pod CIDR)`,
      undo: { kind: "keep", note: "Cilium's interfaces and rules stay on the nodes until they are cleaned", tell: `On every node that ran Cilium: sudo ./${NODE_SCRIPTS.cleanup} cilium (its interfaces, iptables rules and CNI configuration), or rebuild the node.` },
    },
  ];
}

/** preflight-node.sh (the kernel, routes into the Pod CIDR) and cleanup-node.sh (Cilium's or kube-proxy's leftovers on a node). */
export function selfManagedNodeFiles(s: SelfManagedSlice, header: FilesContext["header"]): OutputFile[] {
  const minor = s.ciliumVersion.split(".").slice(0, 2).join(".");
  const preflight = preflightNode({
    header: header(`Checks a node before Cilium ${minor} runs on it: the kernel, and no route into the Pod CIDR.`),
    minKernel: sh(kernelMinimum(s.ciliumVersion)),
    minor: sh(minor),
    podCidrs: s.podCidrs.map((c) => shellWord("cidr", c)),
  });
  const cleanup = cleanupNode({
    header: header("Removes what Cilium (or kube-proxy, once replaced) leaves on a node."),
    interfaces: CILIUM_INTERFACES.map((i) => sh(i)),
    cniConfig: sh(CILIUM_CNI_CONFIG),
  });
  return [file(NODE_SCRIPTS.preflight, preflight, 0o755), file(NODE_SCRIPTS.cleanup, cleanup, 0o755)];
}

/** The codes of a self-managed cluster's rules, with the seed each comes from. */
export const SELF_MANAGED_CODES = [
  {
    code: "POD_CIDR_CHART_DEFAULT",
    stage: "profile",
    severity: "error",
    title: "the Pod CIDR is the chart's 10.0.0.0/8 default",
    explanation:
      "Seed 003 (kubeadm): a plain install left Cilium's cluster-pool at 10.0.0.0/8; the routes it put on cilium_host for 10.0.x.0/24 took the LAN's gateway 10.0.0.1 and the host's 10.0.1.24 away, and Pods ended in ImagePullBackOff and CrashLoopBackOff. Seed 004 (k3s) warns the same pool collides with a VPS's eth0. Set selfManaged.podCidrs to the cluster's own Pod CIDR (kubeadm podSubnet, e.g. 10.244.0.0/16).",
    source: "seeds 003 and 004; Cilium chart 1.18-1.20 ipam.operator.clusterPoolIPv4PodCIDRList; Cilium docs ipam/cluster-pool",
  },
  {
    code: "POD_CIDR_OVERLAPS_NETWORK",
    stage: "profile",
    severity: "error",
    title: "a Pod CIDR overlaps the nodes', the Service or another network",
    explanation:
      "Cilium routes its Pod CIDRs through cilium_host on every node: a Pod CIDR that covers the nodes' own network, the Service CIDR or another network the nodes use (a VPN, MetalLB's range, the home router's LAN) takes those addresses away from the nodes. Seed 003 lost its gateway this way, seed 004 its VPS's eth0. Pick a Pod CIDR outside selfManaged.nodeCidrs, serviceCidr and otherCidrs (check ip route and ip addr on a node).",
    source: "seeds 003 and 004; Cilium docs ipam/cluster-pool (nodes inside the pool lose each other)",
  },
  {
    code: "KUBE_PROXY_WITH_REPLACEMENT",
    stage: "profile",
    severity: "error",
    title: "kube-proxy replacement and kube-proxy disagree",
    explanation:
      "With kubeProxyReplacement Cilium serves Services in BPF while kube-proxy keeps its iptables or IPVS rules (seed 001 ran IPVS mode, kube-ipvs0 holding the Service IPs): two datapaths answer the same Service, and switching between them on a live cluster breaks connections. Without kubeProxyReplacement, kube-proxy must run, or nothing serves Services. Set selfManaged.kubeProxy to absent (never installed) or remove (install.sh removes it) with kubeProxyReplacement true, or keep with kubeProxyReplacement false.",
    source: "seed 001 (kube-proxy IPVS beside Cilium); Cilium docs kubeproxy-free",
  },
  {
    code: "NATIVE_ROUTING_UNROUTED",
    stage: "profile",
    severity: "error",
    title: "native routing without routes to the Pod CIDRs",
    explanation:
      "Native routing sends Pod traffic unencapsulated: the network must carry every node's Pod CIDR. Either all nodes sit on one L2 segment and routing.autoDirectNodeRoutes installs the routes, or your router/BGP already has them (routing.routesProvided). Seed 003 ran tunnel disabled with masquerade off behind a home router without a 10.244.0.0/16 route: to-entities-world and to-cidr-external timed out. Native routing also takes one Pod CIDR (ipv4NativeRoutingCIDR). Otherwise keep routing.mode tunnel.",
    source: "seed 003; Cilium docs concepts/routing and masquerading",
  },
  {
    code: "IPAM_POOL_MISMATCH",
    stage: "bundle",
    severity: "error",
    title: "Cilium's IPAM does not hand out the cluster's Pod CIDR",
    explanation:
      "The merged values (with cilium.extraValues) must give Cilium the IPAM mode and pool the profile describes: cluster-pool with clusterPoolIPv4PodCIDRList equal to selfManaged.podCidrs, or kubernetes (Node.spec.podCIDR from kube-controller-manager). A pool other than the cluster's Pod CIDR is seed 003's outage (the 10.0.0.0/8 default), and changing it after install re-addresses only new nodes (seed 004). Remove the ipam override from cilium.extraValues and set selfManaged.ipam and podCidrs.",
    source: "seeds 003 and 004; Cilium docs ipam (changing the mode on a live cluster breaks workloads)",
  },
  {
    code: "MULTUS_WITH_EXCLUSIVE_CNI",
    stage: "bundle",
    severity: "error",
    title: "Multus with cni.exclusive",
    explanation:
      "With cni.exclusive (the chart's default) Cilium renames every other file in /etc/cni/net.d to *.cilium_bak, Multus's configuration among them. Seed 001 ran kube-multus-ds while cni-exclusive was true. selfManaged.multus sets cni.exclusive false; do not set it back in cilium.extraValues.",
    source: "seed 001; Cilium chart cni.exclusive; kubespray docs/CNI/multus.md",
  },
  {
    code: "NODE_MASK_TOO_SMALL",
    stage: "profile",
    severity: "error",
    title: "the per-node Pod block cannot hold maxPods",
    explanation:
      "Every node gets one block of podMaskSize from the Pod CIDR; it holds 2^(32-mask) addresses less the network and broadcast addresses and Cilium's router (cilium_host) and health endpoint (seed 001: both came out of the node's 10.233.64.0/24). Seed 004: mask 24 gives about 250 Pods a node. A block smaller than kubelet's maxPods leaves Pods without addresses; a mask below the Pod CIDR's prefix gives no block at all.",
    source: "seeds 001 and 004; kubespray kube_network_node_prefix arithmetic",
  },
] as const;

type Code = (typeof SELF_MANAGED_CODES)[number]["code"];
type ProfileCheck = { code: Code; check: (p: FilledProfile) => Finding[] };
type BundleCheck = { code: Code; check: (settings: CheckedSettings, p: FilledProfile) => Finding[] };

const prefixOf = (cidr: string) => Number(cidr.split("/")[1]);

/** A self-managed profile's selfManaged; null on TKE, where these rules say nothing. */
const on = (p: FilledProfile): SelfManaged | null => (p.platform !== "tke" && p.selfManaged !== undefined ? p.selfManaged : null);

/** The profile rules of every self-managed platform (core's: src/rules/profile-rules.ts runs them). */
export const SELF_MANAGED_PROFILE_RULES: readonly ProfileCheck[] = [
    {
      code: "POD_CIDR_CHART_DEFAULT",
      check: (p) =>
        (on(p)?.podCidrs ?? []).flatMap((c, i) =>
          c === CHART_DEFAULT_POOL ? [{ pointer: `/selfManaged/podCidrs/${i}`, message: `${c} is the chart's default pool, which took seed 003's LAN away; set the cluster's own Pod CIDR (kubeadm podSubnet)` }] : [],
        ),
    },
    {
      code: "POD_CIDR_OVERLAPS_NETWORK",
      check: (p) => {
        const s = on(p);
        if (s === null) return [];
        const others = [...s.nodeCidrs.map((c) => [c, "the nodes' network"]), [s.serviceCidr!, "the Service CIDR"], ...s.otherCidrs.map((c) => [c, "another network of the nodes"])];
        return s.podCidrs.flatMap((pod, i) => {
          if (pod === CHART_DEFAULT_POOL && !others.some(([c]) => overlaps(pod, c))) return [];
          const hit = others.find(([c]) => overlaps(pod, c));
          return hit ? [{ pointer: `/selfManaged/podCidrs/${i}`, message: `${pod} overlaps ${hit[1]} ${hit[0]}: Cilium's routes through cilium_host would take those addresses from the nodes` }] : [];
        });
      },
    },
    {
      code: "KUBE_PROXY_WITH_REPLACEMENT",
      check: (p) => {
        const s = on(p);
        if (s === null) return [];
        if (s.kubeProxyReplacement && s.kubeProxy === "keep")
          return [{ pointer: "/selfManaged/kubeProxy", message: "kubeProxyReplacement is on while kube-proxy keeps running: set kubeProxy to remove (install.sh removes it) or absent" }];
        if (!s.kubeProxyReplacement && s.kubeProxy !== "keep")
          return [{ pointer: "/selfManaged/kubeProxy", message: `kubeProxyReplacement is off and kube-proxy is ${s.kubeProxy === "absent" ? "absent" : "to be removed"}: nothing would serve Services; set kubeProxy keep or turn kubeProxyReplacement on` }];
        return [];
      },
    },
    {
      code: "NATIVE_ROUTING_UNROUTED",
      check: (p) => {
        const s = on(p);
        if (s === null || s.routing.mode !== "native") return [];
        if (s.podCidrs.length > 1) return [{ pointer: "/selfManaged/podCidrs", message: "native routing takes one Pod CIDR (ipv4NativeRoutingCIDR); list one, or use routing.mode tunnel" }];
        if (s.routing.autoDirectNodeRoutes || s.routing.routesProvided) return [];
        return [{ pointer: "/selfManaged/routing/mode", message: "native routing needs routes to every node's Pod CIDR: set routing.autoDirectNodeRoutes (nodes on one L2) or routing.routesProvided (your router has them), or use tunnel" }];
      },
    },
    {
      code: "NODE_MASK_TOO_SMALL",
      check: (p) => {
        const s = on(p);
        if (s === null) return [];
        const widest = Math.min(...s.podCidrs.map(prefixOf));
        if (s.podMaskSize < widest) return [{ pointer: "/selfManaged/podMaskSize", message: `/${s.podMaskSize} blocks do not fit in a /${widest} Pod CIDR; use a mask of ${widest} or more` }];
        const room = 2 ** (32 - s.podMaskSize) - 2 - CILIUM_NODE_ADDRESSES;
        return room < s.maxPods
          ? [{ pointer: "/selfManaged/podMaskSize", message: `a /${s.podMaskSize} block holds ${room} Pods after Cilium's router and health addresses, fewer than maxPods ${s.maxPods}; use a smaller mask (e.g. 24)` }]
          : [];
      },
    },
];

/** The bundle rules: the merged values (cilium.extraValues last) still mean what the profile says. */
export const SELF_MANAGED_BUNDLE_RULES: readonly BundleCheck[] = [
    {
      code: "IPAM_POOL_MISMATCH",
      check: (settings, p) => {
        const s = on(p);
        if (s === null) return [];
        const mode = finalValueAt(settings.helm, ["ipam", "mode"]);
        if (mode !== s.ipam) return [{ pointer: "/cilium/extraValues/ipam", message: `the values give ipam.mode ${String(mode)}, the profile says ${s.ipam}` }];
        if (s.ipam !== "cluster-pool") return [];
        const pool = finalValueAt(settings.helm, ["ipam", "operator", "clusterPoolIPv4PodCIDRList"]);
        return JSON.stringify(pool) === JSON.stringify(s.podCidrs)
          ? []
          : [{ pointer: "/cilium/extraValues/ipam", message: `the values give the pool ${JSON.stringify(pool)}, the cluster's Pod CIDR is ${s.podCidrs.join(", ")}` }];
      },
    },
    {
      code: "MULTUS_WITH_EXCLUSIVE_CNI",
      check: (settings, p) => {
        const s = on(p);
        if (s === null || !s.multus) return [];
        return finalValueAt(settings.helm, ["cni", "exclusive"]) === false
          ? []
          : [{ pointer: "/selfManaged/multus", message: "cni.exclusive is not false: Cilium would rename Multus's configuration to *.cilium_bak; drop cni.exclusive from cilium.extraValues" }];
      },
    },
];

/** The rules' tests as data (test/rules.test.ts): patches over a TKE profile that make it seed 003's kubeadm cluster, fixed, then break it. */
export function selfManagedExamples() {
  const cluster = { apiServer: { host: "10.24.0.2" }, podCidrs: ["10.244.0.0/16"], nodeCidrs: ["10.24.0.0/16"] };
  const on = (selfManaged: object) => ({ platform: "kubeadm", region: undefined, apiserverVIP: undefined, nodePool: undefined, selfManaged: { ...cluster, ...selfManaged } });
  return [
    { code: "POD_CIDR_CHART_DEFAULT" as const, fires: on({ podCidrs: ["10.0.0.0/8"], nodeCidrs: ["192.168.1.0/24"] }), pointer: "/selfManaged/podCidrs/0", quiet: on({}) },
    { code: "POD_CIDR_OVERLAPS_NETWORK" as const, fires: on({ podCidrs: ["10.24.128.0/17"] }), pointer: "/selfManaged/podCidrs/0", quiet: on({ podCidrs: ["10.25.0.0/16"] }) },
    { code: "KUBE_PROXY_WITH_REPLACEMENT" as const, fires: on({ kubeProxy: "keep" }), pointer: "/selfManaged/kubeProxy", quiet: on({ kubeProxy: "remove" }) },
    { code: "NATIVE_ROUTING_UNROUTED" as const, fires: on({ routing: { mode: "native" } }), pointer: "/selfManaged/routing/mode", quiet: on({ routing: { mode: "native", autoDirectNodeRoutes: true } }) },
    {
      code: "IPAM_POOL_MISMATCH" as const,
      fires: { ...on({}), cilium: { extraValues: { ipam: { operator: { clusterPoolIPv4PodCIDRList: ["10.0.0.0/8"] } } } } },
      pointer: "/cilium/extraValues/ipam",
      quiet: { ...on({}), cilium: { extraValues: { ipam: { operator: { clusterPoolIPv4PodCIDRList: ["10.244.0.0/16"] } } } } },
    },
    {
      code: "MULTUS_WITH_EXCLUSIVE_CNI" as const,
      fires: { ...on({ multus: true }), cilium: { extraValues: { cni: { exclusive: true } } } },
      pointer: "/selfManaged/multus",
      quiet: on({ multus: true }),
    },
    { code: "NODE_MASK_TOO_SMALL" as const, fires: on({ podMaskSize: 26 }), pointer: "/selfManaged/podMaskSize", quiet: on({ podMaskSize: 25 }) },
  ];
}
