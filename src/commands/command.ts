import type { Io } from "../io.js";

/** A flag as node:util parseArgs declares it. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

/** The values parseArgs found: every flag of every command, by name. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** One command: its name, the flags it takes, its --help text and its handler. The CLI is the table of these. */
export interface CommandSpec {
  name: string;
  flags: Readonly<Record<string, FlagSpec>>;
  /** The --help text, without the final newline. */
  help: string;
  run: (args: readonly string[], flags: FlagValues, io: Io) => number | Promise<number>;
}

export const defineCommand = (spec: CommandSpec): CommandSpec => spec;

export const PROFILE_HELP = `PROFILE is a JSON or YAML file, a directory (its *.json, *.yaml and *.yml files) or a quoted
glob ('clusters/**/*.yaml'). A profile may extend bases (extends: base.yaml): files named base.EXT
or NAME.base.EXT, never rendered themselves; tke-cilium explain-profile shows the merged result.
With no PROFILE, the profiles and the out folder of tke-cilium.json (in this folder or the nearest
one above it, up to the git root), which may also name a GitOps engine (schema/config.schema.json).
Paths in the written files are relative to that file's folder, else to the git root, so the
output is the same from any folder of the repository. The clusters of a Cluster Mesh (clusterMesh)
learn their peers from the profiles of the same run (and from every profile tke-cilium.json lists):
give a mesh's profiles together.`;

/** The options render, check and validate share. */
export const OUTPUT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  strict: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  color: { type: "boolean" },
  "no-color": { type: "boolean" },
};

export const OUTPUT_HELP = `  --quiet       print nothing when all is well (for hooks)
  --json        machine-readable result on stdout (diagnostics included), e.g. for CI annotations
  --no-color    no colours (also when NO_COLOR is set, or stdout is not a terminal)`;
