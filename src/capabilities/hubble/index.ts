import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** features.hubble: Hubble Relay and the Hubble UI. */
export const hubble = defineCapability({
  id: "hubble",
  kind: "add-on",
  platforms: ["tke", "kubeadm", "k3s", "kubespray"],
  summary: "Hubble Relay and the Hubble UI",
  fields: ["/features/hubble"],
  resolve: (p) => (p.features.hubble ? {} : null),
  values: () => ({
    features: [entry("hubble.relay.enabled", true), entry("hubble.relay.rollOutPods", true), entry("hubble.ui.enabled", true), entry("hubble.ui.rollOutPods", true)],
  }),
});
