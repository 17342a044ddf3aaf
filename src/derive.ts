import { CILIUM_HELM_REPO, chartImages, type ChartImage } from "./knowledge/chart.js";
import { GUIDE_IMAGE_ORDER, TKE_MIRROR_RULES } from "./knowledge/images.js";
import { apfShares } from "./knowledge/apf.js";
import {
  CILIUM_NAMESPACE,
  CILIUM_RELEASE,
  CNI_CONFIGMAP,
  CNI_CONFLIST,
  ENI_AGENT_MIN_VERSION,
  ENI_IP_LIMIT_WEBHOOK,
  ENI_IP_UNAVAILABLE_TAINT,
  KARPENTER_MACHINE_ANNOTATIONS_KEY,
  LOCAL_ROUTER_IPV4,
  OPERATOR_TOLERATION_KEYS,
  REPLACED_DAEMONSETS,
  STARTUP_TAINT,
  SUPER_NODE_INSTANCE_TYPE,
  TS4_IMAGE_ANNOTATION,
} from "./knowledge/tke.js";
import { KARPENTER_ADDON, NETWORK_TYPE, RESOURCES } from "./knowledge/terraform.js";
import { CONTAINERD_MIRROR_SCRIPT } from "./knowledge/containerd.js";
import { WHY, whyMirrored } from "./knowledge/why.js";
import type { FilledProfile } from "./profile.js";
import type {
  InstallSettings,
  KarpenterSettings,
  Settings,
  TerraformSettings,
  TfValue,
  TfVariable,
  ValueEntry,
  ValuesFile,
} from "./settings.js";

export interface DeriveInput {
  profile: FilledProfile;
  /** Output folder name: profile.name, or the file's basename. */
  name: string;
  /** Profile path for file headers. */
  profilePath: string;
}

export const VALUES_FILES = {
  tke: "tke-values.yaml",
  images: "image-values.yaml",
  features: "features-values.yaml",
} as const;
export const BUNDLE_FILES = {
  cniConfig: "cni-config.yaml",
  apf: "cilium-apf.yaml",
  nodePool: "nodepool.yaml",
} as const;

/** Profile → Settings. Every default and decision of the bundle is taken here, and only here. */
export function deriveSettings({ profile, name, profilePath }: DeriveInput): Settings {
  const p = profile;
  const helm = [deriveTkeValues(p), deriveImageValues(p), deriveFeatureValues(p)].filter(
    (file): file is ValuesFile => file !== null && file.entries.length > 0,
  );
  const native = p.cilium.mode === "native";
  const cniConfig = native ? { ...CNI_CONFIGMAP, conflist: CNI_CONFLIST } : null;
  const apf = p.features.apf ? { shares: apfShares(p.cluster.maxNodes), maxNodes: p.cluster.maxNodes ?? null } : null;
  const karpenter = p.nodePool.type === "karpenter" ? deriveKarpenter(p) : null;
  return {
    name,
    profilePath,
    mode: p.cilium.mode,
    network: p.cluster.network,
    ciliumVersion: p.cilium.version,
    helm,
    cniConfig,
    apf,
    karpenter,
    terraform: deriveTerraform(p, name),
    install: deriveInstall(p, helm.map((f) => f.file), { cniConfig: cniConfig !== null, apf: apf !== null, karpenter: karpenter !== null }),
  };
}

function entry(path: string, value: unknown, why = WHY[path]): ValueEntry {
  if (why === undefined) throw new Error(`bug: no explanation for Helm value ${path} in knowledge/why.ts`);
  return { path: path.split("."), value, why };
}

function deriveTkeValues(p: FilledProfile): ValuesFile {
  const vpcCni = p.cluster.network === "vpc-cni";
  const tolerationKeys = [...OPERATOR_TOLERATION_KEYS, ...(vpcCni ? [ENI_IP_UNAVAILABLE_TAINT] : [])];
  const entries = [
    entry("routingMode", "native"),
    entry("endpointRoutes.enabled", true),
    entry("ipam.mode", "delegated-plugin"),
    entry("enableIPv4Masquerade", false),
    entry("devices", "eth+"),
    entry("cni.chainingMode", "generic-veth"),
    entry("cni.customConf", true),
    entry("cni.configMap", CNI_CONFIGMAP.name),
    entry("cni.externalRouting", true),
    entry("extraConfig.local-router-ipv4", LOCAL_ROUTER_IPV4),
    entry("sysctlfix.enabled", false),
    entry("localRedirectPolicies.enabled", p.features.localRedirectPolicy),
    entry("kubeProxyReplacement", "true"),
    entry("k8sServiceHost", p.apiserverVIP),
    entry("k8sServicePort", p.apiserverPort),
    entry(
      "operator.tolerations",
      tolerationKeys.map((key) => ({ key, operator: "Exists" })),
    ),
    entry("operator.affinity", {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: SUPER_NODE_INSTANCE_TYPE.label, operator: "NotIn", values: [SUPER_NODE_INSTANCE_TYPE.value] }] },
          ],
        },
      },
    }),
  ];
  return { file: VALUES_FILES.tke, title: "Cilium on TKE: the values that adapt the chart to the cluster", entries };
}

