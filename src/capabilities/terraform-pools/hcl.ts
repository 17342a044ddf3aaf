import { TERRAFORM_FILES } from "../../knowledge/bundle.js";
import { CLUSTER_DEPLOY_TYPE, CLUSTER_INTRANET_ACCESS, NODE_DEFAULTS, PROVIDER, RESOURCES, TERRAFORM_REQUIRED_VERSION } from "../../knowledge/terraform.js";
import type { TerraformSettings, TfCluster, TfNativePool, TfRegularPool, TfRoot, TfTaint, TfValue } from "../../settings.js";
import { attr, block, expr, hcl, hclBody, hclFile, writeHcl, type HclBlock, type HclItem, type HclValue } from "../../text/hcl.js";
import { file, type OutputFile } from "../../emit/output.js";
import type { FilesContext } from "../capability.js";
import { EGRESS_NODE } from "../../knowledge/addons.js";
import { memo } from "../../memo.js";

/** Each Terraform root of the bundle (the cluster, then the node pool): versions.tf, main.tf, variables.tf, outputs.tf. */
export function emitTerraform(terraform: TerraformSettings, { header }: FilesContext): OutputFile[] {
  return [terraform.cluster, terraform.nodePool].flatMap((root) => (root === null ? [] : emitRoot(header, root)));
}

function emitRoot(header: FilesContext["header"], tf: TfRoot): OutputFile[] {
  const versions = () => block("terraform", [], [
    attr("required_version", TERRAFORM_REQUIRED_VERSION),
    block("required_providers", [], [attr(PROVIDER.name, expr(`{\n      source  = ${hcl(PROVIDER.source)}\n      version = ${hcl(PROVIDER.version)}\n    }`))]),
  ]);
  const main: HclBlock[] = [block("provider", [PROVIDER.name], [attr("region", tf.region)])];
  if (tf.cluster) main.push(clusterBlock(tf.cluster));
  if (tf.nativePool) main.push(nativePoolBlock(tf.nativePool));
  if (tf.regularPool) main.push(regularPoolBlock(tf.regularPool));
  if (tf.egressNativePool) main.push(nativePoolBlock(tf.egressNativePool));
  if (tf.egressRegularPool) main.push(regularPoolBlock(tf.egressRegularPool));
  const variablesHeader = tf.variables.length === 0 ? ["Every value comes from the profile: no variables to set."] : ["Values the profile does not give: set them in terraform.tfvars or with -var."];
  const path = (name: string) => `${tf.dir}/${name}`;
  const files = [
    file(path(TERRAFORM_FILES.versions), hclFile(header("Terraform and provider versions."), kept("versions", null, () => [versions()]))),
    file(path(TERRAFORM_FILES.main), writeHcl([...header(tf.purpose), ...tf.notes], main)),
    file(
      path(TERRAFORM_FILES.variables),
      hclFile(
        [...header("Inputs of this module."), ...variablesHeader],
        kept("variables", tf.variables, () => tf.variables.map((v) => block("variable", [v.name], [attr("description", v.description), attr("type", expr(v.type))]))),
      ),
    ),
  ];
  if (tf.outputs.length > 0) {
    const outputs = () => tf.outputs.map((o) => block("output", [o.name], [attr("description", o.description), attr("value", expr(o.expression))]));
    files.push(file(path(TERRAFORM_FILES.outputs), hclFile(header("What the next steps need from this module."), kept("outputs", tf.outputs, outputs))));
  }
  return files;
}

/**
 * versions.tf, variables.tf and outputs.tf below their headers: the same for every root with the same variables
 * and outputs (a fleet's roots hold a few sets), so each text is written once per run, keyed by what it is
 * written from (plain strings).
 */
function kept(kind: string, from: unknown, blocks: () => HclBlock[]): string {
  return bodies(JSON.stringify([kind, from]), () => hclBody(blocks()));
}

const bodies = memo<string>(100);

function value(v: TfValue): HclValue {
  switch (v.kind) {
    case "literal":
      return v.value;
    case "variable":
      return expr(`var.${v.name}`);
    case "reference":
      return expr(v.expression);
  }
}

function clusterBlock(c: TfCluster): HclBlock {
  const body: HclItem[] = [
    attr("cluster_name", c.name),
    attr("cluster_deploy_type", CLUSTER_DEPLOY_TYPE),
    attr("cluster_version", c.version),
    attr("cluster_os", c.os),
    attr("network_type", c.networkType),
    attr("vpc_id", value(c.vpcId)),
    attr("service_cidr", value(c.serviceCidr)),
    ...(c.eniSubnetIds ? [attr("eni_subnet_ids", value(c.eniSubnetIds))] : []),
    ...(c.clusterCidr ? [attr("cluster_cidr", value(c.clusterCidr))] : []),
    attr("cluster_intranet", CLUSTER_INTRANET_ACCESS),
    attr("cluster_intranet_subnet_id", value(c.intranetSubnetId)),
  ];
  if (c.karpenterAddon) {
    body.push(
      block("extension_addon", [], [attr("name", c.karpenterAddon.name), attr("param", expr(`jsonencode(${hclObject(c.karpenterAddon.param)})`))], [
        "Karpenter manages the nodes; TKE then installs no cluster-autoscaler.",
      ]),
    );
  }
  return block("resource", [RESOURCES.cluster.type, RESOURCES.cluster.name], body, [
    "ip-masq-agent stays installed: install.sh switches it off but keeps its ConfigMap, which lists the VPC CIDRs.",
  ]);
}

