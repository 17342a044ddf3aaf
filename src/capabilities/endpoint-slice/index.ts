import { LARGE_CLUSTER_NODES } from "../../knowledge/features.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/** features.endpointSlice: CiliumEndpointSlices, fewer watch events on large clusters. */
export const endpointSlice = defineCapability({
  id: "endpoint-slice",
  kind: "add-on",
  summary: "CiliumEndpointSlice (batches endpoints: fewer watch events on large clusters)",
  fields: ["/features/endpointSlice"],
  codes: [
    {
      code: "LARGE_CLUSTER_WITHOUT_ENDPOINT_SLICE",
      stage: "profile",
      severity: "warning",
      title: `from ${LARGE_CLUSTER_NODES} nodes, enable CiliumEndpointSlice`,
      explanation: `At ${LARGE_CLUSTER_NODES} nodes and more, one CiliumEndpoint per Pod loads the apiserver's watches; CiliumEndpointSlice batches them (about 100 to one). It is beta in 1.19 and cannot be rolled back smoothly: test it first. Not advised together with the egress gateway.`,
      source: "guide: appendix/large-scale-tuning.md §1",
    },
  ] as const,
  profileRules: [
    {
      code: "LARGE_CLUSTER_WITHOUT_ENDPOINT_SLICE",
      check: (p) =>
        (p.cluster.maxNodes ?? 0) >= LARGE_CLUSTER_NODES && !p.features.endpointSlice && !p.features.egressGateway
          ? [{ pointer: "/features/endpointSlice", message: `${p.cluster.maxNodes} nodes: consider features.endpointSlice` }]
          : [],
    },
  ],

  examples: [
    { code: "LARGE_CLUSTER_WITHOUT_ENDPOINT_SLICE", fires: { cluster: { maxNodes: 200 } },
      pointer: "/features/endpointSlice",
      severity: "warning",
      quiet: { cluster: { maxNodes: 199 } } },
  ],
  resolve: (p) => (p.features.endpointSlice ? {} : null),
  values: () => ({ features: [entry("ciliumEndpointSlice.enabled", true)] }),
});
