import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { OutputFile } from "../src/emit/index.js";
import { BUILTIN_CHARTS } from "../src/knowledge/chart.js";
import { renderProfile } from "../src/pipeline.js";
import type { GitopsContext } from "../src/settings.js";
import { ROOT, gitopsProfileText, helmValuesFiles, renderFile, renderObject, writeBundleTo } from "./helpers.js";
import { expectDisjoint, expectMatrixCase, fastMatrix, key, parse, removeScratch, scratch, templateBoth } from "./preflight-matrix.js";

afterAll(removeScratch);
import { helmTemplate } from "./real-helm.js";
import { FakeCluster, removeFakeClusters, tkeCluster } from "./fake-cluster/cluster.js";

afterAll(removeFakeClusters);

/**
 * Cilium's pre-flight check is a Helm release of its own (cilium-preflight) installed beside the release
 * cilium during a minor upgrade. Helm refuses to install an object another release owns ("invalid ownership
 * metadata"), so the real `helm template` of both releases, as install.sh runs them, must share no object
 * (the helpers and the add-on matrix: test/preflight-matrix.ts).
 */

// Each profile's pre-flight release beside its release cilium: test/helm-template.test.ts, which renders that release already.

describe("the pre-flight release over the add-on matrix", () => {
  // 9 of the 54 cases (every add-on, version and mode); test/slow/preflight-matrix.test.ts runs the rest
  it.each(fastMatrix)("$name: renders nothing the release cilium renders", ({ name, profile }) => expect(expectMatrixCase(name, profile), `${name} was refused: nothing compared`).toBe(true));

  it("GitOps bundles (Hubble's certificates by certgen) too", () => {
    const gitops: GitopsContext = { config: { engine: "flux", namespace: "flux-system", gitRepository: "flux-system", interval: "10m" }, outPath: "out" };
    for (const path of ["presets/prod.json", "presets/mesh/gz-east.json"]) {
      const r = renderProfile({ path, text: gitopsProfileText(path) }, BUILTIN_CHARTS, gitops);
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expectDisjoint(`gitops-${path}`, r.files);
    }
  });
});

describe("the test can fail", () => {
  it("the main release's values files given to the pre-flight, as before, collide (hubble-relay, cilium-ca...)", () => {
    const r = renderFile("presets/prod.json");
    const dir = join(scratch, "collide");
    writeBundleTo(dir, r.files);
    writeFileSync(join(dir, "old-preflight.yaml"), "preflight:\n  enabled: true\nagent: false\noperator:\n  enabled: false\n");
    const main = parse(helmTemplate("1.19.5", "kube-system", helmValuesFiles(r.files), dir));
    const old = parse(helmTemplate("1.19.5", "kube-system", [...helmValuesFiles(r.files), "old-preflight.yaml"], dir, "cilium-preflight"));
    const owned = new Set(main.map(key));
    expect(old.map(key).filter((k) => owned.has(k))).toEqual(expect.arrayContaining(["Secret/kube-system/cilium-ca", "Deployment/kube-system/hubble-relay"]));
  });
});

describe("a minor upgrade on a fake cluster that owns objects as Helm does", () => {
  const prod = () => JSON.parse(readFileSync(join(ROOT, "presets/prod.json"), "utf8")) as Record<string, any>;
  const OLD_PREFLIGHT = "old-preflight.yaml";

  /** The two bundles (prod at 1.18.12, then 1.19.5) and the real helm renders of their releases: the same for both tests, made once. */
  let made: { v1: OutputFile[]; first: ReturnType<typeof templateBoth>; v2: OutputFile[]; next: ReturnType<typeof templateBoth> } | undefined;
  function bundles() {
    if (made === undefined) {
      const v1 = renderObject({ ...prod(), name: "c1", cilium: { version: "1.18.12" } }).files;
      const v2 = renderObject({ ...prod(), name: "c1" }).files;
      made = { v1, first: templateBoth("fake-v1", v1), v2, next: templateBoth("fake-v2", v2) };
    }
    return made;
  }

  /** Installs prod 1.18.12, then runs the 1.19.5 bundle with each release owning what the real helm renders for it. */
  async function minorUpgrade(oldStylePreflight: boolean) {
    const cluster = new FakeCluster(tkeCluster({ vip: "169.254.128.27" }));
    const { v1, first, v2, next } = bundles();
    cluster.edit((st) => (st.renders = { cilium: first.main.map(key) }));
    const folder1 = cluster.writeBundle("v1", v1);
    expect((await cluster.run(join(folder1, "install.sh"))).status).toBe(0);
    cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    let preflight = next.preflight.map(key);
    if (oldStylePreflight) {
      // what install.sh passed the pre-flight before: the main release's values files and three --set
      const dir = join(scratch, "fake-v2");
      writeFileSync(join(dir, OLD_PREFLIGHT), "preflight:\n  enabled: true\nagent: false\noperator:\n  enabled: false\n");
      preflight = parse(helmTemplate("1.19.5", "kube-system", [...helmValuesFiles(v2), OLD_PREFLIGHT], dir, "cilium-preflight")).map(key);
    }
    cluster.edit((st) => (st.renders = { cilium: next.main.map(key), "cilium-preflight": preflight }));
    return cluster.run(join(cluster.writeBundle("v2", v2), "install.sh"));
  }

  it("the pre-flight installs beside the release cilium, is removed, and the upgrade follows", async () => {
    const r = await minorUpgrade(false);
    expect(r.stderr).not.toContain("invalid ownership metadata");
    expect(r.status).toBe(0);
    expect(r.changes).toEqual(expect.arrayContaining(["helm upgrade --install cilium-preflight 1.19.5", "helm uninstall cilium-preflight", "helm upgrade --install cilium 1.19.5"]));
  });

  it("the old pre-flight (every values file of the release cilium) fails as Helm fails", async () => {
    const r = await minorUpgrade(true);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("invalid ownership metadata");
    expect(r.changes).not.toContain("helm upgrade --install cilium 1.19.5");
  });
});
