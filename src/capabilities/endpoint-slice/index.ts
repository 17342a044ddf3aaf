import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** features.endpointSlice: CiliumEndpointSlices, fewer watch events on large clusters. */
export const endpointSlice = defineCapability({
  id: "endpoint-slice",
  kind: "add-on",
  summary: "CiliumEndpointSlice (batches endpoints: fewer watch events on large clusters)",
  fields: ["/features/endpointSlice"],
  resolve: (p) => (p.features.endpointSlice ? {} : null),
  values: () => ({ features: [entry("ciliumEndpointSlice.enabled", true)] }),
});
