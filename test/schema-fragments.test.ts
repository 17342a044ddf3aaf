import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error plain ESM build helper, shared with scripts/gen-schema.mjs
import { composeProfileSchema, schemaFragments } from "../scripts/schema-fragments.mjs";
import { ROOT } from "./helpers.js";

const committed = readFileSync(join(ROOT, "schema/profile.schema.json"), "utf8");

it("schema/profile.schema.json holds every capability's schema fragment as npm run gen:schema composes it", () => {
  expect(JSON.stringify(composeProfileSchema(JSON.parse(committed)), null, 2) + "\n").toBe(committed);
});

it("each fragment names a capability folder and a field under /properties", () => {
  for (const f of schemaFragments() as { id: string; pointer: string; schema: unknown }[]) {
    expect(f.pointer, f.id).toMatch(/^\/properties\/([A-Za-z]+\/properties\/)*[A-Za-z]+$/);
    expect(typeof f.schema, f.id).toBe("object");
  }
});
