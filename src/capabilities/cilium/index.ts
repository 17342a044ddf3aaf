import chartFile from "./chart-file.sh.hbs?template";
import chartRemote from "./chart-remote.sh.hbs?template";
import chartRepo from "./chart-repo.sh.hbs?template";
import decide from "./decide.sh.hbs?template";
import history from "./history.sh.hbs?template";
import uninstallRelease from "./uninstall.sh.hbs?template";
import { CILIUM_HELM_REPO } from "../../knowledge/chart.js";
import { CILIUM_VXLAN_PORT } from "../../knowledge/features.js";
import { CONNECTIVITY_TEST_IMAGES, MAINLAND_TEST_TARGETS, PREFLIGHT } from "../../knowledge/lifecycle.js";
import { CILIUM_NAMESPACE, MAINLAND_CHINA_REGIONS, SUPER_NODE_INSTANCE_TYPE } from "../../knowledge/tke.js";
import { whyMirrored } from "../../knowledge/why.js";
import { mirroredRepository, orderedImages } from "../../derive/mirror.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
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
  summary: "the Cilium chart: its images, the release's install, upgrade and uninstall, the connectivity test",
  fields: ["/cilium/version", "/cilium/chart", "/images"],
  resolve: (p, { charts, features }) => {
    const chart = p.cilium.chart;
    const images: ValueEntry[] = [];
    for (const image of orderedImages(p.cilium.version, charts)) {
      const moved = mirroredRepository(p, image.repository);
      if (moved) images.push(entry(`${image.path}.repository`, moved.repository, whyMirrored(image.repository, moved.why)));
      if (!p.images.useDigest && image.useDigest) images.push(entry(`${image.path}.useDigest`, false, "the copy does not keep upstream digests: pull by tag"));
    }
    const source: Snippet =
      chart.startsWith(`${CILIUM_HELM_REPO.name}/`)
        ? { render: chartRepo, words: { name: CILIUM_HELM_REPO.name, url: CILIUM_HELM_REPO.url }, texts: { urlText: CILIUM_HELM_REPO.url } }
        : chart.endsWith(".tgz")
          ? { render: chartFile }
          : { render: chartRemote };
    return {
      images,
      chartSource: source,
      existingNodesSelector: `${SUPER_NODE_INSTANCE_TYPE.label}!=${SUPER_NODE_INSTANCE_TYPE.value}`,
      connectivityTest: connectivityTest(p.region),
      vxlan: features.vxlan,
    };
  },
  values: (s) => ({ images: s.images }),
  plan: (s, { valuesFiles }) => [
    check("cilium/history", "inspect-release", { render: history }, { provide: ["installed_version", "installed_status", "installed_bundle"] }),
    { kind: "decide", id: "cilium/decide", phase: "decide", script: { render: decide, words: { existingNodesSelector: s.existingNodesSelector } }, provide: ["MODE"], need: ["installed_version"] },
    check("cilium/chart-source", "chart-source", s.chartSource, { need: ["MODE"] }),
    {
      kind: "helm",
      id: "cilium/release",
      phase: "chart",
      valuesFiles,
      preflight: { release: PREFLIGHT.release, daemonSet: PREFLIGHT.daemonSet, values: [...PREFLIGHT.values] },
      undo: { kind: "commands", phase: "chart-removal", title: "Uninstall the Cilium release", script: { render: uninstallRelease }, needsBundleFiles: false },
    },
    { kind: "wait", id: "cilium/rollout", phase: "rollout", title: "Wait for the cilium DaemonSet (the operator starts once a node joins)", resource: "daemonset/cilium", timeout: "10m" },
    { kind: "say", id: "cilium/check", phase: "next-steps", text: `Check Cilium once nodes are Ready: kubectl -n ${CILIUM_NAMESPACE} get pods -l app.kubernetes.io/part-of=cilium`, undo: null },
    { kind: "say", id: "cilium/connectivity-test", phase: "next-steps", text: `Run the connectivity test (cilium CLI): ${s.connectivityTest.join(" ")}`, undo: null },
    ...(s.vxlan
      ? [{ kind: "say" as const, id: "cilium/ports", phase: "ports" as const, text: `The nodes' security group must allow UDP ${CILIUM_VXLAN_PORT} (Cilium's VXLAN; not 4789) between nodes: tke-cilium explain ports`, undo: null }]
      : []),
  ],
});

/** The guide's connectivity test: mirrored images everywhere, and targets reachable from mainland China there. */
function connectivityTest(region: string): string[] {
  const targets = MAINLAND_CHINA_REGIONS.has(region) ? MAINLAND_TEST_TARGETS : [];
  // shown inside a sentence: a word is quoted only where a shell would need it
  return ["cilium", "connectivity", "test", ...[...CONNECTIVITY_TEST_IMAGES, ...targets].flat()].map((w) => (/^[\w./:@=-]+$/.test(w) ? w : sh(w)));
}
