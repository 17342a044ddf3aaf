// Code generated at build time (esbuild, scripts/build.mjs) and at test time (vite, vitest.config.ts) from
// the same sources, so a cold start compiles neither the profile schema nor the install.sh template.
import Handlebars from "handlebars";
import { dirname, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * `import render from "./x.hbs?template"`: a precompiled Handlebars template needing only the runtime, made on its
 * first use. In dist/ the runtime too is required then (`inline: false`), so a run whose bundles use no template
 * (most: only the egress gateway's policy script and the self-managed node scripts are Handlebars) neither
 * initialises the runtime nor builds the templates at start; under vitest it is an import.
 */
export function templateModule(source, { inline }) {
  // noEscape: HTML escaping is wrong for bash; strict: a missing field is a bug, not an empty string.
  const spec = Handlebars.precompile(source, { noEscape: true, strict: true });
  const runtime = inline ? "Handlebars" : `require("handlebars/runtime.js")`;
  return [
    ...(inline ? [`import Handlebars from "handlebars/runtime.js";`] : []),
    `let template;`,
    `export default (view) => (template ??= ${runtime}.template(${spec}))(view);`,
    ``,
  ].join("\n");
}

/**
 * The options of the validator that explains a rejection: every error (allErrors), each with its schema and data
 * (verbose); validate.ts relies on each. useDefaults fills the schema's defaults into the validated copy.
 */
export const VALIDATOR_OPTIONS = {
  allErrors: true,
  verbose: true,
  useDefaults: true,
  strict: true,
  validateFormats: false,
  code: { source: true, esm: true },
};

/**
 * The options of the validator a run uses first: the same schema and defaults, but it stops at the first error and
 * builds no message, so it is about a third smaller and cheaper to load. It only answers valid or not; a profile it
 * rejects goes to the one above for the diagnostics (test/validator-agreement.test.ts holds the two to one answer).
 */
export const LEAN_VALIDATOR_OPTIONS = { ...VALIDATOR_OPTIONS, allErrors: false, verbose: false, messages: false };

/** ajv's standalone validator for a 2020-12 schema, as an ES module whose default export is the validate function. */
export function validatorCode(schemaText, options) {
  const ajv = new Ajv2020(options);
  ajv.addKeyword({ keyword: "x-code", schemaType: "string" });
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(schemaText)));
  // The one runtime helper ajv refers to: string length in code points (for minLength/maxLength).
  return code.replace(/require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g, "((text) => [...text].length)");
}

/** `import validate from "x.schema.json?validator"`: the lean validator (LEAN_VALIDATOR_OPTIONS), of the schema without its annotations. */
export const validatorModule = (schemaText) => validatorCode(JSON.stringify(withoutAnnotations(JSON.parse(schemaText))), LEAN_VALIDATOR_OPTIONS);

/** Keywords whose value is a schema, a list of schemas, or a map of names to schemas (JSON Schema 2020-12 applicators). */
const ONE_SCHEMA = ["additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties"];
const SCHEMA_LIST = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_MAP = ["properties", "patternProperties", "dependentSchemas", "$defs"];

/**
 * A schema without the annotations that validate nothing (description, title, $comment, examples): ajv's standalone
 * code carries the schema as an object literal, which a start then builds and the code cache holds. Defaults stay.
 */
export function withoutAnnotations(schema) {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "description" || key === "title" || key === "$comment" || key === "examples") continue;
    if (ONE_SCHEMA.includes(key)) out[key] = withoutAnnotations(value);
    else if (SCHEMA_LIST.includes(key)) out[key] = value.map(withoutAnnotations);
    else if (SCHEMA_MAP.includes(key)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withoutAnnotations(sub)]));
    else out[key] = value;
  }
  return out;
}

/**
 * `import explainer from "x.schema.json?explainer"`: a function returning the verbose validator (VALIDATOR_OPTIONS),
 * loaded on its first call. Under vitest (inline) it is in the module; in dist/ it is a file of its own
 * (scripts/build.mjs writes it as `chunk`, a name beside the bundle), so a run whose profiles are valid never reads it.
 */
export function explainerModule(schemaText, { inline, chunk }) {
  if (inline) return validatorCode(schemaText, VALIDATOR_OPTIONS).replace(/export default (\w+);/, "export default () => $1;");
  return [`let validate;`, `export default () => (validate ??= require(${JSON.stringify(`./${chunk}`)}).default);`, ``].join("\n");
}

/**
 * `import text from "../schema/cilium/1.19.json?lazy"`: a function returning a data file's text. The bundle
 * reads the file (shipped in the package's schema/ folder, beside dist/) on the first call, so a run parses and
 * even reads only the chart data of the Cilium versions its profiles use. `absolute` (vitest.config.ts's plugin)
 * reads it from the file's absolute path, on the first call too: not inlined, as vitest keeps each module's code
 * in memory twice, and inlined chart data made 50 MB of a test worker's heap, which every child process the
 * worker starts pays for again (fork copies the page tables of the whole worker).
 */
export function lazyTextModule(file, { absolute }) {
  if (absolute) return `import { readFileSync } from "node:fs";\nlet text;\nexport default () => (text ??= readFileSync(${JSON.stringify(file)}, "utf8"));\n`;
  const fromRoot = relative(packageRoot, file).split(sep).join("/");
  if (fromRoot.startsWith("..")) throw new Error(`lazy text ${file} is outside the package`);
  return [
    `import { readFileSync } from "node:fs";`,
    `import { join } from "node:path";`,
    `let text;`,
    `export default () => (text ??= readFileSync(join(__dirname, "..", ${JSON.stringify(fromRoot)}), "utf8"));`,
    ``,
  ].join("\n");
}

export const isTemplate = (id) => /\.hbs\?template$/.test(id);
export const isValidator = (id) => /\.schema\.json\?validator$/.test(id);
export const isExplainer = (id) => /\.schema\.json\?explainer$/.test(id);
export const isLazyText = (id) => /\?lazy$/.test(id);
