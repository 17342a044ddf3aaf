import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { failing, formatDiagnostic, type Diagnostic } from "./diagnostics.js";
import { diffTree } from "./diff.js";
import { UnsafeOutputError, checkOutputTargets, displayPath, expandProfileArgs, readProfileBytes, readTree, recoverInterrupted, replaceTree, withBundleLock } from "./fs.js";
import { MAX_PROFILE_CHARS, decodeProfileBytes } from "./parse.js";
import { checkProfiles, emitProfile, type CheckedProfile, type ProfileSource } from "./pipeline.js";
import { ALL_CODES } from "./rules.js";
import { explainText, rulesText } from "./explain.js";
import { nearest } from "./text/nearest.js";

/** Where the CLI writes and which folder it runs in; the real process in run(), buffers in tests. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const COMMANDS = ["render", "check", "validate", "rules", "explain"] as const;
type Command = (typeof COMMANDS)[number];

export function usageText(command?: Command): string {
  const common = `PROFILE is a JSON file, a directory (its *.json files) or a quoted glob ('clusters/**/*.json').`;
  const texts: Record<Command, string> = {
    render: `Usage: tke-cilium render PROFILE... [--out DIR] [--check] [--strict]

Validate every profile, then write each bundle to DIR/<name>/ (DIR defaults to out).
Nothing is written unless every profile is valid. Each bundle folder is replaced whole.
${common}

Options:
  --out DIR   folder that holds the bundles (default: out)
  --check     do not write; compare with DIR/<name>/ like \`tke-cilium check\`
  --strict    treat warnings as errors`,
    check: `Usage: tke-cilium check PROFILE... [--out DIR] [--strict]

Render in memory and compare with DIR/<name>/. Changed, missing and extra files are drift:
each is printed as a unified diff. Exit 1 on drift or an invalid profile. Writes nothing.
Use it as a pre-commit hook: tke-cilium check presets/*.json
${common}

Options:
  --out DIR   folder that holds the bundles (default: out)
  --strict    treat warnings as errors`,
    rules: `Usage: tke-cilium rules

List every diagnostic code tke-cilium can report, with its severity and a one-line summary.`,
    explain: `Usage: tke-cilium explain CODE

Explain a diagnostic code: why the rule exists, what to do, and where the knowledge comes from.`,
    validate: `Usage: tke-cilium validate PROFILE... [--strict]

Check profiles against the schema and the rules; print diagnostics only.
${common}

Options:
  --strict    treat warnings as errors`,
  };
  if (command) return texts[command] + "\n";
  return `tke-cilium ${pkg.version}: render a reviewable Cilium-on-TKE install bundle from a JSON profile.

Usage:
  tke-cilium render PROFILE... [--out DIR] [--check] [--strict]
  tke-cilium check PROFILE... [--out DIR] [--strict]
  tke-cilium validate PROFILE... [--strict]
  tke-cilium rules | explain CODE
  tke-cilium COMMAND --help
  tke-cilium --help | --version

${common}
A bundle holds Helm values files, cni-config.yaml (native mode), cilium-apf.yaml,
nodepool.yaml (Karpenter), terraform/*.tf and install.sh. Apply it with
out/<name>/install.sh, or commit out/ and let GitOps apply the values.

Diagnostics: FILE:LINE:COL severity CODE /json/pointer: message
Exit codes: 0 ok; 1 invalid profile or drift; 2 usage error (unknown flag, no such file).
Profile schema: schema/profile.schema.json (add "$schema" to a profile for editor completion).
`;
}

interface Options {
  out: string;
  check: boolean;
  strict: boolean;
  help: boolean;
}

