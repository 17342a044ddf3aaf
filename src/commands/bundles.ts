import { join, resolve } from "node:path";
import { failing, formatDiagnostic, type Diagnostic } from "../diagnostics.js";
import { diffTree, type Drift } from "../diff.js";
import { ConfinedReadError, UnsafeOutputError, displayPath, expandProfileArgs, findRepositoryRoot, findUserEntries, isBundleTree, listBundleFolders, readAddedCharts, stagedCharts, readProfileBytes, readTree } from "../workspace.js";
import { readBaseFile } from "../read-base.js";
import { sourceTextOf } from "../extends.js";
import { withBases } from "./bases.js";
import { BUILTIN_CHARTS, withAddedCharts } from "../knowledge/chart.js";
import { terminalLine, terminalText } from "../text/terminal.js";
import { checkOutputTargets, InterruptedError, REAL_WRITE_OPS, recoverInterrupted, replaceTree, withOutputLock, type Warn } from "../store.js";
import { GENERATED_BY, isUserFile } from "../knowledge/bundle.js";
import { terraformLockProblem } from "../store-terraform.js";
import { readStagedView, type CheckView } from "./staged.js";
import { indexSession, type IndexSession } from "../git-index.js";
import { INDEX_FOLDERS, openBundleIndex, type BundleIndex } from "../bundle-index.js";
import { checkUpgrade } from "./upgrade.js";
import { checkFleet, writeFleet } from "./fleet.js";
import { fleetFilePaths } from "../emit/fleet.js";
import { MAX_PROFILE_BYTES, decodeProfileBytes } from "../parse.js";
import { meshDirectory } from "../mesh.js";
import { checkProfiles, defaultName, emitProfile, isRenderable, tooLargeDiagnostic, unreadableProfile, type CheckedProfile, type ProfileSource } from "../pipeline.js";
import type { CheckedSettings } from "../settings.js";
import { colorDiff, diagnosticsJson, driftSummary, orphanWarning, writtenTable, type DriftReport, type WrittenRow } from "../report.js";
import { EXIT, type Io } from "../io.js";
import { CONFIG_FILE } from "../config.js";
import { configProfileNames, placeRun, stagedConfigProfileNames } from "./repository.js";
import { defineCommand, OUTPUT_FLAGS, OUTPUT_HELP, PROFILE_HELP, type CommandSpec, type FlagValues } from "./command.js";

export interface BundleOptions {
  command: "render" | "check" | "validate";
  out: string;
  /** render: delete files of unknown origin in a bundle folder instead of refusing it. */
  prune: boolean;
  /** check: read the profiles and out/ from the git index (what the commit holds); orphans are errors. */
  staged: boolean;
  strict: boolean;
  quiet: boolean;
  json: boolean;
}

/** render, check and validate: read and check every profile, then write or compare each bundle. */
export async function runBundleCommand(given: readonly string[], o: BundleOptions, callerIo: Io, outFlag?: string, help = ""): Promise<number> {
  // check --staged: one reading of the git index for the run (config, profiles, bundles, charts), whose git
  // process ends with the run, however it ends
  const session = o.staged ? indexSession() : undefined;
  try {
    return await runIn(session, given, o, callerIo, outFlag, help);
  } finally {
    session?.close();
  }
}

