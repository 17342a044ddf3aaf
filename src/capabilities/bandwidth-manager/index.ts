import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** features.bandwidthManager: Pods' kubernetes.io/egress-bandwidth enforced with EDT. */
export const bandwidthManager = defineCapability({
  id: "bandwidth-manager",
  kind: "add-on",
  summary: "Cilium's Bandwidth Manager (egress-bandwidth annotations)",
  fields: ["/features/bandwidthManager"],
  codes: [
    {
      code: "BANDWIDTH_MANAGER_IN_NATIVE",
      stage: "profile",
      severity: "warning",
      title: "Bandwidth Manager in native mode runs without BPF host routing",
      explanation:
        "Native mode chains Cilium behind VPC-CNI (generic-veth), which cannot use BPF host routing: the datapath stays on legacy host routing. Bandwidth Manager is meant to pair with BPF host routing; it still applies the Pods' egress bandwidth annotations, but measure before relying on it, or use overlay mode.",
      source: "guide: appendix/native-routing.md (generic-veth chaining and BPF host routing, cilium/cilium#20135)",
    },
  ] as const,
  profileRules: [
    {
      code: "BANDWIDTH_MANAGER_IN_NATIVE",
      check: (p) =>
        p.cilium.mode === "native" && p.features.bandwidthManager
          ? [{ pointer: "/features/bandwidthManager", message: "native mode (generic-veth chaining) runs legacy host routing, never BPF host routing, which Bandwidth Manager is meant to pair with" }]
          : [],
    },
  ],

  examples: [
    { code: "BANDWIDTH_MANAGER_IN_NATIVE", fires: { features: { bandwidthManager: true } },
      pointer: "/features/bandwidthManager",
      quiet: { cilium: { mode: "overlay" }, features: { bandwidthManager: true } } },
  ],
  resolve: (p) => (p.features.bandwidthManager ? {} : null),
  values: () => ({ features: [entry("bandwidthManager.enabled", true)] }),
});
