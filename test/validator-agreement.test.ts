// The profile and config schemas are compiled twice (scripts/codegen.mjs): a lean validator that stops at the first
// error, which src/validate.ts runs first, and the verbose one that explains a rejection. The lean one decides
// whether a profile is valid and fills its defaults, so it must agree with the verbose one on every input: on each
// profile and config in the repository, and on profiles made from them by random edits.
import fc from "fast-check";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import leanProfile from "../schema/profile.schema.json?validator";
import explainProfile from "../schema/profile.schema.json?explainer";
import leanConfig from "../schema/config.schema.json?validator";
import explainConfig from "../schema/config.schema.json?explainer";
import { validateProfile } from "../src/validate.js";
import { ROOT } from "./helpers.js";

type Validate = (data: unknown) => boolean;

/** Both validators on their own copy: the verdicts, and the copies with the defaults each filled in. */
function bothWays(lean: Validate, verbose: Validate, value: unknown) {
  const a = structuredClone(value);
  const b = structuredClone(value);
  return { lean: lean(a), verbose: verbose(b), leanFilled: a, verboseFilled: b };
}

function expectAgreement(lean: Validate, verbose: Validate, value: unknown, label: string) {
  const r = bothWays(lean, verbose, value);
  expect(r.lean, label).toBe(r.verbose);
  // on a valid input the lean validator's copy is the profile a run goes on with: the same defaults
  if (r.verbose) expect(r.leanFilled, label).toEqual(r.verboseFilled);
}

/** Every JSON and YAML file under presets/ and test/ that parses (profiles, bases, configs, expected results...). */
function repositoryDocuments(): { file: string; value: unknown }[] {
  const found: { file: string; value: unknown }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(json|ya?ml)$/.test(entry.name) && statSync(path).size < 200_000) {
        const text = readFileSync(path, "utf8");
        try {
          found.push({ file: relative(ROOT, path), value: entry.name.endsWith(".json") ? JSON.parse(text) : parseYaml(text) });
        } catch {
          // not a document either validator would see (a parse error is reported before validation)
        }
      }
    }
  };
  walk(join(ROOT, "presets"));
  walk(join(ROOT, "test"));
  return found;
}

/** Repository configs as the README shows them (no tke-cilium.json is kept under test/ as a file). */
const CONFIGS = [
  { profiles: ["clusters/*.json"] },
  { profiles: ["clusters/*.json"], out: "out", gitops: { engine: "argocd", repoURL: "https://git.example.com/platform/fleet.git", revision: "main" } },
  { profiles: ["clusters/", "more/*.yaml"], out: "bundles", gitops: { engine: "flux", namespace: "flux-system", interval: "10m" } },
  { profiles: [] },
  { profiles: ["a"], gitops: { engine: "helm" } },
  { out: "out" },
];

const documents = [...repositoryDocuments(), ...CONFIGS.map((value, i) => ({ file: `config ${i}`, value }))];
const profiles = documents.filter((d) => d.value !== null && typeof d.value === "object" && !Array.isArray(d.value) && ("cilium" in d.value || "nodePool" in d.value || "platform" in d.value));

