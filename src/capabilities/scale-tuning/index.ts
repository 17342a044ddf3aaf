import { SCALE_CLIENT_RATE_LIMIT, SCALE_IDENTITY_LABELS } from "../../knowledge/features.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** features.scaleTuning (on by default for large clusters): the guide's apiserver rate limits and identity labels. */
export const scaleTuning = defineCapability({
  id: "scale-tuning",
  kind: "add-on",
  summary: "large clusters: cilium-agent's apiserver client rate limit, and fewer identity-relevant labels",
  fields: ["/features/scaleTuning"],
  resolve: (_p, { features }) => (features.scaleTuning ? {} : null),
  values: () => ({ features: [entry("k8sClientRateLimit", structuredClone(SCALE_CLIENT_RATE_LIMIT)), entry("extraConfig.labels", SCALE_IDENTITY_LABELS)] }),
});
