import { formatDiagnostic, isError } from "../diagnostics.js";
import { explainProfileText } from "../explain-profile.js";
import { resolveProfile, sourceTextOf } from "../extends.js";
import { EXIT } from "../io.js";
import { readSources } from "./bundles.js";
import { defineCommand, type CommandSpec } from "./command.js";

const HELP = `Usage: tke-cilium explain-profile PROFILE

Print the profile as tke-cilium reads it, after its bases (extends) are merged: each value followed by
the file and line that set it. Bases apply in order, each before the file that extends it: objects
merge key by key, arrays and scalars replace, null removes an inherited value. Defaults the schema
fills in are not shown. Exit 1 when the profile or one of its bases cannot be read or merged.`;

export const explainProfileCommand = defineCommand({
  name: "explain-profile",
  flags: {},
  help: HELP,
  run: async (args, _flags, io) => {
    if (args.length !== 1) {
      io.stderr(HELP + "\n");
      return EXIT.usage;
    }
    const read = await readSources(args, io, true);
    if (typeof read === "number") return read;
    for (const r of read.unreadable) for (const d of r.diagnostics) io.stderr(formatDiagnostic(d, r.source.text) + "\n");
    if (read.sources.length !== 1) return read.unreadable.length > 0 ? EXIT.failed : EXIT.usage;
    const source = read.sources[0];
    const merged = resolveProfile(source);
    for (const d of merged.diagnostics) io.stderr(formatDiagnostic(d, sourceTextOf(source, d.file)) + "\n");
    if (merged.diagnostics.some(isError) || merged.value === undefined) return EXIT.failed;
    io.stdout(explainProfileText(merged));
    return EXIT.ok;
  },
});

/** `render --explain PROFILE`: the same as explain-profile, from the command users already know. */
export function withExplainFlag(render: CommandSpec): CommandSpec {
  return defineCommand({
    ...render,
    flags: { ...render.flags, explain: { type: "boolean" } },
    help: `${render.help}\n  --explain     print the merged profile (bases applied), each value with its file:line; write nothing`,
    run: (args, flags, io) => (flags.explain === true ? explainProfileCommand.run(args, {}, io) : render.run(args, flags, io)),
  });
}
