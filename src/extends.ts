import { posix } from "node:path";
import { isError, type Diagnostic, type Place } from "./diagnostics.js";
import { escapePointerToken, type ParsedProfile } from "./parse.js";
import { parseProfileFile, topLevelField } from "./profile-file.js";

export { anyYaml, isYamlPath, loadYamlSupport, parseProfileFile, topLevelField } from "./profile-file.js";

/**
 * Bases: a profile (or a base) may say `extends: [paths]`, relative to its own folder. The merged profile is
 * the bases in depth-first order (each applied once, at its first place), then the file itself:
 * objects merge key by key (inherited keys keep their order, new keys follow), arrays and scalars replace,
 * and an explicit null removes the inherited value. Every value remembers the file that set it, so a
 * diagnostic points at that file's line. Pure: the command layer reads the bases' texts (ProfileSource.bases).
 */

import type { BaseRead, SourceWithBases } from "./profile-file.js";
import { mayHoldKey } from "./text/key-gate.js";
export type { BaseRead, SourceWithBases } from "./profile-file.js";

/** A place together with the file it is in (a base's, for a value the base set). */
export type SourcePlace = Place & { file: string };

export interface MergedProfile {
  value: unknown;
  locate: (pointer: string, key?: boolean) => SourcePlace;
  diagnostics: Diagnostic[];
  /** The files the value was merged from, bases first, the profile last. */
  files: string[];
}

/** A base is recognised by its name, so folders and globs of profiles can hold bases and never render them. */
export const isBasePath = (path: string): boolean => /(^|[\\/])([^\\/]*\.)?base\.(json|ya?ml)$/i.test(path);

/** The profiles a base's diagnostic names; more are counted. */
const MAX_NAMED_USERS = 5;

/** Nested bases deeper than this are a mistake. */
const MAX_BASE_DEPTH = 16;

interface Ref {
  path: string;
  pointer: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The bases a parsed file names, resolved against its folder; problems with the extends field as diagnostics. */
function refsOf(value: unknown, file: string, locate: ParsedProfile["locate"]): { refs: Ref[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (!isRecord(value) || !("extends" in value)) return { refs: [], diagnostics };
  const given = value.extends;
  const list = typeof given === "string" ? [given] : Array.isArray(given) ? given : null;
  const bad = (pointer: string, message: string) => diagnostics.push({ code: "EXTENDS_INVALID", severity: "error", pointer, message, file, ...locate(pointer) });
  if (list === null) {
    bad("/extends", "extends is a path, or a list of paths, of base files");
    return { refs: [], diagnostics };
  }
  const refs: Ref[] = [];
  list.forEach((entry, i) => {
    const pointer = typeof given === "string" ? "/extends" : `/extends/${i}`;
    if (typeof entry !== "string" || entry === "") return bad(pointer, "a base is named by a non-empty path");
    if (entry.includes("\\") || posix.isAbsolute(entry) || /^[a-z]:/i.test(entry)) return bad(pointer, `"${entry}" is not a relative path with forward slashes; name the base relative to this file's folder`);
    if (!isBasePath(entry)) return bad(pointer, `"${entry}" is not named like a base (base.yaml, base.json, or NAME.base.yaml/.yml/.json); rename it, so it is never rendered as a profile`);
    refs.push({ path: resolveBasePath(file, entry), pointer });
  });
  return { refs, diagnostics };
}

/** A base's path as shown to the user: `ref` relative to the folder of `from` (both shown paths, forward slashes). */
export function resolveBasePath(from: string, ref: string): string {
  return posix.normalize(posix.join(posix.dirname(from), ref));
}

/** The bases a file's text names (resolved paths), for the command layer that reads them; [] when it names none or cannot be read. */
export function baseRefsOf(path: string, text: string): string[] {
  if (!mayHoldKey(text, "extends")) return [];
  const given = topLevelField(path, text, "extends");
  if (given === undefined) return [];
  // the places do not matter here: a problem with extends is reported by resolveProfile
  return refsOf({ extends: given }, path, () => ({ line: 0, col: 0, length: 1 })).refs.map((r) => r.path);
}

/** Parsed bases of one run: a base shared by a fleet is parsed once. */
const parsedBases = new WeakMap<BaseRead, ParsedProfile>();

interface Layer {
  file: string;
  parsed: ParsedProfile;
}

/** The name field a profile has once its bases are merged (a base may give it), or null. */
export function mergedName(source: SourceWithBases): string | null {
  const value = resolveProfile(source).value;
  return isRecord(value) && typeof value.name === "string" ? value.name : null;
}

/** parse → resolve the bases → merge, for one profile. Pure. */
export function resolveProfile(source: SourceWithBases): MergedProfile {
  const own = parseProfileFile(source.text, source.path);
  const single = (parsed: ParsedProfile, diagnostics = parsed.diagnostics): MergedProfile => ({
    value: parsed.value,
    locate: (pointer, key) => ({ file: source.path, ...parsed.locate(pointer, key) }),
    diagnostics,
    files: [source.path],
  });
  if (own.diagnostics.some(isError) || !isRecord(own.value) || !("extends" in own.value)) return single(own);

  const diagnostics = [...own.diagnostics];
  const layers: Layer[] = [];
  const visited = new Set<string>([source.path]);
  const visit = (layer: Layer, stack: string[]) => {
    const { refs, diagnostics: problems } = refsOf(layer.parsed.value, layer.file, layer.parsed.locate);
    diagnostics.push(...problems);
    for (const ref of refs) {
      const at = (): SourcePlace => ({ file: layer.file, ...layer.parsed.locate(ref.pointer) });
      const fail = ({ code }: { code: "BASE_NOT_FOUND" | "BASE_CYCLE" }, message: string) => diagnostics.push({ code, severity: "error", pointer: ref.pointer, message, ...at() });
      if (stack.includes(ref.path)) {
        fail({ code: "BASE_CYCLE" }, `${ref.path} extends itself: ${[...stack.slice(stack.indexOf(ref.path)), ref.path].join(" → ")}`);
        continue;
      }
      if (visited.has(ref.path)) continue;
      visited.add(ref.path);
      if (stack.length > MAX_BASE_DEPTH) {
        fail({ code: "BASE_CYCLE" }, `bases are nested more than ${MAX_BASE_DEPTH} deep here`);
        continue;
      }
      const read = source.bases?.get(ref.path);
      if (read === undefined || "problem" in read) {
        fail({ code: "BASE_NOT_FOUND" }, `cannot read the base ${ref.path}: ${read === undefined ? "no such file" : read.problem}`);
        continue;
      }
      let parsed = parsedBases.get(read);
      if (parsed === undefined) {
        parsed = parseProfileFile(read.text, ref.path);
        parsedBases.set(read, parsed);
      }
      diagnostics.push(...parsed.diagnostics);
      if (parsed.diagnostics.some(isError)) continue;
      if (!isRecord(parsed.value)) {
        diagnostics.push({ code: "EXTENDS_INVALID", severity: "error", pointer: "", message: "a base is an object of profile fields", file: ref.path, ...parsed.locate("") });
        continue;
      }
      const base = { file: ref.path, parsed };
      visit(base, [...stack, ref.path]);
      layers.push(base);
    }
  };
  const top = { file: source.path, parsed: own };
  visit(top, [source.path]);
  layers.push(top);
  if (diagnostics.some(isError)) return { ...single(own, diagnostics), value: undefined };
  return mergeLayers(layers, diagnostics);
}

function mergeLayers(layers: readonly Layer[], diagnostics: Diagnostic[]): MergedProfile {
  const origins = new Map<string, number>([["", layers.length - 1]]);
  const forget = (pointer: string) => {
    for (const p of origins.keys()) if (p.startsWith(pointer + "/")) origins.delete(p);
  };
  const merge = (target: Record<string, unknown>, over: Record<string, unknown>, pointer: string, layer: number) => {
    for (const [key, v] of Object.entries(over)) {
      if (pointer === "" && key === "extends") continue;
      const child = `${pointer}/${escapePointerToken(key)}`;
      const inherited = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
      // only an inherited object or array can have places of its own below it
      const nested = inherited !== null && typeof inherited === "object";
      if (v === null) {
        delete target[key];
        if (nested) forget(child);
        origins.delete(child);
        continue;
      }
      if (isRecord(v) && isRecord(inherited)) {
        merge(inherited, v, child, layer);
      } else {
        if (nested) forget(child);
        define(target, key, isRecord(v) ? merge({}, v, child, layer) : copyJson(v));
      }
      origins.set(child, layer);
    }
    return target;
  };
  const value: Record<string, unknown> = {};
  layers.forEach((layer, i) => merge(value, layer.parsed.value as Record<string, unknown>, "", i));
  const layerOf = (pointer: string): number => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
      const found = origins.get(p);
      if (found !== undefined) return found;
      if (p === "") return layers.length - 1;
    }
  };
  return {
    value,
    locate: (pointer, key) => {
      const layer = layers[layerOf(pointer)];
      return { file: layer.file, ...layer.parsed.locate(pointer, key) };
    },
    diagnostics,
    files: layers.map((l) => l.file),
  };
}

