import type { GitopsConfig } from "./gitops-config.js";
import type { ResolvedFeatures } from "./derive/features.js";
import type { PlanStep } from "./plan/step.js";

/**
 * Settings: the resolved model of one bundle. Every default applied and every decision taken (derive.ts);
 * emitters only format it. No optional fields: absence is spelt null or an empty list.
 */

/** One Helm value: its path, its value, the one-line reason printed above it, and who asked for it. */
export interface ValueEntry {
  path: readonly string[];
  value: unknown;
  why: string;
  /** "bundle": a decision of derive; "profile": cilium.extraValues, merged last. */
  origin: "bundle" | "profile";
  /** The bundle's own values this profile value replaces (cilium.extraValues over a value derive set); usually none. */
  overrides: readonly ValueOverride[];
}

/** A value of the bundle that cilium.extraValues changes: what the bundle wanted, and why. */
export interface ValueOverride {
  /** The extraValues leaf that changes it. */
  extraPath: readonly string[];
  bundlePath: readonly string[];
  bundleValue: unknown;
  why: string;
}

export interface ValuesFile {
  file: string;
  title: string;
  entries: ValueEntry[];
}

/** A Terraform argument value: a literal, a declared variable, or a reference to another resource. */
export type TfValue =
  | { kind: "literal"; value: string | number | boolean | readonly string[] }
  | { kind: "variable"; name: string }
  | { kind: "reference"; expression: string };

export interface TfVariable {
  name: string;
  type: "string" | "list(string)";
  description: string;
}

export interface TfTaint {
  key: string;
  value: string;
  effect: string;
}

/** One image to copy into a private registry. */
export interface ImageCopy {
  source: string;
  target: string;
}

export interface TfCluster {
  name: string;
  version: string;
  os: string;
  networkType: string;
  vpcId: TfValue;
  serviceCidr: TfValue;
  /** VPC-CNI only. */
  eniSubnetIds: TfValue | null;
  /** GR only: the ClusterCIDR a GR cluster must be created with. */
  clusterCidr: TfValue | null;
  intranetSubnetId: TfValue;
  karpenterAddon: { name: string; param: unknown } | null;
}

export interface TfNativePool {
  name: string;
  clusterId: TfValue;
  instanceTypes: TfValue;
  subnetIds: TfValue;
  securityGroupIds: TfValue;
  keyIds: readonly string[];
  minSize: number;
  maxSize: number;
  annotations: readonly { name: string; value: string }[];
  taints: readonly TfTaint[];
  /** base64 of the post-init script, or null. */
  postInit: string | null;
  /** Node labels (the egress pool's egress-node=true); usually none. */
  labels: readonly { name: string; value: string }[];
  /** A fixed number of nodes, autoscaling off (the egress pool); null: autoscaling between minSize and maxSize. */
  replicas: number | null;
  /** A public IP on each node, billed by traffic (the egress pool); null: none. */
  internet: { chargeType: string; maxBandwidthOut: number } | null;
}

export interface TfRegularPool {
  name: string;
  clusterId: TfValue;
  vpcId: TfValue;
  os: string;
  instanceType: TfValue;
  backupInstanceTypes: readonly string[];
  subnetIds: TfValue;
  securityGroupIds: TfValue;
  keyIds: readonly string[];
  minSize: number;
  maxSize: number;
  taints: readonly TfTaint[];
  /** base64 of the user-data script, or null. */
  userData: string | null;
  labels: readonly { name: string; value: string }[];
  /** A fixed number of nodes, autoscaling off (the egress pool); null: autoscaling between minSize and maxSize. */
  desiredCapacity: number | null;
  internet: { chargeType: string; maxBandwidthOut: number } | null;
}

export interface TfOutput {
  name: string;
  description: string;
  expression: string;
}

/**
 * One Terraform root module (its own folder and state). A new cluster and its node pool are never in one
 * root: the cluster comes first, Cilium goes on the empty cluster, and only then the pool joins.
 */
export interface TfRoot {
  /** Its folder inside the bundle. */
  dir: string;
  /** What main.tf's header says it holds. */
  purpose: string;
  region: string;
  cluster: TfCluster | null;
  nativePool: TfNativePool | null;
  regularPool: TfRegularPool | null;
  /** nodePool.egress: the egress gateway's pool, of the same type, beside the main one. */
  egressNativePool: TfNativePool | null;
  egressRegularPool: TfRegularPool | null;
  variables: TfVariable[];
  outputs: TfOutput[];
  /** Notes printed as comments at the top of main.tf (the order of the applies, what an existing cluster needs). */
  notes: string[];
}

