import {
  ARGOCD_IN_CLUSTER,
  ARGOCD_SYNC_OPTIONS,
  ARGOCD_VALUES_REF,
  FLUX_AFTER_CHART,
  FLUX_TIMEOUT_UNKNOWN_SIZE,
  FLUX_TIMEOUTS,
  GITOPS_FILES,
} from "../knowledge/gitops.js";
import { OCI_SCHEME } from "../knowledge/chart.js";
import { CILIUM_NAMESPACE, CILIUM_RELEASE } from "../knowledge/tke.js";
import type { DeliverySettings, GitopsContext, GitopsSettings } from "../settings.js";

/** The bundle's folder as the engine reads it: a path from the git repository's root, forward slashes. */
export function bundlePathInRepo(outPath: string, name: string): string {
  const out = outPath.replace(/\\/g, "/").replace(/\/+$/, "");
  return out === "" || out === "." ? name : `${out}/${name}`;
}

/** What the profile says about its delivery (gitops.destination, cluster.maxNodes). */
export interface GitopsProfileInput {
  destination: string | undefined;
  maxNodes: number | undefined;
}

/** Flux's timeout for a cluster of this size: the agents roll a few nodes at a time. */
export function fluxTimeout(maxNodes: number | undefined): string {
  return maxNodes === undefined ? FLUX_TIMEOUT_UNKNOWN_SIZE : FLUX_TIMEOUTS.find((row) => maxNodes <= row.upTo)!.timeout;
}

/**
 * The engine's objects for one bundle, from what bundle.json says (chart, version, values files, manifests).
 * null when the chart is a local file: no engine can fetch it (a profile rule reports it).
 */
export function deriveGitops(name: string, delivery: Omit<DeliverySettings, "gitops">, context: GitopsContext | null, profile: GitopsProfileInput): GitopsSettings | null {
  const repository = delivery.chart.repository;
  if (context === null || repository === null) return null;
  const path = bundlePathInRepo(context.outPath, name);
  const oci = repository.startsWith(OCI_SCHEME);
  // install.sh applies what needs a value from the cluster or the running operator
  const manifests = delivery.manifests.filter((m) => m.phase !== "by-install-script").map((m) => m.file);
  const phase = (p: "before-chart" | "after-chart") => delivery.manifests.filter((m) => m.phase === p).map((m) => m.file);
  const config = context.config;
  if (config.engine === "argocd") {
    const destination = profile.destination ?? (config.destination === null ? ARGOCD_IN_CLUSTER : config.destination.replaceAll("{name}", name));
    return {
      engine: "argocd",
      name: `${CILIUM_RELEASE}-${name}`,
      namespace: config.namespace,
      project: config.project,
      destination: destination.startsWith("https://") ? { server: destination } : { name: destination },
      releaseNamespace: CILIUM_NAMESPACE,
      // Argo CD names an OCI registry without its scheme, the chart beside it
      chart: { repoURL: oci ? repository.slice(OCI_SCHEME.length) : repository, chart: delivery.chart.name, version: delivery.chart.version, releaseName: delivery.release.name },
      git: { repoURL: config.repoURL, revision: config.revision, path },
      valueFiles: delivery.valuesFiles.map((f) => `$${ARGOCD_VALUES_REF}/${path}/${f}`),
      manifests,
      syncOptions: [...ARGOCD_SYNC_OPTIONS],
    };
  }
  return {
    engine: "flux",
    name: CILIUM_RELEASE,
    namespace: config.namespace,
    interval: config.interval,
    helmRepository: { url: repository, type: oci ? "oci" : null },
    chart: { chart: delivery.chart.name, version: delivery.chart.version, releaseName: delivery.release.name },
    releaseNamespace: CILIUM_NAMESPACE,
    timeout: fluxTimeout(profile.maxNodes),
    valuesConfigMap: `${CILIUM_RELEASE}-values`,
    valuesFiles: [...delivery.valuesFiles],
    manifests: phase("before-chart"),
    afterChart: phase("after-chart").length === 0 ? null : { name: `${CILIUM_RELEASE}-${FLUX_AFTER_CHART}`, dir: FLUX_AFTER_CHART, manifests: phase("after-chart") },
    gitRepository: config.gitRepository,
    path: `./${path}`,
  };
}

/** The files an engine's objects take in the bundle. */
export function gitopsFiles(gitops: GitopsSettings): string[] {
  if (gitops.engine === "argocd") return [GITOPS_FILES.argocdApplication];
  const after = gitops.afterChart === null ? [] : [`${gitops.afterChart.dir}/${GITOPS_FILES.kustomization}`];
  return [...after, GITOPS_FILES.fluxKustomization, GITOPS_FILES.fluxRelease, GITOPS_FILES.kustomization, GITOPS_FILES.kustomizeConfig];
}
