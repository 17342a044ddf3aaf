// A capability that adds profile fields keeps them in its folder: src/capabilities/<id>/schema.json holds one
// fragment {"pointer": "/properties/features/properties/<field>", "schema": {...}} or a list of them. Composing
// sets each fragment at its pointer, parents before children: in place when the field is there, else appended to
// its parent. A fragment that replaces a parent keeps the children other fragments own at the place they had (after
// the sibling that preceded them), so the composed order does not depend on which folder holds which field, and
// composing twice changes nothing.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const capabilities = join(dirname(dirname(fileURLToPath(import.meta.url))), "src", "capabilities");

/** Every capability's schema fragments, in folder order (a folder's own in file order). */
export function schemaFragments() {
  return readdirSync(capabilities, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(capabilities, d.name, "schema.json")))
    .map((d) => d.name)
    .sort()
    .flatMap((id) => {
      const file = JSON.parse(readFileSync(join(capabilities, id, "schema.json"), "utf8"));
      return (Array.isArray(file) ? file : [file]).map((f) => ({ id, ...f }));
    });
}

const tokensOf = (pointer) => pointer.split("/").slice(1).map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));

/** The profile schema with every fragment set at its pointer (a copy; the input is not changed). */
export function composeProfileSchema(base) {
  const schema = structuredClone(base);
  const fragments = schemaFragments()
    .map((f, index) => ({ ...f, tokens: tokensOf(f.pointer), index }))
    .sort((a, b) => a.tokens.length - b.tokens.length || a.index - b.index);
  const pointers = new Set(fragments.map((f) => f.pointer));
  for (const { id, pointer, tokens, schema: fragment } of fragments) {
    let node = schema;
    for (const token of tokens.slice(0, -1)) {
      if (node[token] === undefined || typeof node[token] !== "object") throw new Error(`${id}/schema.json: ${pointer} has no parent in the profile schema`);
      node = node[token];
    }
    const key = tokens[tokens.length - 1];
    node[key] = keepOwnedChildren(node[key], structuredClone(fragment), pointer, pointers);
  }
  return schema;
}

/** `next`, with the properties of `previous` that another fragment owns put back where they were. */
function keepOwnedChildren(previous, next, pointer, pointers) {
  const before = previous?.properties;
  if (before === undefined || typeof next !== "object" || next === null) return next;
  const owned = Object.keys(before).filter((k) => !(next.properties && k in next.properties) && pointers.has(`${pointer}/properties/${k}`));
  if (owned.length === 0) return next;
  const keys = Object.keys(before);
  const properties = { ...(next.properties ?? {}) };
  for (const k of owned) {
    const preceding = keys.slice(0, keys.indexOf(k)).reverse().find((p) => p in properties);
    const entries = Object.entries(properties);
    const at = preceding === undefined ? 0 : entries.findIndex(([p]) => p === preceding) + 1;
    entries.splice(at, 0, [k, before[k]]);
    for (const p of Object.keys(properties)) delete properties[p];
    Object.assign(properties, Object.fromEntries(entries));
  }
  return { ...next, properties };
}
