import { BUILTIN_CHARTS, type ChartCatalog } from "./knowledge/chart.js";
import type { FilledProfile } from "./profile.js";
import type { CheckedSettings, EmitOnlySettings, GitopsContext, GitopsSettings, Settings } from "./settings.js";
import { ARGOCD_AFTER_CHART_WAVE, ARGOCD_SYNC_WAVE, FLEET_FILES, GITOPS_FILES } from "./knowledge/gitops.js";
import type { PlanStep } from "./plan/step.js";
import { deriveGitops, gitopsFiles } from "./derive/gitops.js";
import { deriveHelmValues } from "./derive/helm.js";
import { resolveFeatures } from "./derive/features.js";
import { datapathGuard } from "./derive/datapath-guard.js";
import { derivePreflightValues } from "./derive/preflight.js";
import { deriveImageList } from "./derive/images.js";
import { deriveDelivery, deriveInstall, deriveUninstall } from "./derive/install.js";
import type { MeshDirectory } from "./mesh-peers.js";
import { capabilityDelivery, capabilityImages, capabilityLeftovers, capabilityPlan, capabilityPrelude, capabilityValues, resolveCapabilities } from "./capabilities/index.js";

export interface DeriveInput {
  profile: FilledProfile;
  /** Output folder name: profile.name, or the file's basename. */
  name: string;
  /** Profile path for file headers. */
  profilePath: string;
  /** The chart releases this run knows (built in, and added to the repository). */
  charts?: ChartCatalog;
  /** The GitOps engine of tke-cilium.json, and where the out folder sits in git; null without one. */
  gitops?: GitopsContext | null;
  /** The Cluster Mesh members of the run (every profile's clusterMesh), for a member's peers. */
  mesh?: MeshDirectory;
}

/** Profile → Settings. Every default and decision of the bundle is taken here (and in derive/), and only here. */
export function deriveSettings(input: DeriveInput): Settings {
  return completeSettings(deriveChecked(input), input);
}

/** Profile → the Settings the checks read (CheckedSettings); completeSettings adds what only emit reads. */
export function deriveChecked({ profile: p, name, profilePath, charts = BUILTIN_CHARTS, gitops: gitopsContext = null, mesh = [] }: DeriveInput): CheckedSettings {
  const features = resolveFeatures(p);
  const capabilities = resolveCapabilities(p, { name, profilePath, charts, mesh, features, gitops: gitopsContext !== null });
  const helm = deriveHelmValues(p, capabilityValues(capabilities));
  const delivery = deriveDelivery(p, helm, capabilityDelivery(capabilities));
  const gitops = deriveGitops(name, delivery, gitopsContext, { destination: p.gitops.destination, maxNodes: p.cluster.maxNodes });
  return {
    name,
    capabilities,
    features,
    profilePath,
    ciliumVersion: p.cilium.version,
    helm,
    plan: [
      ...capabilityPlan(capabilities, { valuesFiles: helm.map((v) => v.file) }),
      datapathGuard(helm, p.upgrade.allow.includes("datapath")),
      ...[capabilityLeftovers(p.platform, capabilities)].filter((s) => s !== null),
      ...gitopsHandOver(gitops),
    ],
    delivery: { ...delivery, gitops: gitops === null ? null : { engine: gitops.engine, files: gitopsFiles(gitops) } },
    gitops,
    upgrade: { allow: [...p.upgrade.allow] },
    afterChartAnnotations: gitops?.engine === "argocd" ? { [ARGOCD_SYNC_WAVE]: ARGOCD_AFTER_CHART_WAVE } : {},
  };
}

/** The checked Settings of `input` (deriveChecked's) and what only emit reads: the whole Settings. */
export function completeSettings(checked: CheckedSettings, { profile: p, charts = BUILTIN_CHARTS }: DeriveInput): Settings {
  const emitOnly: Pick<Settings, EmitOnlySettings> = {
    preflight: derivePreflightValues(p.cilium.version, checked.helm),
    images: deriveImageList(p, charts, capabilityImages(checked.capabilities)),
    install: deriveInstall(p, checked.helm),
    uninstall: deriveUninstall(),
    prelude: capabilityPrelude(checked.capabilities),
  };
  return { ...checked, ...emitOnly };
}

/** The last line of a GitOps bundle's install.sh: hand the cluster to its engine, once. */
function gitopsHandOver(gitops: GitopsSettings | null): PlanStep[] {
  if (gitops === null) return [];
  const text =
    gitops.engine === "flux"
      ? `Hand this cluster to Flux once (after flux bootstrap): kubectl apply -f ${GITOPS_FILES.fluxKustomization}. From then on Flux applies this bundle from git; do not run install.sh for upgrades`
      : `Commit this bundle: Argo CD's ApplicationSet (${FLEET_FILES.applicationSet} in the out folder) creates its Application. From then on Argo CD applies it from git; do not run install.sh for upgrades`;
  return [{ kind: "say", id: "gitops/hand-over", phase: "engine", text, undo: null }];
}
