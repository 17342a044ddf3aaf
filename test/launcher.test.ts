import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

/**
 * dist/cli.cjs keeps a V8 code cache for the Node.js that runs it in the nearest node_modules/.cache/tke-cilium/
 * (scripts/launcher.cjs). It must only ever change the start-up time: a missing, corrupt or unwritable cache
 * gives the same output and exit code. Each case runs a copy of dist/ installed as a package is
 * (<project>/node_modules/tke-cilium/dist/), so the cache lands in that project's node_modules.
 */
const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-launcher-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
function installed(): { project: string; cli: string; cache: string } {
  const project = join(scratch, `project-${n++}`);
  const dist = join(project, "node_modules", "tke-cilium", "dist");
  mkdirSync(dist, { recursive: true });
  cpSync(join(ROOT, "dist"), dist, { recursive: true });
  cpSync(join(ROOT, "schema"), join(project, "node_modules", "tke-cilium", "schema"), { recursive: true });
  cpSync(join(ROOT, "presets/prod.json"), join(project, "prod.json"));
  return { project, cli: join(dist, "cli.cjs"), cache: join(project, "node_modules", ".cache", "tke-cilium") };
}

const render = (cwd: string, cli: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [cli, "render", "prod.json", "--out", "out"], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
const caches = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
const bundle = (project: string) => readFileSync(join(project, "out/prod/install.sh"), "utf8");

describe("the code cache", () => {
  it("is written by the first render, for this Node.js and this build, and used by the next", () => {
    const { project, cli, cache } = installed();
    const first = render(project, cli);
    expect(first.status, first.stderr).toBe(0);
    const written = caches(cache);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version.replaceAll(".", "\\.")}-${process.arch}\\.v8cache$`));
    const expected = bundle(project);
    const inode = statSync(join(cache, written[0])).ino;
    rmSync(join(project, "out"), { recursive: true });
    const second = render(project, cli);
    expect([second.status, second.stderr, bundle(project)]).toEqual([0, "", expected]);
    // V8 took it: a rejected cache would have been written again (a new file renamed into place)
    expect(caches(cache)).toEqual(written);
    expect(statSync(join(cache, written[0])).ino).toBe(inode);
  });

  it("a corrupt cache is rejected by V8, changes nothing in the result, and is written again", () => {
    const { project, cli, cache } = installed();
    expect(render(project, cli).status).toBe(0);
    const expected = bundle(project);
    const [name] = caches(cache);
    writeFileSync(join(cache, name), "not a code cache");
    rmSync(join(project, "out"), { recursive: true });
    const r = render(project, cli);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(bundle(project)).toBe(expected);
    expect(readFileSync(join(cache, name)).length).toBeGreaterThan(1000);
    expect(caches(cache)).toEqual([name]);
  });

  it("a cache folder that cannot be written, or TKE_CILIUM_CODE_CACHE=0, leaves the run as it was", () => {
    const { project, cli, cache } = installed();
    writeFileSync(join(project, "node_modules", ".cache"), "a file where the cache folder would go");
    const r = render(project, cli);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    rmSync(join(project, "node_modules", ".cache"));
    const off = render(project, cli, { TKE_CILIUM_CODE_CACHE: "0" });
    expect([off.status, off.stderr]).toEqual([0, ""]);
    expect(caches(cache)).toEqual([]);
  });

  it("a render stopped by errors, render --help or validate writes no cache; the next render that succeeds does", () => {
    const { project, cli, cache } = installed();
    writeFileSync(join(project, "bad.json"), JSON.stringify({ region: "ap-guangzhou", nodePool: { type: "native" }, cilium: { mode: "nativ" } }));
    const failed = spawnSync(process.execPath, [cli, "render", "bad.json", "--out", "out"], { cwd: project, encoding: "utf8" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("INVALID_VALUE");
    expect(spawnSync(process.execPath, [cli, "render", "--help"], { cwd: project }).status).toBe(0);
    // validate reads the profile but compiles none of the emit: its cache would be thin too
    expect(spawnSync(process.execPath, [cli, "validate", "prod.json"], { cwd: project }).status).toBe(0);
    expect(caches(cache)).toEqual([]);
    expect(render(project, cli).status).toBe(0);
    expect(caches(cache)).toHaveLength(1);
  });

  it("a hook's check --staged of a commit without a profile writes no cache (a thin one would be kept); a check of one does", () => {
    const { project, cli, cache } = installed();
    const git = (...args: string[]) => expect(spawnSync("git", args, { cwd: project }).status).toBe(0);
    git("init", "-q");
    git("add", "prod.json");
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "profile");
    rmSync(cache, { recursive: true, force: true });
    const hook = spawnSync(process.execPath, [cli, "check", "--staged", "prod.json"], { cwd: project, encoding: "utf8" });
    expect([hook.status, hook.stdout + hook.stderr]).toEqual([0, "0 profiles, 0 drifted: out/ is up to date in the commit\n"]);
    expect(caches(cache)).toEqual([]);
    expect(render(project, cli).status).toBe(0);
    expect(caches(cache)).toHaveLength(1);
  });

  it("--version writes no cache (it would hold too little of the code a render compiles)", () => {
    const { project, cli, cache } = installed();
    expect(spawnSync(process.execPath, [cli, "--version"], { cwd: project }).status).toBe(0);
    expect(caches(cache)).toEqual([]);
  });
});
