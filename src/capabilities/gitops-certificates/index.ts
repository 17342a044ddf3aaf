import { CERTGEN_METHOD } from "../../knowledge/gitops.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { defineCapability } from "../capability.js";

/**
 * A GitOps engine renders the chart on every refresh: certificates must come from the cluster (the chart's
 * certgen cronJob mode), not from helm's template functions, or every render differs from the last.
 */
export const gitopsCertificates = defineCapability({
  id: "gitops-certificates",
  kind: "add-on",
  summary: "with a GitOps engine, Hubble's (and clustermesh-apiserver's) certificates made in the cluster by certgen",
  fields: ["/clusterMesh"],
  resolve: (p, { gitops }) => (gitops ? { mesh: p.clusterMesh !== undefined } : null),
  values: ({ mesh }) => ({
    features: [
      entry("hubble.tls.auto.method", CERTGEN_METHOD),
      ...(mesh ? [entry("clustermesh.apiserver.tls.auto.method", CERTGEN_METHOD)] : []),
      entry("certgen.ttlSecondsAfterFinished", null),
    ],
  }),
});
