import chartFile from "./chart-file.sh.hbs?raw";
import chartRemote from "./chart-remote.sh.hbs?raw";
import chartRepo from "./chart-repo.sh.hbs?raw";
import decide from "./decide.sh.hbs?raw";
import history from "./history.sh.hbs?raw";
import operator from "./operator.sh.hbs?raw";
import rollout from "./rollout.sh.hbs?raw";
import uninstallRelease from "./uninstall.sh.hbs?raw";
import { VALUES_FILES } from "../../knowledge/bundle.js";
import { INSTALL_HELM_REPO_NAME } from "../../knowledge/chart.js";
import { CILIUM_VXLAN_PORT } from "../../knowledge/features.js";
import { AGENT_ROLLOUT, CONNECTIVITY_TEST_IMAGES, MAINLAND_TEST_TARGETS, OPERATOR_START_MINUTES, PREFLIGHT } from "../../knowledge/lifecycle.js";
import { CONNECTIVITY_EXTERNAL_DEFAULTS } from "../../knowledge/platforms.js";
import { CILIUM_NAMESPACE, MAINLAND_CHINA_REGIONS, NOT_SUPER_NODES_SELECTOR } from "../../knowledge/tke.js";
import { whyMirrored } from "../../knowledge/why.js";
import { deriveChartSource } from "../../derive/chart-source.js";
import { mirroredRepository, orderedImages } from "../../derive/mirror.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { deriveRolloutTimeout } from "../../derive/rollout.js";
import { mapValueAt } from "../../derive/helm.js";
import type { ValueEntry } from "../../settings.js";
import { check, type Snippet } from "../../plan/step.js";
import { sh } from "../../text/shell.js";
import { defineCapability } from "../capability.js";

/**
 * Cilium itself, in every bundle: its images (image-values.yaml), the release (installed, upgraded one minor
 * at a time with Cilium's pre-flight check, or left alone when unchanged), and the checks after it.
 */