export interface TerraformSettings {
  /** The cluster (new clusters only): applied first. */
  cluster: TfRoot | null;
  /** The native or regular node pool: applied after install.sh. */
  nodePool: TfRoot | null;
}

export interface KarpenterSettings {
  name: string;
  instanceFamilies: readonly string[];
  capacityTypes: readonly string[];
  minInstanceCpu: number;
  cpuLimit: number;
  consolidateAfter: string;
  budget: string;
  subnetIds: readonly string[];
  securityGroupIds: readonly string[];
  sshKeyIds: readonly string[];
  /** Taints Karpenter puts on new nodes and expects Cilium to remove (node.cilium.io/agent-not-ready until the agent is ready). */
  startupTaints: readonly TfTaint[];
  /** Annotation through which Karpenter passes node annotations (the TencentOS 4 image label). */
  machineAnnotation: { key: string; value: string };
}

export interface InstallSettings {
  release: string;
  namespace: string;
  chart: string;
  /**
   * A fingerprint of what helm installs (chart, version, values): stored as the release's description, so a
   * run whose bundle is already installed changes nothing.
   */
  bundleId: string;
  /** The chart is a .tgz next to the bundle: resolve it relative to install.sh. */
  chartIsLocalFile: boolean;
  version: string;
}

/**
 * Where the chart comes from (cilium.chart and cilium.chartRepository, resolved). http: a Helm repository
 * (upstream or a mirror); oci: a registry (its URL is oci://...); local: a .tgz beside the bundle; other: a
 * reference helm resolves itself. `reference` is the chart as helm takes it: cilium/cilium,
 * oci://<registry>/<namespace>/cilium, or a path.
 */
export type ChartSource =
  | { kind: "http" | "oci"; name: string; repository: string; reference: string }
  | { kind: "local" | "other"; name: string; repository: null; reference: string };

/**
 * bundle.json: what a GitOps controller or a CI job needs to deliver the bundle, as data (schema/bundle.schema.json).
 * Phases: "before-chart" (before helm installs the chart) and "after-chart"; for Terraform "before-install" and
 * "after-install" (install.sh).
 */
export interface DeliverySettings {
  chart: { name: string; version: string; repository: string | null; reference: string };
  release: { name: string; namespace: string };
  valuesFiles: string[];
  manifests: { file: string; phase: "before-chart" | "after-chart" | "by-install-script"; what: string }[];
  terraform: { dir: string; phase: "before-install" | "after-install"; what: string }[];
  scripts: { install: string; uninstall: string; clustermesh?: string; egressPolicy?: string };
  /** The engine tke-cilium.json names and the files of its objects; null without one. */
  gitops: { engine: "argocd" | "flux"; files: string[] } | null;
}

/** What a GitOps engine needs beyond the bundle (tke-cilium.json): its settings, and where the bundle sits in git. */
export interface GitopsContext {
  config: GitopsConfig;
  /** The out folder, relative to the git repository's root (Argo CD and Flux read paths from there); "." for the root. */
  outPath: string;
}


/** The Argo CD Application of one bundle (argocd-application.yaml). */
export interface ArgoCdSettings {
  engine: "argocd";
  name: string;
  namespace: string;
  project: string;
  /** The profile's gitops.destination, else tke-cilium.json's. */
  destination: { name: string } | { server: string };
  /** Where the chart's objects go (the release's namespace). */
  releaseNamespace: string;
  /** repoURL as Argo CD spells it: a Helm repository URL, or an OCI registry without its oci:// scheme. */
  chart: { repoURL: string; chart: string; version: string; releaseName: string };
  /** The repository holding the bundle, and the bundle's folder in it. */
  git: { repoURL: string; revision: string; path: string };
  /** The values files as the chart source reads them from the git source ($values/<path>/<file>), in Helm's order. */
  valueFiles: string[];
  /** The manifests the directory source applies (none: no directory source). */
  manifests: string[];
  syncOptions: string[];
}

