import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderProfile } from "../../src/pipeline.js";
import { helmProblems } from "../fidelity/helm.js";
import { karpenterProblems } from "../fidelity/karpenter.js";
import { kubernetesProblems } from "../fidelity/kubernetes.js";
import { shellParseError, shellProblems } from "../fidelity/shell.js";
import { parseHcl, terraformProblems } from "../fidelity/terraform.js";
import { fileOf, helmValuesFiles, parseYaml } from "../helpers.js";

/** Cases per property (npm run test:slow); TKE_CILIUM_PROPERTY_RUNS=20000 npm run test:slow for a longer hunt. */
const RUNS = Number(process.env.TKE_CILIUM_PROPERTY_RUNS ?? 1000);
const SEED = process.env.TKE_CILIUM_PROPERTY_SEED ? Number(process.env.TKE_CILIUM_PROPERTY_SEED) : undefined;
const settings = (numRuns: number) => ({ numRuns, seed: SEED });

const REGIONS = ["ap-beijing", "ap-shanghai", "ap-guangzhou", "ap-singapore", "ap-tokyo", "eu-frankfurt", "na-ashburn", "ap-shenzhen-fsi"];
const VERSIONS = ["1.18.3", "1.18.11", "1.18.12", "1.19.0", "1.19.5", "1.19.6", "1.20.0"];
const id = (prefix: string) => fc.stringMatching(/^[0-9a-z]{1,12}$/).map((s) => `${prefix}-${s}`);
const ids = (prefix: string, min = 0) => fc.uniqueArray(id(prefix), { minLength: min, maxLength: 3 });

/** Free text where the schema allows it (free-form chart maps): anything, including every hostile character. */
const hostileString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("$(reboot)", "`id`", "it's", '"', "\\", "${x}", "%{ if }", "{{ . }}", "on", "~", "*a", "&a", "!!python/object", ": ", "- ", "#", "\u2028", "\u202e", "\u0000", "\r\n", ""),
);

const profileArb = fc
  .record({
    region: fc.constantFrom(...REGIONS),
    vip: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).filter(([a, b]) => !(a === 32 && b === 16)),
    // a TKE cluster id is cls- and exactly 8 lower-case letters or digits (the schema's pattern)
    clusterId: fc.option(fc.stringMatching(/^[0-9a-z]{8}$/).map((s) => `cls-${s}`), { nil: undefined }),
    gr: fc.boolean(),
    overlay: fc.boolean(),
    version: fc.constantFrom(...VERSIONS),
    pool: fc.constantFrom("karpenter", "native", "regular"),
    subnets: ids("subnet", 1),
    groups: ids("sg", 1),
    keys: ids("skey"),
    mirror: fc.constantFrom("tke", "none", "custom"),
    useDigest: fc.boolean(),
    maxNodes: fc.option(fc.integer({ min: 1, max: 6000 }), { nil: undefined }),
    features: fc.record({ hubble: fc.boolean(), egressGateway: fc.boolean(), endpointSlice: fc.boolean(), bandwidthManager: fc.boolean(), apf: fc.boolean(), localRedirectPolicy: fc.boolean() }),
    vpcCidrs: fc.constantFrom([], ["10.0.0.0/16"], ["10.0.0.0/16", "172.18.0.0/16"]),
    extraConfig: fc.dictionary(hostileString.filter((k) => k.length > 0), hostileString, { maxKeys: 4 }),
    startupTaint: fc.boolean(),
    containerdMirror: fc.boolean(),
  })
  .map((g) => {
    const profile: Record<string, unknown> = {
      region: g.region,
      apiserverVIP: `169.254.${g.vip[0]}.${g.vip[1]}`,
      cluster: { ...(g.clusterId ? { id: g.clusterId } : {}), network: g.gr && g.overlay ? "gr" : "vpc-cni", vpcCidrs: g.vpcCidrs, ...(g.maxNodes ? { maxNodes: g.maxNodes } : {}) },
      cilium: { version: g.version, mode: g.overlay ? "overlay" : "native", extraValues: Object.keys(g.extraConfig).length ? { extraConfig: g.extraConfig } : {} },
      images: { mirror: g.mirror, useDigest: g.useDigest, ...(g.mirror === "custom" ? { registry: "reg.example.com/ns" } : {}) },
      nodePool: { type: g.pool, subnetIds: g.subnets, securityGroupIds: g.groups, sshKeyIds: g.keys, startupTaint: g.startupTaint, containerdMirror: g.containerdMirror },
      features: { ...g.features, endpointSlice: g.features.endpointSlice && !g.features.egressGateway },
    };
    return profile;
  });

