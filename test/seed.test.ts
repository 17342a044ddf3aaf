import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTAINERD_MIRROR_SCRIPT } from "../src/knowledge/containerd.js";
import { ROOT, fileOf, leafPaths, parseYaml, renderFile } from "./helpers.js";

/** The yaml code block titled `title` in the seed guide, dedented. */
function seedBlock(markdown: string, title: string): string {
  const start = markdown.indexOf(`\`\`\`yaml showLineNumbers title="${title}"`) >= 0 ? markdown.indexOf(`\`\`\`yaml showLineNumbers title="${title}"`) : markdown.indexOf(`\`\`\`yaml title="${title}"`);
  expect(start, `no ${title} block in the seed`).toBeGreaterThan(0);
  const open = markdown.lastIndexOf("\n", start) + 1;
  const indent = markdown.slice(open, start);
  const body = markdown.slice(markdown.indexOf("\n", start) + 1, markdown.indexOf("```", markdown.indexOf("\n", start)));
  return body
    .split("\n")
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join("\n");
}

/** SPEC §4: where the bundle deliberately differs from the seed. */
const CORRECTIONS: Record<string, unknown> = {
  // the seed names a ConfigMap that does not exist; the bundle uses the one in cni-config.yaml
  "cni.configMap": "cni-config",
};

describe("the seed-1.18.3 preset reproduces the seed guide's values", () => {
  const seed = readFileSync(join(ROOT, "test/fixtures/seed-000-tke-install-1.18.3.md"), "utf8");
  const result = renderFile("presets/seed-1.18.3.json");
  const bundle = new Map<string, unknown>();
  for (const f of result.files.filter((x) => x.path.endsWith("-values.yaml"))) for (const [k, v] of leafPaths(parseYaml(f.content))) bundle.set(k, v);

  it.each(["tke-values.yaml", "image-values.yaml"])("holds every key and value of the seed's %s", (title) => {
    const expected = leafPaths(parseYaml(seedBlock(seed, title)));
    expect(expected.size).toBeGreaterThan(10);
    for (const [path, value] of expected) {
      const want = path in CORRECTIONS ? CORRECTIONS[path] : value;
      expect(bundle.get(path), path).toEqual(want);
    }
  });

  it("applies the seed's cni.configMap correction (the seed points at a ConfigMap that does not exist)", () => {
    const seedValues = leafPaths(parseYaml(seedBlock(seed, "tke-values.yaml")));
    expect(seedValues.get("cni.configMap")).toBe("cni-configuration");
    const configMap = parseYaml(fileOf(result.files, "cni-config.yaml")!.content) as { metadata: { name: string } };
    expect(bundle.get("cni.configMap")).toBe(configMap.metadata.name);
  });

  it("uses the seed's chained CNI configuration", () => {
    const seedConfigMap = parseYaml(seedBlock(seed, "cni-config.yaml")) as { data: Record<string, string> };
    const ours = parseYaml(fileOf(result.files, "cni-config.yaml")!.content) as { data: Record<string, string> };
    expect(JSON.parse(ours.data["cni-config"])).toEqual(JSON.parse(seedConfigMap.data["cni-config"]));
  });
});

it("ships the seed's containerd mirror script byte for byte", () => {
  const seed = readFileSync(join(ROOT, "test/fixtures/seed-002-tke-install-nodepools.md"), "utf8");
  const encoded = /post_init = "([A-Za-z0-9+/=]+)"/.exec(seed)![1];
  expect(Buffer.from(CONTAINERD_MIRROR_SCRIPT).toString("base64")).toBe(encoded);
});
