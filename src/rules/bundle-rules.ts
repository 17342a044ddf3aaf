import type { FilledProfile } from "../profile.js";
import type { Settings } from "../settings.js";
import type { Code } from "./catalogue.js";
import { extraPointer, type Finding } from "./finding.js";

/** A check on the derived bundle (Settings, with the final merged Helm values), run once derive has run once. */
export interface BundleRule {
  code: Code;
  check: (settings: Settings, profile: FilledProfile) => Finding[];
}

export const BUNDLE_RULES: readonly BundleRule[] = [
  {
    code: "MASQUERADE_WITHOUT_VPC_CIDRS",
    check: (s) =>
      s.install.nonMasqueradeFromCluster
        ? [{ pointer: "/cluster/vpcCidrs", message: "no cluster.vpcCidrs: nonMasqueradeCIDRs falls back to 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (install.sh prefers ip-masq-agent-config)" }]
        : [],
  },
  {
    code: "EXTRA_VALUE_CONFLICT",
    check: (s) => {
      const entries = s.helm.flatMap((f) => f.entries.map((e) => ({ ...e, dotted: e.path.join("."), file: f.file })));
      const owned = entries.filter((e) => e.origin === "bundle");
      return entries
        .filter((e) => e.origin === "profile")
        .flatMap((extra) => {
          const clash = owned.find((o) => o.dotted === extra.dotted || o.dotted.startsWith(extra.dotted + ".") || extra.dotted.startsWith(o.dotted + "."));
          return clash ? [{ pointer: extraPointer(extra.path), message: `${extra.dotted} collides with ${clash.dotted}, which ${clash.file} sets` }] : [];
        });
    },
  },
];
