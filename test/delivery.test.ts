import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { allProfilePaths, fileOf, helmValuesFiles, renderFile, renderObject, ROOT } from "./helpers.js";

/** bundle.json, the delivery metadata: valid against its schema, and true to the bundle it describes. */
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(ROOT, "schema/bundle.schema.json"), "utf8")));

describe.each(allProfilePaths())("bundle.json of %s", (path) => {
  const { files } = renderFile(path);
  const delivery = JSON.parse(fileOf(files, "bundle.json")!.content);

  it("validates against schema/bundle.schema.json", () => {
    expect(validate(delivery), JSON.stringify(validate.errors)).toBe(true);
  });

  it("names exactly the bundle's values files (in install.sh's order), manifests, Terraform roots and scripts", () => {
    const profile = JSON.parse(readFileSync(join(ROOT, path), "utf8"));
    expect(delivery.valuesFiles).toEqual(helmValuesFiles(files));
    expect(delivery.chart.version).toBe(profile.cilium?.version ?? "1.19.5");
    const paths = new Set(files.map((f) => f.path));
    const manifests = files.filter((f) => ["cni-config.yaml", "cilium-apf.yaml", "nodepool.yaml", "gateway-api-crds.yaml", "cls-logconfig.yaml", "node-local-dns.yaml", "localdns-redirect-policy.yaml"].includes(f.path)).map((f) => f.path);
    expect(delivery.manifests.map((m: { file: string }) => m.file).sort()).toEqual(manifests.sort());
    for (const dir of delivery.terraform.map((t: { dir: string }) => t.dir)) expect(paths.has(`${dir}/main.tf`), dir).toBe(true);
    expect(files.filter((f) => f.path.endsWith("/main.tf")).length).toBe(delivery.terraform.length);
    for (const script of Object.values(delivery.scripts)) expect(paths.has(script as string)).toBe(true);
  });
});

it("a Cilium upgrade shows in bundle.json, not only in install.sh", () => {
  const base = { region: "ap-guangzhou", apiserverVIP: "169.254.128.7", nodePool: { type: "native" } };
  const before = renderObject({ ...base, cilium: { version: "1.18.3" } }).files;
  const after = renderObject({ ...base, cilium: { version: "1.19.5" } }).files;
  const changed = after.filter((f) => fileOf(before, f.path)?.content !== f.content).map((f) => f.path);
  expect(changed).toContain("bundle.json");
  expect(JSON.parse(fileOf(after, "bundle.json")!.content).chart.version).toBe("1.19.5");
});
