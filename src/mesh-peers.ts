import type { FilledProfile } from "./profile.js";

// The mesh members of a run as data, and the questions capabilities and rules ask of them; apart from mesh.ts
// (which reads and validates the profiles), so a capability can ask them without importing the validator.

export interface MeshMember {
  /** The profile's path as shown to the user. */
  path: string;
  mesh: string;
  clusterId: number;
  /** cluster.id (the TKE cluster id, Cilium's cluster.name); null when the profile gives none. */
  clusterName: string | null;
  mode: "native" | "overlay";
  /** The ranges its Pods take addresses from: cilium.podCidrs in overlay mode, cluster.vpcCidrs in native mode. */
  podRanges: string[];
  /** clusterMesh.address: where the other members reach its clustermesh-apiserver; null when the profile gives none. */
  address: string | null;
  /** Why the profile cannot be a source of values (not schema-valid); null when it is valid. */
  invalid: string | null;
}

export type MeshDirectory = readonly MeshMember[];

/** The other valid members of a profile's mesh, by clusterId then path: the only source of peer values. */
export function meshPeers(directory: MeshDirectory, path: string, mesh: string): MeshMember[] {
  return directory.filter((m) => m.mesh === mesh && m.path !== path && m.invalid === null).sort((a, b) => a.clusterId - b.clusterId || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The other members of a profile's mesh whose profiles are not valid: errors for this member, never values. */
export function invalidMeshPeers(directory: MeshDirectory, path: string, mesh: string): MeshMember[] {
  return directory.filter((m) => m.mesh === mesh && m.path !== path && m.invalid !== null);
}

/** The peers' Pod ranges a native-mode member must not masquerade (overlay tunnels them unmasqueraded). */
export function meshPeerPodRanges(p: FilledProfile, profilePath: string, directory: MeshDirectory): string[] {
  if (p.clusterMesh === undefined) return [];
  return meshPeers(directory, profilePath, p.clusterMesh.name as string).flatMap((peer) => peer.podRanges);
}
