// Code generated at build time (esbuild, scripts/build.mjs) and at test time (vite, vitest.config.ts) from
// the same sources, so a cold start compiles neither the profile schema nor the install.sh template.
import Handlebars from "handlebars";
import { readFileSync } from "node:fs";
import { dirname, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** `import render from "./x.hbs?template"`: a precompiled Handlebars template needing only the runtime. */
export function templateModule(source) {
  // noEscape: HTML escaping is wrong for bash; strict: a missing field is a bug, not an empty string.
  const spec = Handlebars.precompile(source, { noEscape: true, strict: true });
  return `import Handlebars from "handlebars/runtime.js";\nexport default Handlebars.template(${spec});\n`;
}

/** The options the profile validator is compiled with; validate.ts relies on each. */
export const VALIDATOR_OPTIONS = {
  allErrors: true,
  verbose: true,
  useDefaults: true,
  strict: true,
  validateFormats: false,
  code: { source: true, esm: true },
};

/** `import validate from "x.schema.json?validator"`: ajv's standalone validator for a 2020-12 schema. */
export function validatorModule(schemaText) {
  const ajv = new Ajv2020(VALIDATOR_OPTIONS);
  ajv.addKeyword({ keyword: "x-code", schemaType: "string" });
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(schemaText)));
  // The one runtime helper ajv refers to: string length in code points (for minLength/maxLength).
  return code.replace(/require\("ajv\/dist\/runtime\/ucs2length"\)\.default/g, "((text) => [...text].length)");
}

/**
 * `import text from "../schema/cilium/1.19.json?lazy"`: a function returning a data file's text. The bundle
 * reads the file (shipped in the package's schema/ folder, beside dist/) on the first call, so a run parses and
 * even reads only the chart data of the Cilium versions its profiles use; under vitest the text is inlined.
 */
export function lazyTextModule(file, { inline }) {
  if (inline) return `export default () => ${JSON.stringify(readFileSync(file, "utf8"))};\n`;
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
export const isLazyText = (id) => /\?lazy$/.test(id);
