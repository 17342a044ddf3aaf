// Imports the Cilium chart data tke-cilium ships (schema/cilium/<minor>.json and <minor>.images.json) from the
// released chart tarballs, read by the same reader as `tke-cilium chart add` (dist/chart-tarball.cjs: run
// npm run build first). Run by hand when a Cilium release is added:
//   node scripts/import-chart-data.mjs [DIR with <version>/cilium-<version>.tgz for each release]
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const { readChartTarball } = createRequire(import.meta.url)("../dist/chart-tarball.cjs");
const referenceDir = process.argv[2] ?? "../shared/reference/cilium";
const compareVersions = (a, b) => {
  const pa = a.split(".").map(Number), pb = b.split(".").map(Number);
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
};

const versions = readdirSync(referenceDir).filter((v) => /^\d+\.\d+\.\d+$/.test(v)).sort(compareVersions);
const byMinor = new Map();
for (const version of versions) {
  const minor = version.split(".").slice(0, 2).join(".");
  if (!byMinor.has(minor)) byMinor.set(minor, []);
  byMinor.get(minor).push(version);
}
mkdirSync("schema/cilium", { recursive: true });
for (const [minor, list] of byMinor) {
  // each release as a change from the previous patch of its minor (the first lists everything)
  const source = `cilium Helm chart ${list[0]}..${list.at(-1)}: values.yaml, values.schema.json and keys.txt`;
  const keysFile = { source, versions: {} };
  const imagesFile = { source, versions: {} };
  let previousKeys = new Set();
  let previousTypes = {};
  for (const version of list) {
    const facts = await readChartTarball(readFileSync(join(referenceDir, version, `cilium-${version}.tgz`)));
    if (facts.version !== version) throw new Error(`${version}/cilium-${version}.tgz holds chart ${facts.version}`);
    const keys = new Set(facts.keys);
    const typesChanged = {};
    for (const [k, t] of Object.entries(facts.types)) if (previousTypes[k] !== t) typesChanged[k] = t;
    for (const k of Object.keys(previousTypes)) if (!(k in facts.types)) typesChanged[k] = null;
    keysFile.versions[version] = {
      keysAdded: [...keys].filter((k) => !previousKeys.has(k)).sort(),
      keysRemoved: [...previousKeys].filter((k) => !keys.has(k)).sort(),
      typesChanged: Object.fromEntries(Object.entries(typesChanged).sort(([a], [b]) => (a < b ? -1 : 1))),
    };
    imagesFile.versions[version] = facts.images;
    previousKeys = keys;
    previousTypes = facts.types;
  }
  // images are what every render needs; keys and types only matter when cilium.extraValues is set
  writeFileSync(`schema/cilium/${minor}.images.json`, JSON.stringify(imagesFile, null, 1) + "\n");
  writeFileSync(`schema/cilium/${minor}.json`, JSON.stringify(keysFile, null, 1) + "\n");
  console.log(`schema/cilium/${minor}.json, ${minor}.images.json: ${list.join(", ")}`);
}