const render = (profile: unknown) => renderProfile({ path: "p.json", text: JSON.stringify(profile, null, 2) });

describe("any schema-valid profile", () => {
  it(`renders without throwing or errors, every file parses, and free text survives (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(profileArb, (profile) => {
        const r = render(profile);
        expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        for (const f of r.files) {
          if (f.path.endsWith(".yaml")) for (const doc of f.content.split(/^---$/m)) parseYaml(doc);
          if (f.path.endsWith(".sh")) expect(shellParseError(f.content), f.path).toBeNull();
        }
        const extraConfig = (profile.cilium as { extraValues: { extraConfig?: Record<string, string> } }).extraValues.extraConfig;
        if (extraConfig) {
          const features = parseYaml(fileOf(r.files, "features-values.yaml")!.content) as { extraConfig: Record<string, string> };
          for (const [k, v] of Object.entries(extraConfig)) expect(features.extraConfig[k]).toBe(v);
        }
      }),
      settings(RUNS),
    );
  });

  it(`passes the fidelity checks (${Math.ceil(RUNS / 10)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(profileArb, async (profile) => {
        const r = render(profile);
        const version = (profile.cilium as { version: string }).version;
        expect(helmProblems(version, helmValuesFiles(r.files).map((f) => fileOf(r.files, f)!.content))).toEqual([]);
        for (const name of ["cni-config.yaml", "cilium-apf.yaml"]) {
          const f = fileOf(r.files, name);
          for (const doc of f ? f.content.split(/^---$/m) : []) expect(kubernetesProblems(parseYaml(doc) as Record<string, unknown>)).toEqual([]);
        }
        const nodepool = fileOf(r.files, "nodepool.yaml");
        for (const doc of nodepool ? nodepool.content.split(/^---$/m) : []) expect(karpenterProblems(parseYaml(doc) as Record<string, unknown>)).toEqual([]);
        const tf = r.files.filter((f) => f.path.startsWith("terraform/"));
        for (const f of tf) await parseHcl(f.path, f.content);
        expect(await terraformProblems(tf)).toEqual([]);
        expect(shellProblems(fileOf(r.files, "install.sh")!.content)).toEqual([]);
      }),
      settings(Math.ceil(RUNS / 10)),
    );
  }, 300_000);
});

/** Ways to break a valid profile; each must give a located diagnostic, never a throw. */
const mutation = fc.oneof(
  fc.constant((p: Record<string, unknown>) => delete p.region),
  fc.constant((p: Record<string, unknown>) => delete (p.nodePool as Record<string, unknown>).type),
  fc.constant((p: Record<string, unknown>) => (p.apiserverVIP = 42)),
  fc.constant((p: Record<string, unknown>) => (p.apiserverVIP = "10.1.2.3")),
  fc.constant((p: Record<string, unknown>) => ((p.cluster as Record<string, unknown>).maxNodes = -1)),
  fc.constant((p: Record<string, unknown>) => ((p.features as Record<string, unknown>).hubble = "yes")),
  fc.constant((p: Record<string, unknown>) => ((p.cilium as Record<string, unknown>).version = "2.0.0")),
  fc.constant((p: Record<string, unknown>) => ((p.nodePool as Record<string, unknown>).subnetIds = ["../../etc"])),
  hostileString.map((k) => (p: Record<string, unknown>) => (p[`x${k}`] = k)),
  hostileString.map((v) => (p: Record<string, unknown>) => (p.region = v)),
  hostileString.map((v) => (p: Record<string, unknown>) => ((p.cilium as Record<string, unknown>).extraValues = { [`nope${v}`]: v })),
);

describe("any broken profile", () => {
  it(`gets diagnostics with a pointer and a place, never a throw (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(profileArb, mutation, (profile, mutate) => {
        const broken = structuredClone(profile);
        mutate(broken);
        const r = render(broken);
        const errors = r.diagnostics.filter((d) => d.severity === "error");
        expect(errors.length).toBeGreaterThan(0);
        expect(r.files).toEqual([]);
        for (const d of errors) {
          expect(typeof d.pointer).toBe("string");
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.col).toBeGreaterThanOrEqual(1);
        }
      }),
      settings(RUNS),
    );
  });
});
