import { describe, expect, it } from "vitest";
import { parseProfileText } from "../src/parse.js";

/** The JSON reader's members and places (src/parse.ts): what the rules and every diagnostic stand on. */
describe("parseProfileText", () => {
  it("keeps a __proto__ key as a member, as JSON.parse does, never as the prototype", () => {
    const text = '{"__proto__": {"polluted": true}, "region": "ap-guangzhou"}';
    const { value, diagnostics } = parseProfileText(text, "p.json");
    const record = value as Record<string, unknown>;
    expect(diagnostics).toEqual([]);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(["__proto__", "region"]);
    expect(Object.getOwnPropertyDescriptor(record, "__proto__")).toEqual({ value: { polluted: true }, enumerable: true, writable: true, configurable: true });
    expect((record as { polluted?: unknown }).polluted).toBeUndefined();
    expect(value).toEqual(JSON.parse(text));
  });

  it("makes members of names Object.prototype has, in the text's order", () => {
    const text = '{"toString": 1, "constructor": "x", "hasOwnProperty": [2], "a": {"valueOf": null}}';
    const { value } = parseProfileText(text, "p.json");
    expect(Object.keys(value as object)).toEqual(["toString", "constructor", "hasOwnProperty", "a"]);
    expect(value).toEqual(JSON.parse(text));
  });

  it("reports a second __proto__ as a duplicate key, at the second one", () => {
    const { diagnostics } = parseProfileText('{\n  "__proto__": 1,\n  "__proto__": 2\n}\n', "p.json");
    expect(diagnostics.map((d) => [d.code, d.pointer, d.line, d.col])).toEqual([["DUPLICATE_KEY", "/__proto__", 3, 3]]);
  });

  it("places a value, a key, and a field the profile leaves out (at the nearest enclosing key)", () => {
    const text = '{\n  "cluster": {\n    "maxNodes": 150\n  },\n  "name": "a"\n}\n';
    const { locate } = parseProfileText(text, "p.json");
    expect(locate("/cluster/maxNodes")).toEqual({ line: 3, col: 17, length: 3 });
    expect(locate("/cluster/maxNodes", true)).toEqual({ line: 3, col: 5, length: 10 });
    expect(locate("/name")).toEqual({ line: 5, col: 11, length: 3 });
    expect(locate("/cluster/vpcCidrs/0")).toEqual({ line: 2, col: 3, length: 9 });
    expect(locate("/features")).toEqual({ line: 1, col: 1, length: text.trimEnd().length });
  });
});
