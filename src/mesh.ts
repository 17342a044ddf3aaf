import schema from "../schema/profile.schema.json" with { type: "json" };
import { isYamlPath, resolveProfile, type BaseRead } from "./extends.js";

/**
 * Cluster Mesh across the fleet: no single profile knows its peers, so each run reads every profile's
 * clusterMesh (cheaply, with JSON.parse and the schema's defaults; never validated here) and hands the list
 * to the rules and to derive. A profile that is not valid JSON, or not schema-valid, is reported by its own
 * checks; here a malformed entry is skipped.
 */
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
}

export type MeshDirectory = readonly MeshMember[];

const DEFAULT_POD_CIDRS: readonly string[] = schema.properties.cilium.properties.podCidrs.default;
const DEFAULT_MODE = schema.properties.cilium.properties.mode.default as "native" | "overlay";

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const strings = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : null);

/**
 * The mesh member a profile's text describes, or null (no clusterMesh, or not readable as one). A YAML
 * profile, or one whose bases mention clusterMesh, is read merged (extends.ts); a JSON one with JSON.parse.
 */
export function meshMemberOf(path: string, text: string, bases?: ReadonlyMap<string, BaseRead>): MeshMember | null {
  const inBases = [...(bases?.values() ?? [])].some((b) => "text" in b && b.text.includes("clusterMesh"));
  // most profiles have no mesh: skip the parse
  if (!text.includes(isYamlPath(path) ? "clusterMesh" : '"clusterMesh"') && !inBases) return null;
  let value: unknown;
  if (isYamlPath(path) || inBases) value = resolveProfile({ path, text, bases }).value;
  else {
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch {
      return null;
    }
  }
  if (!isRecord(value) || !isRecord(value.clusterMesh)) return null;
  const { name, clusterId } = value.clusterMesh;
  if (typeof name !== "string" || typeof clusterId !== "number") return null;
  const cluster = isRecord(value.cluster) ? value.cluster : {};
  const cilium = isRecord(value.cilium) ? value.cilium : {};
  const mode = cilium.mode === "overlay" || cilium.mode === "native" ? cilium.mode : DEFAULT_MODE;
  const podRanges = mode === "overlay" ? (strings(cilium.podCidrs) ?? [...DEFAULT_POD_CIDRS]) : (strings(cluster.vpcCidrs) ?? []);
  return { path, mesh: name, clusterId, clusterName: typeof cluster.id === "string" ? cluster.id : null, mode, podRanges };
}

export function meshDirectory(sources: readonly { path: string; text: string; bases?: ReadonlyMap<string, BaseRead> }[]): MeshMember[] {
  return sources.flatMap((s) => meshMemberOf(s.path, s.text, s.bases) ?? []);
}

/** The other members of a profile's mesh, by clusterId then path. */
export function meshPeers(directory: MeshDirectory, path: string, mesh: string): MeshMember[] {
  return directory.filter((m) => m.mesh === mesh && m.path !== path).sort((a, b) => a.clusterId - b.clusterId || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