export const cilium = defineCapability({
  id: "cilium",
  kind: "add-on",
  platforms: ["tke", "kubeadm", "k3s", "kubespray"],
  summary: "the Cilium chart: its images, the release's install, upgrade and uninstall, the connectivity test",
  fields: ["/cilium/version", "/cilium/chart", "/images"],
  codes: [
    {
      code: "REGISTRY_REQUIRED",
      stage: "profile",
      severity: "error",
      title: "images.mirror custom needs images.registry",
      explanation: "A custom mirror moves every image under images.registry (for example your-tcr-name.tencentcloudcr.com, where the cilium image becomes your-tcr-name.tencentcloudcr.com/quay.io/cilium/cilium, the guide's TCR layout); without it there is nowhere to pull from.",
      source: "SPEC §2; guide: appendix/tcr.md",
    },
    {
      code: "REGISTRY_WITHOUT_CUSTOM_MIRROR",
      stage: "profile",
      severity: "error",
      title: "images.registry only applies to images.mirror custom",
      explanation: "images.registry is ignored unless images.mirror is custom; a registry next to another mirror is most likely a forgotten switch.",
      source: "SPEC §2",
    },
    {
      code: "CUSTOM_REGISTRY_DIGEST",
      stage: "profile",
      severity: "warning",
      title: "a copied registry usually needs images.useDigest false",
      explanation:
        "Helm pulls repository:tag@digest with the chart's upstream digests. The copy images.txt describes (skopeo copy --all) keeps them: keep images.useDigest true then, the safer pull. A docker pull/tag/push copy does not keep them, and every pull then fails: set images.useDigest to false for such a copy.",
      source: "reference README (image objects, useDigest); guide: appendix/tcr.md",
    },
    {
      code: "IMAGES_NOT_MIRRORED",
      stage: "profile",
      severity: "warning",
      title: "mainland-China clusters should pull Cilium's images from a mirror",
      explanation: "Cilium's images live on quay.io and ghcr.io, which nodes in mainland China (or without internet) often cannot reach. images.mirror tke uses TKE's intranet mirrors.",
      source: "guide: install.md FAQ (image pull failure)",
    },
  ] as const,
  profileRules: [
    {
      code: "REGISTRY_REQUIRED",
      check: (p) => (p.images.mirror === "custom" && !p.images.registry ? [{ pointer: "/images/registry", message: "set images.registry to the registry and namespace holding the copied images" }] : []),
    },
    {
      code: "REGISTRY_WITHOUT_CUSTOM_MIRROR",
      check: (p) => (p.images.mirror !== "custom" && p.images.registry ? [{ pointer: "/images/registry", message: `images.mirror is ${p.images.mirror}; set it to custom to use this registry, or remove images.registry` }] : []),
    },
    {
      code: "CUSTOM_REGISTRY_DIGEST",
      check: (p) => (p.images.mirror === "custom" && p.images.useDigest ? [{ pointer: "/images/useDigest", message: "the chart pins upstream digests: the copy must keep them, as skopeo copy --all in images.txt does; set useDigest false for a docker pull/tag/push copy" }] : []),
    },
    {
      code: "IMAGES_NOT_MIRRORED",
      check: (p) => (p.images.mirror === "none" && MAINLAND_CHINA_REGIONS.has(p.region) ? [{ pointer: "/images/mirror", message: `${p.region} is in mainland China, where quay.io pulls often fail; use images.mirror tke` }] : []),
    },
  ],

  examples: [
    { code: "REGISTRY_REQUIRED", fires: { images: { mirror: "custom", useDigest: false } }, pointer: "/images/registry", quiet: { images: { mirror: "custom", registry: "r.example.com/c", useDigest: false } } },
    { code: "REGISTRY_WITHOUT_CUSTOM_MIRROR", fires: { images: { registry: "r.example.com/c" } }, pointer: "/images/registry", quiet: { images: { mirror: "tke" } } },
    { code: "CUSTOM_REGISTRY_DIGEST", fires: { images: { mirror: "custom", registry: "r.example.com/c" } },
      pointer: "/images/useDigest",
      severity: "warning",
      quiet: { images: { mirror: "custom", registry: "r.example.com/c", useDigest: false } } },
    { code: "IMAGES_NOT_MIRRORED", fires: { region: "ap-beijing", images: { mirror: "none" } },
      pointer: "/images/mirror",
      severity: "warning",
      quiet: { region: "ap-singapore", images: { mirror: "none" } } },
  ],
  resolve: (p, { charts, features }) => {
    const images: ValueEntry[] = [];
    for (const image of orderedImages(p.cilium.version, charts)) {
      const moved = mirroredRepository(p, image.repository);
      if (moved) images.push(entry(`${image.path}.repository`, moved.repository, whyMirrored(image.repository, moved.why)));
      if (!p.images.useDigest && image.useDigest) images.push(entry(`${image.path}.useDigest`, false, "the copy does not keep upstream digests: pull by tag"));
    }
    const from = deriveChartSource(p);
    const source: Snippet =
      from.kind === "http"
        ? { template: chartRepo, words: { name: INSTALL_HELM_REPO_NAME, url: { kind: "url", value: from.repository } }, texts: { urlText: { kind: "url", value: from.repository } } }
        : from.kind === "local"
          ? { template: chartFile }
          : { template: chartRemote };
    return {
      images,
      chartSource: source,
      existingNodesSelector: NOT_SUPER_NODES_SELECTOR,
      connectivityTest: p.platform === "tke" ? connectivityTest(p.region) : selfManagedConnectivityTest(p.images.mirror),
      vxlan: features.vxlan,
      connectivityTestNote: p.platform === "tke" ? "" : SELF_MANAGED_CONNECTIVITY_NOTE,
      rollout: deriveRolloutTimeout(p.cluster.maxNodes, mapValueAt(p.cilium.extraValues, AGENT_ROLLOUT.maxUnavailablePath)),
    };
  },
  values: (s) => ({ images: s.images }),
  plan: (s, { valuesFiles }) => [
    check("cilium/history", "inspect-release", { template: history }, { provide: ["installed_version", "installed_status", "installed_bundle"] }),
    { kind: "decide", id: "cilium/decide", phase: "decide", script: { template: decide, words: { existingNodesSelector: s.existingNodesSelector } }, provide: ["MODE"], need: ["installed_version"] },
    check("cilium/chart-source", "chart-source", s.chartSource, { need: ["MODE"] }),
    { kind: "prove-chart", id: "cilium/prove-chart", phase: "keep" },
    {
      kind: "helm",
      id: "cilium/release",
      phase: "chart",
      valuesFiles,
      preflight: { release: PREFLIGHT.release, daemonSet: PREFLIGHT.daemonSet, valuesFile: VALUES_FILES.preflight },
      undo: { kind: "commands", phase: "chart-removal", title: "Uninstall the Cilium release", script: { template: uninstallRelease }, needsBundleFiles: false },
    },
    check("cilium/rollout", "rollout", {
      template: rollout,
      words: { minutes: String(s.rollout.minutes), batchNodes: String(s.rollout.batch.nodes), batchPercent: String(s.rollout.batch.percent), secondsPerBatch: String(AGENT_ROLLOUT.secondsPerBatch) },
      texts: { reckoning: s.rollout.reckoning, minutesText: String(s.rollout.minutes), secondsText: String(AGENT_ROLLOUT.secondsPerBatch) },
    }),
    check("cilium/operator", "rollout", OPERATOR_WAIT),
    { kind: "say", id: "cilium/check", phase: "next-steps", text: `Check Cilium once nodes are Ready: kubectl -n ${CILIUM_NAMESPACE} get pods -l app.kubernetes.io/part-of=cilium`, undo: null },
    { kind: "say", id: "cilium/connectivity-test", phase: "next-steps", text: `Run the connectivity test (cilium CLI): ${s.connectivityTest.join(" ")}${s.connectivityTestNote}`, undo: null },
    ...(s.vxlan
      ? [{ kind: "say" as const, id: "cilium/ports", phase: "ports" as const, text: `The nodes' security group must allow UDP ${CILIUM_VXLAN_PORT} (Cilium's VXLAN; not 4789) between nodes: tke-cilium explain ports`, undo: null }]
      : []),
  ],
});

