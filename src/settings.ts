import type { ResolvedFeatures } from "./derive/features.js";

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
}

export interface TerraformSettings {
  region: string;
  cluster: TfCluster | null;
  nativePool: TfNativePool | null;
  regularPool: TfRegularPool | null;
  variables: TfVariable[];
  /** Notes printed as comments at the top of main.tf (e.g. what an existing cluster must already have). */
  notes: string[];
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
  /** Annotation through which Karpenter passes node annotations (the TencentOS 4 image label). */
  machineAnnotation: { key: string; value: string };
}

export interface CniConfigSettings {
  name: string;
  namespace: string;
  key: string;
  conflist: unknown;
}

export interface ApfSettings {
  shares: number;
  /** The cluster size the share was chosen for, or null when unknown. */
  maxNodes: number | null;
}

export interface InstallSettings {
  release: string;
  namespace: string;
  chart: string;
  /** The chart is a .tgz next to the bundle: resolve it relative to install.sh. */
  chartIsLocalFile: boolean;
  /** The Helm repository to add when the chart is referenced through it, else null. */
  helmRepo: { name: string; url: string } | null;
  version: string;
  valuesFiles: string[];
  apiserverVIP: string;
  /** Native mode: the tke-eni-agent DaemonSet and the version it must have at least; null when not checked. */
  eniAgent: { daemonSet: string; minVersion: string } | null;
  /** Label selector of the nodes that must not exist before the install (all but super nodes). */
  existingNodesSelector: string;
  disableDaemonSets: readonly { name: string; optional: boolean }[];
  cniConfigFile: string | null;
  deleteEniIpWebhook: string | null;
  /** Native masquerading without profile CIDRs: read the VPC CIDRs from this ConfigMap at install time. */
  nonMasqueradeFromCluster: { configMap: string; fallback: string[] } | null;
  /** Restart agent and operator after the upgrade so datapath settings (egress, masquerade) apply. */
  restartAfterUpgrade: boolean;
  apfFile: string | null;
  nodePoolFile: string | null;
  nextSteps: string[];
}

export interface Settings {
  name: string;
  /** Feature switches after the defaults that depend on other fields, resolved once. */
  features: ResolvedFeatures;
  /** The profile path as shown in every file's header. */
  profilePath: string;
  ciliumVersion: string;
  helm: ValuesFile[];
  /** Custom registry: the images to copy there; null otherwise. */
  images: ImageCopy[] | null;
  cniConfig: CniConfigSettings | null;
  apf: ApfSettings | null;
  karpenter: KarpenterSettings | null;
  terraform: TerraformSettings;
  install: InstallSettings;
}