/** The whole CLI: parse argv, run a command, return the exit code. Never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string" },
        check: { type: "boolean" },
        strict: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    io.stderr(`tke-cilium: ${(error as Error).message}\nRun tke-cilium --help for usage.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${pkg.version}\n`);
    return EXIT.ok;
  }
  const [commandArg, ...profiles] = positionals;
  if (commandArg === undefined || commandArg === "help") {
    if (values.help || commandArg === "help") {
      io.stdout(usageText(COMMANDS.find((c) => c === profiles[0])));
      return EXIT.ok;
    }
    io.stderr(usageText());
    return EXIT.usage;
  }
  if (!COMMANDS.includes(commandArg as Command)) {
    io.stderr(`tke-cilium: unknown command "${commandArg}" (expected ${COMMANDS.join(", ")})\nRun tke-cilium --help for usage.\n`);
    return EXIT.usage;
  }
  const command = commandArg as Command;
  const options: Options = { out: values.out ?? "out", check: values.check ?? false, strict: values.strict ?? false, help: values.help ?? false };
  if (options.help) {
    io.stdout(usageText(command));
    return EXIT.ok;
  }
  if (command === "rules" || command === "explain") return explainCommand(command, profiles, io);
  const misplaced = command === "validate" ? ["out", "check"] : command === "check" ? ["check"] : [];
  for (const flag of misplaced) {
    if (values[flag as "out" | "check"] !== undefined) {
      io.stderr(`tke-cilium: --${flag} does not apply to ${command}\n${usageText(command)}`);
      return EXIT.usage;
    }
  }
  if (profiles.length === 0) {
    io.stderr(`tke-cilium: ${command} needs at least one PROFILE\n${usageText(command)}`);
    return EXIT.usage;
  }
  const read = await readSources(profiles, io);
  if (typeof read === "number") return read;
  // Every profile is checked before any bundle is emitted; bundles are then emitted one at a time, so a
  // fleet never holds more than one in memory.
  const results = [...checkProfiles(read.sources), ...read.unreadable];
  const valid = reportDiagnostics(results, options.strict, io);
  if (command === "validate") {
    if (valid) io.stderr(`${results.length} profile${results.length === 1 ? "" : "s"} valid\n`);
    return valid ? EXIT.ok : EXIT.failed;
  }
  if (!valid) {
    io.stderr(`nothing ${command === "render" && !options.check ? "written" : "checked"}: fix the errors above\n`);
    return EXIT.failed;
  }
  try {
    return command === "check" || options.check ? await checkBundles(results, options.out, io) : writeBundles(results, options.out, io);
  } catch (error) {
    if (!(error instanceof UnsafeOutputError)) throw error;
    io.stderr(`tke-cilium: error: ${error.message}\n`);
    return EXIT.failed;
  }
}

function explainCommand(command: "rules" | "explain", args: readonly string[], io: Io): number {
  if (command === "rules") {
    if (args.length > 0) {
      io.stderr(`tke-cilium: rules takes no arguments\n${usageText("rules")}`);
      return EXIT.usage;
    }
    io.stdout(rulesText());
    return EXIT.ok;
  }
  if (args.length !== 1) {
    io.stderr(usageText("explain"));
    return EXIT.usage;
  }
  const text = explainText(args[0]);
  if (text === null) {
    const guess = nearest(args[0].toUpperCase(), ALL_CODES.map((r) => r.code));
    io.stderr(`tke-cilium: no such code: ${args[0]}${guess ? ` (did you mean ${guess}?)` : ""}\nRun tke-cilium rules for the list.\n`);
    return EXIT.usage;
  }
  io.stdout(text);
  return EXIT.ok;
}

/** Profiles read and decoded; files that are not UTF-8 or far too large come back as checked failures. */
async function readSources(args: readonly string[], io: Io): Promise<{ sources: ProfileSource[]; unreadable: CheckedProfile[] } | number> {
  const { paths, unmatched } = await expandProfileArgs(args, io.cwd);
  if (unmatched.length > 0) {
    for (const arg of unmatched) io.stderr(`tke-cilium: no such profile: ${JSON.stringify(arg)}\n`);
    return EXIT.usage;
  }
  const sources: ProfileSource[] = [];
  const unreadable: CheckedProfile[] = [];
  const fail = (path: string, diagnostic: Diagnostic, text = "") => unreadable.push({ source: { path, text }, name: null, diagnostics: [diagnostic], profile: null });
  for (const path of paths) {
    let read;
    try {
      read = readProfileBytes(path, io.cwd, MAX_PROFILE_CHARS * 4);
    } catch (error) {
      io.stderr(`tke-cilium: cannot read ${JSON.stringify(path)}: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    if ("tooLarge" in read) {
      fail(path, { code: "PROFILE_TOO_LARGE", severity: "error", pointer: "", message: `the file has ${read.tooLarge} bytes; a profile is far smaller`, file: path, line: 1, col: 1, length: 1 });
      continue;
    }
    const decoded = decodeProfileBytes(read.bytes, path);
    if ("diagnostic" in decoded) fail(path, decoded.diagnostic, decoded.lossy);
    else sources.push({ path, text: decoded.text });
  }
  return { sources, unreadable };
}

/** Prints every diagnostic of every profile; true when none fails. */
function reportDiagnostics(results: readonly CheckedProfile[], strict: boolean, io: Io): boolean {
  let ok = true;
  for (const r of results) {
    for (const d of r.diagnostics) io.stderr(formatDiagnostic(d, r.source.text) + "\n");
    if (failing(r.diagnostics, strict).length > 0) ok = false;
  }
  return ok;
}

function writeBundles(results: readonly CheckedProfile[], out: string, io: Io): number {
  const outDir = resolve(io.cwd, out);
  const problems = checkOutputTargets(outDir, results.map((r) => r.name as string));
  if (problems.length > 0) throw new UnsafeOutputError(problems.join("\n"));
  for (const r of results) {
    const name = r.name as string;
    const files = emitProfile(r);
    const folder = join(outDir, name);
    const drifts = withBundleLock(outDir, name, () => {
      recoverInterrupted(outDir, name);
      // An identical bundle is left alone: no write, no new timestamps, nothing for git to look at.
      const current = readTree(folder);
      const found = current === null ? null : diffTree(files, current);
      if (found === null || found.length > 0) replaceTree(outDir, name, files);
      return found;
    });
    const what = drifts === null ? "new" : drifts.length === 0 ? "unchanged" : `${drifts.length} changed`;
    io.stdout(`${displayPath(folder, io.cwd)}/: ${files.length} files, ${what} (${r.source.path})\n`);
  }
  return EXIT.ok;
}

async function checkBundles(results: readonly CheckedProfile[], out: string, io: Io): Promise<number> {
  const outDir = resolve(io.cwd, out);
  const drifted: string[] = [];
  for (const r of results) {
    const name = r.name as string;
    const folder = displayPath(join(outDir, name), io.cwd);
    const tree = readTree(join(outDir, name)) ?? new Map();
    const drifts = diffTree(emitProfile(r), tree);
    if (drifts.length === 0) continue;
    drifted.push(`${name} (${drifts.map((d) => `${d.path} ${d.kind}`).join(", ")})`);
    // the diff library is loaded only when there is drift to show
    const { formatDrift } = await import("./diff-format.js");
    for (const d of drifts) io.stdout(formatDrift(d, folder));
  }
  const summary = `${results.length} profile${results.length === 1 ? "" : "s"}, ${drifted.length} drifted`;
  if (drifted.length === 0) {
    io.stderr(`${summary}: ${out}/ is up to date\n`);
    return EXIT.ok;
  }
  io.stderr(`${summary}: ${drifted.join("; ")}\nRun tke-cilium render with the same profiles to update ${out}/.\n`);
  return EXIT.failed;
}

/** The process entry point: the only place that reads process state or sets the exit code. */
export async function run(): Promise<void> {
  const io: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
  };
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (error) {
    process.stderr.write(`tke-cilium: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  }
}
