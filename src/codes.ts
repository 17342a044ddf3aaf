import { RULES, type Rule } from "./rules.js";

/** Codes found while reading the profile (parse.ts, validate.ts, pipeline.ts): listed so `rules` and `explain` cover every code. */
export const INPUT_CODES: readonly Rule[] = [
  { code: "JSON_SYNTAX", severity: "error", title: "the profile is not valid JSON", explanation: "Profiles are strict JSON: no comments, no trailing commas, double-quoted keys and strings.", source: "RFC 8259" },
  { code: "BYTE_ORDER_MARK", severity: "warning", title: "the file starts with a UTF-8 byte order mark", explanation: "The mark is ignored, but other JSON tools reject it; save the file as UTF-8 without BOM.", source: "RFC 8259 §8.1" },
  { code: "DUPLICATE_KEY", severity: "error", title: "a key appears twice in one object", explanation: "JSON parsers silently keep one of the two values, so the profile would not say what it seems to say. Keep one.", source: "RFC 8259 §4" },
  { code: "UNKNOWN_FIELD", severity: "error", title: "a field the schema does not know", explanation: "Every object of the profile is closed: a misspelt field would otherwise be ignored silently. The message suggests the nearest known field.", source: "schema/profile.schema.json" },
  { code: "MISSING_FIELD", severity: "error", title: "a required field is missing", explanation: "region, apiserverVIP and nodePool.type have no default.", source: "schema/profile.schema.json" },
  { code: "INVALID_TYPE", severity: "error", title: "a value of the wrong JSON type", explanation: "Numbers, booleans and strings are not interchangeable: write 60002, not \"60002\"; true, not \"true\".", source: "schema/profile.schema.json" },
  { code: "INVALID_VALUE", severity: "error", title: "a value outside the allowed set or form", explanation: "The value does not match the field's pattern or list of choices; the message shows what is expected.", source: "schema/profile.schema.json" },
  { code: "OUT_OF_RANGE", severity: "error", title: "a number outside its range", explanation: "The field has a minimum or maximum; the message gives it.", source: "schema/profile.schema.json" },
  { code: "PROFILE_TOO_LARGE", severity: "error", title: "the file is far too large to be a profile", explanation: "Profiles are small JSON files; tke-cilium refuses anything over 1 MiB rather than spend time and memory on it.", source: "tke-cilium" },
  { code: "JSON_TOO_DEEP", severity: "error", title: "arrays or objects nested too deeply", explanation: "No profile nests more than a few levels; beyond 64 the file is refused before parsing, so it cannot exhaust the parser's stack.", source: "tke-cilium" },
  { code: "INVALID_UTF8", severity: "error", title: "the file is not UTF-8", explanation: "JSON files are UTF-8. Decoding other bytes would silently replace characters, so the file is refused at its first invalid byte.", source: "RFC 8259 §8.1" },
  { code: "NUMBER_OUT_OF_RANGE", severity: "error", title: "a number that JSON tools cannot hold exactly", explanation: "Numbers like 1e400 become infinity, and integers beyond ±2^53 lose digits; neither means what the file says.", source: "RFC 8259 §6" },
  { code: "INVALID_NAME", severity: "error", title: "the output folder name is not a DNS label", explanation: "Without a name field, the bundle folder is named after the profile file. Lower-case letters, digits and '-' only (at most 63): set name when the file name has other characters (e.g. dots).", source: "SPEC §2 (name)" },
];

/** Every code the tool can report, with its explanation: `tke-cilium rules` and `tke-cilium explain CODE`. */
export const ALL_CODES: readonly Rule[] = [...INPUT_CODES, ...RULES];