async function runIn(session: IndexSession | undefined, given: readonly string[], o: BundleOptions, callerIo: Io, outFlag: string | undefined, help: string): Promise<number> {
  await session?.prepare(callerIo.cwd);
  // the cache folders (whether git tracks them) are listed with the config
  session?.warm(INDEX_FOLDERS);
  const place = await placeRun(given, outFlag, callerIo, o.staged, session);
  if (typeof place === "object" && "exit" in place) return place.exit;
  if (typeof place === "number") {
    callerIo.stderr(`tke-cilium: ${o.command} needs at least one PROFILE, or a ${CONFIG_FILE} that lists them (in this folder or one above it, up to the git root)\n${help}\n`);
    return place;
  }
  const { io, args } = place;
  // --staged: the fleet's files in out/ (check compares them) are listed with the bundle folders
  const gitops = place.gitops;
  if (session !== undefined && gitops !== null) session.warm(fleetFilePaths(gitops.config).map((f) => (gitops.outPath === "." ? f : `${gitops.outPath}/${f}`)));
  o = { ...o, out: place.out };
  const read = session !== undefined ? await readStagedView(args, o.out, io, session) : await readDiskView(args, o.out, io, !place.fromConfig);
  if (typeof read === "number") return read;
  // tells the launcher (scripts/launcher.cjs) that this run compiles what a typical one does, so its V8 code
  // cache is worth keeping: a render or check of a profile (not validate, --help, another command, nor a hook's
  // check --staged of a commit without a profile)
  if (o.command !== "validate" && read.sources.length > 0) (globalThis as Record<symbol, unknown>)[Symbol.for("tke-cilium.typical-run")] = true;
  // a bundle is an orphan when no profile of the repository renders it, not only none of those given
  let mesh = read.mesh ?? meshDirectory(read.sources);
  if (place.config !== null && given.length > 0) {
    // --staged: the commit's profiles, not the working tree's
    const repository = session !== undefined ? await stagedConfigProfileNames(place.config, o.out, io, session, read) : await configProfileNames(place.config);
    if (typeof repository === "number") return repository;
    if (repository.problems.length > 0) {
      for (const problem of repository.problems) io.stderr(`tke-cilium: error: ${terminalLine(problem)}\n`);
      return EXIT.failed;
    }
    for (const name of repository.names) read.allNames.add(name);
    const known = new Set(mesh.map((m) => m.path));
    mesh = [...mesh, ...repository.mesh.filter((m) => !known.has(m.path))];
  }
  // Every profile is checked before any bundle is emitted; bundles are then emitted one at a time, so a
  // fleet never holds more than one in memory.
  const root = findRepositoryRoot(io.cwd);
  // a commit's charts are the ones it holds: a chart file only the working tree has fails every clone
  const added = readAddedCharts(root, io.cwd, o.staged ? stagedCharts(root, session) : undefined);
  if (added.problems.length > 0) {
    for (const problem of added.problems) io.stderr(`tke-cilium: error: ${problem}\n`);
    return EXIT.failed;
  }
  // the working tree's check and render skip the profiles whose inputs and bundle folder are as last found clean
  const index =
    o.staged || o.command === "validate"
      ? null
      : openBundleIndex(root, { cwd: io.cwd, outDir: resolve(io.cwd, o.out), bases: read.sources.find((s) => s.bases)?.bases, mesh, gitops: place.gitops, charts: added.charts });
  // check compares each bundle as soon as its profile is checked: its Settings and files are then let go, and
  // a fleet's check runs in constant memory; render needs every profile valid before it writes anything
  const compared = new Map<CheckedProfile, Drift[]>();
  // a bundle on disk is read once for both the upgrade rules and the comparison
  const readBundle = readOnceEach(read.readBundle);
  const compare =
    o.command === "check"
      ? (r: CheckedProfile, settings: CheckedSettings | null) => {
          if (settings === null || !isRenderable(r)) return;
          const files = emitProfile(r, settings);
          const drifts = diffTree(files, readBundle(r.name as string) ?? new Map());
          compared.set(r, drifts);
          if (drifts.length === 0) index?.clean(r, files.length);
          return "done" as const;
        }
      : undefined;
  const charts = withAddedCharts(BUILTIN_CHARTS, added.charts);
  // render and check compare each bundle with the one it replaces (HEAD's for --staged, else the one on disk)
  const previous = read.readPrevious ?? readBundle;
  const onChecked = (r: CheckedProfile, settings: CheckedSettings | null) => {
    if (o.command !== "validate") {
      // the folder's state is taken before any of its files is read
      if (settings !== null) index?.take(r);
      checkUpgrade(r, settings, previous, charts);
      index?.diagnosed(r);
    }
    return compare?.(r, settings);
  };
  const reuse = index === null ? undefined : (source: ProfileSource) => index.lookup(source);
  const results = [...checkProfiles(read.sources, charts, onChecked, place.gitops, mesh, reuse), ...read.unreadable];
  const diagnostics = results.flatMap((r) => r.diagnostics);
  const valid = results.every((r) => failing(r.diagnostics, o.strict).length === 0);
  // one write for all of them (a fleet's warnings are thousands of lines; one write(2) each was as many system calls)
  const shown = o.json ? "" : results.map((r) => r.diagnostics.map((d) => formatDiagnostic(d, sourceTextOf(r.source, d.file)) + "\n").join("")).join("");
  if (shown !== "") io.stderr(shown);
  const json = (body: object) => io.stdout(JSON.stringify({ command: o.command, ok: valid, diagnostics: diagnosticsJson(diagnostics), ...body }, null, 2) + "\n");
  // check compares every valid profile's bundle even when another profile is invalid; render writes nothing then
  if (o.command === "validate" || (!valid && o.command === "render")) {
    if (o.json) json({ profiles: results.length });
    else if (!valid) io.stderr(`${o.command === "validate" ? "invalid" : "nothing written"}: fix the errors above\n`);
    else if (!o.quiet) io.stderr(`${results.length} profile${results.length === 1 ? "" : "s"} valid\n`);
    return valid ? EXIT.ok : EXIT.failed;
  }
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    if (!o.json) io.stderr(`tke-cilium: warning: ${terminalLine(message)}\n`);
  };
  try {
    if (o.command === "check") {
      const checkable = results.filter(isRenderable);
      const drifted = await checkBundles(checkable, read, compared, index);
      // the fleet's ApplicationSet follows tke-cilium.json alone
      const fleet = await checkFleet(place.gitops, resolve(io.cwd, o.out), o.out, read.readOutFiles);
      if (fleet !== null) drifted.push(fleet);
      // a bundle no profile renders any more: a deleted or renamed cluster that GitOps would keep deploying;
      // judged against every profile given, valid or not. A commit (--staged) must not keep one.
      const names = new Set([...read.allNames, ...results.map((r) => r.name ?? defaultName(r.source.path))]);
      const orphans = read.bundleFolders().filter((name) => !names.has(name));
      const orphansFail = o.strict || o.staged;
      const ok = valid && drifted.length === 0 && !(orphansFail && orphans.length > 0);
      index?.save();
      const summary = driftSummary(checkable.length, drifted);
      if (o.json) json({ ok, profiles: results.length, drifted, orphans });
      else {
        // file names and contents come from the disk (a pull request can plant anything): escaped for the terminal
        for (const d of drifted) for (const f of d.files) io.stdout(io.color ? colorDiff(terminalText(f.diff)) : terminalText(f.diff));
        if (orphans.length > 0) io.stderr(terminalLine(orphanWarning(o.out, orphans, orphansFail)) + "\n");
        if (!valid) io.stderr(`${results.length - checkable.length} invalid profile${results.length - checkable.length === 1 ? "" : "s"} not checked: fix the errors above\n`);
        if (drifted.length > 0) io.stderr(`${terminalLine(summary)}\nRun tke-cilium render with the same profiles to update ${terminalLine(o.out)}/.\n`);
        else if (!o.quiet && ok) io.stderr(`${terminalLine(summary)}: ${terminalLine(o.out)}/ is up to date${o.staged ? " in the commit" : ""}\n`);
      }
      return ok ? EXIT.ok : EXIT.failed;
    }
    const rows = await writeBundles(results, o, io, warn, index);
    index?.save();
    const refused = rows.filter((r) => r.status === "refused");
    const fleetWritten = refused.length === 0 ? writeFleet(place.gitops, resolve(io.cwd, o.out)) : [];
    if (!o.quiet && !o.json) for (const path of fleetWritten) io.stdout(`wrote ${terminalLine(join(o.out, path))} (the fleet, from ${CONFIG_FILE})\n`);
    if (o.json) json({ ok: refused.length === 0, written: rows, warnings });
    else {
      if (!o.quiet || refused.length > 0) io.stdout(writtenTable(rows));
      for (const r of refused) io.stderr(`tke-cilium: error: ${terminalLine(r.reason ?? "")}\n`);
    }
    return refused.length === 0 ? EXIT.ok : EXIT.failed;
  } catch (error) {
    if (error instanceof InterruptedError) {
      if (o.json) json({ ok: false, error: error.message });
      else io.stderr(`tke-cilium: ${error.message}: every bundle is either as it was or fully written; run render again\n`);
      return error.signal === "SIGINT" ? 130 : 143;
    }
    if (!(error instanceof UnsafeOutputError)) throw error;
    if (o.json) json({ ok: false, error: error.message });
    else io.stderr(`tke-cilium: error: ${terminalLine(error.message)}\n`);
    return EXIT.failed;
  }
}

