import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, renderFile } from "./helpers.js";

const dir = join(ROOT, "test/invalid");
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".json") && !f.endsWith(".expected.json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

describe.each(cases)("invalid %s", (name) => {
  const expected = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), "utf8"));
  const result = renderFile(`test/invalid/${name}.json`);

  it("reports exactly the expected diagnostics (code, severity, pointer, line)", () => {
    const got = result.diagnostics.map(({ code, severity, pointer, line }) => ({ code, severity, pointer, line }));
    expect(got).toEqual(expected);
  });

  it("renders no files", () => {
    expect(result.files).toEqual([]);
  });
});

it("has at least 12 failure modes", () => {
  expect(cases.length).toBeGreaterThanOrEqual(12);
});