/** A copy of a parsed JSON value (arrays and scalars here: objects are merged key by key). */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) define(out, k, copyJson(v));
    return out;
  }
  return value;
}

/** Set a key without invoking a setter (a key named __proto__ is data, as JSON.parse keeps it). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The text of the file a diagnostic is in: the profile's, or one of its bases'. */
export function sourceTextOf(source: SourceWithBases, file: string): string | undefined {
  if (file === source.path) return source.text;
  const read = source.bases?.get(file);
  return read !== undefined && "text" in read ? read.text : undefined;
}

/**
 * A mistake in a base is one mistake, however many profiles extend it: it is kept with the first profile
 * that reports it, naming every profile that uses the base, and dropped from the others.
 */
export function reportBaseDiagnosticsOnce(results: readonly { source: { path: string }; diagnostics: Diagnostic[] }[]): void {
  const first = new Map<string, { diagnostic: Diagnostic; users: string[] }>();
  for (const r of results) {
    r.diagnostics = r.diagnostics.flatMap((d) => {
      if (d.file === r.source.path) return [d];
      const key = [d.file, d.line, d.col, d.code, d.pointer, d.message].join("\0");
      const seen = first.get(key);
      if (seen === undefined) {
        // a copy: a base's parse (and its diagnostics) is shared by every profile of the run
        const diagnostic = { ...d };
        first.set(key, { diagnostic, users: [r.source.path] });
        return [diagnostic];
      }
      if (!seen.users.includes(r.source.path)) seen.users.push(r.source.path);
      return [];
    });
  }
  for (const { diagnostic, users } of first.values()) {
    // a fleet's base can have hundreds of users: the first few are named, the rest counted
    const named = users.length <= MAX_NAMED_USERS ? users.join(", ") : `${users.slice(0, MAX_NAMED_USERS - 1).join(", ")} and ${users.length - MAX_NAMED_USERS + 1} more`;
    diagnostic.message += ` (reported once for the profiles that extend ${diagnostic.file}: ${named})`;
  }
}
