import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkProfiles } from "../src/pipeline.js";
import { fill, renderSnippet, undosOf } from "../src/plan/bash.js";
import { isMutating, orderPlan, PHASES, READ_ONLY_PHASES, type PlanStep } from "../src/plan/step.js";
import { allProfilePaths, renderObject, ROOT } from "./helpers.js";

/** The install plan read as data, for every preset and golden profile (a mesh's presets together). */
const sources = allProfilePaths().map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") }));
const plans: [string, PlanStep[]][] = [];
checkProfiles(sources, undefined, (checked, settings) => {
  if (settings !== null) plans.push([checked.source.path, settings.plan]);
});

/** Shell variables the prelude of install.sh sets before any step. */
const PRELUDE = new Set(["HERE", "RELEASE", "NAMESPACE", "CHART", "VERSION", "BUNDLE_ID", "APISERVER_VIP", "DRY_RUN", "FORCE"]);

describe.each(plans)("install plan of %s", (_, plan) => {
  const ordered = orderPlan(plan);

  it("has unique step ids", () => {
    const ids = plan.map((s) => s.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it("changes nothing before the last read-only phase, and only mutating steps carry an undo", () => {
    const firstChange = ordered.findIndex(isMutating);
    expect(firstChange).toBeGreaterThan(0);
    expect(ordered.slice(0, firstChange).every((s) => READ_ONLY_PHASES.includes(s.phase))).toBe(true);
    expect(ordered.slice(firstChange).filter((s) => READ_ONLY_PHASES.includes(s.phase))).toEqual([]);
  });

  it("runs its phases in order", () => {
    const ranks = ordered.map((s) => PHASES.indexOf(s.phase));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it("needs only shell variables an earlier step provides", () => {
    const provided = new Set(PRELUDE);
    for (const step of ordered) {
      const needs = "need" in step ? step.need : [];
      for (const n of needs) expect(provided.has(n), `${step.id} needs $${n}`).toBe(true);
      if ("provide" in step) for (const v of step.provide) provided.add(v);
    }
  });

  it("pairs every change with an undo: commands, or a note saying why it stays", () => {
    for (const step of plan.filter(isMutating)) {
      expect(step.undo.kind === "commands" || step.undo.note.length > 0, step.id).toBe(true);
    }
    const titles = undosOf(plan).flatMap((u) => (u.kind === "commands" ? [u.title] : []));
    expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
  });

  it("installs the chart once, after the switch-off, and uninstalls it", () => {
    const helm = ordered.filter((s) => s.kind === "helm");
    expect(helm).toHaveLength(1);
    expect(helm[0].kind === "helm" && helm[0].undo.kind).toBe("commands");
    expect(ordered.findIndex((s) => s.kind === "patch")).toBeLessThan(ordered.indexOf(helm[0]));
  });
});

it("reads a plan for every profile", () => {
  expect(plans.length).toBe(sources.length);
});

describe("the datapath guard's expected settings", () => {
  const profile = JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8"));
  const withRouting = (routingMode: string) => renderObject({ ...profile, cilium: { ...profile.cilium, extraValues: { routingMode } } });

  it("are words checked before quoting: a routing mode from extraValues that no Cilium knows is not written into install.sh", () => {
    const r = withRouting("native'; touch /tmp/tke-cilium-pwned; '");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const install = r.files.find((f) => f.path === "install.sh")!.content;
    expect(install).not.toContain("tke-cilium-pwned");
  });

  it("still compare a routing mode extraValues sets", () => {
    const r = withRouting("native");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.files.find((f) => f.path === "install.sh")!.content).toContain("'routing-mode=native'");
  });
});

describe("a plan fragment written as bash", () => {
  const template = "echo {{a}} {{b}}\n";
  it("is written for its own values, also after the same fragment was written with others (the run's memo)", () => {
    expect(renderSnippet({ template, words: { a: "x", b: "y" } })).toBe("echo 'x' 'y'");
    expect(renderSnippet({ template, words: { a: "x y", b: "" } })).toBe("echo 'x y' ''");
    expect(renderSnippet({ template, words: { a: "x", b: "y" } })).toBe("echo 'x' 'y'");
    expect(renderSnippet({ template, texts: { a: "x", b: "y" } })).toBe("echo x y");
  });
  it("checks a profile value against its pattern each time its values are new", () => {
    expect(renderSnippet({ template, words: { a: { kind: "ipv4", value: "10.0.0.1" }, b: "z" } })).toBe("echo '10.0.0.1' 'z'");
    expect(() => renderSnippet({ template, words: { a: { kind: "ipv4", value: "10.0.0.1; reboot" }, b: "z" } })).toThrow(/not a ipv4/);
  });
  it("refuses a Handlebars form the filler does not know, rather than leaving it in the script", () => {
    expect(() => fill("{{#if on}}\nx\n{{/if}}\n", { on: "yes" })).toThrow(/does not know/);
    expect(fill("#!/bin/bash\n{{#each lines}}\n# {{this}}\n{{/each}}\nX={{x}}\n", { lines: ["a", "b"], x: "'1'" })).toBe("#!/bin/bash\n# a\n# b\nX='1'\n");
  });
});
