import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CAPABILITIES } from "../src/capabilities/index.js";
import { deriveSettings } from "../src/derive.js";
import { PLATFORMS } from "../src/knowledge/platforms.js";
import { checkProfile } from "../src/pipeline.js";
import { allProfilePaths, ROOT } from "./helpers.js";
import { casesHere, coveringSlice, profileSlice } from "./slice.js";

/**
 * The slice npm test runs of the profiles (test/helm-template.test.ts, test/fidelity.test.ts) stays covering:
 * what it must hold is worked out here from the profiles themselves, not from the slice's own traits.
 */
function facts(path: string) {
  const input = checkProfile({ path, text: readFileSync(join(ROOT, path), "utf8") }).input!;
  const p = input.profile;
  const ids = deriveSettings(input).capabilities.map((c) => c.id);
  const datapath = p.platform === "tke" ? ids.filter((id) => CAPABILITIES.find((c) => c.id === id)!.kind === "datapath").join() : p.selfManaged!.routing.mode;
  return {
    platforms: [p.platform],
    minors: [p.cilium.version.replace(/\.\d+$/, "")],
    datapaths: [`${p.platform} ${p.cilium.version.replace(/\.\d+$/, "")} ${datapath}`],
    capabilities: ids,
    images: [`${p.images.mirror} ${p.images.useDigest}`],
    kubeProxy: p.selfManaged ? [String(p.selfManaged.kubeProxyReplacement)] : [],
  };
}
type Facts = ReturnType<typeof facts>;
const union = (paths: Iterable<string>, of: Map<string, Facts>) => {
  const out: Record<keyof Facts, Set<string>> = { platforms: new Set(), minors: new Set(), datapaths: new Set(), capabilities: new Set(), images: new Set(), kubeProxy: new Set() };
  for (const path of paths) for (const [k, values] of Object.entries(of.get(path)!)) for (const v of values) out[k as keyof Facts].add(v);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
};

describe("the profile slice of npm test", () => {
  const all = allProfilePaths();
  const of = new Map(all.map((path) => [path, facts(path)]));
  const { slice } = profileSlice();

  it("holds every platform x Cilium minor x datapath, capability, image source and kube-proxy mode any profile has", () => {
    expect(union(slice, of)).toEqual(union(all, of));
  });

  it("holds every platform, and every capability but the GitOps certificates (only a GitOps render has them)", () => {
    const sliced = union(slice, of);
    expect(sliced.platforms).toEqual([...PLATFORMS].sort());
    expect(sliced.capabilities).toEqual(CAPABILITIES.map((c) => c.id).filter((id) => id !== "gitops-certificates").sort());
  });

  it("is a slice: fewer than half of the profiles, the rest in npm run test:slow", () => {
    expect(slice.size).toBeLessThan(all.length / 2);
    const fast = casesHere(all, (p) => slice.has(p), false);
    const slow = casesHere(all, (p) => slice.has(p), true);
    expect([...fast, ...slow].sort()).toEqual([...all].sort());
    expect(fast.filter((p) => slow.includes(p))).toEqual([]);
  });
});

describe("the covering rule", () => {
  const cases = [
    { name: "a", traits: ["tke 1.19 native", "capability hubble"] },
    { name: "b", traits: ["tke 1.19 native", "capability hubble", "capability encryption"] },
    { name: "c", traits: ["k3s 1.19 routing tunnel"] },
  ];

  it("takes the case that brings most, and leaves out one whose every trait the slice has", () => {
    expect(coveringSlice(cases)).toEqual({ slice: ["b", "c"], rest: ["a"] });
  });

  it("a new case with something no other has joins the slice; one with nothing new goes to the rest", () => {
    expect(coveringSlice([...cases, { name: "d", traits: ["tke 1.20 native"] }]).slice).toContain("d");
    expect(coveringSlice([...cases, { name: "e", traits: ["capability encryption"] }]).rest).toContain("e");
  });
});
