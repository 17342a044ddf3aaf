import { afterAll, describe, it } from "vitest";
import { expectMatrixCase, removeScratch, slowMatrix } from "../preflight-matrix.js";

afterAll(removeScratch);

// The pre-flight release over the add-on matrix, the 45 cases test/preflight.test.ts leaves out of npm test.
describe("the pre-flight release over the add-on matrix (the rest of it)", () => {
  it.each(slowMatrix)("$name: renders nothing the release cilium renders", ({ name, profile }) => void expectMatrixCase(name, profile));
});
