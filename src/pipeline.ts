import type { Diagnostic } from "./diagnostics.js";
import { isError } from "./diagnostics.js";
import { deriveSettings } from "./derive.js";
import { BUILTIN_CHARTS, type ChartCatalog } from "./knowledge/chart.js";
import { emitBundle, type OutputFile } from "./emit/index.js";
import { parseProfileText } from "./parse.js";
import type { FilledProfile } from "./profile.js";
import { BUNDLE_RULES } from "./rules/bundle-rules.js";
import { entryOf, type Code } from "./rules/catalogue.js";
import type { Finding } from "./rules/finding.js";
import { PROFILE_RULES } from "./rules/profile-rules.js";
import type { GitopsContext, Settings } from "./settings.js";
import { validateProfile, type Locate } from "./validate.js";
import { meshDirectory, type MeshDirectory } from "./mesh.js";
import schema from "../schema/profile.schema.json" with { type: "json" };

/** A profile as read from disk: its path (as shown to the user) and its text. */
export interface ProfileSource {
  path: string;
  text: string;
}

export interface RenderResult {
  source: ProfileSource;
  /** The output folder name; null when the profile is too broken to tell. */
  name: string | null;
  /** The bundle; empty when any error was found. */
  files: OutputFile[];
  diagnostics: Diagnostic[];
}

/** Up to this many profiles in one run, their Settings are kept from the checks to the emit. */
const RETAINED_SETTINGS = 50;

/** What an output folder may be called: the schema's pattern for name (a DNS label). */
export const NAME_PATTERN = new RegExp(schema.properties.name.pattern);

/** A profile after parse → validate → profile rules → derive → bundle rules: its diagnostics, and its Settings when it has no error. */
export interface CheckedProfile {
  source: ProfileSource;
  /** The output folder name; null when the profile is too broken to tell. */
  name: string | null;
  diagnostics: Diagnostic[];
  /** The bundle's resolved model, derived once; null when an error was found (or let go, see checkProfiles). */
  settings: Settings | null;
  /** Whether the profile has no error: its bundle can be emitted. */
  ok: boolean;
  /** What derive needs to run again for a fleet whose Settings were let go; null when an error was found. */
  rederive: (() => Settings) | null;
}

/** parse → validate → profile rules → derive → bundle rules, for one profile. Pure. */
export function checkProfile(source: ProfileSource, charts: ChartCatalog = BUILTIN_CHARTS, gitops: GitopsContext | null = null, mesh: MeshDirectory = meshDirectory([source])): CheckedProfile {
  const checked = checkUnsorted(source, charts, gitops, mesh);
  checked.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return checked;
}

function checkUnsorted(source: ProfileSource, charts: ChartCatalog, gitops: GitopsContext | null, mesh: MeshDirectory): CheckedProfile {
  const parsed = parseProfileText(source.text, source.path);
  const fail = (diagnostics: Diagnostic[], name: string | null = null): CheckedProfile => ({ source, name, diagnostics, settings: null, ok: false, rederive: null });
  if (parsed.diagnostics.some(isError)) return fail(parsed.diagnostics);
  const validated = validateProfile(parsed.value, source.path, parsed.locate);
  const early = [...parsed.diagnostics, ...validated.diagnostics];
  if (validated.profile === undefined) return fail(early, nameOf(parsed.value, source.path));
  const profile = validated.profile as FilledProfile;
  const name = profile.name ?? defaultName(source.path);
  const located = (code: Code, findings: readonly Finding[]) => findings.map((f) => toDiagnostic(code, f, source.path, parsed.locate));
  const diagnostics = [...early, ...PROFILE_RULES.flatMap((rule) => located(rule.code, rule.check(profile, { charts, gitops, mesh, path: source.path })))];
  if (!NAME_PATTERN.test(name)) {
    diagnostics.push({
      code: "INVALID_NAME",
      severity: "error",
      pointer: "/name",
      message: `the file name gives the output folder "${name}", which is not a DNS label; set "name" (lower-case letters, digits, '-')`,
      file: source.path,
      ...parsed.locate(""),
    });
  }
  // Derive runs once, on any schema-valid profile of a known release, so the bundle rules report alongside the profile rules.
  if (!charts.has(profile.cilium.version)) return fail(diagnostics, name);
  const settings = deriveSettings({ profile, name, profilePath: source.path, charts, gitops, mesh });
  diagnostics.push(...BUNDLE_RULES.flatMap((rule) => located(rule.code, rule.check(settings, profile))));
  if (diagnostics.some(isError)) return fail(diagnostics, name);
  return { source, name, diagnostics, settings, ok: true, rederive: rederiveOf(profile, name, source.path, charts, gitops, mesh) };
}

