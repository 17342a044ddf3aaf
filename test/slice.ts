// What npm test runs of a large set of cases, and what npm run test:slow (TKE_CILIUM_SLOW=1) runs of it.
// A sliced file (vitest.config.ts SLICED) is collected by both suites: npm test runs its slice, test:slow the rest,
// so the two together run each case once. The profile slice below is chosen by a stated rule from the profiles
// themselves: a new preset or golden case lands in the slow suite unless it brings something the slice lacks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CAPABILITIES } from "../src/capabilities/index.js";
import { deriveSettings } from "../src/derive.js";
import { checkProfile } from "../src/pipeline.js";
import { allProfilePaths, ROOT } from "./helpers.js";

/** npm run test:slow (TKE_CILIUM_SLOW=1) rather than npm test. */
export const SLOW = process.env.TKE_CILIUM_SLOW === "1";

/** The cases of a sliced set this suite runs: npm test those in the slice, npm run test:slow the others. */
export function casesHere<T>(all: readonly T[], inSlice: (c: T) => boolean, slow = SLOW): T[] {
  return all.filter((c) => inSlice(c) !== slow);
}

/**
 * Registers tests that are not part of a sliced set (a file's one-off checks) in npm test only: test:slow
 * collects the same file for the rest of its set, and would otherwise run them a second time.
 */
export function onceInNpmTest(register: () => void): void {
  if (!SLOW) register();
}

const DATAPATHS = new Set<string>(CAPABILITIES.filter((c) => c.kind === "datapath").map((c) => c.id));

/**
 * What a profile's bundle is made of, as the sliced files' checks see it: its platform x Cilium minor x datapath
 * (the TKE datapath capability, or a self-managed cluster's routing mode), each capability it turns on, where its
 * images come from, and the shape its checks branch on (a TKE cluster tke-cilium creates or an existing one; on a
 * self-managed cluster, kube-proxy replaced or kept, and its IPAM).
 */
export function profileTraits(path: string): string[] {
  const checked = checkProfile({ path, text: readFileSync(join(ROOT, path), "utf8") });
  if (checked.input === null) throw new Error(`${path} has no bundle: ${checked.diagnostics.map((d) => d.code).join(", ")}`);
  const p = checked.input.profile;
  const settings = deriveSettings(checked.input);
  const ids = settings.capabilities.map((c) => c.id);
  const minor = p.cilium.version.split(".").slice(0, 2).join(".");
  const datapath = p.platform === "tke" ? ids.filter((id) => DATAPATHS.has(id)).join() : `routing ${p.selfManaged!.routing.mode}`;
  const shape =
    p.platform === "tke"
      ? [`tke ${p.cluster.id === undefined ? "new" : "existing"} cluster`]
      : [`self-managed kube-proxy ${p.selfManaged!.kubeProxyReplacement ? "replaced" : "kept"}`, `self-managed ipam ${p.selfManaged!.ipam}`];
  return [`${p.platform} ${minor} ${datapath}`, ...ids.map((id) => `capability ${id}`), `images ${p.images.mirror}${p.images.useDigest ? "" : " no digest"}`, ...shape];
}

/**
 * The slice: greedily, the case that brings the most traits no chosen case has yet (the first in the given
 * order on a tie), until every trait of every case is in; the rest are the others. A case is only ever in the
 * rest when the slice has each of its traits.
 */
export function coveringSlice(cases: readonly { name: string; traits: readonly string[] }[]): { slice: string[]; rest: string[] } {
  const missing = new Set(cases.flatMap((c) => c.traits));
  const chosen = new Set<string>();
  while (missing.size > 0) {
    let best: (typeof cases)[number] | undefined;
    let gain = 0;
    for (const c of cases) {
      const n = new Set(c.traits.filter((t) => missing.has(t))).size;
      if (n > gain) [best, gain] = [c, n];
    }
    chosen.add(best!.name);
    for (const t of best!.traits) missing.delete(t);
  }
  return { slice: cases.filter((c) => chosen.has(c.name)).map((c) => c.name), rest: cases.filter((c) => !chosen.has(c.name)).map((c) => c.name) };
}

let profiles: { slice: Set<string>; traits: Map<string, string[]> } | undefined;
/** Every profile (allProfilePaths) with its traits, and the covering slice of them; worked out once per worker. */
export function profileSlice(): { slice: Set<string>; traits: Map<string, string[]> } {
  if (profiles === undefined) {
    const traits = new Map(allProfilePaths().map((path) => [path, profileTraits(path)]));
    profiles = { slice: new Set(coveringSlice([...traits].map(([name, t]) => ({ name, traits: t }))).slice), traits };
  }
  return profiles;
}

/** The covering slice of some of the profiles (of allProfilePaths), by their traits. */
export const coveringPaths = (paths: readonly string[]): Set<string> => new Set(coveringSlice(paths.map((name) => ({ name, traits: profileSlice().traits.get(name)! }))).slice);

/** The profiles (allProfilePaths) this suite runs: the covering slice in npm test, the others in test:slow. */
export const profilePathsHere = (): string[] => casesHere(allProfilePaths(), (path) => profileSlice().slice.has(path));
