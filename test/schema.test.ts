import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateProfile } from "../src/validate.js";
import { ROOT, presetPaths } from "./helpers.js";

const schema = JSON.parse(readFileSync(join(ROOT, "schema/profile.schema.json"), "utf8"));

/** Fields without a schema default, because leaving them out means something. Keep in step with src/profile.ts. */
const NO_DEFAULT = new Set([
  "/cluster/kubeDnsIP",
  "/cluster/eniAgentVersion",
  "/gitops/destination",
  "/clusterMesh",
  "/extends",
  "/nodePool/egress",
  "/nodePool/egress/subnetIds",
  "/clusterMesh/name",
  "/clusterMesh/clusterId",
  "/clusterMesh/subnetId",
  "/clusterMesh/address",
  "/clusterMesh/clbId",
  "/region",
  "/selfManaged",
  "/selfManaged/apiServer",
  "/selfManaged/apiServer/host",
  "/selfManaged/podCidrs",
  "/selfManaged/nodeCidrs",
  "/selfManaged/k3s",
  "/selfManaged/kubespray",
  "/nodePool/startupTaint",
  "/features/masquerade",
  "/apiserverVIP",
  "/nodePool",
  "/nodePool/type",
  "/name",
  "/cluster/id",
  "/cluster/vpcId",
  "/cluster/serviceCidr",
  "/cluster/eniSubnetIds",
  "/cluster/intranetSubnetId",
  "/cluster/maxNodes",
  "/images/registry",
  "/nodePool/name",
  "/nodePool/instanceTypes",
  "/features/scaleTuning",
]);

type Node = { type?: string; properties?: Record<string, Node>; additionalProperties?: unknown; description?: string; default?: unknown };

function fields(node: Node, pointer = ""): [string, Node][] {
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => [[`${pointer}/${k}`, child] as [string, Node], ...fields(child, `${pointer}/${k}`)]);
}

describe("schema/profile.schema.json", () => {
  it("is draft 2020-12 and closed everywhere", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    for (const [pointer, node] of [["", schema] as [string, Node], ...fields(schema)]) {
      if (node.type === "object" && pointer !== "/cilium/extraValues") expect(node.additionalProperties, pointer || "/").toBe(false);
    }
  });

  it.each(fields(schema).map(([p]) => p))("%s has a description and, unless its absence means something, a default", (pointer) => {
    const node = fields(schema).find(([p]) => p === pointer)![1];
    expect(node.description, pointer).toBeTruthy();
    if (!NO_DEFAULT.has(pointer)) expect(node.default, `${pointer} has no default`).not.toBeUndefined();
    if (NO_DEFAULT.has(pointer)) expect(node.default, `${pointer} is listed without default but has one`).toBeUndefined();
  });

  it.each(presetPaths())("%s names the schema for editors", (path) => {
    expect(JSON.parse(readFileSync(join(ROOT, path), "utf8")).$schema).toBe(path.startsWith("presets/mesh/") ? "../../schema/profile.schema.json" : "../schema/profile.schema.json");
  });

  it("fills every default, and does not touch its input", () => {
    const input = { region: "ap-guangzhou", apiserverVIP: "169.254.1.2", nodePool: { type: "native" } };
    const copy = structuredClone(input);
    const { profile } = validateProfile(input, "x.json", () => ({ line: 1, col: 1, length: 1 }));
    expect(input).toEqual(copy);
    const filled = profile as Record<string, Record<string, unknown>>;
    expect(filled.cilium.version).toBe("1.19.5");
    expect(filled.cluster.kubernetesVersion).toBe("1.34.1");
    // absent means "as the guide does for this pool type" (derive decides)
    expect(filled.nodePool.startupTaint).toBeUndefined();
    expect(filled.features.localRedirectPolicy).toBe(true);
  });
});

it("takes any X.Y.Z as cilium.version (the rules judge it against the known releases) and defaults to one it has data for", async () => {
  const { supportedCiliumVersions } = await import("../src/knowledge/chart.js");
  const version = schema.properties.cilium.properties.version;
  const pattern = new RegExp(version.pattern);
  for (const v of supportedCiliumVersions()) expect(v).toMatch(pattern);
  for (const v of ["1.19", "v1.19.5", "1.19.5-rc.1", "01.19.5", "1.19.5 "]) expect(v).not.toMatch(pattern);
  expect(supportedCiliumVersions()).toContain(version.default);
  const { DEFAULT_CILIUM_VERSION } = await import("../src/knowledge/releases.js");
  expect(version.default).toBe(DEFAULT_CILIUM_VERSION);
  expect(supportedCiliumVersions()).toEqual(expect.arrayContaining(["1.18.12", "1.19.6", "1.20.0"]));
});