/** The chart's images in the guide's order, then any the guide does not list, in chart order. */
function orderedImages(version: string): ChartImage[] {
  const images = [...chartImages(version)];
  const rank = (path: string) => {
    const i = GUIDE_IMAGE_ORDER.indexOf(path);
    return i === -1 ? GUIDE_IMAGE_ORDER.length : i;
  };
  return images.map((image, i) => ({ image, i })).sort((a, b) => rank(a.image.path) - rank(b.image.path) || a.i - b.i).map((x) => x.image);
}

function deriveImageValues(p: FilledProfile): ValuesFile | null {
  if (p.images.mirror === "none") return null;
  const entries: ValueEntry[] = [];
  for (const image of orderedImages(p.cilium.version)) {
    const rule = TKE_MIRROR_RULES.find((r) => image.repository.startsWith(r.from));
    if (!rule) continue;
    const mirrored = rule.to + image.repository.slice(rule.from.length);
    entries.push(entry(`${image.path}.repository`, mirrored, whyMirrored(image.repository, rule.why)));
  }
  return { file: VALUES_FILES.images, title: "Cilium's images, pulled from mirrors TKE nodes can reach", entries };
}

function deriveFeatureValues(p: FilledProfile): ValuesFile | null {
  const entries: ValueEntry[] = [];
  if (p.features.hubble) entries.push(entry("hubble.relay.enabled", true), entry("hubble.ui.enabled", true));
  if (p.features.endpointSlice) entries.push(entry("ciliumEndpointSlice.enabled", true));
  if (p.features.bandwidthManager) entries.push(entry("bandwidthManager.enabled", true));
  return { file: VALUES_FILES.features, title: "Optional Cilium features chosen in the profile", entries };
}

function deriveKarpenter(p: FilledProfile): KarpenterSettings {
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
    machineAnnotation: { key: KARPENTER_MACHINE_ANNOTATIONS_KEY, value: `${TS4_IMAGE_ANNOTATION.name}=${TS4_IMAGE_ANNOTATION.value}` },
  };
}

/** A literal when the profile gives the value, else a Terraform variable (declared once). */
class TfValues {
  readonly variables: TfVariable[] = [];
  pick(given: string | readonly string[] | undefined, variable: TfVariable): TfValue {
    const empty = given === undefined || (Array.isArray(given) && given.length === 0);
    if (!empty) return { kind: "literal", value: given };
    if (!this.variables.some((v) => v.name === variable.name)) this.variables.push(variable);
    return { kind: "variable", name: variable.name };
  }
}

