import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM build helper, shared with scripts/gen-schema.mjs
import { composeProfileSchema, schemaFragments } from "../scripts/schema-fragments.mjs";
import { CAPABILITIES } from "../src/capabilities/index.js";
import { ROOT } from "./helpers.js";

const committed = readFileSync(join(ROOT, "schema/profile.schema.json"), "utf8");

it("schema/profile.schema.json holds every capability's schema fragment as npm run gen:schema composes it", () => {
  expect(JSON.stringify(composeProfileSchema(JSON.parse(committed)), null, 2) + "\n").toBe(committed);
});

it("each fragment names a capability folder and a field under /properties", () => {
  for (const f of schemaFragments() as { id: string; pointer: string; schema: unknown }[]) {
    expect(f.pointer, f.id).toMatch(/^\/properties\/([A-Za-z][A-Za-z0-9]*\/properties\/)*[A-Za-z][A-Za-z0-9]*$/);
    expect(typeof f.schema, f.id).toBe("object");
  }
});

/**
 * Fields one capability lists that stay in the base schema (schema/profile.schema.json outside any fragment), and
 * why: core reads them, or another capability does too.
 */
const BASE_FIELDS: Record<string, string> = {
  "/cilium/version": "core: the chart catalogue, version rules, upgrade and preflight read it",
  "/cilium/chart": "core: the chart source (derive/chart-source.ts) reads it",
  "/images": "core: images.txt, the mirror and the chart-source steps read it",
  "/region": "core: the mirror, the profile rules, flow logs and the Terraform roots read it",
  "/apiserverVIP": "core: validate's platform check, the profile rules and the install prelude read it",
  "/cluster": "the cluster's identity and network (id, vpcId, subnets) that the Terraform roots and core read alike",
  "/cluster/network": "read by native, both overlays and the Terraform roots",
  "/cluster/vpcCidrs": "masquerade's, and cluster-mesh's address check reads it",
};

const SCHEMA = JSON.parse(committed) as Node;
interface Node {
  properties?: Record<string, Node>;
}
const schemaPointer = (field: string) => field.split("/").slice(1).map((k) => `/properties/${k}`).join("");
const under = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);

describe("which capability holds a profile field", () => {
  const fragments = schemaFragments() as { id: string; pointer: string; schema: Node }[];
  const listedBy = new Map<string, string[]>();
  for (const c of CAPABILITIES) for (const f of c.fields) listedBy.set(f, [...(listedBy.get(f) ?? []), c.id]);

  it("a field that exactly one capability lists is in its folder's schema.json, or named above as the base's", () => {
    for (const [field, [id, ...others]] of listedBy) {
      if (others.length > 0 || field in BASE_FIELDS) continue;
      const mine = fragments.filter((f) => f.id === id).map((f) => f.pointer);
      expect(mine.some((p) => under(p, schemaPointer(field)) || under(schemaPointer(field), p)), `${id} lists ${field}: move it into src/capabilities/${id}/schema.json or name it in BASE_FIELDS`).toBe(true);
    }
    for (const field of Object.keys(BASE_FIELDS)) expect(listedBy.get(field)?.length, field).toBe(1);
  });

  it("a fragment sets a field its capability lists, which is in the committed schema", () => {
    for (const f of fragments) {
      const fields = CAPABILITIES.find((c) => c.id === f.id)?.fields ?? [];
      expect(fields.some((field) => under(f.pointer, schemaPointer(field))), `${f.id}: ${f.pointer}`).toBe(true);
      const node = f.pointer.split("/").slice(1).reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], SCHEMA);
      expect(node, f.pointer).toBeDefined();
    }
  });

  it("no field is defined by two fragments (a parent's fragment leaves out the children other folders hold)", () => {
    for (const outer of fragments) {
      for (const inner of fragments) {
        if (inner === outer || !under(inner.pointer, outer.pointer)) continue;
        const rest = inner.pointer.slice(outer.pointer.length).split("/").slice(1);
        const node = rest.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], outer.schema);
        expect(node, `${outer.id} and ${inner.id} both define ${inner.pointer}`).toBeUndefined();
      }
    }
  });
});