/** The last bundle read, kept until another is asked for: profiles are checked one at a time. */
function readOnceEach<T>(readTree: (name: string) => T): (name: string) => T {
  let last: { name: string; tree: T } | null = null;
  return (name) => {
    if (last?.name !== name) last = { name, tree: readTree(name) };
    return last.tree;
  };
}

/** check and render on the working tree: the profiles the arguments name, and the bundles in out/. */
async function readDiskView(args: readonly string[], out: string, io: Io, typed: boolean): Promise<CheckView | number> {
  const read = await readSources(args, io, typed);
  if (typeof read === "number") return read;
  const outDir = resolve(io.cwd, out);
  return {
    ...read,
    allNames: new Set(),
    readBundle: (name) => readTree(join(outDir, name), isUserFile),
    bundleFolders: () => listBundleFolders(outDir),
    folder: (name) => displayPath(join(outDir, name), io.cwd),
  };
}

/** Profiles read and decoded; files that are not UTF-8 or far too large come back as checked failures. */
export async function readSources(args: readonly string[], io: Io, typed: boolean): Promise<{ sources: ProfileSource[]; unreadable: CheckedProfile[] } | number> {
  const { paths, unmatched, problems } = await expandProfileArgs(args, io.cwd);
  if (unmatched.length > 0 || problems.length > 0) {
    for (const arg of unmatched) io.stderr(`tke-cilium: no such profile: ${terminalLine(JSON.stringify(arg))}\n`);
    for (const problem of problems) io.stderr(`tke-cilium: ${terminalLine(problem)}\n`);
    return EXIT.usage;
  }
  const sources: ProfileSource[] = [];
  const unreadable: CheckedProfile[] = [];
  const fail = (path: string, diagnostic: Diagnostic, text = "") => unreadable.push(unreadableProfile(path, diagnostic, text));
  for (const path of paths) {
    let read;
    try {
      // io.cwd is the run's base: the repository (see placeRun)
      read = readProfileBytes(path, io.cwd, MAX_PROFILE_BYTES, io.cwd, typed);
    } catch (error) {
      if (!(error instanceof ConfinedReadError)) throw error;
      io.stderr(`tke-cilium: cannot read ${terminalLine(JSON.stringify(path))}: ${terminalLine(error.message)}\n`);
      return EXIT.usage;
    }
    if ("tooLarge" in read) {
      fail(path, tooLargeDiagnostic(path, read.tooLarge));
      continue;
    }
    const decoded = decodeProfileBytes(read.bytes, path);
    if ("diagnostic" in decoded) fail(path, decoded.diagnostic, decoded.lossy);
    else sources.push({ path, text: decoded.text });
  }
  return { sources: await withBases(sources, (path, from) => readBaseFile(path, from, io.cwd)), unreadable };
}

