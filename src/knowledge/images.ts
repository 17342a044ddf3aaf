/**
 * Image mirrors. On TKE, quay.tencentcloudcr.com is a pull-through mirror of quay.io reachable from every
 * region without internet (it keeps upstream digests), and docker.io/k8smirror carries the SPIRE images.
 */
export const TKE_MIRROR_RULES: readonly { from: string; to: string; why: string }[] = [
  { from: "quay.io/", to: "quay.tencentcloudcr.com/", why: "TKE's intranet pull-through mirror of quay.io" },
  { from: "ghcr.io/spiffe/", to: "docker.io/k8smirror/", why: "SPIRE images mirrored where TKE nodes can pull them" },
];

/** The image objects in the order the seeds and the guide list them; any other image follows in chart order. */
export const GUIDE_IMAGE_ORDER: readonly string[] = [
  "image",
  "envoy.image",
  "operator.image",
  "certgen.image",
  "hubble.relay.image",
  "hubble.ui.backend.image",
  "hubble.ui.frontend.image",
  "nodeinit.image",
  "preflight.image",
  "preflight.envoy.image",
  "clustermesh.apiserver.image",
  "authentication.mutual.spire.install.agent.image",
  "authentication.mutual.spire.install.server.image",
];

/** Helm renders the operator as <repository>-generic; a copied registry needs that name, the value keeps .../operator. */
export const OPERATOR_IMAGE = { path: "operator.image", renderedSuffix: "-generic" } as const;
