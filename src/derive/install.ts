import {
  NODE_CNI_RESTORE,
  NODE_LEFTOVERS,
} from "../knowledge/lifecycle.js";
import {
  CILIUM_NAMESPACE,
  CILIUM_RELEASE,
} from "../knowledge/tke.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import type { FilledProfile } from "../profile.js";
import type { DeliverySettings, InstallSettings, UninstallSettings, ValuesFile } from "../settings.js";
import { ownerRank, type capabilityDelivery } from "../capabilities/index.js";
import { deriveChartSource } from "./chart-source.js";

/** What install.sh's prelude sets: the release, the chart, and the fingerprint of what helm installs. */
export function deriveInstall(p: FilledProfile, helm: readonly ValuesFile[]): InstallSettings {
  const source = deriveChartSource(p);
  const chart = source.reference;
  return {
    release: CILIUM_RELEASE,
    namespace: CILIUM_NAMESPACE,
    chart,
    bundleId: bundleFingerprint(chart, p.cilium.version, helm),
    chartIsLocalFile: source.kind === "local",
    version: p.cilium.version,
  };
}

/** What uninstall.sh's prelude and last step need besides the platform's; its steps are the plan's undos. */
export function deriveUninstall(): UninstallSettings {
  return {
    release: CILIUM_RELEASE,
    namespace: CILIUM_NAMESPACE,
    nodeLeftovers: NODE_LEFTOVERS,
    nodeCniRestore: NODE_CNI_RESTORE,
  };
}


/** What GitOps needs to deliver the bundle: the chart at its version, the values files in order, when to apply what. */
export function deriveDelivery(p: FilledProfile, helm: readonly ValuesFile[], contributed: ReturnType<typeof capabilityDelivery>): Omit<DeliverySettings, "gitops"> {
  const source = deriveChartSource(p);
  const manifests: (DeliverySettings["manifests"][number] & { owner: string })[] = [...contributed.manifests];
  const terraform = contributed.terraform;
  return {
    chart: { name: source.name, version: p.cilium.version, repository: source.repository, reference: source.reference },
    release: { name: CILIUM_RELEASE, namespace: CILIUM_NAMESPACE },
    valuesFiles: helm.map((v) => v.file),
    manifests: manifests
      .map((m, i) => ({ m, i, rank: DELIVERY_PHASES.indexOf(m.phase) * 1000 + ownerRank(m.owner) }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .map(({ m: { owner: _, ...m } }) => m),
    terraform,
    scripts: {
      install: BUNDLE_FILES.install,
      uninstall: BUNDLE_FILES.uninstall,
      ...contributed.scripts,
    },
  };
}

const DELIVERY_PHASES = ["before-chart", "after-chart", "by-install-script"] as const;


/**
 * A stable fingerprint (not a security measure) with no dependency: two 32-bit FNV-1a hashes with different
 * offsets over the UTF-16 code units, as 16 hex digits. The parts are the chart, the version, and per values
 * file its name, then per entry its path (segments joined by NUL) and its value (a string as it is, else as
 * JSON); each part ends with U+FFFF, which no part holds, so ["ab", "c"] and ["a", "bc"] differ. The parts are
 * joined into one string and hashed in one tight loop (every profile of a fleet is derived: see README
 * Performance).
 */
function bundleFingerprint(chart: string, version: string, helm: readonly ValuesFile[]): string {
  const parts = [chart, version];
  for (const v of helm) {
    parts.push(v.file);
    for (const e of v.entries) parts.push(e.path.join("\u0000"), typeof e.value === "string" ? e.value : JSON.stringify(e.value));
  }
  const text = parts.join("\uffff") + "\uffff";
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 7);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
