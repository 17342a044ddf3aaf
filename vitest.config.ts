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

/**
 * npm test: everything but test/slow/ (a fast default, sliced where a matrix is large). npm run test:slow
 * (TKE_CILIUM_SLOW=1): test/slow/ (the property tests at 1,000 cases, the pre-commit framework installing the
 * hooks for real, the rest of the pre-flight add-on matrix), plus the files that run a slice in npm test and
 * everything under TKE_CILIUM_SLOW: the robustness and safety trials at full size, every hostile shell
 * payload run against the fake cluster, and the YAML writer's properties at 1,000 cases. CI (.ci/run) runs both.
 */
const slow = process.env.TKE_CILIUM_SLOW === "1";
const SLICED = ["test/robustness.test.ts", "test/safety.test.ts", "test/hostile-shell.test.ts", "test/yaml-writer.test.ts", "test/helm-template.test.ts", "test/fidelity.test.ts", "test/gitops-converge.test.ts", "test/cluster-mesh.test.ts", "test/dry-run-presets.test.ts"];

export default defineConfig({
  plugins: [codegen],
  test: {
    include: slow ? ["test/slow/**/*.test.ts", ...SLICED] : ["test/**/*.test.ts"],
    exclude: slow ? [] : ["test/slow/**", "node_modules/**"],
    // the slow suite's property tests run 1,000 cases each: minutes on a busy 2-core machine
    testTimeout: slow ? 600_000 : 30_000,
    // both cores: most files spend their time waiting on child processes (helm, bash, the CLI)
    maxWorkers: 2,
    // a worker keeps the modules it has loaded (src/, the yaml and ajv libraries...) from one test file to the
    // next instead of loading them again for each: about 40% of the suite's CPU time on 14 light files. The
    // files share no mocks; each makes its own scratch folders.
    isolate: false,
  },
});
