import schema from "../schema/profile.schema.json" with { type: "json" };
import { isYamlPath, resolveProfile, type BaseRead } from "./extends.js";
import { MAX_PROFILE_CHARS } from "./parse.js";
import { validateProfile } from "./validate.js";
import type { MeshMember } from "./mesh-peers.js";
import { mayHoldKey } from "./text/key-gate.js";

export { invalidMeshPeers, meshPeerPodRanges, meshPeers, type MeshDirectory, type MeshMember } from "./mesh-peers.js";


/**
 * Cluster Mesh across the fleet: no single profile knows its peers, so each run reads every profile's
 * clusterMesh and hands the list to the rules and to derive. A peer is read from another file (tke-cilium.json's
 * profiles), which a pull request may have crafted: it is validated against the whole schema before any of its
 * values is used, and an invalid one is kept only as `invalid` (a reason), never as a source of cluster ids or
 * ranges; the rules make it an error for its peers.
 */
const DEFAULT_POD_CIDRS: readonly string[] = schema.properties.cilium.properties.podCidrs.default;
const DEFAULT_MODE = schema.properties.cilium.properties.mode.default as "native" | "overlay";

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const strings = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : null);

/**
 * The mesh member a profile's text describes, or null (no clusterMesh, or not readable as one). A YAML
 * profile, or one with bases, is read merged (extends.ts); a JSON one without with JSON.parse.
 */
export function meshMemberOf(path: string, text: string, bases?: ReadonlyMap<string, BaseRead>): MeshMember | null {
  const inBases = [...(bases?.values() ?? [])].some((b) => "text" in b && mayHoldKey(b.text, "clusterMesh"));
  // most profiles have no mesh: skip the parse
  if ((!mayHoldKey(text, isYamlPath(path) ? "clusterMesh" : '"clusterMesh"') && !inBases) || text.length > MAX_PROFILE_CHARS) return null;
  let value: unknown;
  // a profile with bases is read merged even when clusterMesh is its own: its other required fields may be theirs
  if (isYamlPath(path) || bases !== undefined) value = resolveProfile({ path, text, bases }).value;
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
  const checked = validateProfile(value, path, () => ({ line: 0, col: 0, length: 1 }));
  if (checked.profile === undefined) {
    const first = checked.diagnostics[0];
    const invalid = first === undefined ? "not schema-valid" : `${first.pointer || "/"}: ${first.message}`;
    return { path, mesh: name, clusterId, clusterName: null, mode: DEFAULT_MODE, podRanges: [], address: null, invalid: invalid.slice(0, 200) };
  }
  const cluster = isRecord(value.cluster) ? value.cluster : {};
  const cilium = isRecord(value.cilium) ? value.cilium : {};
  const mode = cilium.mode === "overlay" || cilium.mode === "native" ? cilium.mode : DEFAULT_MODE;
  const podRanges = mode === "overlay" ? (strings(cilium.podCidrs) ?? [...DEFAULT_POD_CIDRS]) : (strings(cluster.vpcCidrs) ?? []);
  const address = typeof value.clusterMesh.address === "string" ? value.clusterMesh.address : null;
  return { path, mesh: name, clusterId, clusterName: typeof cluster.id === "string" ? cluster.id : null, mode, podRanges, address, invalid: null };
}

export function meshDirectory(sources: readonly { path: string; text: string; bases?: ReadonlyMap<string, BaseRead> }[]): MeshMember[] {
  return sources.flatMap((s) => meshMemberOf(s.path, s.text, s.bases) ?? []);
}
