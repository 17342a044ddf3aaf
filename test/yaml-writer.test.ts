// src/text/yaml.ts writes YAML by itself; the yaml library is the judge here. Whatever it writes must read
// back as the same value under YAML 1.1 (what Helm's reader follows) and 1.2, and no string may be left
// plain where yaml would quote it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Document, parse, parseAllDocuments } from "yaml";
import { commentedValuesToYaml, literalBlock, manifestsToYaml, scalarText } from "../src/text/yaml.js";
import { SLOW } from "./slice.js";

// cases per property: 200 in npm test, 1,000 in npm run test:slow (TKE_CILIUM_PROPERTY_RUNS=N for more)
const RUNS = Number(process.env.TKE_CILIUM_PROPERTY_RUNS ?? (SLOW ? 1000 : 200));

const both = (text: string): [unknown, unknown] => [parse(text, { version: "1.1" }), parse(text, { version: "1.2" })];

/** How the yaml library writes a string as a map value under YAML 1.1: plain when it needs no quotes. */
const yamlLibraryText = (value: string): string => new Document({ k: value }, { version: "1.1" }).toString({ lineWidth: 0 }).slice(3, -1);

/** Strings made to hit YAML's corners: keywords, numbers, indicators, white space, breaks, invisible marks. */
const TRICKY = [
  ...["", " ", "x ", " x", "a: b", "a:", "a #b", "#b", "- x", "-", "? x", "?", ": x", ",x", "[x", "]", "{x", "}", "%x", "@x", "`x", "!x", "!!str", "&a", "*a", "|", ">", "'", '"', "\\", "~", "=", "<<", "---", "...", "--- x", "../x"],
  ...["y", "Y", "yes", "No", "ON", "off", "true", "False", "NULL", "null", "Null", "tRuE"],
  ...["0", "-0", "+1", "1_000", "0777", "0o17", "0b101", "0x1F", "0x1p-2", "1.5", "1.", ".5", "1e3", "1E+3", "1e", "1.10", "1:30", "190:20:30.15", ".inf", "-.Inf", "+inf", ".NaN", "nan", "infinity", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-1-1 1:1:1"],
  ...["169.254.128.27", "10.0.0.0/16", "1.19.5", "v1.19.5", "10%", "5m", "eth+", "quay.io/cilium/cilium:v1.19.5@sha256:abc", "https://helm.cilium.io/", "a b", "a  b", "é", "日本", "🙂", "a\u00a0b"],
  ...["a\nb", "a\rb", "tab\there", "\t", "nul\u0000", "bel\u0007", "esc\u001b", "del\u007f", "c1\u0085", "ls\u2028", "ps\u2029", "rlo\u202e", "rlm\u200f", "bom\ufeff", "\ufffe", "\ud83d", "x".repeat(1100)],
];

describe("scalars", () => {
  it.each(TRICKY.map((s) => [JSON.stringify(s).slice(0, 40), s]))("%s reads back as itself, as a value and as a key", (_, value) => {
    const text = commentedValuesToYaml(["h"], [
      { path: ["v"], value, comment: "c" },
      { path: ["list"], value: [value], comment: "c" },
      { path: ["map"], value: { [value]: value }, comment: "c" },
    ]);
    for (const read of both(text)) expect(read).toEqual({ v: value, list: [value], map: { [value]: value } });
  });

  it.each(TRICKY.map((s) => [JSON.stringify(s).slice(0, 40), s]))("%s is plain only where the yaml library leaves it plain", (_, value) => {
    if (scalarText(value) === value) expect(yamlLibraryText(value)).toBe(value);
  });

  it("keeps the usual values plain, as kubectl and Helm users write them", () => {
    for (const s of ["169.254.128.27", "10.0.0.0/16", "1.19.5", "10%", "5m", "eth+", "delegated-plugin", "node-role.kubernetes.io/control-plane", "quay.io/cilium/cilium:v1.19.5@sha256:abc"]) expect(scalarText(s)).toBe(s);
    for (const s of ["true", "on", "1", "1.10", "*", ""]) expect(scalarText(s)).toBe(JSON.stringify(s));
  });

  it("spells invisible and line-breaking characters as escapes", () => {
    for (const c of ["\u0085", "\u2028", "\u2029", "\u202e", "\u200f", "\ufeff", "\u007f"]) {
      const text = scalarText(`a${c}b`);
      expect(text).not.toContain(c);
      expect(text).toMatch(/\\u[0-9A-F]{4}/);
    }
  });

  it("reads back any string, plain only where the yaml library agrees", () => {
    const pieces = fc.constantFrom(...TRICKY.filter((s) => s.length < 50), "a", "0", "1", "9", ".", ":", " ", "-", "+", "#", "'", '"', "\n", "e", "E", "x", "b", "o", "p", "T", "inf", "nan", "_", "/", "@", "~", "=");
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.array(pieces, { maxLength: 6 }).map((p) => p.join("")));
    fc.assert(
      fc.property(text, (value) => {
        const written = commentedValuesToYaml([], [{ path: ["k"], value: { [value]: value }, comment: "c" }]);
        for (const read of both(written)) expect(read).toEqual({ k: { [value]: value } });
        if (scalarText(value) === value) expect(yamlLibraryText(value)).toBe(value);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("structure", () => {
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 4 }),
    object: fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 4 }),
  }));

  it("any JSON value reads back as itself (maps, sequences in sequences, empty ones, numbers)", () => {
    fc.assert(
      fc.property(json.value, (value) => {
        const text = manifestsToYaml(["header"], [value, { second: value }]);
        const docs = parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS());
        expect(docs).toEqual([value, { second: value }]);
      }),
      { numRuns: RUNS },
    );
  });

  it("writes literal blocks that keep their text, and quotes what a literal block cannot hold", () => {
    const texts = ['{\n  "a": 1\n}', "one\n", "two\n\n", "x\n\ny", "  leading", "trail \nx", "tab\tin", "bell\u0007", "ls\u2028x", "", "\nfirst empty"];
    for (const t of texts) {
      const text = manifestsToYaml([], [{ data: { k: literalBlock(t) }, list: [literalBlock(t)] }]);
      for (const read of both(text)) expect(read).toEqual({ data: { k: t }, list: [t] });
    }
    expect(manifestsToYaml([], [{ k: literalBlock('{\n  "a": 1\n}') }])).toBe('k: |-\n  {\n    "a": 1\n  }\n');
  });

  it("puts each comment above its key, the header above the first document, and skips undefined values", () => {
    const text = manifestsToYaml(["line one", "", "line three"], [{ spec: { a: 1, b: { c: [{ d: 1, e: 2 }] }, gone: undefined } }, { spec: { x: 1 } }], new Map([
      ["0:spec.b.c", "about c"],
      ["1:spec.x", "about x\nsecond line"],
    ]));
    expect(text).toBe(
      ["# line one", "#", "# line three", "", "spec:", "  a: 1", "  b:", "    # about c", "    c:", "    - d: 1", "      e: 2", "---", "spec:", "  # about x", "  # second line", "  x: 1", ""].join("\n"),
    );
    expect(() => manifestsToYaml([], [{ a: 1 }], new Map([["0:a.b", "x"]]))).toThrow(/no map/);
    expect(() => manifestsToYaml([], [{ a: {} }], new Map([["0:a.b", "x"]]))).toThrow(/no key/);
  });

  it("merges values given under a key that already holds an object", () => {
    const text = commentedValuesToYaml([], [
      { path: ["a"], value: { b: 1 }, comment: "a" },
      { path: ["a", "c"], value: 2, comment: "c" },
    ]);
    expect(parse(text)).toEqual({ a: { b: 1, c: 2 } });
    expect(() => commentedValuesToYaml([], [{ path: ["a"], value: 1, comment: "a" }, { path: ["a", "c"], value: 2, comment: "c" }])).toThrow(/both a value and a map/);
  });

  it("keeps a comment on one line whatever it holds", () => {
    const text = commentedValuesToYaml(["a\u2028b\rc"], [{ path: ["k"], value: 1, comment: "x\u0085y" }]);
    expect(both(text)).toEqual([{ k: 1 }, { k: 1 }]);
    expect(text).toBe("# a?b?c\n\n# x?y\nk: 1\n");
  });
});