async function writeBundles(results: readonly CheckedProfile[], o: BundleOptions, io: Io, warn: Warn, index: BundleIndex | null): Promise<WrittenRow[]> {
  const outDir = resolve(io.cwd, o.out);
  const problems = checkOutputTargets(outDir, results.map((r) => r.name as string));
  if (problems.length > 0) throw new UnsafeOutputError(problems.join("; "));
  return withOutputLock(outDir, async (checkpoint) => {
    recoverInterrupted(outDir, results.map((r) => r.name as string), warn);
    const rows: WrittenRow[] = [];
    for (const r of results) {
      await checkpoint();
      rows.push(writeBundle(r, outDir, o.prune, io, warn, index));
    }
    return rows;
  });
}

/** Does a file's text start with the header every bundle file carries (after a #! line or a first comment)? */
function writtenByTkeCilium(text: string): boolean {
  const [first = "", second = ""] = text.split("\n", 2);
  return [first, second].some((line) => [`# ${GENERATED_BY}`, `// ${GENERATED_BY}`, `  "comment": "${GENERATED_BY}`].some((start) => line.startsWith(start)));
}

/** One bundle: left alone when identical, refused when the folder is not a bundle or holds files of unknown origin. */
function writeBundle(r: CheckedProfile, outDir: string, prune: boolean, io: Io, warn: Warn, index: BundleIndex | null): WrittenRow {
  const name = r.name as string;
  const folder = join(outDir, name);
  const shown = displayPath(folder, io.cwd);
  // the bundle index found the folder as it was when last found identical to this profile's render
  const known = index?.filesOf(r);
  if (known !== undefined) return { profile: r.source.path, folder: shown, files: known, status: "unchanged", changed: 0 };
  const files = emitProfile(r);
  const row = (status: WrittenRow["status"], changed: number, reason?: string): WrittenRow => ({ profile: r.source.path, folder: shown, files: files.length, status, changed, ...(reason ? { reason } : {}) });
  // the user's Terraform files are neither compared nor lost
  const current = readTree(folder, isUserFile);
  if (current !== null && !isBundleTree(current)) {
    return row("refused", 0, `${shown} exists and is not a tke-cilium bundle (no install.sh written by tke-cilium); move it away or choose another --out`);
  }
  const drifts = current === null ? null : diffTree(files, current);
  // a terraform command is running in its terraform/ (or died holding the state lock): not a file is touched
  const locked = drifts === null || drifts.length === 0 ? null : terraformLockProblem(folder);
  if (locked !== null) return row("refused", 0, locked);
  // a file this bundle no longer has is removed when tke-cilium wrote it (its header says so); anything else is the user's
  const unknown = (drifts ?? []).filter((d) => d.expected === null && !(d.kind === "extra" && writtenByTkeCilium(d.actual ?? ""))).map((d) => d.path);
  if (unknown.length > 0 && !prune) {
    return row("refused", 0, `${shown} holds files tke-cilium did not write: ${unknown.join(", ")}; move them away, or pass --prune to delete them`);
  }
  // An identical bundle is left alone: no write, no new timestamps, nothing for git to look at.
  if (drifts?.length === 0) index?.clean(r, files.length);
  if (drifts === null || drifts.length > 0) replaceTree(outDir, name, files, REAL_WRITE_OPS, current === null ? [] : findUserEntries(folder, isUserFile), warn);
  return row(drifts === null ? "new" : drifts.length === 0 ? "unchanged" : "updated", drifts?.length ?? files.length);
}

