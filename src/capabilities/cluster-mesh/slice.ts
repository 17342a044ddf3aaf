import { CLUSTERMESH_CA_SECRET } from "../../knowledge/addons.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { meshPeers, type MeshDirectory } from "../../mesh-peers.js";
import type { FilledProfile } from "../../profile.js";

/** clusterMesh: this cluster's place in its mesh, and the peers the other profiles of the run describe. */
export interface Mesh {
  name: string;
  clusterId: number;
  /** Cilium's cluster.name: the TKE cluster id (also the kubeconfig context the guide's steps use). */
  clusterName: string;
  subnetId: string;
  /** The internal CLB's subnet; null when the profile gives none (a rule reports it). */
  subnet: string | null;
  peers: { clusterName: string; clusterId: number; profile: string }[];
  /** Every member, this cluster included, in clusterId order: the order the members run their steps in. */
  members: { clusterName: string; clusterId: number; profile: string }[];
  /** The member whose CA every other copies (the lowest clusterId); null when it is this cluster. */
  caFrom: string | null;
  /** The peers this cluster connects to (those with a lower clusterId): run in clusterId order, each pair once. */
  connectTo: string[];
  script: string;
  caSecret: string;
}

/** The subnet of clustermesh-apiserver's internal CLB: the profile's choice, else the nodes', else the apiserver's. */
export function meshSubnet(p: FilledProfile): string | null {
  return p.clusterMesh?.subnetId ?? p.nodePool.subnetIds[0] ?? p.cluster.intranetSubnetId ?? null;
}

export function resolveMesh(p: FilledProfile, profilePath: string, directory: MeshDirectory): Mesh | null {
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
    subnet: meshSubnet(p),
    peers,
    members: [...peers, { clusterName, clusterId: m.clusterId, profile: profilePath }].sort((a, b) => a.clusterId - b.clusterId),
    caFrom: first?.clusterName ?? null,
    connectTo: peers.filter((peer) => peer.clusterId < m.clusterId).map((peer) => peer.clusterName),
    script: BUNDLE_FILES.clustermesh,
    caSecret: CLUSTERMESH_CA_SECRET,
  };
}
