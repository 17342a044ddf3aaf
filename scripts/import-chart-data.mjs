// Imports the Cilium chart data tke-cilium needs at run time from the reference copy of the
// released charts (../shared/reference/cilium/<version>/) into schema/cilium/<minor>.json.
// Run by hand when a Cilium release is added: node scripts/import-chart-data.mjs [REFERENCE_DIR]
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const referenceDir = process.argv[2] ?? "../shared/reference/cilium";
const compareVersions = (a, b) => {
  const pa = a.split(".").map(Number), pb = b.split(".").map(Number);
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
};

/** Every object in the chart defaults that has `repository` and `tag`: an image Helm renders. */
function findImages(node, path, out) {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return out;
  if (typeof node.repository === "string" && "tag" in node) {
    if (node.repository !== "") {
      out.push({
        path: path.join("."),
        repository: node.repository,
        tag: String(node.tag ?? ""),
        digest: node.digest ?? "",
        useDigest: node.useDigest === true,
      });
    }
    return out;
  }
  for (const [key, value] of Object.entries(node)) findImages(value, [...path, key], out);
  return out;
}

/** Dotted path → the JSON types the chart's values schema allows there (draft-07 "type"), for every typed node. */
function schemaTypes(node, path, out) {
  if (node === null || typeof node !== "object") return out;
  if (path.length > 0 && node.type !== undefined) out[path.join(".")] = [node.type].flat().sort().join("|");
  for (const [key, child] of Object.entries(node.properties ?? {})) schemaTypes(child, [...path, key], out);
  return out;
}

const versions = readdirSync(referenceDir).filter((v) => /^\d+\.\d+\.\d+$/.test(v)).sort(compareVersions);
const byMinor = new Map();
for (const version of versions) {
  const minor = version.split(".").slice(0, 2).join(".");
  if (!byMinor.has(minor)) byMinor.set(minor, []);
  byMinor.get(minor).push(version);
}
mkdirSync("schema/cilium", { recursive: true });
for (const [minor, list] of byMinor) {
  const out = { source: `cilium Helm chart ${list[0]}..${list.at(-1)}: values.yaml, values.schema.json and keys.txt`, versions: {} };
  let previous = new Set();
  let previousTypes = {};
  for (const version of list) {
    const dir = join(referenceDir, version);
    const keys = new Set(readFileSync(join(dir, "keys.txt"), "utf8").split("\n").filter(Boolean));
    const values = parse(readFileSync(join(dir, "values.yaml"), "utf8"));
    const types = schemaTypes(JSON.parse(readFileSync(join(dir, "values.schema.json"), "utf8")), [], {});
    const typesChanged = {};
    for (const [k, t] of Object.entries(types)) if (previousTypes[k] !== t) typesChanged[k] = t;
    for (const k of Object.keys(previousTypes)) if (!(k in types)) typesChanged[k] = null;
    out.versions[version] = {
      images: findImages(values, [], []),
      keysAdded: [...keys].filter((k) => !previous.has(k)).sort(),
      keysRemoved: [...previous].filter((k) => !keys.has(k)).sort(),
      typesChanged: Object.fromEntries(Object.entries(typesChanged).sort(([a], [b]) => (a < b ? -1 : 1))),
    };
    previous = keys;
    previousTypes = types;
  }
  // Images are what every render needs; keys and types only matter when cilium.extraValues is set, so
  // they live in a file of their own and are parsed only then.
  const images = { source: out.source, versions: {} };
  for (const [version, data] of Object.entries(out.versions)) {
    images.versions[version] = data.images;
    delete data.images;
  }
  writeFileSync(`schema/cilium/${minor}.images.json`, JSON.stringify(images, null, 1) + "\n");
  writeFileSync(`schema/cilium/${minor}.json`, JSON.stringify(out, null, 1) + "\n");
  console.log(`schema/cilium/${minor}.json, ${minor}.images.json: ${list.join(", ")}`);
}
