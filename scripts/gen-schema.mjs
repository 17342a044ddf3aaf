// Writes each capability's profile fields (src/capabilities/<id>/schema.json) into schema/profile.schema.json,
// then regenerates src/generated/profile.ts from it (npm run gen:schema). The schema stays one committed file
// for editors; test/schema-fragments.test.ts fails when it does not hold every fragment as this writes it.
import { readFileSync, writeFileSync } from "node:fs";
import { composeProfileSchema } from "./schema-fragments.mjs";
import { compileProfileType } from "./profile-type.mjs";

const path = "schema/profile.schema.json";
const schema = composeProfileSchema(JSON.parse(readFileSync(path, "utf8")));
writeFileSync(path, JSON.stringify(schema, null, 2) + "\n");
writeFileSync("src/generated/profile.ts", await compileProfileType(schema));
console.log(`wrote ${path} and src/generated/profile.ts`);
