import { readdirSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, goldenCases, renderFile } from "./helpers.js";

/** Every file under dir, relative to it, with forward slashes. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split("\\").join("/"))
    .sort();
}

describe.each(goldenCases())("golden %s", (name) => {
  const caseDir = join(ROOT, "test/golden", name);
  const expectedDir = join(caseDir, "expected");
  const result = renderFile(relative(ROOT, join(caseDir, "profile.json")).split("\\").join("/"));

  it("renders without errors", () => {
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("has the expected file list and modes", async () => {
    const list = result.files.map((f) => `${f.mode.toString(8).padStart(4, "0")} ${f.path}`).join("\n") + "\n";
    await expect(list).toMatchFileSnapshot(join(expectedDir, "_files.txt"));
  });

  for (const file of result.files) {
    it(`matches expected/${file.path}`, async () => {
      await expect(file.content).toMatchFileSnapshot(join(expectedDir, file.path));
    });
  }

  it("has no orphaned expected files", () => {
    const wanted = new Set(["_files.txt", ...result.files.map((f) => f.path)]);
    const orphans = listFiles(expectedDir).filter((f) => !wanted.has(f));
    expect(orphans, `delete these from ${relative(ROOT, expectedDir)}: the bundle no longer has them`).toEqual([]);
  });
});
