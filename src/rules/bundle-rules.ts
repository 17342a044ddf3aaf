import type { FilledProfile } from "../profile.js";
import type { Settings } from "../settings.js";
import type { Code } from "./catalogue.js";
import { LABEL_VALUE_MAX } from "../knowledge/gitops.js";
import { extraPointer, type Finding } from "./finding.js";

/** A check on the derived bundle (Settings, with the final merged Helm values), run once derive has run once. */
export interface BundleRule {
  code: Code;
  check: (settings: Settings, profile: FilledProfile) => Finding[];
}

export const BUNDLE_RULES: readonly BundleRule[] = [
  {
    code: "GITOPS_NAME_TOO_LONG",
    check: (s) =>
      s.gitops?.engine === "argocd" && s.gitops.name.length > LABEL_VALUE_MAX
        ? [{ pointer: "/name", message: `the Argo CD Application "${s.gitops.name}" has ${s.gitops.name.length} characters; a label value holds ${LABEL_VALUE_MAX}: shorten the profile's name` }]
        : [],
  },
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
      // most profiles set no extraValues: nothing to compare, and nothing allocated (a fleet checks 1,000)
      const extras = s.helm.flatMap((f) => f.entries.filter((e) => e.origin === "profile"));
      if (extras.length === 0) return [];
      const owned = s.helm.flatMap((f) => f.entries.filter((e) => e.origin === "bundle").map((e) => ({ dotted: e.path.join("."), file: f.file })));
      return extras.flatMap((extra) => {
        const dotted = extra.path.join(".");
        const clash = owned.find((o) => o.dotted === dotted || o.dotted.startsWith(dotted + ".") || dotted.startsWith(o.dotted + "."));
        return clash ? [{ pointer: extraPointer(extra.path), message: `${dotted} collides with ${clash.dotted}, which ${clash.file} sets` }] : [];
      });
    },
  },
];