/** Flux's objects for one bundle (flux-release.yaml, kustomization.yaml, flux-kustomization.yaml). */
export interface FluxSettings {
  engine: "flux";
  /** The name of the HelmRepository, the HelmRelease and the Flux Kustomization. */
  name: string;
  namespace: string;
  interval: string;
  /** The chart's repository: type oci for a registry (its URL keeps oci://), null for a Helm repository. */
  helmRepository: { url: string; type: "oci" | null };
  chart: { chart: string; version: string; releaseName: string };
  releaseNamespace: string;
  /** How long a release (every cilium Pod rolled) or an apply may take, from cluster.maxNodes. */
  timeout: string;
  /** The ConfigMap kustomize generates from the values files (with a content hash suffix, so a change upgrades). */
  valuesConfigMap: string;
  valuesFiles: string[];
  /** What the bundle's kustomization.yaml applies with the release (CRDs and ConfigMaps the chart needs first). */
  manifests: string[];
  /**
   * What waits for the release to be Ready: a second Flux Kustomization (dependsOn the first) over a kustomize
   * root in a folder of the bundle; null when the bundle has no such manifests.
   */
  afterChart: { name: string; dir: string; manifests: string[] } | null;
  /** The GitRepository Flux reads the bundle from, and the bundle's folder in it (./out/<name>). */
  gitRepository: string;
  path: string;
}

export type GitopsSettings = ArgoCdSettings | FluxSettings;

/** What the fixed preludes of install.sh and uninstall.sh take from the platform. */
export interface PlatformPrelude {
  /** The address kubectl's kubernetes endpoint must show (APISERVER_VIP): both scripts stop on another cluster. */
  apiserverVIP: string;
  /** Label selector of the nodes that ran Cilium, which uninstall.sh lists to be rebuilt. */
  nodesSelector: string;
  /** uninstall.sh's last line of what is left to do. */
  lastTell: string;
}

/** uninstall.sh: the guide's rollback to TKE's own CNI. */
export interface UninstallSettings {
  release: string;
  namespace: string;
  nodeLeftovers: readonly string[];
  /** The command that gives the CNI configurations Cilium renamed their names back, on a node that is kept. */
  nodeCniRestore: string;
}

/** A capability the profile asks for, and its resolved slice (src/capabilities/). */
export interface ActiveCapability {
  id: string;
  slice: unknown;
}

/**
 * What only emit reads: derived once, when the bundle is emitted (derive.ts's completeSettings), never for the
 * checks alone. A render checks every profile before it writes any, and derives each one again to write it;
 * these parts (the bundle's fingerprint above all) are left out of the first derive.
 */
export type EmitOnlySettings = "preflight" | "images" | "install" | "uninstall" | "prelude";

/** Settings less what only emit reads: what the bundle rules and the upgrade rules see. */
export type CheckedSettings = Omit<Settings, EmitOnlySettings>;

export interface Settings {
  name: string;
  /** The capabilities the profile asks for, in registry order, each with its slice. */
  capabilities: ActiveCapability[];
  /** Feature switches after the defaults that depend on other fields, resolved once. */
  features: ResolvedFeatures;
  /** The profile path as shown in every file's header. */
  profilePath: string;
  ciliumVersion: string;
  helm: ValuesFile[];
  /** The pre-flight release's only values file (a minor upgrade's pre-flight check). */
  preflight: ValuesFile;
  /** Custom registry: the images to copy there; null otherwise. */
  images: ImageCopy[] | null;
  install: InstallSettings;
  uninstall: UninstallSettings;
  /** The platform's part of both scripts' preludes (its capability's prelude). */
  prelude: PlatformPrelude;
  /** install.sh's steps, each with its undo, in registry order (src/plan/bash.ts orders them by phase). */
  plan: PlanStep[];
  delivery: DeliverySettings;
  /** The GitOps engine's objects; null when tke-cilium.json names no engine. */
  gitops: GitopsSettings | null;
  /**
   * Annotations on the manifests applied after the chart (APF, the node pool, the log collection): Argo CD's sync
   * wave, so they wait for the chart's objects to be healthy; empty without Argo CD (Flux orders by dependsOn).
   */
  afterChartAnnotations: Readonly<Record<string, string>>;
  /** The dangerous changes the profile allows on purpose against the bundle it replaces (upgrade.allow). */
  upgrade: { allow: readonly ("skip-minor" | "downgrade" | "datapath")[] };
}
