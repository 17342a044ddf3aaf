import { CLUSTERMESH_CA_SECRET, FLOW_LOGS } from "../knowledge/addons.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { meshPeers, type MeshDirectory } from "../mesh.js";
import type { FilledProfile } from "../profile.js";
import type { AddonsSettings, MeshSettings } from "../settings.js";

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

/** The subnet of clustermesh-apiserver's internal CLB: the profile's choice, else the nodes', else the apiserver's. */
export function meshSubnet(p: FilledProfile): string | null {
  return p.clusterMesh?.subnetId ?? p.nodePool.subnetIds[0] ?? p.cluster.intranetSubnetId ?? null;
}

export function deriveAddons(p: FilledProfile, profilePath: string, mesh: MeshDirectory): AddonsSettings {
  const flowLogs = p.features.flowLogs;
  const cls = typeof flowLogs === "object" ? (flowLogs.cls ?? null) : null;
  return {
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