/** The wait for one Ready cilium-operator replica, the same in every bundle. */
const OPERATOR_WAIT: Snippet = { template: operator, words: { seconds: String(OPERATOR_START_MINUTES * 60) }, texts: { minutes: String(OPERATOR_START_MINUTES) } };

/** The guide's connectivity test: mirrored images everywhere, and targets reachable from mainland China there. */
function connectivityTest(region: string): readonly string[] {
  const mainland = MAINLAND_CHINA_REGIONS.has(region);
  const known = CONNECTIVITY_TESTS[mainland ? 1 : 0];
  if (known !== undefined) return known;
  const targets = mainland ? MAINLAND_TEST_TARGETS : [];
  // shown inside a sentence: a word is quoted only where a shell would need it
  const words = ["cilium", "connectivity", "test", ...[...CONNECTIVITY_TEST_IMAGES, ...targets].flat()].map((w) => (/^[\w./:@=-]+$/.test(w) ? w : sh(w)));
  CONNECTIVITY_TESTS[mainland ? 1 : 0] = words;
  return words;
}

/**
 * A self-managed cluster's test: the cilium CLI's own images (TKE's mirrors only when the profile pulls from
 * them). Its to-entities-world and to-cidr-external tests curl one.one.one.one and 1.1.1.1 (seed 003 saw them
 * time out): Pods need internet egress through the node, or the README's FAQ says which flags to pass.
 */
function selfManagedConnectivityTest(mirror: string): string[] {
  return ["cilium", "connectivity", "test", ...(mirror === "tke" ? CONNECTIVITY_TEST_IMAGES.flat() : [])];
}

const SELF_MANAGED_CONNECTIVITY_NOTE = `. Its to-entities-world and to-cidr-external tests need Pods to reach ${CONNECTIVITY_EXTERNAL_DEFAULTS.target} and ${CONNECTIVITY_EXTERNAL_DEFAULTS.ip} (seed 003's timeouts): without internet egress, pass --external-target, --external-ip and --external-other-ip of hosts the nodes reach, or skip them with --test '!/to-entities-world' --test '!/to-cidr-external' (README FAQ)`;

/** The two forms of the test (elsewhere, mainland China), made once. */
const CONNECTIVITY_TESTS: (readonly string[] | undefined)[] = [];
