// A capability that adds profile fields keeps them in its folder: src/capabilities/<id>/schema.json holds
// {"pointer": "/properties/features/properties/<field>", "schema": {...}}. Composing sets each fragment at its
// pointer: in place when the field is there, else appended to its parent (so composing twice changes nothing).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const capabilities = join(dirname(dirname(fileURLToPath(import.meta.url))), "src", "capabilities");

/** Every capability's schema fragment, in folder order. */
export function schemaFragments() {
  return readdirSync(capabilities, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(capabilities, d.name, "schema.json")))
    .map((d) => d.name)
    .sort()
    .map((id) => ({ id, ...JSON.parse(readFileSync(join(capabilities, id, "schema.json"), "utf8")) }));
}

/** The profile schema with every fragment set at its pointer (a copy; the input is not changed). */
export function composeProfileSchema(base) {
  const schema = structuredClone(base);
  for (const { id, pointer, schema: fragment } of schemaFragments()) {
    const tokens = pointer.split("/").slice(1).map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node = schema;
    for (const token of tokens.slice(0, -1)) {
      if (node[token] === undefined || typeof node[token] !== "object") throw new Error(`${id}/schema.json: ${pointer} has no parent in the profile schema`);
      node = node[token];
    }
    node[tokens[tokens.length - 1]] = fragment;
  }
  return schema;
}
