import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hcl } from "../src/text/hcl.js";
import { sh } from "../src/text/shell.js";
import { commentedValuesToYaml } from "../src/text/yaml.js";
import { parseYaml } from "./helpers.js";

const NASTY = ["plain", "it's", 'say "hi"', "back\\slash", "$(reboot)", "`id`", "${HOME}", "%{ if x }", "a\nb", "tab\there", "\u0008\u000c", "🙂 ünï", "-n", "*"];

describe("sh", () => {
  it.each(NASTY)("bash reads %j back as one word", (word) => {
    const echoed = execFileSync("bash", ["-c", `printf '%s' ${sh(word)}`], { encoding: "utf8" });
    expect(echoed).toBe(word);
  });
});

describe("hcl", () => {
  it("never leaves an interpolation or directive open", () => {
    expect(hcl("${var.x}")).toBe('"$${var.x}"');
    expect(hcl("%{ if }")).toBe('"%%{ if }"');
    expect(hcl("a\u0008b\u000cc")).toBe('"a\\u0008b\\u000cc"');
    expect(hcl('q"\\')).toBe('"q\\"\\\\"');
    expect(hcl("\\b and \\f stay text")).toBe('"\\\\b and \\\\f stay text"');
    expect(JSON.parse(hcl("line\nnext\u0001"))).toBe("line\nnext\u0001");
  });
});

describe("yaml", () => {
  it("quotes YAML 1.1 specials and keeps types", () => {
    const values = ["on", "yes", "no", "~", "1.10", "0777", "true", "a: b", "- x", "#c", "*a", "&a", "!!python/object"];
    const text = commentedValuesToYaml(["h"], [
      { path: ["s"], value: values, comment: "c" },
      { path: ["n"], value: 3, comment: "c" },
      { path: ["b"], value: false, comment: "c" },
    ]);
    expect(parseYaml(text)).toEqual({ s: values, n: 3, b: false });
  });
});