async function checkBundles(results: readonly CheckedProfile[], view: CheckView, compared: ReadonlyMap<CheckedProfile, Drift[]>, index: BundleIndex | null): Promise<DriftReport[]> {
  const drifted: DriftReport[] = [];
  for (const r of results) {
    if (index?.filesOf(r) !== undefined) continue;
    const name = r.name as string;
    const folder = view.folder(name);
    const drifts = compared.get(r) ?? diffTree(emitProfile(r), view.readBundle(name) ?? new Map());
    if (drifts.length === 0) continue;
    // the diff library is loaded only when there is drift to show
    const { formatDrift } = await import("../diff-format.js");
    drifted.push({ profile: r.source.path, name, folder, files: drifts.map((d) => ({ path: d.path, kind: d.kind, diff: formatDrift(d, folder) })) });
  }
  return drifted;
}

/** render, check and validate run the same way: their flags, less the ones that do not apply. */
function bundleCommand(name: BundleOptions["command"], help: string, flags: CommandSpec["flags"]): CommandSpec {
  return defineCommand({
    name,
    flags,
    help,
    run: (args, values, io) => {
      if (values.out === "") {
        io.stderr(`tke-cilium: --out needs a folder name (an empty one would write into the current folder)\n`);
        return EXIT.usage;
      }
      return runBundleCommand(args, optionsOf(name, values), io, values.out as string | undefined, help);
    },
  });
}

