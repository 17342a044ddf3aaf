import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with scripts/gen-types.mjs
import { compileProfileType } from "../scripts/profile-type.mjs";
import { ROOT } from "./helpers.js";

it("src/generated/profile.ts is what json-schema-to-typescript makes of the schema (run npm run gen:types)", async () => {
  const schema = JSON.parse(readFileSync(join(ROOT, "schema/profile.schema.json"), "utf8"));
  const committed = readFileSync(join(ROOT, "src/generated/profile.ts"), "utf8");
  expect(await compileProfileType(schema)).toBe(committed);
});
