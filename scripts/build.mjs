// Bundles the CLI into one minified file, dist/cli.cjs, so a cold start reads and compiles one module
// (npm run build; run by prepare). Templates and the profile validator are generated here, not at run time.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { chmod, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { VALIDATOR_OPTIONS, explainerModule, lazyTextModule, templateModule, validatorCode, validatorModule } from "./codegen.mjs";

/** The explainers' files (`?explainer` imports): the schema each is compiled from, by the name the bundle requires. */
const explainers = new Map();
const explainerChunk = (schema) => basename(schema).replace(/\.json$/, "-errors.cjs");

/**
 * `?raw` (text), `?lazy` (text read on first use), `?template` (precompiled Handlebars), `?validator` (ajv standalone,
 * the lean one) and `?explainer` (the verbose one, a file of its own required on first use) imports.
 */
const generated = {
  name: "generated",
  setup(b) {
    b.onResolve({ filter: /-errors\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /\?(raw|lazy|template|validator|explainer)$/ }, (args) => {
      const [path, kind] = args.path.split("?");
      return { path: resolve(args.resolveDir, path), namespace: kind };
    });
    b.onLoad({ filter: /.*/, namespace: "raw" }, async (args) => ({ contents: await readFile(args.path, "utf8"), loader: "text" }));
    b.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => ({ contents: lazyTextModule(args.path, { absolute: false }), loader: "js", resolveDir: dirname(args.path) }));
    b.onLoad({ filter: /.*/, namespace: "template" }, async (args) => ({
      contents: templateModule(await readFile(args.path, "utf8"), { inline: false }),
      loader: "js",
      resolveDir: dirname(args.path),
    }));
    b.onLoad({ filter: /.*/, namespace: "validator" }, async (args) => ({
      contents: validatorModule(await readFile(args.path, "utf8")),
      loader: "js",
      resolveDir: dirname(args.path),
    }));
    b.onLoad({ filter: /.*/, namespace: "explainer" }, async (args) => {
      const chunk = explainerChunk(args.path);
      explainers.set(chunk, args.path);
      return { contents: explainerModule(await readFile(args.path, "utf8"), { inline: false, chunk }), loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

/** `tke-cilium chart add`'s tarball reader stays out of the main bundle: a file of its own, required on use. */
const chartReaderApart = {
  name: "chart-reader-apart",
  setup(b) {
    b.onResolve({ filter: /\/chart-tarball\.js$/ }, () => ({ path: "./chart-tarball.cjs", external: true }));
  },
};

/**
 * The yaml library is needed only by a run with a YAML profile (src/parse-yaml.ts) and by `tke-cilium diff`
 * (src/live-diff.ts): each is a file of its own, required on use, so a JSON run's start does not read it.
 */
const YAML_APART = { "parse-yaml": "src/parse-yaml.ts", "live-diff": "src/live-diff.ts" };
const yamlApart = {
  name: "yaml-apart",
  setup(b) {
    b.onResolve({ filter: /\/(parse-yaml|live-diff)\.js$/ }, (args) => ({ path: `./${args.path.match(/(parse-yaml|live-diff)\.js$/)[1]}.cjs`, external: true }));
  },
};

/**
 * A JSON import (`import schema from "../schema/profile.schema.json" with { type: "json" }`) as JSON.parse of its
 * text, not esbuild's object literal: the code cache then holds one string instead of the literal's boilerplate
 * (every description a string of its own to look up when the cache is read), and V8 parses JSON faster than it
 * builds a large literal. The value is the same.
 */
const jsonAsText = {
  name: "json-as-text",
  setup(b) {
    b.onLoad({ filter: /\.json$/, namespace: "file" }, async (args) => {
      const compact = JSON.stringify(JSON.parse(await readFile(args.path, "utf8")));
      return { contents: `module.exports = JSON.parse(${JSON.stringify(compact)});\n`, loader: "js" };
    });
  },
};

/** What every bundle shares: one minified CommonJS file for Node 20. */
const common = {
  bundle: true,
  minify: process.env.TKE_CILIUM_NO_MINIFY !== "1",
  platform: "node",
  mainFields: ["module", "main"],
  target: "node20",
  format: "cjs",
  legalComments: "none",
  logLevel: "warning",
};

/**
 * The build's identity for the bundle index (src/bundle-index.ts): a hash of everything a render depends on,
 * so an index written by another build (another version, other chart data or rules) is never trusted.
 */
async function buildId() {
  const hash = createHash("sha256");
  const files = ["package.json", "package-lock.json", "scripts/build.mjs", "scripts/codegen.mjs"];
  for (const dir of ["src", "schema"]) for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) if (f.isFile()) files.push(join(f.parentPath ?? f.path, f.name));
  for (const file of files.sort()) hash.update(file).update("\0").update(await readFile(file)).update("\0");
  return hash.digest("hex").slice(0, 32);
}

await rm("dist", { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ["src/chart-tarball.ts"],
  outfile: "dist/chart-tarball.cjs",
});
for (const [name, entry] of Object.entries(YAML_APART)) await build({ ...common, entryPoints: [entry], outfile: `dist/${name}.cjs` });
await build({
  ...common,
  entryPoints: ["src/bin.ts"],
  outfile: "dist/tke-cilium.js",
  define: { "import.meta.dirname": "__dirname", __TKE_CILIUM_BUILD__: JSON.stringify(await buildId()) },
  plugins: [generated, jsonAsText, chartReaderApart, yamlApart],
  // the launcher runs the bundle through vm.Script, which has no loader for import(): every dynamic import
  // (node:readline for init's questions, the chart reader) becomes a require
  supported: { "dynamic-import": false },
  // the function the launcher compiles, written here whole: the launcher hands V8 the file's text as it is read
  banner: { js: "(function (exports, require, module, __filename, __dirname) {" },
  footer: { js: "\n})" },
});
// the launcher reads the bundle as latin1, a copy of the bytes (no UTF-8 decoding): esbuild writes ASCII
// (charset "ascii", its default, escapes every other character), which this holds it to
if (/[^\x00-\x7f]/.test(await readFile("dist/tke-cilium.js", "latin1"))) throw new Error("build: dist/tke-cilium.js is not ASCII");
// the verbose validators, read only when a lean one rejects a profile or config (src/validate.ts)
for (const [chunk, schema] of explainers) {
  await build({
    ...common,
    stdin: { contents: validatorCode(await readFile(schema, "utf8"), VALIDATOR_OPTIONS), resolveDir: dirname(schema), sourcefile: basename(schema), loader: "js" },
    outfile: `dist/${chunk}`,
  });
}

// The launcher, told which build it runs: its V8 code cache (made on first use, see scripts/launcher.cjs)
// is keyed by this hash, so a cache of an older bundle is never offered to V8.
const id = createHash("sha256").update(await readFile("dist/tke-cilium.js")).digest("hex").slice(0, 16);
const launcher = await readFile("scripts/launcher.cjs", "utf8");
if (!launcher.includes('const BUILD = "development";')) throw new Error("build: scripts/launcher.cjs has no BUILD line to fill in");
await writeFile("dist/cli.cjs", launcher.replace('const BUILD = "development";', `const BUILD = "${id}";`));
await chmod("dist/cli.cjs", 0o755);
