// Regenerates src/generated/profile.ts from schema/profile.schema.json (npm run gen:types).
// test/generated-types.test.ts fails when the committed file differs from what this writes.
import { readFileSync, writeFileSync } from "node:fs";
import { compileProfileType } from "./profile-type.mjs";

const schema = JSON.parse(readFileSync("schema/profile.schema.json", "utf8"));
writeFileSync("src/generated/profile.ts", await compileProfileType(schema));
console.log("wrote src/generated/profile.ts");
