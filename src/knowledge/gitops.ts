// Facts about the GitOps engines a bundle can be delivered by: their APIs (the CRDs in test/fixtures/gitops/
// hold the generated objects to them) and what Cilium's documentation asks of them.

/** Argo CD's Application (argoproj/argo-cd v3.5.1 CRD). */
export const ARGOCD_APPLICATION_API = { apiVersion: "argoproj.io/v1alpha1", kind: "Application" } as const;

/** The cluster Argo CD itself runs in, as a destination server. */
export const ARGOCD_IN_CLUSTER = "https://kubernetes.default.svc";

/** The name of the multi-source Application's git source that values files are read from ($values/...). */
export const ARGOCD_VALUES_REF = "values";

/**
 * Cilium's documentation ("Troubleshooting Cilium deployed with Argo CD"): the Hubble certificates the chart
 * generates anew on every render. Without these, the Application is OutOfSync after every refresh.
 */
export const ARGOCD_CILIUM_IGNORE_DIFFERENCES = [
  { group: "", kind: "ConfigMap", name: "hubble-ca-cert", jsonPointers: ["/data/ca.crt"] },
  { group: "", kind: "Secret", name: "hubble-relay-client-certs", jsonPointers: ["/data/ca.crt", "/data/tls.crt", "/data/tls.key"] },
  { group: "", kind: "Secret", name: "hubble-server-certs", jsonPointers: ["/data/ca.crt", "/data/tls.crt", "/data/tls.key"] },
] as const;

/**
 * The same page: CiliumIdentity objects copy the labels of the Pods they stand for, Argo CD's tracking label
 * among them, so Argo CD takes them for its own and prunes them. The exclusion lives in Argo CD's own
 * settings (the argocd-cm ConfigMap, resource.exclusions), not in an Application.
 */
export const ARGOCD_CILIUM_EXCLUSION = `resource.exclusions: |
  - apiGroups:
      - cilium.io
    kinds:
      - CiliumIdentity
    clusters:
      - "*"`;

/** Flux APIs (helm-controller v1.6.3, source-controller v1.9.1, kustomize-controller v1.9.4 CRDs). */
export const FLUX_API = {
  helmRepository: { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "HelmRepository" },
  helmRelease: { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" },
  kustomization: { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" },
  gitRepository: { kind: "GitRepository" },
} as const;

/** kustomize's own kustomization file (kubectl kustomize, and Flux's kustomize-controller, read it). */
export const KUSTOMIZE_API = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" } as const;

/** The files a GitOps engine adds to a bundle. */
export const GITOPS_FILES = {
  argocdApplication: "argocd-application.yaml",
  fluxRelease: "flux-release.yaml",
  kustomization: "kustomization.yaml",
  kustomizeConfig: "kustomizeconfig.yaml",
  fluxKustomization: "flux-kustomization.yaml",
} as const;

/**
 * How the engines sync a bundle: Argo CD heals drift on its own but never prunes, and Flux never prunes the
 * release; removing a bundle (or renaming a cluster) must not uninstall the CNI of a running cluster.
 */
export const ARGOCD_SYNC_POLICY = { automated: { prune: false, selfHeal: true }, syncOptions: ["RespectIgnoreDifferences=true"] } as const;
export const FLUX_PRUNE_DISABLED = { "kustomize.toolkit.fluxcd.io/prune": "disabled" } as const;

/** The longest name a Kubernetes label value (Argo CD's tracking label carries the Application's name) may have. */
export const LABEL_VALUE_MAX = 63;
