import type { Diagnostic } from "./diagnostics.js";
import { isError } from "./diagnostics.js";
import { completeSettings, deriveChecked, deriveSettings, type DeriveInput } from "./derive.js";
import { BUILTIN_CHARTS, type ChartCatalog } from "./knowledge/chart.js";
import { emitBundle, type OutputFile } from "./emit/index.js";
import { reportBaseDiagnosticsOnce, resolveProfile, type BaseRead } from "./extends.js";
import type { FilledProfile } from "./profile.js";
import { BUNDLE_RULES } from "./rules/bundle-rules.js";
import { bundleRulesFor, profileRulesFor } from "./capabilities/index.js";
import { entryOf, type Code } from "./rules/codes.js";
import type { Finding } from "./rules/finding.js";
import { PROFILE_RULES } from "./rules/profile-rules.js";
import type { CheckedSettings, GitopsContext } from "./settings.js";
import { validateProfile, type Locate } from "./validate.js";
import { meshDirectory, type MeshDirectory } from "./mesh.js";
import { PLATFORMS, type Platform } from "./knowledge/platforms.js";
import schema from "../schema/profile.schema.json" with { type: "json" };

/** A profile as read from disk: its path (as shown to the user) and its text; with the texts of the run's bases (extends.ts). */
export interface ProfileSource {
  path: string;
  text: string;
  /** Base files by path as shown, for the profiles that extend them; shared by the profiles of a run. */
  bases?: ReadonlyMap<string, BaseRead>;
}

export interface RenderResult {
  source: ProfileSource;
  /** The output folder name; null when the profile is too broken to tell. */
  name: string | null;
  /** The bundle; empty when any error was found. */
  files: OutputFile[];
  diagnostics: Diagnostic[];
}

/** What an output folder may be called: the schema's pattern for name (a DNS label). */
export const NAME_PATTERN = new RegExp(schema.properties.name.pattern);

/**
 * A profile after parse → validate → profile rules → derive → bundle rules: its diagnostics and, when it has no
 * error, what derive takes (the filled profile and the run's context, a few KiB). The checks derive only what
 * they read (CheckedSettings), handed to whoever needs them while they exist (checkProfiles' onChecked) and
 * never kept: an emit then completes them (check), or derives again from `input` (render; derive is pure), so
 * a run of any size holds one Settings at a time.
 */
export interface CheckedProfile {
  source: ProfileSource;
  /** The output folder name; null when the profile is too broken to tell. */
  name: string | null;
  diagnostics: Diagnostic[];
  /** What derive takes; null when an error was found, or when onChecked said it is done with the profile. */
  input: DeriveInput | null;
}

/** Whether a checked profile has a bundle: no error was found. */
export const isRenderable = (checked: CheckedProfile): boolean => !checked.diagnostics.some(isError);

/** A checked profile and, while they exist, the Settings its checks read (null when an error was found). */
interface Checked {
  checked: CheckedProfile;
  settings: CheckedSettings | null;
}

/** parse → validate → profile rules → derive → bundle rules, for one profile. Pure. */
export function checkProfile(source: ProfileSource, charts: ChartCatalog = BUILTIN_CHARTS, gitops: GitopsContext | null = null, mesh: MeshDirectory = meshDirectory([source])): CheckedProfile {
  return checkOne(source, charts, gitops, mesh).checked;
}

