import { describe, expect, it } from "vitest";
import { commentPath, readCommentPath } from "../src/emit/output.js";

// check --staged reads a bundle's profile back from its install.sh header: what commentPath writes,
// readCommentPath must give back, whatever the path, and only when the text the header has next follows it.
describe("readCommentPath reads back what commentPath wrote", () => {
  const THEN = ". Do not edit:";
  it.each(["clusters/a.json", "a.b.json", "clusters/my b.json", 'odd "quoted" \\ name.yaml', "tab\there.json", "bidi\u202eevil.json", "dots....json"])("%j", (path) => {
    expect(readCommentPath(`${commentPath(path)}${THEN} change the profile`, THEN)).toBe(path);
  });

  it("is null when what follows is not the expected text, or no path starts the text", () => {
    expect(readCommentPath("clusters/a.json, then more", THEN)).toBeNull();
    expect(readCommentPath('"clusters/my b.json" Do not edit:', THEN)).toBeNull();
    expect(readCommentPath(" clusters/a.json. Do not edit:", THEN)).toBeNull();
  });
});
