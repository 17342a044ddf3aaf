import { CILIUM_HELM_REPO, OCI_SCHEME } from "../knowledge/chart.js";
import { CILIUM_VXLAN_PORT, RFC1918_CIDRS } from "../knowledge/features.js";
import { APF_NAME } from "../knowledge/apf.js";
import {
  CONNECTIVITY_TEST_IMAGES,
  ENI_AGENT_VERSIONS,
  KARPENTER_CRDS,
  MAINLAND_TEST_TARGETS,
  NETWORK_AGENTS,
  NODE_LEFTOVERS,
  PREFLIGHT,
  TKE_MANAGED_CILIUM_IMAGE_MARK,
} from "../knowledge/lifecycle.js";
import {
  CILIUM_NAMESPACE,
  CILIUM_RELEASE,
  CNI_CONFIGMAP,
  ENI_AGENT,
  ENI_IP_LIMIT_WEBHOOK,
  IP_MASQ_AGENT_CONFIGMAP,
  MAINLAND_CHINA_REGIONS,
  NOWHERE_NODE_SELECTOR,
  REPLACED_DAEMONSETS,
  SUPER_NODE_INSTANCE_TYPE,
} from "../knowledge/tke.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import type { FilledProfile } from "../profile.js";
import type { AddonsSettings, ChartSource, DeliverySettings, InstallSettings, TerraformSettings, UninstallSettings, ValuesFile } from "../settings.js";
import type { ResolvedFeatures } from "./features.js";
import { sh } from "../text/shell.js";

interface BundleParts {
  cniConfig: boolean;
  apf: boolean;
  karpenter: boolean;
  terraform: TerraformSettings;
}

const NETWORK_NAMES = { "vpc-cni": "VPC-CNI", gr: "GlobalRouter (GR)" } as const;

export function deriveInstall(p: FilledProfile, f: ResolvedFeatures, helm: readonly ValuesFile[], has: BundleParts, addons: AddonsSettings): InstallSettings {
  const native = p.cilium.mode === "native";
  const other = p.cluster.network === "vpc-cni" ? "gr" : "vpc-cni";
  const poolDir = has.terraform.nodePool?.dir ?? null;
  const connectivityTest = deriveConnectivityTest(p.region);
  const nextSteps = [
    has.karpenter
      ? "Karpenter now launches nodes for pending Pods; watch them join: kubectl get nodes -w"
      : `Now create the node pool, from this bundle's folder: terraform -chdir=${poolDir} init && terraform -chdir=${poolDir} apply` +
        (has.terraform.cluster ? ` -var cluster_id=CLUSTER_ID, where CLUSTER_ID is what terraform -chdir=${has.terraform.cluster.dir} output -raw cluster_id prints` : ""),
    `Check Cilium once nodes are Ready: kubectl -n ${CILIUM_NAMESPACE} get pods -l app.kubernetes.io/part-of=cilium`,
    `Run the connectivity test (cilium CLI): ${connectivityTest.join(" ")}`,
  ];
  if (addons.egressPolicy) {
    nextSteps.push(`Once the egress pool's nodes are Ready, route Pods through them: ./${addons.egressPolicy.script} NAME NAMESPACE | kubectl apply -f -`);
  } else if (p.features.egressGateway) {
    nextSteps.push("Label egress nodes and write a CiliumEgressGatewayPolicy to route Pods through them");
  }
  if (addons.gatewayApi) nextSteps.push(`Expose a Gateway through a CLB: see ${addons.gatewayApi.exampleFile} (kubectl get gatewayclass shows ${addons.gatewayApi.gatewayClass} once the operator runs)`);
  if (addons.mesh) nextSteps.push(`Once every cluster of mesh ${addons.mesh.name} runs Cilium: ./${addons.mesh.script} connect (members in clusterId order)`);
  if (!native || p.features.egressGateway) nextSteps.push(`The nodes' security group must allow UDP ${CILIUM_VXLAN_PORT} (Cilium's VXLAN; not 4789) between nodes: tke-cilium explain ports`);
  const source = deriveChartSource(p);
  const chart = source.reference;
  return {
    release: CILIUM_RELEASE,
    namespace: CILIUM_NAMESPACE,
    chart,
    bundleId: fingerprint([chart, p.cilium.version, ...helm.flatMap((v) => [v.file, ...v.entries.flatMap((e) => [e.path.join("\u0000"), typeof e.value === "string" ? e.value : JSON.stringify(e.value)])])]),
    network: { name: NETWORK_NAMES[p.cluster.network], agent: NETWORK_AGENTS[p.cluster.network], otherName: NETWORK_NAMES[other], otherAgent: NETWORK_AGENTS[other] },
    tkeManagedCiliumMark: TKE_MANAGED_CILIUM_IMAGE_MARK,
    requiredCrds: has.karpenter ? [...KARPENTER_CRDS] : [],
    preflight: { release: PREFLIGHT.release, daemonSet: PREFLIGHT.daemonSet, values: [...PREFLIGHT.values] },
    chartIsLocalFile: source.kind === "local",
    helmRepo: source.kind === "http" ? { name: CILIUM_HELM_REPO.name, url: source.repository } : null,
    version: p.cilium.version,
    valuesFiles: helm.map((v) => v.file),
    apiserverVIP: p.apiserverVIP,
    eniAgent: native ? { daemonSet: ENI_AGENT.daemonSet, minVersion: ENI_AGENT_VERSIONS.minimum, recommended: ENI_AGENT_VERSIONS.recommended } : null,
    existingNodesSelector: `${SUPER_NODE_INSTANCE_TYPE.label}!=${SUPER_NODE_INSTANCE_TYPE.value}`,
    disableDaemonSets: REPLACED_DAEMONSETS,
    cniConfigFile: has.cniConfig ? BUNDLE_FILES.cniConfig : null,
    deleteEniIpWebhook: !native && p.cluster.network === "vpc-cni" ? ENI_IP_LIMIT_WEBHOOK : null,
    nonMasqueradeFromCluster:
      native && f.masqAgent && p.cluster.vpcCidrs.length === 0 ? { configMap: IP_MASQ_AGENT_CONFIGMAP, fallback: [...RFC1918_CIDRS] } : null,
    apfFile: has.apf ? BUNDLE_FILES.apf : null,
    nodePoolFile: has.karpenter ? BUNDLE_FILES.nodePool : null,
    terraformNodePoolDir: poolDir,
    gatewayApiCrdsFile: addons.gatewayApi?.crdsFile ?? null,
    ipsecSecret: addons.ipsecSecret,
    clsLogConfig: addons.flowLogs?.logConfig ? { file: addons.flowLogs.logConfig.file, crd: addons.flowLogs.logConfig.crd } : null,
    nodeLocalDns: addons.nodeLocalDns
      ? { file: addons.nodeLocalDns.manifestFile, policyFile: addons.nodeLocalDns.policyFile, placeholder: addons.nodeLocalDns.placeholder, policyCrd: addons.nodeLocalDns.policyCrd }
      : null,
    mesh: addons.mesh ? { script: addons.mesh.script, caSecret: addons.mesh.caSecret, caFrom: addons.mesh.caFrom } : null,
    connectivityTest,
    nextSteps,
  };
}

