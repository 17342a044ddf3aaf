import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineConfig, type Plugin } from "vitest/config";
// @ts-expect-error plain ESM build helper, shared with scripts/build.mjs
import { explainerModule, isExplainer, isLazyText, isTemplate, isValidator, lazyTextModule, templateModule, validatorModule } from "./scripts/codegen.mjs";

const NO_MAP = { mappings: "" };

/** The same build-time code generation esbuild does for dist/ (see scripts/codegen.mjs). */
const codegen: Plugin = {
  name: "tke-cilium-codegen",
  enforce: "pre",
  resolveId(source, importer) {
    if ((isTemplate(source) || isValidator(source) || isExplainer(source) || isLazyText(source)) && importer) return resolve(dirname(importer), source);
    return null;
  },
  load(id) {
    const file = id.replace(/\?.*$/, "");
    // no source maps: a generated module's map would be the data file again, inlined as base64 (megabytes)
    if (isTemplate(id)) return { code: templateModule(readFileSync(file, "utf8"), { inline: true }), map: NO_MAP };
    if (isValidator(id)) return { code: validatorModule(readFileSync(file, "utf8")), map: NO_MAP };
    if (isExplainer(id)) return { code: explainerModule(readFileSync(file, "utf8"), { inline: true }), map: NO_MAP };
    if (isLazyText(id)) return { code: lazyTextModule(file, { absolute: true }), map: NO_MAP };
    return null;
  },
};

/**
 * npm test: everything but test/slow/, with a slice of each large matrix. npm run test:slow (TKE_CILIUM_SLOW=1):
 * test/slow/ (the property tests at 1,000 cases, the pre-commit framework installing the hooks for real, the
 * rest of the pre-flight add-on matrix, the whole scenario suite) and the SLICED files below. CI (.ci/run) runs both.
 *
 * SLICED files are collected by both suites; test/slice.ts decides what each runs (SLOW, casesHere, onceInNpmTest):
 * - test/helm-template.test.ts, test/fidelity.test.ts: npm test the covering slice of the profiles (presets, the
 *   fleet's JSON equivalents, the golden profiles): greedily, the profile that brings most traits no chosen one
 *   has (platform x Cilium minor x datapath, each capability, the image source, the cluster's shape) until every
 *   trait of every profile is in (test/slice.test.ts checks it), and the new releases x modes on a diagonal (each
 *   release and each mode once); npm run test:slow the other profiles and modes. Their one-off checks: npm test.
 * - test/gitops-converge.test.ts: the covering slice of presets x engines (a preset's traits and each engine).
 * - test/dry-run-presets.test.ts: the covering slice of the presets and the fleet's JSON equivalents.
 * - test/cluster-mesh.test.ts: the real helm mesh check at 1.19.5 and 1.20.0 (each way the chart tells a member
 *   its peers' addresses), 1.18.3 in test:slow.
 *   The five above: npm test and test:slow together run each case once.
 * - test/robustness.test.ts, test/safety.test.ts, test/hostile-shell.test.ts, test/yaml-writer.test.ts: the same
 *   cases at full size in test:slow (50 lock trials of 6 renders, 10 kill moments, every hostile shell payload run
 *   against the fake cluster, the YAML writer's properties at 1,000 cases).
 * - test/staged-random.test.ts: check --staged's shortcut against the fleet's reading on 6 seeded random commits,
 *   60 in test:slow.
 */
const slow = process.env.TKE_CILIUM_SLOW === "1";
const SLICED = [
  "test/helm-template.test.ts",
  "test/fidelity.test.ts",
  "test/gitops-converge.test.ts",
  "test/dry-run-presets.test.ts",
  "test/cluster-mesh.test.ts",
  "test/robustness.test.ts",
  "test/safety.test.ts",
  "test/hostile-shell.test.ts",
  "test/yaml-writer.test.ts",
  "test/staged-random.test.ts",
];

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
    // scratch files on tmpfs when there is one, in a folder of the run's own, removed at its end; a test file
    // that leaves a temporary file fails (test/setup/)
    globalSetup: ["test/setup/temp-run.ts"],
    setupFiles: ["test/setup/temp-check.ts"],
  },
});