function checkOne(source: ProfileSource, charts: ChartCatalog, gitops: GitopsContext | null, mesh: MeshDirectory): Checked {
  const result = checkUnsorted(source, charts, gitops, mesh);
  // a base's diagnostics first (it is applied first), each file's by line
  const rank = (file: string) => (file === source.path ? 1 : 0);
  result.checked.diagnostics.sort((a, b) => rank(a.file) - rank(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.col - b.col);
  return result;
}

function checkUnsorted(source: ProfileSource, charts: ChartCatalog, gitops: GitopsContext | null, mesh: MeshDirectory): Checked {
  const parsed = resolveProfile(source);
  const fail = (diagnostics: Diagnostic[], name: string | null = null): Checked => ({ checked: { source, name, diagnostics, input: null }, settings: null });
  if (parsed.diagnostics.some(isError)) return fail(parsed.diagnostics);
  const validated = validateProfile(parsed.value, source.path, parsed.locate);
  const early = [...parsed.diagnostics, ...validated.diagnostics];
  if (validated.profile === undefined) return fail(early, nameOf(parsed.value, source.path));
  const profile = validated.profile as FilledProfile;
  const name = profile.name ?? defaultName(source.path);
  const rules = rulesFor(profile.platform);
  // most rules find nothing: a finding is located as it comes, with no list per rule (a fleet runs every rule on every profile)
  const diagnostics = [...early];
  const report = (code: Code, findings: readonly Finding[]) => {
    for (const f of findings) diagnostics.push(toDiagnostic(code, f, source.path, parsed.locate));
  };
  const context = { charts, gitops, mesh, path: source.path };
  for (const rule of rules.profile) report(rule.code, rule.check(profile, context));
  if (!NAME_PATTERN.test(name)) {
    diagnostics.push({
      code: "INVALID_NAME",
      severity: "error",
      pointer: "/name",
      message: `the file name gives the output folder "${name}", which is not a DNS label; set "name" (lower-case letters, digits, '-')`,
      ...parsed.locate(""),
    });
  }
  // Derive runs once, on any schema-valid profile of a known release, so the bundle rules report alongside the profile rules.
  if (!charts.has(profile.cilium.version)) return fail(diagnostics, name);
  const input: DeriveInput = { profile, name, profilePath: source.path, charts, gitops, mesh };
  const settings = deriveChecked(input);
  for (const rule of rules.bundle) report(rule.code, rule.check(settings, profile));
  if (diagnostics.some(isError)) return fail(diagnostics, name);
  return { checked: { source, name, diagnostics, input }, settings };
}

/** Core's rules and then the platform's capabilities' rules, per platform (joined once, not per profile). */
const RULES = new Map(PLATFORMS.map((platform) => [platform, { profile: [...PROFILE_RULES, ...profileRulesFor(platform)], bundle: [...BUNDLE_RULES, ...bundleRulesFor(platform)] }]));
function rulesFor(platform: Platform) {
  const rules = RULES.get(platform);
  if (rules === undefined) throw new Error(`bug: no rules for platform ${platform}`);
  return rules;
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
 * Every profile of one run; profiles that share an output folder are all rejected. Each profile's checked
 * Settings exist only during its onChecked call (check compares its bundle then, and answers "done": nothing
 * of the profile is kept for an emit); a run of 1,000 profiles stays in constant memory (the speed bar: under
 * 100 MiB).
 * `reuse` answers a profile's result without checking it, when the bundle index knows it.
 */
export function checkProfiles(
  sources: readonly ProfileSource[],
  charts: ChartCatalog = BUILTIN_CHARTS,
  onChecked?: (checked: CheckedProfile, settings: CheckedSettings | null) => "done" | void,
  gitops: GitopsContext | null = null,
  mesh: MeshDirectory = meshDirectory(sources),
  reuse?: (source: ProfileSource) => CheckedProfile | null,
): CheckedProfile[] {
  const results = sources.map((source) => {
    // a result the bundle index vouches for (bundle-index.ts): neither derived nor handed to onChecked
    const known = reuse?.(source);
    if (known) return known;
    const { checked, settings } = checkOne(source, charts, gitops, mesh);
    if (onChecked?.(checked, settings) === "done") checked.input = null;
    return checked;
  });
  const byName = new Map<string, CheckedProfile[]>();
  for (const r of results) if (r.name !== null) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    for (const r of group) {
      const others = group.filter((o) => o !== r).map((o) => o.source.path);
      const located = resolveProfile(r.source);
      r.diagnostics.push({
        code: "DUPLICATE_PROFILE_NAME",
        severity: "error",
        pointer: "/name",
        message: `output folder "${name}" is also the name of ${others.join(", ")}; give each profile its own name`,
        ...located.locate("/name"),
      });
      r.input = null;
    }
  }
  reportBaseDiagnosticsOnce(results);
  return results;
}

/** A profile file that cannot be read as text (far too large, not UTF-8): a failure with its one diagnostic. */
export function unreadableProfile(path: string, diagnostic: Diagnostic, text = ""): CheckedProfile {
  return { source: { path, text }, name: null, diagnostics: [diagnostic], input: null };
}

/** The diagnostic of a file too large to be read at all (a profile is far smaller). */
export function tooLargeDiagnostic(path: string, bytes: number): Diagnostic {
  return { code: "PROFILE_TOO_LARGE", severity: "error", pointer: "", message: `the file has ${bytes} bytes; a profile is far smaller`, file: path, line: 1, col: 1, length: 1 };
}

/**
 * emit for a profile without errors: the bundle's files, from its checked Settings when the caller has them at
 * hand (completed with what only emit reads), else from a derive of its own.
 */
export function emitProfile(checked: CheckedProfile, settings: CheckedSettings | null = null): OutputFile[] {
  if (checked.input === null) throw new Error(`bug: ${checked.source.path} has errors, or was emitted already; nothing to emit`);
  return emitBundle(settings === null ? deriveSettings(checked.input) : completeSettings(settings, checked.input));
}

/** The whole pipeline for one profile: parse → validate → profile rules → derive → bundle rules → emit. Pure. */
export function renderProfile(source: ProfileSource, charts: ChartCatalog = BUILTIN_CHARTS, gitops: GitopsContext | null = null): RenderResult {
  const { checked, settings } = checkOne(source, charts, gitops, meshDirectory([source]));
  return { source, name: checked.name, files: settings === null ? [] : emitProfile(checked, settings), diagnostics: checked.diagnostics };
}

/** The whole pipeline for the profiles of one run (duplicate names included). */
export function renderProfiles(sources: readonly ProfileSource[], charts: ChartCatalog = BUILTIN_CHARTS, gitops: GitopsContext | null = null): RenderResult[] {
  return checkProfiles(sources, charts, undefined, gitops).map(toResult);
}

function toResult(checked: CheckedProfile): RenderResult {
  const files = isRenderable(checked) ? emitProfile(checked) : [];
  return { source: checked.source, name: checked.name, files, diagnostics: checked.diagnostics };
}

/** out/<name> defaults to the file's basename without .json, .yaml or .yml. */
export function defaultName(path: string): string {
  // paths are shown with forward slashes on every system: a backslash is part of a Linux file name, not a folder
  const base = path.split("/").pop() ?? path;
  return base.replace(/\.(json|ya?ml)$/i, "");
}

function nameOf(value: unknown, path: string): string | null {
  const name = (value as { name?: unknown } | null)?.name;
  if (typeof name === "string") return NAME_PATTERN.test(name) ? name : null;
  const fallback = defaultName(path);
  return NAME_PATTERN.test(fallback) ? fallback : null;
}

