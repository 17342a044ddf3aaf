import { CLUSTERMESH_CA_SECRET, EGRESS_NODE, FLOW_LOGS, GATEWAY_API, GATEWAY_EXAMPLE_PORTS, IPSEC_SECRET, LOCAL_REDIRECT_POLICY_CRD, NODE_LOCAL_DNS } from "../knowledge/addons.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { meshPeers, type MeshDirectory } from "../mesh.js";
import type { FilledProfile } from "../profile.js";
import type { AddonsSettings, MeshSettings } from "../settings.js";
import { mirroredRepository } from "./helm.js";

/** One flow log export as the chart's hubble.export.dynamic.config.content takes it. */
export interface FlowLogExport {
  name: string;
  filePath: string;
  fieldMask: string[];
  includeFilters: Record<string, unknown>[];
  excludeFilters: Record<string, unknown>[];
  fileMaxSizeMb: number;
  fileMaxBackups: number;
  fileCompress: boolean;
}

type FlowLogsObject = Exclude<FilledProfile["features"]["flowLogs"], boolean>;

/** features.flowLogs as exports: the guide's "all" for true; the CLS endpoint's traffic left out of each. */
export function flowLogExports(p: FilledProfile): FlowLogExport[] {
  const asked = p.features.flowLogs;
  if (asked === false) return [];
  const exports = asked === true ? [{ name: FLOW_LOGS.defaultExport }] : ((asked as FlowLogsObject).exports ?? [{ name: FLOW_LOGS.defaultExport }]);
  const cls = FLOW_LOGS.clsEndpoint;
  return exports.map((e) => ({
    // required by the schema (the type cannot tell: name is optional elsewhere)
    name: e.name as string,
    filePath: `${FLOW_LOGS.dir}/${e.name as string}.log`,
    fieldMask: [...(e.fieldMask ?? [])],
    includeFilters: (e.include ?? []).map((f) => structuredClone(f) as Record<string, unknown>),
    // the agent's own log shipping to CLS would otherwise be logged, collected and shipped again, endlessly
    excludeFilters: [...(e.exclude ?? []).map((f) => structuredClone(f) as Record<string, unknown>), { source_ip: [cls] }, { destination_ip: [cls] }],
    ...FLOW_LOGS.rotation,
  }));
}

/** node-cache's image, from where the profile's nodes pull images. */
export function nodeLocalDnsImage(p: FilledProfile): { source: string; image: string } {
  const { repository, tkeMirror, tag } = NODE_LOCAL_DNS.image;
  const source = `${repository}:${tag}`;
  if (p.images.mirror === "tke") return { source, image: `${tkeMirror}:${tag}` };
  return { source, image: `${mirroredRepository(p, repository)?.repository ?? repository}:${tag}` };
}

/** The subnet of clustermesh-apiserver's internal CLB: the profile's choice, else the nodes', else the apiserver's. */
export function meshSubnet(p: FilledProfile): string | null {
  return p.clusterMesh?.subnetId ?? p.nodePool.subnetIds[0] ?? p.cluster.intranetSubnetId ?? null;
}

export function deriveAddons(p: FilledProfile, profilePath: string, mesh: MeshDirectory): AddonsSettings {
  const flowLogs = p.features.flowLogs;
  const cls = typeof flowLogs === "object" ? (flowLogs.cls ?? null) : null;
  return {
    nodeLocalDns: p.features.nodeLocalDns
      ? {
          manifestFile: BUNDLE_FILES.nodeLocalDns,
          policyFile: BUNDLE_FILES.nodeLocalDnsPolicy,
          image: nodeLocalDnsImage(p).image,
          placeholder: NODE_LOCAL_DNS.placeholder,
          kubeDnsIP: p.cluster.kubeDnsIP ?? null,
          policyCrd: LOCAL_REDIRECT_POLICY_CRD,
        }
      : null,
    gatewayApi: p.features.gatewayApi
      ? {
          version: GATEWAY_API.version,
          crdsFile: BUNDLE_FILES.gatewayApiCrds,
          exampleFile: BUNDLE_FILES.gatewayExample,
          gatewayClass: GATEWAY_API.gatewayClass,
          listenerPort: GATEWAY_EXAMPLE_PORTS.listener,
          clbPort: GATEWAY_EXAMPLE_PORTS.clb,
        }
      : null,
    flowLogs:
      flowLogs === false
        ? null
        : {
            logConfig:
              cls === null
                ? null
                : {
                    file: BUNDLE_FILES.clsLogConfig,
                    name: FLOW_LOGS.logConfigName,
                    crd: FLOW_LOGS.logConfigCrd,
                    region: (cls.region as string | undefined) ?? p.region,
                    logset: cls.logset,
                    topic: cls.topic,
                    dir: FLOW_LOGS.dir,
                  },
          },
    mesh: deriveMesh(p, profilePath, mesh),
    ipsecSecret: p.features.encryption === "ipsec" ? IPSEC_SECRET : null,
    egressPolicy: p.nodePool.egress !== undefined && p.nodePool.type !== "karpenter" ? { script: BUNDLE_FILES.egressPolicy, label: { ...EGRESS_NODE.label } } : null,
  };
}

function deriveMesh(p: FilledProfile, profilePath: string, directory: MeshDirectory): MeshSettings | null {
  const m = p.clusterMesh;
  // the rules refuse a mesh without cluster.id or a subnet; derive still runs for the bundle rules
  if (m === undefined) return null;
  const clusterName = p.cluster.id ?? "";
  const meshName = m.name as string;
  const peers = meshPeers(directory, profilePath, meshName)
    .filter((peer) => peer.clusterName !== null)
    .map((peer) => ({ clusterName: peer.clusterName!, clusterId: peer.clusterId, profile: peer.path }));
  const first = peers.find((peer) => peer.clusterId < m.clusterId);
  return {
    name: meshName,
    clusterId: m.clusterId,
    clusterName,
    subnetId: meshSubnet(p) ?? "",
    peers,
    members: [...peers, { clusterName, clusterId: m.clusterId, profile: profilePath }].sort((a, b) => a.clusterId - b.clusterId),
    caFrom: first?.clusterName ?? null,
    connectTo: peers.filter((peer) => peer.clusterId < m.clusterId).map((peer) => peer.clusterName),
    script: BUNDLE_FILES.clustermesh,
    caSecret: CLUSTERMESH_CA_SECRET,
  };
}

/** The peers' Pod ranges a native-mode member must not masquerade (overlay tunnels them unmasqueraded). */
export function meshPeerPodRanges(p: FilledProfile, profilePath: string, directory: MeshDirectory): string[] {
  if (p.clusterMesh === undefined) return [];
  return meshPeers(directory, profilePath, p.clusterMesh.name as string).flatMap((peer) => peer.podRanges);
}
