import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { deriveSettings } from "../src/derive.js";
import { checkProfiles } from "../src/pipeline.js";
import { BUNDLE_RULES } from "../src/rules/bundle-rules.js";
import { bundleRulesFor } from "../src/capabilities/index.js";
import type { Settings } from "../src/settings.js";
import { allProfilePaths, ROOT } from "./helpers.js";

/** What only emit reads: derive works them out on first read (a render derives once for the rules, once to emit). */
const EMIT_ONLY = ["install", "preflight", "images", "plan"] as const;

const profiles = allProfilePaths().filter((p) => p.startsWith("test/golden/") || p.startsWith("presets/"));

it("the bundle rules of a bundle without a GitOps engine read none of what only emit needs", () => {
  let checked = 0;
  checkProfiles(
    profiles.map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") })),
    undefined,
    (c) => {
      if (c.input === null) return;
      const settings = deriveSettings(c.input);
      const read = new Set<string>();
      const watched = new Proxy(settings, {
        get(target, key, receiver) {
          if (typeof key === "string" && (EMIT_ONLY as readonly string[]).includes(key)) read.add(key);
          return Reflect.get(target, key, receiver);
        },
      }) as Settings;
      for (const rule of [...BUNDLE_RULES, ...bundleRulesFor(c.input.profile.platform)]) rule.check(watched, c.input.profile);
      expect([...read], c.source.path).toEqual([]);
      checked++;
    },
  );
  expect(checked).toBeGreaterThan(10);
});

it("what derive works out on first read is the same on every read, and what an eager derive gives", () => {
  const path = "presets/prod.json";
  const [c] = checkProfiles([{ path, text: readFileSync(join(ROOT, path), "utf8") }]);
  const settings = deriveSettings(c.input!);
  for (const key of EMIT_ONLY) expect(settings[key], key).toBe(settings[key]);
  expect(JSON.parse(JSON.stringify(settings))).toEqual(JSON.parse(JSON.stringify(deriveSettings(c.input!))));
  expect(settings.plan.length).toBeGreaterThan(5);
});
