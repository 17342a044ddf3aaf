import type { ErrorObject, ValidateFunction } from "ajv";
import validateSchema from "../schema/profile.schema.json?validator";
import explainSchema from "../schema/profile.schema.json?explainer";
import validateConfigSchema from "../schema/config.schema.json?validator";
import explainConfigSchema from "../schema/config.schema.json?explainer";
import type { Diagnostic, Place } from "./diagnostics.js";
import { nearest } from "./text/nearest.js";
import type { Code } from "./rules/codes.js";

export type Locate = (pointer: string, key?: boolean) => Place;

// Compiled at build time (scripts/codegen.mjs), two of each schema: a lean validator that stops at the first
// error, which is all a valid profile needs, and a verbose one (every error, each with its schema), loaded only
// to explain a rejection (in dist/, a file of its own). useDefaults fills every schema default into the (cloned)
// profile, so the schema stays the only place a default is written down.

export interface SchemaResult {
  /** The profile with every schema default filled in; undefined when the schema rejected it. */
  profile: unknown;
  diagnostics: Diagnostic[];
}

/** JSON Schema validation of one parsed profile. The input is not mutated. */
export function validateProfile(value: unknown, file: string, locate: Locate): SchemaResult {
  return validateWith(validateSchema, explainSchema, "the profile", value, file, locate);
}

/** The repository config (tke-cilium.json) against schema/config.schema.json, defaults filled in. */
export function validateConfig(value: unknown, file: string, locate: Locate): SchemaResult {
  return validateWith(validateConfigSchema, explainConfigSchema, "the config", value, file, locate);
}

function validateWith(lean: ValidateFunction, explainer: () => ValidateFunction, what: string, value: unknown, file: string, locate: Locate): SchemaResult {
  const filled = structuredClone(value);
  if (lean(filled)) return { profile: filled, diagnostics: [] };
  // the lean validator filled defaults in up to where it stopped: the verbose one starts again from the input
  const validate = explainer();
  const again = structuredClone(value);
  if (validate(again)) return { profile: again, diagnostics: [] };
  // an if/then's own error ("must match then schema") only repeats the errors inside then, reported on their own
  const diagnostics = (validate.errors ?? []).filter((e) => e.keyword !== "if").map((e) => toDiagnostic(e, what, file, locate));
  return { profile: undefined, diagnostics: dedupe(dropMisspeltRequired(diagnostics)) };
}

type Draft = Diagnostic & { guessPointer?: string };

function toDiagnostic(e: ErrorObject, what: string, file: string, locate: Locate): Draft {
  const base = { severity: "error" as const, file };
  const parent = e.parentSchema as { "x-code"?: string; properties?: Record<string, unknown> } | undefined;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const pointer = `${e.instancePath}/${escapeToken(key)}`;
      const known = Object.keys(parent?.properties ?? {});
      const guess = nearest(key, known);
      const hint = guess ? `; did you mean "${guess}"?` : `; known fields here: ${known.join(", ")}`;
      const guessPointer = guess ? `${e.instancePath}/${escapeToken(guess)}` : undefined;
      return { ...base, code: "UNKNOWN_FIELD", pointer, message: `unknown field "${key}"${hint}`, guessPointer, ...locate(pointer, true) };
    }
    case "required": {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const pointer = `${e.instancePath}/${escapeToken(missing)}`;
      const where = e.instancePath === "" ? what : `"${e.instancePath}"`;
      return { ...base, code: "MISSING_FIELD", pointer, message: `${where} needs the field "${missing}"`, ...locate(e.instancePath) };
    }
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      // the schema's x-code values are catalogue codes (a test holds them to it)
      const code = (parent?.["x-code"] ?? "INVALID_VALUE") as Code;
      const guess = typeof e.data === "string" ? nearest(e.data, allowed) : undefined;
      const hint = guess ? ` (did you mean "${guess}"?)` : "";
      return { ...base, code, pointer: e.instancePath, message: `${show(e.data)} is not one of: ${allowed.join(", ")}${hint}`, ...locate(e.instancePath) };
    }
    case "type":
      return {
        ...base,
        code: "INVALID_TYPE",
        pointer: e.instancePath,
        message: `expected ${(e.params as { type: string | string[] }).type}, got ${typeName(e.data)} ${show(e.data)}`,
        ...locate(e.instancePath),
      };
    case "pattern": {
      const hint = typeof e.data === "string" ? patternHint(e.instancePath, e.data) : null;
      return {
        ...base,
        code: "INVALID_VALUE",
        pointer: e.instancePath,
        message: hint?.message ?? `${show(e.data)} does not have the expected form ${(e.params as { pattern: string }).pattern}`,
        ...(hint ? { suggestion: hint.suggestion } : {}),
        ...locate(e.instancePath),
      };
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { ...base, code: "OUT_OF_RANGE", pointer: e.instancePath, message: `${show(e.data)} ${e.message}`, ...locate(e.instancePath) };
    default:
      return { ...base, code: "INVALID_VALUE", pointer: e.instancePath, message: e.message ?? e.keyword, ...locate(e.instancePath) };
  }
}

/** A missing "nodePool" next to an unknown "nodepool" is one mistake, reported once at the misspelt key. */
function dropMisspeltRequired(list: Draft[]): Diagnostic[] {
  const guessed = new Set(list.flatMap((d) => (d.code === "UNKNOWN_FIELD" && d.guessPointer ? [d.guessPointer] : [])));
  return list
    .filter((d) => !(d.code === "MISSING_FIELD" && guessed.has(d.pointer)))
    .map(({ guessPointer: _, ...d }) => d);
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.code}|${d.pointer}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A value as it would appear in JSON, shortened so one diagnostic stays on one line. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/** Mistakes a pattern alone would answer with a regular expression: said in words, with what to write instead. */
function patternHint(pointer: string, value: string): { message: string; suggestion: string } | null {
  const version = /^[vV](\d+\.\d+\.\d+)$/.exec(value);
  if (version && pointer.endsWith("/version")) return { message: `${show(value)}: write the release without the "v": "${version[1]}"`, suggestion: version[1] };
  const hostPort = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(value);
  if (hostPort && pointer === "/apiserverVIP") {
    return { message: `${show(value)}: apiserverVIP is the address alone ("${hostPort[1]}"); put the port in apiserverPort (${hostPort[2]})`, suggestion: hostPort[1] };
  }
  return null;
}
