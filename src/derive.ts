import { apfShares } from "./knowledge/apf.js";
import { BUILTIN_CHARTS, type ChartCatalog } from "./knowledge/chart.js";
import { CNI_CONFIGMAP, CNI_CONFLIST, KARPENTER_MACHINE_ANNOTATIONS_KEY, TS4_IMAGE_ANNOTATION } from "./knowledge/tke.js";
import type { FilledProfile } from "./profile.js";
import type { GitopsContext, GitopsSettings, InstallSettings, KarpenterSettings, Settings } from "./settings.js";
import { ARGOCD_AFTER_CHART_WAVE, ARGOCD_SYNC_WAVE, FLEET_FILES, GITOPS_FILES } from "./knowledge/gitops.js";
import { deriveGitops, gitopsFiles } from "./derive/gitops.js";
import { deriveHelmValues } from "./derive/helm.js";
import { resolveFeatures, type ResolvedFeatures } from "./derive/features.js";
import { deriveImageList } from "./derive/images.js";
import { deriveDelivery, deriveInstall, deriveUninstall } from "./derive/install.js";
import { deriveTerraform } from "./derive/terraform.js";
import { deriveAddons, meshPeerPodRanges } from "./derive/addons.js";
import type { MeshDirectory } from "./mesh.js";

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
export function deriveSettings({ profile: p, name, profilePath, charts = BUILTIN_CHARTS, gitops: gitopsContext = null, mesh = [] }: DeriveInput): Settings {
  const features = resolveFeatures(p);
  const helm = deriveHelmValues(p, features, charts, meshPeerPodRanges(p, profilePath, mesh), gitopsContext !== null);
  const addons = deriveAddons(p, profilePath, mesh);
  const cniConfig = p.cilium.mode === "native" ? { ...CNI_CONFIGMAP, conflist: CNI_CONFLIST } : null;
  const apf = p.features.apf ? { shares: apfShares(p.cluster.maxNodes), maxNodes: p.cluster.maxNodes ?? null } : null;
  const karpenter = p.nodePool.type === "karpenter" ? deriveKarpenter(p, features) : null;
  const terraform = deriveTerraform(p, name, features);
  const parts = { cniConfig: cniConfig !== null, apf: apf !== null, karpenter: karpenter !== null, terraform };
  const delivery = deriveDelivery(p, helm, parts, addons);
  const gitops = deriveGitops(name, delivery, gitopsContext, { destination: p.gitops.destination, maxNodes: p.cluster.maxNodes });
  return {
    name,
    features,
    profilePath,
    ciliumVersion: p.cilium.version,
    helm,
    images: deriveImageList(p, charts),
    cniConfig,
    apf,
    karpenter,
    terraform,
    install: withGitopsHandOver(deriveInstall(p, features, helm, parts, addons), gitops),
    uninstall: deriveUninstall(p, parts, addons),
    delivery: { ...delivery, gitops: gitops === null ? null : { engine: gitops.engine, files: gitopsFiles(gitops) } },
    gitops,
    addons,
    upgrade: { allow: [...p.upgrade.allow] },
    afterChartAnnotations: gitops?.engine === "argocd" ? { [ARGOCD_SYNC_WAVE]: ARGOCD_AFTER_CHART_WAVE } : {},
  };
}

/** The last step of a GitOps bundle's install.sh: hand the cluster to its engine, once. */
function withGitopsHandOver(install: InstallSettings, gitops: GitopsSettings | null): InstallSettings {
  if (gitops === null) return install;
  const step =
    gitops.engine === "flux"
      ? `Hand this cluster to Flux once (after flux bootstrap): kubectl apply -f ${GITOPS_FILES.fluxKustomization}. From then on Flux applies this bundle from git; do not run install.sh for upgrades`
      : `Commit this bundle: Argo CD's ApplicationSet (${FLEET_FILES.applicationSet} in the out folder) creates its Application. From then on Argo CD applies it from git; do not run install.sh for upgrades`;
  return { ...install, nextSteps: [...install.nextSteps, step] };
}

function deriveKarpenter(p: FilledProfile, features: ResolvedFeatures): KarpenterSettings {
  const pool = p.nodePool;
  return {
    name: pool.name ?? "default",
    instanceFamilies: pool.instanceFamilies,
    capacityTypes: pool.capacityTypes,
    minInstanceCpu: pool.minInstanceCpu,
    cpuLimit: pool.cpuLimit,
    consolidateAfter: pool.consolidateAfter,
    budget: pool.disruptionBudget,
    subnetIds: pool.subnetIds,
    securityGroupIds: pool.securityGroupIds,
    sshKeyIds: pool.sshKeyIds,
    startupTaints: features.startupTaint === null ? [] : [{ ...features.startupTaint }],
    machineAnnotation: { key: KARPENTER_MACHINE_ANNOTATIONS_KEY, value: `${TS4_IMAGE_ANNOTATION.name}=${TS4_IMAGE_ANNOTATION.value}` },
  };
}
