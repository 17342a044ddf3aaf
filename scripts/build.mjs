// Bundles the CLI into one file, dist/cli.cjs, so a cold start loads one module (npm run build; run by prepare).
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

/** `import text from "./file?raw"`: the file's text, as Vite (and so vitest) does it. */
const rawText = {
  name: "raw-text",
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: new URL(args.path.replace(/\?raw$/, ""), `file://${args.resolveDir}/`).pathname,
      namespace: "raw-text",
    }));
    b.onLoad({ filter: /.*/, namespace: "raw-text" }, async (args) => ({ contents: await readFile(args.path, "utf8"), loader: "text" }));
  },
};

await build({
  entryPoints: ["src/bin.ts"],
  outfile: "dist/cli.cjs",
  bundle: true,
  platform: "node",
  mainFields: ["module", "main"],
  target: "node20",
  format: "cjs",
  banner: { js: "#!/usr/bin/env node" },
  plugins: [rawText],
  legalComments: "none",
  logLevel: "warning",
});
