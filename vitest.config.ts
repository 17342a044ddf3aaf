import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineConfig, type Plugin } from "vitest/config";
// @ts-expect-error plain ESM build helper, shared with scripts/build.mjs
import { isLazyText, isTemplate, isValidator, lazyTextModule, templateModule, validatorModule } from "./scripts/codegen.mjs";

/** The same build-time code generation esbuild does for dist/ (see scripts/codegen.mjs). */
const codegen: Plugin = {
  name: "tke-cilium-codegen",
  enforce: "pre",
  resolveId(source, importer) {
    if ((isTemplate(source) || isValidator(source) || isLazyText(source)) && importer) return resolve(dirname(importer), source);
    return null;
  },
  load(id) {
    const file = id.replace(/\?.*$/, "");
    if (isTemplate(id)) return templateModule(readFileSync(file, "utf8"));
    if (isValidator(id)) return validatorModule(readFileSync(file, "utf8"));
    if (isLazyText(id)) return lazyTextModule(file, { inline: true });
    return null;
  },
};

export default defineConfig({
  plugins: [codegen],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
