import { CLUSTERMESH_CA_SECRET } from "../knowledge/addons.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { meshPeers, type MeshDirectory } from "../mesh.js";
import type { FilledProfile } from "../profile.js";
import type { AddonsSettings, MeshSettings } from "../settings.js";

/** The subnet of clustermesh-apiserver's internal CLB: the profile's choice, else the nodes', else the apiserver's. */
export function meshSubnet(p: FilledProfile): string | null {
  return p.clusterMesh?.subnetId ?? p.nodePool.subnetIds[0] ?? p.cluster.intranetSubnetId ?? null;
}

export function deriveAddons(p: FilledProfile, profilePath: string, mesh: MeshDirectory): AddonsSettings {
  return {
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
