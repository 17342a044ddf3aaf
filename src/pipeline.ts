import type { Diagnostic } from "./diagnostics.js";
import { isError } from "./diagnostics.js";
import { deriveSettings } from "./derive.js";
import { emitBundle, type OutputFile } from "./emit/index.js";
import { parseProfileText } from "./parse.js";
import type { FilledProfile } from "./profile.js";
import { RULES } from "./rules.js";
import { validateProfile, type Locate } from "./validate.js";
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

/** What an output folder may be called: the schema's pattern for name (a DNS label). */
export const NAME_PATTERN = new RegExp(schema.properties.name.pattern);

/** A profile after parse → validate → rules: its diagnostics, and what derive needs when it has no error. */
export interface CheckedProfile {
  source: ProfileSource;
  /** The output folder name; null when the profile is too broken to tell. */
  name: string | null;
  diagnostics: Diagnostic[];
  /** The profile with its defaults; null when an error was found. */
  profile: FilledProfile | null;
}

/** parse → validate → rules, for one profile. Pure. */
export function checkProfile(source: ProfileSource): CheckedProfile {
  const checked = checkUnsorted(source);
  checked.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return checked;
}

function checkUnsorted(source: ProfileSource): CheckedProfile {
  const parsed = parseProfileText(source.text, source.path);
  const fail = (diagnostics: Diagnostic[], name: string | null = null): CheckedProfile => ({ source, name, diagnostics, profile: null });
  if (parsed.diagnostics.some(isError)) return fail(parsed.diagnostics);
  const validated = validateProfile(parsed.value, source.path, parsed.locate);
  const early = [...parsed.diagnostics, ...validated.diagnostics];
  if (validated.profile === undefined) return fail(early, nameOf(parsed.value, source.path));
  const profile = validated.profile as FilledProfile;
  const name = profile.name ?? defaultName(source.path);
  const diagnostics = [...early, ...checkRules(profile, source.path, parsed.locate)];
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
  if (diagnostics.some(isError)) return fail(diagnostics, name);
  return { source, name, diagnostics, profile };
}

/** Every profile of one run; profiles that share an output folder are all rejected. */
export function checkProfiles(sources: readonly ProfileSource[]): CheckedProfile[] {
  const results = sources.map(checkProfile);
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
      r.profile = null;
    }
  }
  return results;
}

/** derive → emit for a profile without errors: the bundle's files. */
export function emitProfile(checked: CheckedProfile): OutputFile[] {
  if (checked.profile === null || checked.name === null) throw new Error(`bug: ${checked.source.path} has errors; nothing to emit`);
  return emitBundle(deriveSettings({ profile: checked.profile, name: checked.name, profilePath: checked.source.path }));
}

/** The whole pipeline for one profile: parse → validate → rules → derive → emit. Pure. */
export function renderProfile(source: ProfileSource): RenderResult {
  return toResult(checkProfile(source));
}

/** The whole pipeline for the profiles of one run (duplicate names included). */
export function renderProfiles(sources: readonly ProfileSource[]): RenderResult[] {
  return checkProfiles(sources).map(toResult);
}

function toResult(checked: CheckedProfile): RenderResult {
  const files = checked.profile === null ? [] : emitProfile(checked);
  return { source: checked.source, name: checked.name, files, diagnostics: checked.diagnostics };
}

function checkRules(profile: FilledProfile, file: string, locate: Locate): Diagnostic[] {
  return RULES.flatMap((rule) =>
    (rule.check?.(profile) ?? []).map((f) => ({
      code: rule.code,
      severity: f.severity ?? rule.severity,
      pointer: f.pointer,
      message: f.message,
      file,
      ...locate(f.pointer, f.atKey),
    })),
  );
}

/** out/<name> defaults to the file's basename without .json. */
export function defaultName(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.json$/i, "");
}

function nameOf(value: unknown, path: string): string | null {
  const name = (value as { name?: unknown } | null)?.name;
  if (typeof name === "string") return NAME_PATTERN.test(name) ? name : null;
  const fallback = defaultName(path);
  return NAME_PATTERN.test(fallback) ? fallback : null;
}
