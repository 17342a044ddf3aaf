import type { Code } from "./rules/codes.js";
import { escapePointerToken } from "./text/pointer.js";
import { parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import { LineIndex, type Diagnostic, type Place, type Severity } from "./diagnostics.js";

/** The profile text as a value, plus where each JSON pointer sits in the text. */
export interface ParsedProfile {
  value: unknown;
  /** Place of each value, and of each object member's key under `pointer + "#key"`. */
  locate: (pointer: string, key?: boolean) => Place;
  diagnostics: Diagnostic[];
}

const BOM = "\ufeff";
/** A profile is a few hundred bytes; anything this large is a mistake (or an attack), not a profile. */
export const MAX_PROFILE_CHARS = 1 << 20;
/** The most bytes read of a file that may be a profile (four per character, UTF-8's widest): a larger one is sized, never read. */
export const MAX_PROFILE_BYTES = MAX_PROFILE_CHARS * 4;
/** Deeper nesting is no profile either, and would exhaust the parser's stack. */
const MAX_DEPTH = 64;

/** Offset of the first bracket that opens nesting deeper than `limit`, ignoring strings; -1 when none. */
function firstTooDeep(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return -1;
}

/**
 * Profile bytes → text. Invalid UTF-8 is reported at its first bad byte (decoding it with replacement
 * characters would silently change the profile).
 */
export function decodeProfileBytes(bytes: Uint8Array, file: string): { text: string } | { diagnostic: Diagnostic; lossy: string } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder("utf-8").decode(bytes.subarray(0, bad));
    const place = new LineIndex(before).place(before.length, 1);
    const byte = bytes[bad]?.toString(16).padStart(2, "0") ?? "end of file";
    return {
      lossy: new TextDecoder("utf-8").decode(bytes),
      diagnostic: { code: "INVALID_UTF8", severity: "error", pointer: "", message: `byte 0x${byte} at offset ${bad} is not UTF-8; save the profile as UTF-8`, file, ...place },
    };
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    const decodes = (() => {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, i + extra + 1));
        return true;
      } catch {
        return false;
      }
    })();
    if (!decodes) return i;
    i += extra + 1;
  }
  return bytes.length;
}

export { escapePointerToken };

/**
 * Strict JSON (no comments, no trailing commas) with positions. Duplicate keys are reported, as JSON.parse
 * would silently keep the last one and the user would never learn which value the tool used.
 */
