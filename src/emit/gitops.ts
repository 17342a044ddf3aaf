import {
  ARGOCD_APPLICATION_API,
  ARGOCD_AUTOMATED,
  ARGOCD_CILIUM_EXCLUSION,
  ARGOCD_RETRY,
  ARGOCD_VALUES_REF,
  FLUX_API,
  FLUX_INSTALL,
  FLUX_PRUNE_DISABLED,
  FLUX_RETRY_INTERVAL,
  FLUX_UPGRADE,
  GITOPS_FILES,
  KUSTOMIZE_API,
} from "../knowledge/gitops.js";
import type { ArgoCdSettings, FluxSettings, Settings } from "../settings.js";
import { manifestsToYaml } from "../text/yaml.js";
import { file, headerLines, type Emitter, type OutputFile } from "./output.js";

/** The objects of the GitOps engine tke-cilium.json names: Argo CD's Application, or Flux's release and kustomizations. */
export const emitGitops: Emitter = (settings) => {
  const g = settings.gitops;
  if (g === null) return [];
  return g.engine === "argocd" ? emitArgoCd(settings, g) : emitFlux(settings, g);
};

function emitArgoCd(settings: Settings, g: ArgoCdSettings): OutputFile[] {
  const sources: object[] = [
    { repoURL: g.chart.repoURL, chart: g.chart.chart, targetRevision: g.chart.version, helm: { releaseName: g.chart.releaseName, valueFiles: g.valueFiles } },
    { repoURL: g.git.repoURL, targetRevision: g.git.revision, ref: ARGOCD_VALUES_REF },
  ];
  if (g.manifests.length > 0) {
    const include = g.manifests.length === 1 ? g.manifests[0] : `{${g.manifests.join(",")}}`;
    sources.push({ repoURL: g.git.repoURL, targetRevision: g.git.revision, path: g.git.path, directory: { include } });
  }
  const application = {
    apiVersion: ARGOCD_APPLICATION_API.apiVersion,
    kind: ARGOCD_APPLICATION_API.kind,
    metadata: { name: g.name, namespace: g.namespace },
    spec: {
      project: g.project,
      destination: { ...g.destination, namespace: g.releaseNamespace },
      sources,
      syncPolicy: { automated: ARGOCD_AUTOMATED, syncOptions: g.syncOptions, retry: ARGOCD_RETRY },
    },
  };
  const comments = new Map([
    ["0:spec.sources", "the chart at the profile's version, its values files from this repository ($values), and the bundle's manifests"],
    ["0:spec.syncPolicy", "never prunes on its own: removing a bundle must not uninstall the CNI of a running cluster. Server-side apply: the CRDs are too large for a client-side apply. The chart's certificates come from the cluster (certgen), so two renders are identical and nothing needs ignoring"],
  ]);
  const header = [
    ...headerLines(settings, `Argo CD Application: installs and upgrades Cilium on ${destinationText(g)} from this bundle. Apply it to Argo CD's cluster once install.sh has prepared this one.`),
    "Argo CD's own settings need the CiliumIdentity exclusion once (argocd-cm), or Argo CD prunes Cilium's identities:",
    ...ARGOCD_CILIUM_EXCLUSION.split("\n").map((line) => `  ${line}`),
  ];
  return [file(GITOPS_FILES.argocdApplication, manifestsToYaml(header, [application], comments))];
}

const destinationText = (g: ArgoCdSettings) => ("name" in g.destination ? `the cluster Argo CD knows as ${g.destination.name}` : g.destination.server);

