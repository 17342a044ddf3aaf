/**
 * Facts install.sh and uninstall.sh act on: how a TKE cluster's network is recognised, which agent
 * versions are safe, what Karpenter must have installed, and the connectivity test's images and targets.
 * Source: the guide's installer (static/scripts/cilium.sh, 2026-08) and install.md.
 */

/** The DaemonSet that tells a cluster's container network: VPC-CNI runs tke-eni-agent, GR tke-bridge-agent. */
export const NETWORK_AGENTS = { "vpc-cni": "tke-eni-agent", gr: "tke-bridge-agent" } as const;

/**
 * A cilium DaemonSet whose image comes from TKE's own registry path is TKE's DataPlaneV2 (VPC-CNI) or
 * CiliumOverlay (GR), which this install cannot take over.
 */
export const TKE_MANAGED_CILIUM_IMAGE_MARK = "tkeimages";

/**
 * tke-eni-agent before v3.8.0 uses policy route table 2004, which Cilium's L7 proxy takes over; the guide
 * recommends v3.8.3 or later.
 */
export const ENI_AGENT_VERSIONS = { minimum: "v3.8.0", recommended: "v3.8.3" } as const;

/** The CRDs TKE's Karpenter add-on installs; nodepool.yaml needs both. */
export const KARPENTER_CRDS = ["nodepools.karpenter.sh", "tkemachinenodeclasses.karpenter.k8s.tke"] as const;

/**
 * Cilium's upgrade guide: one minor at a time, with its pre-flight DaemonSet before a minor upgrade. The
 * pre-flight is a release of its own (Helm), so it must render nothing the release "cilium" owns: it gets
 * only its values file (preflight-values.yaml), never the main release's.
 */
export const PREFLIGHT = {
  release: "cilium-preflight",
  daemonSet: "cilium-pre-flight-check",
  /** Switches that leave the pre-flight check and its own RBAC: every default-on part of the chart off. */
  switches: [
    { path: ["preflight", "enabled"], value: true, why: "the pre-flight DaemonSet pulls the new images on every node and checks the existing policies" },
    { path: ["agent"], value: false, why: "the agents belong to the release cilium" },
    { path: ["operator", "enabled"], value: false, why: "the operator belongs to the release cilium" },
    { path: ["hubble", "enabled"], value: false, why: "Hubble belongs to the release cilium" },
  ],
  /**
   * Charts before 1.19 render cilium-envoy-config (the release cilium's) in the pre-flight release too; the
   * pre-flight then leaves Envoy out (its image is pulled when cilium-envoy rolls). 1.19 fixed the chart.
   */
  envoyOffBefore: "1.19.0",
  /** Values of the main release the pre-flight needs as they are: the apiserver it talks to, pull secrets. */
  carried: [["k8sServiceHost"], ["k8sServicePort"], ["imagePullSecrets"]],
  /** Everything under this key of the main release's values is the pre-flight's (its images, tolerations). */
  own: "preflight",
} as const;

/** Files a node keeps after helm uninstall; removed by rebuilding the node (or by hand). */
export const NODE_LEFTOVERS = ["/etc/cni/net.d/05-cilium.conf", "/etc/cni/net.d/05-cilium.conflist"] as const;

/**
 * The CNI configurations Cilium renamed (cni.exclusive: X becomes X.cilium_bak), given their names back on a
 * node that is kept. The guide's rollback removes them (rm -f *.cilium_bak) under a comment that says restore:
 * the node would be left with no CNI configuration of its own.
 */
export const NODE_CNI_RESTORE = 'for f in /etc/cni/net.d/*.cilium_bak; do [ -e "$f" ] && mv "$f" "${f%.cilium_bak}"; done';

/** `cilium connectivity test` with images TKE nodes can pull (quay.io via TKE's mirror, the rest from docker.io/k8smirror). */
export const CONNECTIVITY_TEST_IMAGES = [
  ["--curl-image", "quay.tencentcloudcr.com/cilium/alpine-curl:v1.10.0"],
  ["--json-mock-image", "quay.tencentcloudcr.com/cilium/json-mock:v1.3.9"],
  ["--dns-test-server-image", "docker.io/k8smirror/coredns:v1.14.2"],
  ["--echo-image", "docker.io/k8smirror/echo-advanced:v20251204-v1.4.1"],
  ["--test-conn-disrupt-image", "quay.tencentcloudcr.com/cilium/test-connection-disruption:v0.0.17"],
] as const;

/**
 * External targets reachable from mainland China (the defaults 1.1.1.1, one.one.one.one. and k8s.io. are
 * not); raw-IP HTTPS there has no certificate for the IP, hence --curl-insecure. The IP-based CIDR tests
 * need a working IP pair the guide resolves at run time; without one they are skipped.
 */
export const MAINLAND_TEST_TARGETS = [
  ["--external-target", "npmmirror.com."],
  ["--external-other-target", "mirrors.aliyun.com."],
  ["--curl-insecure"],
  ["--test", "!/pod-to-cidr"],
  ["--test", "!/to-cidr-external"],
  ["--test", "!/from-cidr"],
  ["--test", "!/client-egress-to-cidr"],
] as const;

/**
 * How long install.sh waits for one Ready cilium-operator replica once the agents run (its image is pulled by
 * then: the pre-flight check or the agents' rollout pulled the same registry's). A crash-looping operator stops
 * the run before this.
 */
export const OPERATOR_START_MINUTES = 5;

/**
 * How long the cilium DaemonSet takes to roll, for install.sh's `kubectl rollout status --timeout`: the agents
 * restart `maxUnavailable` nodes at a time (the chart's updateStrategy, 2 in every chart 1.18.0–1.20.0, unless
 * cilium.extraValues sets it), and one batch takes up to `secondsPerBatch` (image already pulled by the
 * pre-flight check or the first Pod, BPF programs reloaded, endpoints restored, readiness probe passing).
 * Never below `floorMinutes`, the timeout install.sh always had (a first install waits for the first nodes).
 * install.sh takes the same reckoning over the nodes the DaemonSet runs on when that is longer (rollout.sh.hbs).
 */
export const AGENT_ROLLOUT = {
  chartMaxUnavailable: 2,
  secondsPerBatch: 90,
  floorMinutes: 10,
  /** Where a profile changes the DaemonSet's update strategy (cilium.extraValues). */
  maxUnavailablePath: ["updateStrategy", "rollingUpdate", "maxUnavailable"],
} as const;