function deriveTerraform(p: FilledProfile, name: string): TerraformSettings {
  const tf = new TfValues();
  const pool = p.nodePool;
  const creating = p.cluster.id === undefined;
  const clusterRef = `${RESOURCES.cluster.type}.${RESOURCES.cluster.name}`;
  const vpcId = () => tf.pick(p.cluster.vpcId, { name: "vpc_id", type: "string", description: "VPC of the cluster (vpc-...)." });
  const cluster = creating
    ? {
        name,
        version: p.cluster.kubernetesVersion,
        os: p.cluster.osImage,
        networkType: NETWORK_TYPE[p.cluster.network],
        vpcId: vpcId(),
        serviceCidr: tf.pick(p.cluster.serviceCidr, { name: "service_cidr", type: "string", description: "Service CIDR of the cluster; must not overlap the VPC." }),
        eniSubnetIds:
          p.cluster.network === "vpc-cni"
            ? tf.pick(p.cluster.eniSubnetIds, { name: "eni_subnet_ids", type: "list(string)", description: "VPC-CNI Pod subnets (subnet-...)." })
            : null,
        intranetSubnetId: tf.pick(p.cluster.intranetSubnetId, {
          name: "intranet_subnet_id",
          type: "string",
          description: "Subnet of the intranet CLB that exposes the apiserver (subnet-...).",
        }),
        karpenterAddon: pool.type === "karpenter" ? { name: KARPENTER_ADDON.name, param: KARPENTER_ADDON.param } : null,
      }
    : null;
  const clusterId: TfValue = creating ? { kind: "reference", expression: `${clusterRef}.id` } : { kind: "literal", value: p.cluster.id! };
  const poolName = pool.name ?? "cilium";
  const taints = pool.startupTaint ? [{ ...STARTUP_TAINT }] : [];
  const script = pool.containerdMirror ? base64(CONTAINERD_MIRROR_SCRIPT) : null;
  const subnetIds = () => tf.pick(pool.subnetIds, { name: "node_subnet_ids", type: "list(string)", description: "Subnets of the nodes (subnet-...)." });
  const securityGroupIds = () =>
    tf.pick(pool.securityGroupIds, { name: "node_security_group_ids", type: "list(string)", description: "Security groups of the nodes (sg-...)." });
  const nativePool =
    pool.type === "native"
      ? {
          name: poolName,
          clusterId,
          instanceTypes: tf.pick(pool.instanceTypes, { name: "instance_types", type: "list(string)", description: "CVM instance types of the nodes, e.g. SA2.MEDIUM4." }),
          subnetIds: subnetIds(),
          securityGroupIds: securityGroupIds(),
          keyIds: pool.sshKeyIds,
          minSize: pool.minSize,
          maxSize: pool.maxSize,
          annotations: [{ ...TS4_IMAGE_ANNOTATION }],
          taints,
          postInit: script,
        }
      : null;
  const regularPool =
    pool.type === "regular"
      ? {
          name: poolName,
          clusterId,
          vpcId: creating ? ({ kind: "reference", expression: `${clusterRef}.vpc_id` } as const) : vpcId(),
          os: pool.os,
          instanceType: tf.pick(pool.instanceTypes?.[0], { name: "instance_type", type: "string", description: "CVM instance type of the nodes, e.g. SA2.MEDIUM4." }),
          backupInstanceTypes: pool.instanceTypes?.slice(1) ?? [],
          subnetIds: subnetIds(),
          securityGroupIds: securityGroupIds(),
          keyIds: pool.sshKeyIds,
          minSize: pool.minSize,
          maxSize: pool.maxSize,
          taints,
          userData: script,
        }
      : null;
  const notes =
    !creating && pool.type === "karpenter"
      ? [`The existing cluster ${p.cluster.id} needs the Karpenter add-on enabled; nodepool.yaml creates the node pool.`]
      : [];
  return { region: p.region, cluster, nativePool, regularPool, variables: tf.variables, notes };
}

function deriveInstall(
  p: FilledProfile,
  valuesFiles: string[],
  has: { cniConfig: boolean; apf: boolean; karpenter: boolean },
): InstallSettings {
  const native = p.cilium.mode === "native";
  const nextSteps = [
    has.karpenter
      ? "Karpenter now launches nodes for pending Pods; watch them join: kubectl get nodes -w"
      : "Create or scale the node pool (terraform apply in terraform/), then watch nodes join: kubectl get nodes -w",
    `Check Cilium once nodes are Ready: kubectl -n ${CILIUM_NAMESPACE} get pods -l app.kubernetes.io/part-of=cilium`,
    "Run the connectivity test: cilium connectivity test",
  ];
  return {
    release: CILIUM_RELEASE,
    namespace: CILIUM_NAMESPACE,
    chart: p.cilium.chart,
    chartIsLocalFile: p.cilium.chart.endsWith(".tgz"),
    helmRepo: p.cilium.chart.startsWith(`${CILIUM_HELM_REPO.name}/`) ? { ...CILIUM_HELM_REPO } : null,
    version: p.cilium.version,
    valuesFiles,
    apiserverVIP: p.apiserverVIP,
    eniAgentMinVersion: native ? ENI_AGENT_MIN_VERSION : null,
    disableDaemonSets: REPLACED_DAEMONSETS,
    cniConfigFile: has.cniConfig ? BUNDLE_FILES.cniConfig : null,
    deleteEniIpWebhook: !native && p.cluster.network === "vpc-cni" ? ENI_IP_LIMIT_WEBHOOK : null,
    apfFile: has.apf ? BUNDLE_FILES.apf : null,
    nodePoolFile: has.karpenter ? BUNDLE_FILES.nodePool : null,
    nextSteps,
  };
}

/** btoa over UTF-8 bytes, without Buffer, so the core stays portable. */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