function emitFlux(settings: Settings, g: FluxSettings): OutputFile[] {
  const helmRepository = {
    apiVersion: FLUX_API.helmRepository.apiVersion,
    kind: FLUX_API.helmRepository.kind,
    metadata: { name: g.name, namespace: g.namespace },
    spec: { interval: g.interval, ...(g.helmRepository.type === null ? {} : { type: g.helmRepository.type }), url: g.helmRepository.url },
  };
  const helmRelease = {
    apiVersion: FLUX_API.helmRelease.apiVersion,
    kind: FLUX_API.helmRelease.kind,
    metadata: { name: g.name, namespace: g.namespace, annotations: FLUX_PRUNE_DISABLED },
    spec: {
      interval: g.interval,
      releaseName: g.chart.releaseName,
      targetNamespace: g.releaseNamespace,
      storageNamespace: g.releaseNamespace,
      timeout: g.timeout,
      chart: { spec: { chart: g.chart.chart, version: g.chart.version, sourceRef: { kind: FLUX_API.helmRepository.kind, name: g.name } } },
      install: FLUX_INSTALL,
      upgrade: FLUX_UPGRADE,
      driftDetection: { mode: "enabled" },
      valuesFrom: g.valuesFiles.map((f) => ({ kind: "ConfigMap", name: g.valuesConfigMap, valuesKey: f })),
    },
  };
  const releaseComments = new Map([
    ["1:metadata.annotations", "Flux never prunes the release: removing the bundle must not uninstall the CNI of a running cluster"],
    ["1:spec.storageNamespace", "the release install.sh made (cilium in kube-system): Flux upgrades it from here on"],
    ["1:spec.timeout", "every cilium Pod rolled: the agents roll a few nodes at a time, so it grows with cluster.maxNodes"],
    ["1:spec.upgrade", "a failed upgrade is retried, then rolled back to the release that worked"],
    ["1:spec.driftDetection", "a hand change to the release's objects is reverted; the certificates come from the cluster (certgen), so nothing needs ignoring"],
    ["1:spec.valuesFrom", "the bundle's values files in Helm's order (later ones win), from the ConfigMap kustomization.yaml generates"],
  ]);
  const kustomization = {
    apiVersion: KUSTOMIZE_API.apiVersion,
    kind: KUSTOMIZE_API.kind,
    resources: [GITOPS_FILES.fluxRelease, ...g.manifests],
    configMapGenerator: [{ name: g.valuesConfigMap, namespace: g.namespace, files: g.valuesFiles }],
    configurations: [GITOPS_FILES.kustomizeConfig],
  };
  const kustomizeConfig = {
    nameReference: [{ kind: "ConfigMap", version: "v1", fieldSpecs: [{ path: "spec/valuesFrom/name", kind: FLUX_API.helmRelease.kind }] }],
  };
  const fluxKustomization = (name: string, path: string, dependsOn: string | null) => ({
    apiVersion: FLUX_API.kustomization.apiVersion,
    kind: FLUX_API.kustomization.kind,
    metadata: { name, namespace: g.namespace },
    spec: {
      ...(dependsOn === null ? {} : { dependsOn: [{ name: dependsOn }] }),
      interval: g.interval,
      retryInterval: FLUX_RETRY_INTERVAL,
      timeout: g.timeout,
      path,
      prune: true,
      wait: true,
      sourceRef: { kind: FLUX_API.gitRepository.kind, name: g.gitRepository },
    },
  });
  const entry = [fluxKustomization(g.name, g.path, null), ...(g.afterChart === null ? [] : [fluxKustomization(g.afterChart.name, `${g.path}/${g.afterChart.dir}`, g.name)])];
  const entryComments = new Map([["0:spec.wait", "Ready only once the release is: every cilium Pod rolled"]]);
  if (g.afterChart !== null) entryComments.set("1:spec.dependsOn", "applied once Cilium runs: what needs the agents (APF for their traffic, nodes that join)");
  const afterChart =
    g.afterChart === null
      ? []
      : [
          file(
            `${g.afterChart.dir}/${GITOPS_FILES.kustomization}`,
            manifestsToYaml(headerLines(settings, `kustomize: what Flux applies once the release is Ready (the Kustomization ${g.afterChart.name}).`), [{ apiVersion: KUSTOMIZE_API.apiVersion, kind: KUSTOMIZE_API.kind, resources: g.afterChart.manifests.map((m) => `../${m}`) }]),
          ),
        ];
  return [
    file(GITOPS_FILES.fluxRelease, manifestsToYaml(headerLines(settings, "Flux: the Cilium chart's repository and the release, at the profile's version; kustomization.yaml applies them."), [helmRepository, helmRelease], releaseComments)),
    file(
      GITOPS_FILES.kustomization,
      manifestsToYaml(headerLines(settings, "kustomize: what Flux applies from this bundle (no namespace is set on cluster-scoped objects). The values ConfigMap's name carries a hash of its content, so a values change upgrades the release."), [kustomization]),
    ),
    file(GITOPS_FILES.kustomizeConfig, manifestsToYaml(headerLines(settings, "kustomize: rewrite the HelmRelease's valuesFrom to the generated ConfigMap's hashed name."), [kustomizeConfig])),
    file(
      GITOPS_FILES.fluxKustomization,
      manifestsToYaml(
        headerLines(settings, `Flux Kustomizations: this cluster's entry point. Its Flux applies ${g.path} (kustomization.yaml)${g.afterChart === null ? "" : `, then ${g.path}/${g.afterChart.dir} once the release is Ready`}. Apply it once (install.sh's last step says so), after install.sh has prepared the cluster.`),
        entry,
        entryComments,
      ),
    ),
    ...afterChart,
  ];
}
