// Convergence: a GitOps engine renders the chart on every refresh. Two renders of the same source must differ
// only where the engine's ignore rules point (Argo CD ignoreDifferences, Flux drift detection), and every
// ignore rule must point at an object the render holds. Real helm (v4), every preset, both engines: npm test the
// covering slice of the presets x engines (test/slice.ts: a preset's traits, and each engine), npm run
// test:slow the rest.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { GitopsConfig } from "../src/config.js";
import { BUILTIN_CHARTS } from "../src/knowledge/chart.js";
import { GITOPS_FILES } from "../src/knowledge/gitops.js";
import { renderProfile } from "../src/pipeline.js";
import { fileOf, gitopsProfileText, presetPaths, writeBundleTo } from "./helpers.js";
import { helmTemplateFresh } from "./real-helm.js";
import { casesHere, coveringSlice, profileSlice } from "./slice.js";

type Obj = Record<string, any>;

const ARGOCD: GitopsConfig = { engine: "argocd", namespace: "argocd", repoURL: "https://git.example.com/platform/fleet.git", revision: "main", project: "default", destination: "{name}" };
const FLUX: GitopsConfig = { engine: "flux", namespace: "flux-system", gitRepository: "flux-system", interval: "10m" };

const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-converge-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
const keyOf = (o: Obj) => `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const escape = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/** The JSON pointers where a and b differ (a whole subtree counts once, at its root). */
function differences(a: unknown, b: unknown, at = ""): string[] {
  const bothMaps = a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
  if (!bothMaps) return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  return [...keys].flatMap((k) => differences((a as Obj)[k], (b as Obj)[k], `${at}/${escape(k)}`));
}

/** What the engine's generated objects tell it to ignore when it compares the render with the cluster (read back). */
function engineIgnores(engine: "argocd" | "flux", files: ReturnType<typeof renderProfile>["files"]): unknown[] {
  if (engine === "argocd") {
    const [app] = docs(fileOf(files, GITOPS_FILES.argocdApplication)!.content);
    return app.spec.ignoreDifferences ?? [];
  }
  const release = docs(fileOf(files, GITOPS_FILES.fluxRelease)!.content).find((o) => o.kind === "HelmRelease")!;
  expect(release.spec.driftDetection?.mode).toBe("enabled");
  return release.spec.driftDetection.ignore ?? [];
}

const CASES = presetPaths().flatMap((path) =>
  [ARGOCD, FLUX].map((config) => ({ name: `${path} ${config.engine}`, path, config, traits: [...profileSlice().traits.get(path)!, `engine ${config.engine}`] })),
);
const sliced = new Set(coveringSlice(CASES).slice);
const here = casesHere(CASES, (c) => sliced.has(c.name));

describe.each([...new Set(here.map((c) => c.path))])("%s", (path) => {
  it.each(here.filter((c) => c.path === path).map((c) => c.config))("$engine: two real helm renders are identical, and the engine is told to ignore nothing", (config) => {
    const r = renderProfile({ path, text: gitopsProfileText(path) }, BUILTIN_CHARTS, { config, outPath: "out" });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const bundle = JSON.parse(fileOf(r.files, "bundle.json")!.content) as Obj;
    const dir = join(scratch, `${config.engine}-${r.name}`);
    writeBundleTo(dir, r.files);
    const render = () => docs(helmTemplateFresh(bundle.chart.version, bundle.release.namespace, bundle.valuesFiles, dir));
    const [first, second] = [render(), render()];
    const byKey = new Map(second.map((o) => [keyOf(o), o]));
    expect(first.map(keyOf).sort()).toEqual([...byKey.keys()].sort());
    // the engine compares everything: nothing is ignored, and nothing needs to be
    expect(engineIgnores(config.engine, r.files)).toEqual([]);
    const differing = first.flatMap((o) => differences(o, byKey.get(keyOf(o))).map((p) => `${keyOf(o)}${p}`));
    expect(differing).toEqual([]);
    // no certificate or key is generated at render time: the cluster makes them (certgen)
    const generated = first.filter((o) => o.kind === "Secret" && Object.keys(o.data ?? {}).some((k) => /\.(crt|key)$/.test(k)));
    expect(generated.map(keyOf)).toEqual([]);
    expect(first.some((o) => o.kind === "CronJob" && o.metadata.name === "hubble-generate-certs"), "the certgen CronJob").toBe(true);
  });
});
