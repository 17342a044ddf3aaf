import guard from "./datapath-guard.sh.hbs?raw";
import { finalValueAt } from "./helm.js";
import { check, type CheckStep } from "../plan/step.js";
import type { ValuesFile } from "../settings.js";
import { isShellValue } from "../text/shell.js";

/** The datapath as the chart writes it into cilium-config: its key there, and the value path that sets it. */
const DATAPATH_KEYS = [
  { key: "routing-mode", path: ["routingMode"] },
  { key: "ipam", path: ["ipam", "mode"] },
  { key: "tunnel-protocol", path: ["tunnelProtocol"] },
] as const;

/**
 * The check before any change on a cluster with a release: the live cilium-config's routing mode, IPAM mode
 * and tunnel protocol against the bundle's (the merged values; a key the bundle leaves to the chart is not
 * compared). A change stops install.sh unless the profile's upgrade.allow names "datapath".
 */
export function datapathGuard(helm: readonly ValuesFile[], allowed: boolean): CheckStep {
  // the value may come from cilium.extraValues: only a word Cilium could know (a DNS label: native, tunnel,
  // vxlan, cluster-pool…) is compared; anything else is no datapath cilium-agent starts with
  const set = DATAPATH_KEYS.flatMap((d) => {
    const want = finalValueAt(helm, d.path);
    return typeof want === "string" && isShellValue("dnsLabel", want) ? [{ key: d.key, want }] : [];
  });
  return check(
    "core/datapath",
    "inspect-cluster",
    {
      template: guard,
      words: { allowed: String(allowed) },
      lists: { wanted: set.map((d) => ({ kind: "configEntry" as const, value: `${d.key}=${d.want}` })) },
    },
    { need: ["installed_version"] },
  );
}
