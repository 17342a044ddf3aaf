// Code generated at build time (esbuild, scripts/build.mjs) and at test time (vite, vitest.config.ts) from
// the same sources, so a cold start compiles neither the profile schema nor the install.sh template.
import Handlebars from "handlebars";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

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

export const isTemplate = (id) => /\.hbs\?template$/.test(id);
export const isValidator = (id) => /\.schema\.json\?validator$/.test(id);
