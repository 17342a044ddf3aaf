import { CONTAINERD_MIRROR_SCRIPT } from "../knowledge/containerd.js";
import { KARPENTER_ADDON, NETWORK_TYPE, RESOURCES } from "../knowledge/terraform.js";
import { STARTUP_TAINT, TS4_IMAGE_ANNOTATION } from "../knowledge/tke.js";
import type { FilledProfile } from "../profile.js";
import type { TerraformSettings, TfValue, TfVariable } from "../settings.js";

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

export function deriveTerraform(p: FilledProfile, name: string): TerraformSettings {
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
        clusterCidr:
          p.cluster.network === "gr"
            ? tf.pick(undefined, { name: "cluster_cidr", type: "string", description: "GR ClusterCIDR, carved from a VPC secondary CIDR (GR clusters require one; overlay Pods do not use it)." })
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

/** btoa over UTF-8 bytes, without Buffer, so the core stays portable. */
function base64(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}