describe("the lean and the verbose validator agree", () => {
  it("finds the repository's profiles and configs", () => {
    expect(profiles.length).toBeGreaterThan(40);
    const validConfigs = CONFIGS.filter((c) => explainConfig()(structuredClone(c)));
    expect(validConfigs.length).toBeGreaterThanOrEqual(2);
    expect(validConfigs.length).toBeLessThan(CONFIGS.length);
  });

  it("on every document in the repository, as a profile and as a config", () => {
    let valid = 0;
    for (const { file, value } of documents) {
      expectAgreement(leanProfile, explainProfile(), value, `${file} as a profile`);
      expectAgreement(leanConfig, explainConfig(), value, `${file} as a config`);
      if (explainProfile()(structuredClone(value))) valid++;
    }
    // both verdicts occur: the presets and golden profiles are valid, test/invalid/ has schema errors
    expect(valid).toBeGreaterThan(20);
    expect(valid).toBeLessThan(documents.length);
  });

  // Random edits of the repository's profiles: a field removed, replaced by a value of another type or out of its
  // range, an unknown field added, an enum value swapped. Many stay valid, many do not.
  const leaf = fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1, 24, 65536, 1.5, "", "native", "overlay", "gr", "vpc-cni", "karpenter", "regular", "tke", "custom", "none", "k3s", "kubeadm", "1.19.5", "10.0.0.0/16", "169.254.128.7", "subnet-abc", "cls-12345678"),
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -5, max: 100_000 }),
  );
  const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom("enabled", "type", "mode", "name", "x"), leaf, { maxKeys: 2 }));
  const edit = fc.record({ kind: fc.constantFrom("delete", "set", "add"), pick: fc.nat(), value, key: fc.constantFrom("unknownField", "enabled", "mode", "version", "type", "nodepool") });

  function paths(node: unknown, at: string[] = []): string[][] {
    if (node === null || typeof node !== "object") return [at];
    const children = Array.isArray(node) ? node.map((_, i) => String(i)) : Object.keys(node);
    return [at, ...children.flatMap((k) => paths((node as Record<string, unknown>)[k], [...at, k]))];
  }

  function applied(profile: unknown, edits: { kind: string; pick: number; value: unknown; key: string }[]): unknown {
    const copy = structuredClone(profile);
    for (const e of edits) {
      const all = paths(copy).filter((p) => p.length > 0);
      if (all.length === 0) break;
      const path = all[e.pick % all.length];
      const parent = path.slice(0, -1).reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], copy) as Record<string, unknown> | unknown[];
      const last = path[path.length - 1];
      if (e.kind === "delete" && !Array.isArray(parent)) delete parent[last];
      else if (e.kind === "add" && !Array.isArray(parent)) parent[e.key] = e.value;
      else (parent as Record<string, unknown>)[last] = e.value;
    }
    return copy;
  }

  it("on configs edited at random", () => {
    fc.assert(
      fc.property(fc.nat({ max: CONFIGS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
        expectAgreement(leanConfig, explainConfig(), applied(CONFIGS[which], edits), `config ${which} edited ${JSON.stringify(edits)}`);
      }),
      { numRuns: 200, seed: 29 },
    );
  });

  it("on profiles edited at random", () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(fc.nat({ max: profiles.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
        const profile = applied(profiles[which].value, edits);
        const r = bothWays(leanProfile, explainProfile(), profile);
        if (r.verbose) valid++;
        else invalid++;
        expectAgreement(leanProfile, explainProfile(), profile, `${profiles[which].file} edited ${JSON.stringify(edits)}`);
      }),
      { numRuns: 400, seed: 29 },
    );
    expect(valid).toBeGreaterThan(20);
    expect(invalid).toBeGreaterThan(20);
  });

  it("validateProfile: a valid profile comes back with its defaults, an invalid one with the verbose validator's diagnostics", () => {
    const locate = () => ({ line: 1, col: 1, length: 1 });
    const ok = validateProfile({ region: "ap-guangzhou", apiserverVIP: "169.254.128.7", nodePool: { type: "native" } }, "p.json", locate);
    expect(ok.diagnostics).toEqual([]);
    expect((ok.profile as { cilium: { version: string } }).cilium.version).toBe("1.19.5");
    // two mistakes: the lean validator stops at the first, the diagnostics name both
    const bad = validateProfile({ region: "ap-guangzhou", apiserverVIP: "169.254.128.7", nodePool: { type: "native" }, cilium: { mode: "nativ" }, clusterr: {} }, "p.json", locate);
    expect(bad.profile).toBeUndefined();
    expect(bad.diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ["UNKNOWN_FIELD", "/clusterr"],
      ["INVALID_VALUE", "/cilium/mode"],
    ]);
  });
});