export function deriveUninstall(p: FilledProfile, has: BundleParts, addons: AddonsSettings): UninstallSettings {
  const notes: string[] = [];
  if (addons.gatewayApi) notes.push(`The Gateway API CRDs (${addons.gatewayApi.crdsFile}) stay, with every Gateway and route in them: delete them (kubectl delete -f ${addons.gatewayApi.crdsFile}) only when nothing uses them.`);
  if (addons.mesh && addons.mesh.peers.length > 0) notes.push(`The other clusters of mesh ${addons.mesh.name} still list this one: on each, cilium clustermesh disconnect --context <peer> --destination-context ${addons.mesh.clusterName}.`);
  return {
    release: CILIUM_RELEASE,
    namespace: CILIUM_NAMESPACE,
    cniConfigMap: has.cniConfig ? { name: CNI_CONFIGMAP.name, namespace: CNI_CONFIGMAP.namespace } : null,
    apf: has.apf ? { name: APF_NAME } : null,
    restoreDaemonSets: REPLACED_DAEMONSETS.map((d) => d.name),
    nowhereKey: Object.keys(NOWHERE_NODE_SELECTOR)[0],
    eniIpWebhook: p.cilium.mode === "overlay" && p.cluster.network === "vpc-cni" ? ENI_IP_LIMIT_WEBHOOK : null,
    nodesSelector: `${SUPER_NODE_INSTANCE_TYPE.label}!=${SUPER_NODE_INSTANCE_TYPE.value}`,
    nodeLeftovers: NODE_LEFTOVERS,
    karpenterNodePool: has.karpenter ? BUNDLE_FILES.nodePool : null,
    nodeLocalDns: addons.nodeLocalDns ? { policyFile: addons.nodeLocalDns.policyFile, file: addons.nodeLocalDns.manifestFile, policyCrd: addons.nodeLocalDns.policyCrd } : null,
    clsLogConfig: addons.flowLogs?.logConfig ? { file: addons.flowLogs.logConfig.file, crd: addons.flowLogs.logConfig.crd } : null,
    notes,
  };
}

/**
 * Where the chart comes from, for install.sh and the engines alike: "cilium/<chart>" through the Helm
 * repository of cilium.chartRepository (upstream, an HTTP mirror, or an OCI registry such as TCR, where helm
 * takes the chart as oci://<registry>/<namespace>/<chart>); another reference as written; a .tgz is a local file.
 */
