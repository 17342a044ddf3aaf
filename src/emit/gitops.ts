import {
  ARGOCD_APPLICATION_API,
  ARGOCD_CILIUM_EXCLUSION,
  ARGOCD_CILIUM_IGNORE_DIFFERENCES,
  ARGOCD_SYNC_POLICY,
  ARGOCD_VALUES_REF,
  FLUX_API,
  FLUX_PRUNE_DISABLED,
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
      ignoreDifferences: ARGOCD_CILIUM_IGNORE_DIFFERENCES,
      syncPolicy: ARGOCD_SYNC_POLICY,
    },
  };
  const comments = new Map([
    ["0:spec.sources", "the chart at the profile's version, its values files from this repository ($values), and the bundle's manifests"],
    ["0:spec.ignoreDifferences", "the Hubble certificates the chart generates anew on every render (Cilium's Argo CD page)"],
    ["0:spec.syncPolicy", "never prunes on its own: removing a bundle must not uninstall the CNI of a running cluster"],
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
    spec: { interval: g.interval, url: g.helmRepositoryURL },
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
      chart: { spec: { chart: g.chart.chart, version: g.chart.version, sourceRef: { kind: FLUX_API.helmRepository.kind, name: g.name } } },
      valuesFrom: g.valuesFiles.map((f) => ({ kind: "ConfigMap", name: g.valuesConfigMap, valuesKey: f })),
    },
  };
  const releaseComments = new Map([
    ["1:metadata.annotations", "Flux never prunes the release: removing the bundle must not uninstall the CNI of a running cluster"],
    ["1:spec.storageNamespace", "the release install.sh made (cilium in kube-system): Flux upgrades it from here on"],
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
  const fluxKustomization = {
    apiVersion: FLUX_API.kustomization.apiVersion,
    kind: FLUX_API.kustomization.kind,
    metadata: { name: g.name, namespace: g.namespace },
    spec: { interval: g.interval, path: g.path, prune: true, sourceRef: { kind: FLUX_API.gitRepository.kind, name: g.gitRepository } },
  };
  return [
    file(GITOPS_FILES.fluxRelease, manifestsToYaml(headerLines(settings, "Flux: the Cilium chart's repository and the release, at the profile's version; kustomization.yaml applies them."), [helmRepository, helmRelease], releaseComments)),
    file(
      GITOPS_FILES.kustomization,
      manifestsToYaml(headerLines(settings, "kustomize: what Flux applies from this bundle (no namespace is set on cluster-scoped objects). The values ConfigMap's name carries a hash of its content, so a values change upgrades the release."), [kustomization]),
    ),
    file(GITOPS_FILES.kustomizeConfig, manifestsToYaml(headerLines(settings, "kustomize: rewrite the HelmRelease's valuesFrom to the generated ConfigMap's hashed name."), [kustomizeConfig])),
    file(
      GITOPS_FILES.fluxKustomization,
      manifestsToYaml(headerLines(settings, `Flux Kustomization: this cluster's Flux applies ${g.path} (kustomization.yaml). Apply it once, or list it in the cluster's bootstrap folder, after install.sh has prepared the cluster.`), [fluxKustomization]),
    ),
  ];
}
