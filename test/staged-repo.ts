import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../src/cli.js";
import { stagedRuns } from "../src/commands/staged.js";
import { ROOT } from "./helpers.js";

/**
 * The git repository a check --staged test works in (its folder set by `dir`, changed as a test copies one):
 * git, its files, and the CLI's main run in this process with that folder as its working directory.
 */
export class ScratchRepo {
  dir = "";
  readonly git = (...args: string[]) => execFileSync("git", args, { cwd: this.dir, stdio: "pipe" }).toString();
  readonly path = (p: string) => join(this.dir, p);
  readonly read = (p: string) => readFileSync(this.path(p), "utf8");
  readonly write = (p: string, text: string) => writeFileSync(this.path(p), text);

  /** The CLI's exit code and everything it printed, stdout and stderr in the order written. */
  readonly run = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => out.push(t), cwd: this.dir });
    return { code, text: out.join("") };
  };

  /** `check --staged --no-color ARGS` as the commit's changes judge it, and whether they did (the shortcut). */
  readonly staged = async (...args: string[]) => {
    const before = stagedRuns.changed;
    const result = await this.run("check", "--staged", "--no-color", ...args);
    return { result, shortcut: stagedRuns.changed > before };
  };

  /** `check --staged --no-color ARGS` by the whole fleet's reading (TKE_CILIUM_STAGED_FLEET=1). */
  readonly wholeFleet = async (...args: string[]) => {
    process.env.TKE_CILIUM_STAGED_FLEET = "1";
    try {
      return await this.run("check", "--staged", "--no-color", ...args);
    } finally {
      delete process.env.TKE_CILIUM_STAGED_FLEET;
    }
  };

  /** A new repository at `dir` with an author and an empty clusters/ folder. */
  init(dir: string) {
    this.dir = dir;
    mkdirSync(this.path("clusters"), { recursive: true });
    this.git("init", "-q");
    this.git("config", "user.email", "test@example.invalid");
    this.git("config", "user.name", "test");
  }
}

const dev = (() => {
  const profile = JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8"));
  delete profile.$schema;
  return profile as Record<string, unknown>;
})();

/** presets/dev.json without its $schema, with `extra`'s top-level fields, as a profile file's text. */
export const devProfile = (extra: object) => JSON.stringify({ ...dev, ...extra }, null, 2) + "\n";

/** presets/mesh/NAME.json's text without its $schema line. */
export const meshPreset = (name: string) => readFileSync(join(ROOT, `presets/mesh/${name}.json`), "utf8").replace('"$schema": "../../schema/profile.schema.json",\n', "");

/**
 * The fleet the staged tests commit: names unlike their files (a.json is alpha), a YAML profile, a profile that
 * extends a base, and a two-member mesh (east, west).
 */
export function writeStagedFleet(r: ScratchRepo) {
  r.write("clusters/a.json", devProfile({ name: "alpha" }));
  r.write("clusters/b.json", devProfile({ apiserverVIP: "169.254.128.41" }));
  // JSON is YAML too: a YAML profile whose name field is read by the YAML parser
  r.write("clusters/y.yaml", devProfile({ name: "yam", apiserverVIP: "169.254.128.42" }));
  r.write("clusters/common.base.json", JSON.stringify({ features: { hubble: true } }, null, 2) + "\n");
  r.write("clusters/d.json", devProfile({ extends: "common.base.json", apiserverVIP: "169.254.128.43" }));
  r.write("clusters/east.json", meshPreset("gz-east"));
  r.write("clusters/west.json", meshPreset("gz-west"));
}
