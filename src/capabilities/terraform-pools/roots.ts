import { CONTAINERD_MIRROR_SCRIPT } from "../../knowledge/containerd.js";
import { KARPENTER_ADDON, NETWORK_TYPE, RESOURCES } from "../../knowledge/terraform.js";
import { TS4_IMAGE_ANNOTATION } from "../../knowledge/tke.js";
import { EGRESS_NODE } from "../../knowledge/addons.js";
import type { ResolvedFeatures } from "../../derive/features.js";
import type { FilledProfile } from "../../profile.js";
import type { TerraformSettings, TfRoot, TfValue, TfVariable } from "../../settings.js";
import { TERRAFORM_DIRS } from "../../knowledge/bundle.js";

/** A literal when the profile gives the value, else a Terraform variable (declared once, in first-use order). */
class TfValues {
  readonly variables: TfVariable[] = [];
  pick(given: string | readonly string[] | undefined, variable: TfVariable): TfValue {
    const empty = given === undefined || (Array.isArray(given) && given.length === 0);
    if (!empty) return { kind: "literal", value: given };
    if (!this.variables.some((v) => v.name === variable.name)) this.variables.push(variable);
    return { kind: "variable", name: variable.name };
  }
}

export function deriveTerraform(p: FilledProfile, name: string, features: ResolvedFeatures): TerraformSettings {
  const creating = p.cluster.id === undefined;
  const selfManagedPool = p.nodePool.type !== "karpenter";
  return {
    cluster: creating ? deriveClusterRoot(p, name, selfManagedPool) : null,
    nodePool: selfManagedPool ? deriveNodePoolRoot(p, creating, features) : null,
  };
}

const vpcIdVariable: TfVariable = { name: "vpc_id", type: "string", description: "VPC of the cluster (vpc-...)." };
const CLUSTER_REF = `${RESOURCES.cluster.type}.${RESOURCES.cluster.name}`;

function deriveClusterRoot(p: FilledProfile, name: string, poolAfter: boolean): TfRoot {
  const tf = new TfValues();
  const cluster = {
    name,
    version: p.cluster.kubernetesVersion,
    os: p.cluster.osImage,
    networkType: NETWORK_TYPE[p.cluster.network],
    vpcId: tf.pick(p.cluster.vpcId, vpcIdVariable),
    serviceCidr: tf.pick(p.cluster.serviceCidr, { name: "service_cidr", type: "string", description: "Service CIDR of the cluster; must not overlap the VPC." }),
    eniSubnetIds:
      p.cluster.network === "vpc-cni"
        ? tf.pick(p.cluster.eniSubnetIds, { name: "eni_subnet_ids", type: "list(string)", description: "VPC-CNI Pod subnets (subnet-...)." })
        : null,
    clusterCidr:
      p.cluster.network === "gr"
        ? tf.pick(undefined, { name: "cluster_cidr", type: "string", description: "GR ClusterCIDR, carved from a VPC secondary CIDR (GR clusters require one; overlay Pods do not use it)." })
        : null,
    intranetSubnetId: tf.pick(p.cluster.intranetSubnetId, {
      name: "intranet_subnet_id",
      type: "string",
      description: "Subnet of the intranet CLB that exposes the apiserver (subnet-...).",
    }),
    karpenterAddon: p.nodePool.type === "karpenter" ? { name: KARPENTER_ADDON.name, param: KARPENTER_ADDON.param } : null,
  };
  const outputs = [
    { name: "cluster_id", description: "The new cluster's id: the node pool root's cluster_id.", expression: `${CLUSTER_REF}.id` },
    { name: "vpc_id", description: "The cluster's VPC.", expression: `${CLUSTER_REF}.vpc_id` },
  ];
  const notes = [
    "Step 1 of 3: this creates the cluster and no node (Cilium goes on a cluster without regular or native nodes).",
    poolAfter
      ? `Step 2: ../install.sh. Step 3: the node pool, in ${TERRAFORM_DIRS.nodePool.slice(TERRAFORM_DIRS.cluster.length + 1)}/ (cluster_id from terraform output).`
      : "Step 2: ../install.sh, which also applies the Karpenter node pool (nodepool.yaml).",
  ];
  return {
    dir: TERRAFORM_DIRS.cluster,
    purpose: "The TKE cluster for Cilium, without nodes.",
    region: p.region,
    cluster,
    nativePool: null,
    regularPool: null,
    egressNativePool: null,
    egressRegularPool: null,
    variables: tf.variables,
    outputs,
    notes,
  };
}

function deriveNodePoolRoot(p: FilledProfile, creating: boolean, features: ResolvedFeatures): TfRoot {
  const tf = new TfValues();
  const pool = p.nodePool;
  const clusterId = tf.pick(p.cluster.id, {
    name: "cluster_id",
    type: "string",
    description: creating ? "The cluster's id: terraform -chdir=../ output -raw cluster_id (cls-...)." : "The cluster's id (cls-...).",
  });
  const poolName = pool.name ?? "cilium";
  const taints = features.startupTaint === null ? [] : [{ ...features.startupTaint }];
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
          labels: [],
          replicas: null,
          internet: null,
        }
      : null;
  const regularPool =
    pool.type === "regular"
      ? {
          name: poolName,
          clusterId,
          vpcId: tf.pick(p.cluster.vpcId, creating ? { ...vpcIdVariable, description: "VPC of the cluster: terraform -chdir=../ output -raw vpc_id (vpc-...)." } : vpcIdVariable),
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
          labels: [],
          desiredCapacity: null,
          internet: null,
        }
      : null;
  const egress = pool.egress;
  // the egress nodes' own subnets (one without a NAT gateway route, say), else the pool's
  const ownSubnets = egress?.subnetIds as string[] | undefined;
  const egressSubnets = (): TfValue => (ownSubnets === undefined ? subnetIds() : { kind: "literal", value: ownSubnets });
  const egressName = egress?.name as string;
  const egressTaints = egress?.taint ? [...taints, { ...EGRESS_NODE.taint }] : taints;
  const label = [{ name: EGRESS_NODE.label.key, value: EGRESS_NODE.label.value }];
  const internet = egress ? { chargeType: EGRESS_NODE.chargeType, maxBandwidthOut: egress.bandwidthOut } : null;
  const egressNativePool =
    egress && nativePool
      ? { ...nativePool, name: egressName, subnetIds: egressSubnets(), minSize: egress.size, maxSize: egress.size, taints: egressTaints, labels: label, replicas: egress.size, internet }
      : null;
  const egressRegularPool =
    egress && regularPool
      ? { ...regularPool, name: egressName, subnetIds: egressSubnets(), minSize: egress.size, maxSize: egress.size, taints: egressTaints, labels: label, desiredCapacity: egress.size, internet }
      : null;
  const notes = [
    `Apply after ../../install.sh has installed Cilium: nodes that join before it keep kube-proxy rules and TKE's CNI configuration and must be rebuilt.`,
  ];
  return {
    dir: TERRAFORM_DIRS.nodePool,
    purpose: egress ? "The node pool and the egress gateway's pool, joined after Cilium is installed." : "The node pool, joined after Cilium is installed.",
    region: p.region,
    cluster: null,
    nativePool,
    regularPool,
    egressNativePool,
    egressRegularPool,
    variables: tf.variables,
    outputs: [],
    notes,
  };
}

/** btoa over UTF-8 bytes, without Buffer, so the core stays portable. */
function base64(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}