/** Derive again, holding only what derive needs (a closure in checkUnsorted would keep the parse's position maps alive). */
function rederiveOf(profile: FilledProfile, name: string, profilePath: string, charts: ChartCatalog, gitops: GitopsContext | null, mesh: MeshDirectory): () => Settings {
  return () => deriveSettings({ profile, name, profilePath, charts, gitops, mesh });
}

export function toDiagnostic(code: Code, f: Finding, file: string, locate: Locate): Diagnostic {
  return {
    code,
    severity: f.severity ?? entryOf(code).severity,
    pointer: f.pointer,
    message: f.message,
    file,
    ...locate(f.pointer, f.atKey),
    ...(f.suggestion === undefined ? {} : { suggestion: f.suggestion }),
  };
}

/**
 * Every profile of one run; profiles that share an output folder are all rejected. Each is derived once. A
 * fleet larger than RETAINED_SETTINGS lets each Settings go once its bundle rules have run, and emit derives
 * it again: a check of 1,000 profiles then stays in constant memory (the speed bar: under 100 MiB).
 */
export function checkProfiles(
  sources: readonly ProfileSource[],
  charts: ChartCatalog = BUILTIN_CHARTS,
  onChecked?: (checked: CheckedProfile) => void,
  gitops: GitopsContext | null = null,
  mesh: MeshDirectory = meshDirectory(sources),
): CheckedProfile[] {
  const retain = sources.length <= RETAINED_SETTINGS;
  const results = sources.map((source) => {
    const checked = checkProfile(source, charts, gitops, mesh);
    // a caller that needs the bundle right away (check) gets it while the Settings are still at hand
    onChecked?.(checked);
    if (!retain) checked.settings = null;
    return checked;
  });
  const byName = new Map<string, CheckedProfile[]>();
  for (const r of results) if (r.name !== null) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    for (const r of group) {
      const others = group.filter((o) => o !== r).map((o) => o.source.path);
      const located = parseProfileText(r.source.text, r.source.path);
      r.diagnostics.push({
        code: "DUPLICATE_PROFILE_NAME",
        severity: "error",
        pointer: "/name",
        message: `output folder "${name}" is also the name of ${others.join(", ")}; give each profile its own name`,
        file: r.source.path,
        ...located.locate("/name"),
      });
      r.settings = null;
      r.ok = false;
      r.rederive = null;
    }
  }
  return results;
}

/** A profile file that cannot be read as text (far too large, not UTF-8): a failure with its one diagnostic. */
export function unreadableProfile(path: string, diagnostic: Diagnostic, text = ""): CheckedProfile {
  return { source: { path, text }, name: null, diagnostics: [diagnostic], settings: null, ok: false, rederive: null };
}

/** The diagnostic of a file too large to be read at all (a profile is far smaller). */
export function tooLargeDiagnostic(path: string, bytes: number): Diagnostic {
  return { code: "PROFILE_TOO_LARGE", severity: "error", pointer: "", message: `the file has ${bytes} bytes; a profile is far smaller`, file: path, line: 1, col: 1, length: 1 };
}

/** emit for a profile without errors: the bundle's files. */
export function emitProfile(checked: CheckedProfile): OutputFile[] {
  if (!checked.ok || checked.rederive === null) throw new Error(`bug: ${checked.source.path} has errors; nothing to emit`);
  return emitBundle(checked.settings ?? checked.rederive());
}

/** The whole pipeline for one profile: parse → validate → profile rules → derive → bundle rules → emit. Pure. */
export function renderProfile(source: ProfileSource, charts: ChartCatalog = BUILTIN_CHARTS, gitops: GitopsContext | null = null): RenderResult {
  return toResult(checkProfile(source, charts, gitops));
}

/** The whole pipeline for the profiles of one run (duplicate names included). */
export function renderProfiles(sources: readonly ProfileSource[], charts: ChartCatalog = BUILTIN_CHARTS, gitops: GitopsContext | null = null): RenderResult[] {
  return checkProfiles(sources, charts, undefined, gitops).map(toResult);
}

function toResult(checked: CheckedProfile): RenderResult {
  const files = checked.ok ? emitProfile(checked) : [];
  return { source: checked.source, name: checked.name, files, diagnostics: checked.diagnostics };
}

/** out/<name> defaults to the file's basename without .json. */
export function defaultName(path: string): string {
  // paths are shown with forward slashes on every system: a backslash is part of a Linux file name, not a folder
  const base = path.split("/").pop() ?? path;
  return base.replace(/\.json$/i, "");
}

function nameOf(value: unknown, path: string): string | null {
  const name = (value as { name?: unknown } | null)?.name;
  if (typeof name === "string") return NAME_PATTERN.test(name) ? name : null;
  const fallback = defaultName(path);
  return NAME_PATTERN.test(fallback) ? fallback : null;
}
