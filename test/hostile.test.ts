import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { shellProblems } from "./fidelity/shell.js";
import { parseHcl } from "./fidelity/terraform.js";
import { ROOT, parseYaml } from "./helpers.js";

interface Case {
  file: string;
  expect: "reject" | "render";
  codes?: string[];
  note: string;
  generate?: "whitespace";
}

const dir = join(ROOT, "test/hostile");
const cases: Case[] = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8"));
let cwd: string;

/** Every file under out/, with its bytes and mode: what "nothing changed" is measured against. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const e of readdirSync(join(root, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else out[rel] = `${lstatSync(join(root, rel)).mode.toString(8)} ${readFileSync(join(root, rel), "base64")}`;
    }
  };
  if (existsSync(root)) walk("");
  return out;
}

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "tke-cilium-hostile-"));
  cpSync(dir, join(cwd, "cases"), { recursive: true });
  cpSync(join(ROOT, "presets/dev.json"), join(cwd, "dev.json"));
  const valid = readFileSync(join(ROOT, "presets/dev.json"), "utf8");
  writeFileSync(join(cwd, "cases/10mb-whitespace.json"), " ".repeat(5 << 20) + valid + "\n".repeat(5 << 20));
  // a bundle already in out/, which no rejected profile may touch
  expect(await main(["render", "dev.json"], { stdout: () => {}, stderr: () => {}, cwd })).toBe(0);
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

it("has at least 30 cases", () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
  for (const c of cases) expect(existsSync(join(dir, c.file)) || c.generate !== undefined, c.file).toBe(true);
});

describe.each(cases)("$file ($note)", (c) => {
  it(c.expect === "reject" ? `is rejected with ${c.codes?.join(" or ")} and changes nothing` : "renders, and its strings survive intact", async () => {
    const before = snapshot(join(cwd, "out"));
    let stderr = "";
    const code = await main(["render", `cases/${c.file}`], { stdout: () => {}, stderr: (t) => (stderr += t), cwd });
    expect(stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
    if (c.expect === "reject") {
      expect(code, stderr).toBe(1);
      const found = [...stderr.matchAll(/^cases\/\S+:(\d+):(\d+) error (\w+) /gm)];
      expect(found.length, stderr).toBeGreaterThan(0);
      expect(c.codes, stderr).toContain(found[0][3]);
      expect(snapshot(join(cwd, "out"))).toEqual(before);
      return;
    }
    expect(code, stderr).toBe(0);
    const name = c.file.replace(/\.json$/, "");
    const bundle = join(cwd, "out", name);
    const profile = JSON.parse(readFileSync(join(dir, c.file), "utf8").replace(/^\ufeff/, ""));
    const expected = profile.cilium?.extraValues;
    if (expected) {
      const values = parseYaml(readFileSync(join(bundle, "features-values.yaml"), "utf8"));
      expect(values).toEqual(expected);
    }
    for (const f of readdirSync(bundle, { recursive: true, encoding: "utf8" })) {
      const path = join(bundle, f);
      if (lstatSync(path).isDirectory()) continue;
      const text = readFileSync(path, "utf8");
      // nothing a YAML 1.1 reader takes for a line break, and nothing that reorders a line in review
      expect(text, f).not.toMatch(/[\u0085\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
      if (f.endsWith(".yaml")) for (const doc of text.split(/^---$/m)) parseYaml(doc);
      if (f.endsWith(".tf")) await parseHcl(f, text);
      if (f.endsWith(".sh")) expect(shellProblems(text)).toEqual([]);
    }
  });
});
