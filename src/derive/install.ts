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
 * offsets over the UTF-16 code units, as 16 hex digits. Math.imul keeps it fast for a fleet of 1,000. The parts
 * are the chart, the version, and per values file its name, then per entry its path (segments joined by NUL)
 * and its value (a string as it is, else as JSON); each part ends with a separator no part holds, so ["ab", "c"]
 * and ["a", "bc"] differ. The parts are fed as they are met, not gathered first (a fleet derives 1,000 bundles).
 */
function bundleFingerprint(chart: string, version: string, helm: readonly ValuesFile[]): string {
  const h = { a: 0x811c9dc5, b: 0x050c5d1f };
  const feed = (text: string) => {
    let { a, b } = h;
    for (let i = 0; i < text.length; i++) {
      a = Math.imul(a ^ text.charCodeAt(i), 0x01000193);
      b = Math.imul(b ^ text.charCodeAt(i), 0x01000193) ^ (a >>> 7);
    }
    h.a = a;
    h.b = b;
  };
  const end = () => {
    h.a = Math.imul(h.a ^ 0xffff, 0x01000193);
    h.b = Math.imul(h.b ^ 0xffff, 0x01000193) ^ (h.a >>> 7);
  };
  feed(chart);
  end();
  feed(version);
  end();
  for (const v of helm) {
    feed(v.file);
    end();
    for (const e of v.entries) {
      for (let i = 0; i < e.path.length; i++) {
        if (i > 0) feed("\u0000");
        feed(e.path[i]);
      }
      end();
      feed(typeof e.value === "string" ? e.value : JSON.stringify(e.value));
      end();
    }
  }
  return (h.a >>> 0).toString(16).padStart(8, "0") + (h.b >>> 0).toString(16).padStart(8, "0");
}
