// Facts about the GitOps engines a bundle can be delivered by: their APIs (the CRDs in test/fixtures/gitops/
// hold the generated objects to them) and what Cilium's documentation asks of them.

/** Argo CD's Application (argoproj/argo-cd v3.5.1 CRD). */
export const ARGOCD_APPLICATION_API = { apiVersion: "argoproj.io/v1alpha1", kind: "Application" } as const;

/** The cluster Argo CD itself runs in, as a destination server. */
export const ARGOCD_IN_CLUSTER = "https://kubernetes.default.svc";

/** The name of the multi-source Application's git source that values files are read from ($values/...). */
export const ARGOCD_VALUES_REF = "values";

/**
 * The chart's auto-TLS method that makes certificates in the cluster (a certgen Job once, then a CronJob)
 * instead of at render time (method "helm": cilium-ca, hubble-server-certs, hubble-relay-client-certs and the
 * clustermesh-apiserver certificates differ on every render). Cilium 1.18-1.20 charts all know it.
 */
export const CERTGEN_METHOD = "cronJob";

// No ignore rules: with certgen, two renders of a bundle are identical (test/gitops-converge.test.ts renders each
// twice with helm), so Argo CD needs no ignoreDifferences and Flux's drift detection ignores nothing. Cilium's
// Argo CD page's hubble-ca-cert ConfigMap is rendered by no chart 1.18-1.20.

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
export const ARGOCD_AUTOMATED = { prune: false, selfHeal: true } as const;

/**
 * Argo CD's sync options for a Cilium bundle: server-side apply (the Gateway API CRDs and Cilium's own are too
 * large for the last-applied annotation of a client-side apply), and no dry run of a custom resource whose CRD
 * the same sync brings.
 */
export const ARGOCD_SYNC_OPTIONS = ["ServerSideApply=true", "SkipDryRunOnMissingResource=true"] as const;

/**
 * Argo CD's sync waves: the chart's objects are in wave 0 (Argo CD already applies CRDs and ConfigMaps before
 * workloads within a wave); what needs Cilium running (APF, the node pool, the log collection) is in wave 1,
 * which Argo CD applies only once wave 0 is healthy (the agents rolled out).
 */
export const ARGOCD_SYNC_WAVE = "argocd.argoproj.io/sync-wave";
export const ARGOCD_AFTER_CHART_WAVE = "1";

/** A failed sync is retried with backoff (an API server briefly unreachable during a CNI upgrade is normal). */
export const ARGOCD_RETRY = { limit: 5, backoff: { duration: "30s", factor: 2, maxDuration: "10m" } } as const;

/**
 * Flux: a failed install or upgrade is retried, and a failed upgrade rolled back to the release that worked
 * (the CNI of every Pod); a failed install is not uninstalled (install.sh made the first release).
 */
export const FLUX_INSTALL = { remediation: { retries: 3 } } as const;
export const FLUX_UPGRADE = { cleanupOnFail: true, remediation: { retries: 3, strategy: "rollback" } } as const;

/**
 * How long Flux waits for a release (helm --wait: every cilium Pod rolled) before it remediates: the agents
 * roll a few nodes at a time, so it grows with cluster.maxNodes. Rows: up to maxNodes → timeout.
 */
export const FLUX_TIMEOUTS: readonly { upTo: number; timeout: string }[] = [
  { upTo: 50, timeout: "10m" },
  { upTo: 200, timeout: "20m" },
  { upTo: 500, timeout: "30m" },
  { upTo: 1000, timeout: "45m" },
  { upTo: Infinity, timeout: "60m" },
];
/** The timeout when cluster.maxNodes is not given. */
export const FLUX_TIMEOUT_UNKNOWN_SIZE = "15m";

/**
 * Flux: the folder of the bundle that holds the kustomize root of what waits for the release (APF, the node
 * pool, the log collection), and the suffix of its Flux Kustomization. Flux builds a kustomization inside the
 * repository's artifact, so it may name the bundle's files one folder up.
 */
export const FLUX_AFTER_CHART = "after-chart";

/** Flux kustomize-controller retries a failed apply sooner than its interval. */
export const FLUX_RETRY_INTERVAL = "2m";

/**
 * The fleet's own files, in the out folder beside the bundle folders (never a DNS label, so never a bundle's
 * name): the ApplicationSet, its name, and the prefix of the Applications it makes (bundle-<name>: never one
 * of the bundles' own cilium-<name>, and as long as they are).
 */
export const FLEET_FILES = { applicationSet: "argocd-applicationset.yaml", applicationSetName: "tke-cilium-fleet", bundleAppPrefix: "bundle-" } as const;

/** Argo CD's ApplicationSet (argoproj/argo-cd v3.5.1 CRD): the fleet as one object. */
export const ARGOCD_APPLICATIONSET_API = { apiVersion: "argoproj.io/v1alpha1", kind: "ApplicationSet" } as const;
export const FLUX_PRUNE_DISABLED = { "kustomize.toolkit.fluxcd.io/prune": "disabled" } as const;

/** The longest name a Kubernetes label value (Argo CD's tracking label carries the Application's name) may have. */
export const LABEL_VALUE_MAX = 63;