export function parseProfileText(text: string, file: string): ParsedProfile {
  const diagnostics: Diagnostic[] = [];
  const hasBom = text.startsWith(BOM);
  const body = hasBom ? " " + text.slice(1) : text; // keep offsets aligned with the original text
  // lines are counted, and a node's place worked out, only when a diagnostic asks for it: most profiles have none
  let index: LineIndex | undefined;
  const at = (offset: number, length: number) => (index ??= new LineIndex(text)).place(offset, length);
  const places = new Map<string, Node>();
  const report = (code: Code, pointer: string, place: Place, message: string, severity: Severity = "error") =>
    diagnostics.push({ code, severity, pointer, message, file, ...place });

  if (text.length > MAX_PROFILE_CHARS) {
    report("PROFILE_TOO_LARGE", "", at(0, 1), `the file has ${text.length} characters; a profile is at most ${MAX_PROFILE_CHARS}`);
    return { value: undefined, locate: () => at(0, 1), diagnostics };
  }
  if (body.trim() === "") {
    report("JSON_SYNTAX", "", at(0, 1), "the file is empty; a profile is a JSON object");
    return { value: undefined, locate: () => at(0, 1), diagnostics };
  }
  const tooDeep = firstTooDeep(body, MAX_DEPTH);
  if (tooDeep >= 0) {
    report("JSON_TOO_DEEP", "", at(tooDeep, 1), `arrays and objects are nested more than ${MAX_DEPTH} deep here`);
    return { value: undefined, locate: () => at(0, 1), diagnostics };
  }
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const seenOffsets = new Set<number>();
  for (const e of errors) {
    if (seenOffsets.has(e.offset)) continue; // one mistake often yields several errors at one spot
    seenOffsets.add(e.offset);
    report("JSON_SYNTAX", "", at(e.offset, e.length), `invalid JSON: ${describeParseError(printParseErrorCode(e.error))}`);
  }
  // A pointer to a field the profile leaves out (a default) is shown at the nearest enclosing value.
  const locate = (pointer: string, key = false): Place => {
    const exact = places.get(key ? pointer + "#key" : pointer) ?? places.get(pointer);
    if (exact) return at(exact.offset, exact.length);
    const cut = pointer.lastIndexOf("/");
    return cut < 0 ? at(0, 1) : locate(pointer.slice(0, cut), true);
  };
  if (errors.length > 0 || root === undefined) return { value: undefined, locate, diagnostics };

  const build = (node: Node, pointer: string): unknown => {
    places.set(pointer, node);
    switch (node.type) {
      case "object": {
        const out: Record<string, unknown> = {};
        for (const member of node.children ?? []) {
          const [keyNode, valueNode] = member.children ?? [];
          if (keyNode === undefined || valueNode === undefined) continue;
          const key = String(keyNode.value);
          if (!isWellFormed(key)) report("INVALID_UNICODE", `${pointer}/${escapePointerToken(key)}`, at(keyNode.offset, keyNode.length), "the key holds a lone UTF-16 surrogate (\\ud800-\\udfff without its pair); it is not text");
          const child = `${pointer}/${escapePointerToken(key)}`;
          if (Object.prototype.hasOwnProperty.call(out, key)) {
            report("DUPLICATE_KEY", child, at(keyNode.offset, keyNode.length), `key "${key}" appears twice in this object; keep one`);
            continue;
          }
          places.set(child + "#key", keyNode);
          // "__proto__" set by assignment would replace the prototype, not make a member: defined as a member instead
          if (key === "__proto__") Object.defineProperty(out, key, { value: build(valueNode, child), enumerable: true, writable: true, configurable: true });
          else out[key] = build(valueNode, child);
        }
        return out;
      }
      case "array":
        return (node.children ?? []).map((child, i) => build(child, `${pointer}/${i}`));
      case "number": {
        const literal = body.slice(node.offset, node.offset + node.length);
        if (!representsExactly(literal, node.value as number)) {
          report("NUMBER_OUT_OF_RANGE", pointer, at(node.offset, node.length), `${literal} cannot be represented exactly (finite, integers within ±2^53, at most 17 significant digits)`);
        }
        return node.value;
      }
      case "string": {
        // a lone surrogate (an escaped "\ud800" alone) is not a character: YAML writers and Helm's reader refuse it
        if (!isWellFormed(node.value as string)) report("INVALID_UNICODE", pointer, at(node.offset, node.length), "the string holds a lone UTF-16 surrogate (\\ud800-\\udfff without its pair); it is not text");
        return node.value;
      }
      default:
        return node.value;
    }
  };
  const value = build(root, "");
  if (hasBom) {
    report("BYTE_ORDER_MARK", "", at(0, 1), "the file starts with a byte order mark; it was ignored, but save the file as UTF-8 without BOM", "warning");
  }
  return { value, locate, diagnostics };
}

/** Is the string free of lone surrogates (String.prototype.isWellFormed, Node 20)? */
function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/**
 * Does the double the parser made from a JSON number literal mean exactly what the literal says? Integral
 * values (whatever the spelling: 9007199254740993.0, 1e21) must be safe integers; other values must survive
 * the round trip at the literal's precision (at most 17 significant digits), so 0.1 passes and
 * 0.10000000000000000555 does not.
 */
function representsExactly(literal: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const m = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return false;
  const digits = (m[1] + (m[2] ?? "")).replace(/^0+/, "");
  const significant = digits.replace(/0+$/, "");
  if (significant === "") return true; // zero
  const exponent = Number(m[3] ?? 0) - (m[2]?.length ?? 0) + (digits.length - significant.length);
  // value = significant × 10^exponent
  if (exponent >= 0) return Number.isSafeInteger(value);
  return significant.length <= 17;
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: "unexpected character",
    InvalidNumberFormat: "malformed number",
    PropertyNameExpected: "a quoted property name is expected (trailing commas are not JSON)",
    ValueExpected: "a value is expected (trailing commas are not JSON)",
    ColonExpected: "':' is expected after the property name",
    CommaExpected: "',' is expected between items",
    CloseBraceExpected: "'}' is expected",
    CloseBracketExpected: "']' is expected",
    EndOfFileExpected: "text after the end of the JSON value",
    InvalidCommentToken: "comments are not allowed in JSON",
    UnexpectedEndOfComment: "unterminated comment",
    UnexpectedEndOfString: "unterminated string",
    UnexpectedEndOfNumber: "unterminated number",
    InvalidUnicode: "invalid \\u escape",
    InvalidEscapeCharacter: "invalid escape sequence",
    InvalidCharacter: "control character inside a string (escape it)",
  };
  return words[code] ?? code;
}
