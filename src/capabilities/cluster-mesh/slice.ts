import { CLUSTERMESH_APISERVER_PORT, CLUSTERMESH_CA_SECRET } from "../../knowledge/addons.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { meshPeers, type MeshDirectory } from "../../mesh-peers.js";
import type { FilledProfile } from "../../profile.js";

/** A member of the mesh as this cluster's bundle knows it: from its profile, this run. */
export interface MeshMemberRef {
  clusterName: string;
  clusterId: number;
  profile: string;
  /** Its clustermesh-apiserver's VPC address (clusterMesh.address); null when its profile gives none (a rule reports it). */
  address: string | null;
}

/** clusterMesh: this cluster's place in its mesh, and the peers the other profiles of the run describe. */
export interface Mesh {
  name: string;
  clusterId: number;
  /** Cilium's cluster.name: the TKE cluster id (also the kubeconfig context the guide's steps use). */
  clusterName: string;
  /** This cluster's clustermesh-apiserver address (clusterMesh.address), null when not given. */
  address: string | null;
  /** An internal CLB made beforehand that clustermesh-apiserver's Service reuses (clusterMesh.clbId), or null. */
  clbId: string | null;
  /** The internal CLB's subnet; null when the profile gives none (a rule reports it unless clbId is given). */
  subnet: string | null;
  /** The other members, in clusterId order: each is one entry of clustermesh.config.clusters. */
  peers: MeshMemberRef[];
  /** Every member, this cluster included, in clusterId order: the order the members run their steps in. */
  members: MeshMemberRef[];
  /** The member whose CA every other copies (the lowest clusterId); null when it is this cluster. */
  caFrom: string | null;
  /** The port of every member's clustermesh-apiserver (the chart's fixed Service port). */
  port: number;
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
    .map((peer) => ({ clusterName: peer.clusterName!, clusterId: peer.clusterId, profile: peer.path, address: peer.address }));
  const first = peers.find((peer) => peer.clusterId < m.clusterId);
  return {
    name: meshName,
    clusterId: m.clusterId,
    clusterName,
    address: m.address ?? null,
    clbId: m.clbId ?? null,
    subnet: meshSubnet(p),
    peers,
    members: [...peers, { clusterName, clusterId: m.clusterId, profile: profilePath, address: m.address ?? null }].sort((a, b) => a.clusterId - b.clusterId),
    caFrom: first?.clusterName ?? null,
    port: CLUSTERMESH_APISERVER_PORT,
    script: BUNDLE_FILES.clustermesh,
    caSecret: CLUSTERMESH_CA_SECRET,
  };
}
