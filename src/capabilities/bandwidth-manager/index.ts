import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** features.bandwidthManager: Pods' kubernetes.io/egress-bandwidth enforced with EDT. */
export const bandwidthManager = defineCapability({
  id: "bandwidth-manager",
  kind: "add-on",
  summary: "Cilium's Bandwidth Manager (egress-bandwidth annotations)",
  fields: ["/features/bandwidthManager"],
  resolve: (p) => (p.features.bandwidthManager ? {} : null),
  values: () => ({ features: [entry("bandwidthManager.enabled", true)] }),
});
