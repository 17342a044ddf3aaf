import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { indexHits } from "../../src/bundle-index.js";
import { sameWithAndWithoutIndex, stepArb } from "../bundle-index-model.js";

/**
 * Cases (npm run test:slow): TKE_CILIUM_INDEX_RUNS, else TKE_CILIUM_PROPERTY_RUNS, else 1,000 (about 0.12 s a case on
 * an idle 2-core machine; CI runs 300). TKE_CILIUM_PROPERTY_SEED as in property.test.ts.
 */
const RUNS = Number(process.env.TKE_CILIUM_INDEX_RUNS ?? process.env.TKE_CILIUM_PROPERTY_RUNS ?? 1000);
const SEED = process.env.TKE_CILIUM_PROPERTY_SEED ? Number(process.env.TKE_CILIUM_PROPERTY_SEED) : undefined;

describe("the bundle index", () => {
  it(`never changes a result: random edits to profiles, bundles and the index, with and without it (${RUNS} cases)`, async () => {
    const hits = indexHits.count;
    const steps = fc.array(stepArb, { minLength: 1, maxLength: 12 }).map((s) => [{ op: "settle" as const }, { op: "check" as const }, ...s, { op: "check" as const }]);
    await fc.assert(fc.asyncProperty(steps, sameWithAndWithoutIndex), { numRuns: RUNS, seed: SEED });
    expect(indexHits.count).toBeGreaterThan(hits);
    // about a second a case on a busy 2-core machine
  }, 3_600_000);
});