function optionsOf(name: BundleOptions["command"], v: FlagValues): BundleOptions {
  return { command: v.check ? "check" : name, out: (v.out as string | undefined) ?? "out", prune: v.prune === true, staged: v.staged === true, strict: v.strict === true, quiet: v.quiet === true, json: v.json === true };
}

export const renderCommand = bundleCommand(
  "render",
  `Usage: tke-cilium render [PROFILE...] [--out DIR] [--check] [--prune] [--strict] [--quiet] [--json]

Validate every profile, then write each bundle to DIR/<name>/ (DIR defaults to out) and print
what changed. Nothing is written unless every profile is valid. A bundle folder is replaced whole
and atomically; an identical one is left untouched. Terraform's working files in terraform/
(*.tfvars, *.tfstate*, .terraform/, .terraform.lock.hcl) are kept. A folder that is not a
tke-cilium bundle, or one holding files tke-cilium did not write, is refused (exit 1).
${PROFILE_HELP}

Options:
  --out DIR     folder that holds the bundles (default: tke-cilium.json's out, else out)
  --check       do not write; compare with DIR/<name>/ like \`tke-cilium check\`
  --prune       delete files tke-cilium did not write from the bundle folders instead of refusing
  --strict      treat warnings as errors
${OUTPUT_HELP}`,
  { out: { type: "string" }, check: { type: "boolean" }, prune: { type: "boolean" }, ...OUTPUT_FLAGS },
);

export const checkCommand = bundleCommand(
  "check",
  `Usage: tke-cilium check [PROFILE...] [--out DIR] [--staged] [--strict] [--quiet] [--json]

Render in memory and compare with DIR/<name>/. Changed, missing and extra files are drift: each
is printed as a unified diff, then one summary line. Exit 1 on drift or an invalid profile (the
valid profiles are still compared). Writes nothing but its index (an unchanged profile whose
bundle folder is as last found clean is not rendered again; README: How check works). A folder of DIR that none of the profiles
renders (a deleted or renamed cluster's bundle, which GitOps would keep deploying) is a warning;
--strict makes it an error too. Terraform's working files in terraform/ are not drift.
${PROFILE_HELP}

--staged checks what the commit holds, read from the git index, not the working tree: only the
profiles the commit touches (a staged profile, or a staged file of its bundle), and a bundle no
profile renders is an error. Only the staged paths, the folders named and the touched profiles'
blobs are read (git still reads its whole index, while the tool starts). This is the pre-commit hook: tke-cilium check --staged --quiet (with a tke-cilium.json), or
tke-cilium check --staged --quiet clusters/

Options:
  --out DIR     folder that holds the bundles (default: tke-cilium.json's out, else out)
  --staged      check the git index (the commit), not the working tree
  --strict      treat warnings as errors
${OUTPUT_HELP}`,
  { out: { type: "string" }, staged: { type: "boolean" }, ...OUTPUT_FLAGS },
);

export const validateCommand = bundleCommand(
  "validate",
  `Usage: tke-cilium validate [PROFILE...] [--strict] [--quiet] [--json]

Check profiles against the schema and the rules; print diagnostics only.
${PROFILE_HELP}

Options:
  --strict      treat warnings as errors
${OUTPUT_HELP}`,
  OUTPUT_FLAGS,
);
