// First contact: init's default profile validates without a warning when given the VPC's CIDRs, keeps
// node_modules out of git, and common mistakes get a sentence instead of a regular expression.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { renderObject } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tke-cilium-first-"));
  mkdirSync(join(dir, ".git"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...argv: string[]) => {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: dir });
  return { code, out, err };
};
const INIT = ["init", "clusters/prod.json", "--region", "ap-guangzhou", "--vip", "169.254.128.27", "--pool", "karpenter", "--subnet", "subnet-12sxk3z4", "--security-group", "sg-nok01xpa"];

describe("init", () => {
  it("--vpc-cidr: the profile validates without a single warning", async () => {
    const r = await run(...INIT, "--vpc-cidr", "10.0.0.0/16", "--vpc-cidr", "172.20.0.0/16");
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "clusters/prod.json"), "utf8")).cluster).toEqual({ vpcCidrs: ["10.0.0.0/16", "172.20.0.0/16"] });
    const v = await run("validate", "clusters/prod.json");
    expect(v.code).toBe(0);
    expect(v.err).not.toMatch(/warning|error/);
  });

  it("without --vpc-cidr it says what is missing", async () => {
    const r = await run(...INIT);
    expect(r.code).toBe(0);
    expect(r.err).toContain("give the VPC's CIDRs (--vpc-cidr");
  });

  it("writes a .gitignore with node_modules/, adds the line to one that lacks it, and leaves one that has it", async () => {
    expect((await run(...INIT, "--vpc-cidr", "10.0.0.0/16")).out).toContain("wrote .gitignore");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules/\n");
    writeFileSync(join(dir, ".gitignore"), "*.tfstate");
    expect((await run("init", "b.json", "--region", "ap-guangzhou", "--vip", "169.254.128.28", "--pool", "native")).out).toContain("updated .gitignore");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("*.tfstate\nnode_modules/\n");
    expect((await run("init", "c.json", "--region", "ap-guangzhou", "--vip", "169.254.128.29", "--pool", "native")).out).not.toContain(".gitignore");
  });
});

describe("friendly messages", () => {
  const base = { region: "ap-guangzhou", apiserverVIP: "169.254.128.27", nodePool: { type: "native" }, features: { masquerade: true }, cluster: { vpcCidrs: ["10.0.0.0/16"] } };
  it("a v before the version", () => {
    const [d] = renderObject({ ...base, cilium: { version: "v1.19.5" } }).diagnostics.filter((x) => x.severity === "error");
    expect(d).toMatchObject({ code: "INVALID_VALUE", pointer: "/cilium/version", suggestion: "1.19.5" });
    expect(d.message).toBe('"v1.19.5": write the release without the "v": "1.19.5"');
  });
  it("VIP:port", () => {
    const errors = renderObject({ ...base, apiserverVIP: "169.254.128.27:60002" }).diagnostics.filter((x) => x.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "INVALID_VALUE", pointer: "/apiserverVIP", suggestion: "169.254.128.27" });
    expect(errors[0].message).toContain("put the port in apiserverPort (60002)");
  });
});