export function deriveChartSource(p: FilledProfile): ChartSource {
  const chart = p.cilium.chart;
  if (chart.endsWith(".tgz")) return { kind: "local", name: chart, repository: null, reference: chart };
  if (!chart.startsWith(`${CILIUM_HELM_REPO.name}/`)) return { kind: "other", name: chart, repository: null, reference: chart };
  const name = chart.slice(CILIUM_HELM_REPO.name.length + 1);
  const repository = p.cilium.chartRepository;
  if (repository.startsWith(OCI_SCHEME)) return { kind: "oci", name, repository: repository.replace(/\/+$/, ""), reference: `${repository.replace(/\/+$/, "")}/${name}` };
  return { kind: "http", name, repository, reference: chart };
}

/** What GitOps needs to deliver the bundle: the chart at its version, the values files in order, when to apply what. */
export function deriveDelivery(p: FilledProfile, helm: readonly ValuesFile[], has: BundleParts, addons: AddonsSettings): Omit<DeliverySettings, "gitops"> {
  const source = deriveChartSource(p);
  const manifests: DeliverySettings["manifests"] = [];
  if (has.cniConfig) manifests.push({ file: BUNDLE_FILES.cniConfig, phase: "before-chart", what: "the chained CNI configuration cilium-agent reads (cni.configMap)" });
  if (addons.gatewayApi) manifests.push({ file: addons.gatewayApi.crdsFile, phase: "before-chart", what: `the Gateway API ${addons.gatewayApi.version} CRDs cilium-operator watches (apply server-side: they are too large for a client-side apply)` });
  if (has.apf) manifests.push({ file: BUNDLE_FILES.apf, phase: "after-chart", what: "API Priority and Fairness for cilium-agent" });
  if (has.karpenter) manifests.push({ file: BUNDLE_FILES.nodePool, phase: "after-chart", what: "the Karpenter node pool: nodes join once Cilium runs" });
  if (addons.flowLogs?.logConfig) manifests.push({ file: addons.flowLogs.logConfig.file, phase: "after-chart", what: "TKE log collection of the flow log files into CLS (needs the cluster's log collection on)" });
  if (addons.nodeLocalDns?.kubeDnsIP === null) {
    manifests.push(
      { file: addons.nodeLocalDns.manifestFile, phase: "by-install-script", what: "NodeLocal DNSCache: install.sh writes kube-dns's ClusterIP into it" },
      { file: addons.nodeLocalDns.policyFile, phase: "by-install-script", what: "the redirect of kube-dns to the node's cache: install.sh applies it once cilium-operator is up" },
    );
  } else if (addons.nodeLocalDns) {
    // kube-dns's ClusterIP is in the profile: nothing is left to read from the cluster
    manifests.push(
      { file: addons.nodeLocalDns.manifestFile, phase: "after-chart", what: "NodeLocal DNSCache, with kube-dns's ClusterIP from the profile" },
      { file: addons.nodeLocalDns.policyFile, phase: "after-chart", what: "the redirect of kube-dns to the node's cache (its CRD comes with cilium-operator)" },
    );
  }
  const terraform: DeliverySettings["terraform"] = [];
  if (has.terraform.cluster) terraform.push({ dir: has.terraform.cluster.dir, phase: "before-install", what: "the cluster, without nodes" });
  if (has.terraform.nodePool) terraform.push({ dir: has.terraform.nodePool.dir, phase: "after-install", what: "the node pool" });
  return {
    chart: { name: source.name, version: p.cilium.version, repository: source.repository, reference: source.reference },
    release: { name: CILIUM_RELEASE, namespace: CILIUM_NAMESPACE },
    valuesFiles: helm.map((v) => v.file),
    manifests,
    terraform,
    scripts: {
      install: BUNDLE_FILES.install,
      uninstall: BUNDLE_FILES.uninstall,
      ...(addons.mesh ? { clustermesh: addons.mesh.script } : {}),
      ...(addons.egressPolicy ? { egressPolicy: addons.egressPolicy.script } : {}),
    },
  };
}

/** The guide's connectivity test: mirrored images everywhere, and targets reachable from mainland China there. */
function deriveConnectivityTest(region: string): string[] {
  const targets = MAINLAND_CHINA_REGIONS.has(region) ? MAINLAND_TEST_TARGETS : [];
  // shown inside a sentence: a word is quoted only where a shell would need it
  return ["cilium", "connectivity", "test", ...[...CONNECTIVITY_TEST_IMAGES, ...targets].flat()].map((w) => (/^[\w./:@=-]+$/.test(w) ? w : sh(w)));
}

/**
 * A stable fingerprint (not a security measure) with no dependency: two 32-bit FNV-1a hashes with different
 * offsets over the UTF-16 code units, as 16 hex digits. Math.imul keeps it fast for a fleet of 1,000.
 */
function fingerprint(parts: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (const text of parts) {
    // a separator no part holds, so ["ab", "c"] and ["a", "bc"] differ
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 0xffff;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 7);
    }
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