/** A JSON-like value as a one-line HCL object constructor. */
function hclObject(v: unknown): string {
  if (typeof v === "string") return hcl(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(hclObject).join(", ")}]`;
  const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k} = ${hclObject(x)}`);
  return `{ ${entries.join(", ")} }`;
}

function taintBlocks(taints: readonly TfTaint[]): HclBlock[] {
  return taints.map((t) =>
    block("taints", [], [attr("key", t.key), attr("value", t.value), attr("effect", t.effect)], [
      t.key === EGRESS_NODE.taint.key ? "Only Pods that tolerate it run on the egress nodes (nodePool.egress.taint)." : "No Pods until cilium-agent is ready on the node; Cilium removes the taint.",
    ]),
  );
}

const EGRESS_LABEL_NOTE = "The egress gateway's nodes: egress-gateway-policy.sh selects them by this label.";

function nativePoolBlock(p: TfNativePool): HclBlock {
  const native: HclItem[] = [
    attr("instance_charge_type", NODE_DEFAULTS.chargeType),
    attr("instance_types", value(p.instanceTypes)),
    attr("subnet_ids", value(p.subnetIds)),
    attr("security_group_ids", value(p.securityGroupIds)),
    ...(p.keyIds.length > 0 ? [attr("key_ids", p.keyIds)] : []),
    attr("enable_autoscaling", p.replicas === null ? NODE_DEFAULTS.autoscaling : false),
    ...(p.replicas === null ? [] : [attr("replicas", p.replicas)]),
    block("scaling", [], [attr("min_replicas", p.minSize), attr("max_replicas", p.maxSize), attr("create_policy", NODE_DEFAULTS.scalingPolicy)]),
    ...(p.internet === null
      ? []
      : [
          block("internet_accessible", [], [attr("charge_type", p.internet.chargeType), attr("max_bandwidth_out", p.internet.maxBandwidthOut)], [
            "A public IP on each node: the source address the egress gateway's traffic leaves with.",
          ]),
        ]),
    block("system_disk", [], [attr("disk_type", NODE_DEFAULTS.systemDisk.type), attr("disk_size", NODE_DEFAULTS.systemDisk.size)]),
  ];
  if (p.postInit !== null) {
    native.push(block("lifecycle", [], [attr("post_init", p.postInit)], ["base64 script: quay.io -> quay.tencentcloudcr.com containerd mirror"]));
  }
  return block("resource", [RESOURCES.nativeNodePool.type, p.name], [
    attr("name", p.name),
    attr("cluster_id", value(p.clusterId)),
    attr("type", NODE_DEFAULTS.nativeType),
    ...p.annotations.map((a) =>
      block("annotations", [], [attr("name", a.name), attr("value", a.value)], ["Native nodes default to TencentOS 3.1, too old for Cilium; boot TencentOS 4."]),
    ),
    ...p.labels.map((l) => block("labels", [], [attr("name", l.name), attr("value", l.value)], [EGRESS_LABEL_NOTE])),
    ...taintBlocks(p.taints),
    block("native", [], native),
  ]);
}

function regularPoolBlock(p: TfRegularPool): HclBlock {
  const scaling: HclItem[] = [
    attr("instance_type", value(p.instanceType)),
    ...(p.backupInstanceTypes.length > 0 ? [attr("backup_instance_types", p.backupInstanceTypes)] : []),
    attr("orderly_security_group_ids", value(p.securityGroupIds)),
    ...(p.keyIds.length > 0 ? [attr("key_ids", p.keyIds)] : []),
    attr("system_disk_type", NODE_DEFAULTS.systemDisk.type),
    attr("system_disk_size", NODE_DEFAULTS.systemDisk.size),
    ...(p.internet === null
      ? []
      : [attr("internet_charge_type", p.internet.chargeType), attr("internet_max_bandwidth_out", p.internet.maxBandwidthOut), attr("public_ip_assigned", true)]),
  ];
  const body: HclItem[] = [
    attr("name", p.name),
    attr("cluster_id", value(p.clusterId)),
    attr("vpc_id", value(p.vpcId)),
    attr("subnet_ids", value(p.subnetIds)),
    attr("node_os", p.os),
    attr("enable_auto_scale", p.desiredCapacity === null ? NODE_DEFAULTS.autoscaling : false),
    attr("min_size", p.minSize),
    attr("max_size", p.maxSize),
    ...(p.desiredCapacity === null ? [] : [attr("desired_capacity", p.desiredCapacity)]),
    ...(p.labels.length === 0 ? [] : [attr("labels", expr(`{ ${p.labels.map((l) => `${hcl(l.name)} = ${hcl(l.value)}`).join(", ")} }`))]),
    block("auto_scaling_config", [], scaling),
    ...taintBlocks(p.taints),
  ];
  if (p.userData !== null) {
    body.push(block("node_config", [], [attr("user_data", p.userData)], ["base64 script: quay.io -> quay.tencentcloudcr.com containerd mirror"]));
  }
  return block("resource", [RESOURCES.regularNodePool.type, p.name], body);
}
