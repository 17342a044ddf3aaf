import { isAlias, isMap, isPair, isScalar, isSeq, parse, parseDocument, type Node as YamlNode } from "yaml";
import { LineIndex, type Diagnostic, type Place, type Severity } from "./diagnostics.js";
import { escapePointerToken, MAX_PROFILE_CHARS, type ParsedProfile } from "./parse.js";
import type { Code } from "./rules/codes.js";

/** Aliases a profile may expand: enough to share a list or two, far too few for a "billion laughs" file. */
export const MAX_YAML_ALIASES = 100;
const MAX_DEPTH = 64;


/**
 * YAML profile text → the same value a JSON profile gives, with the place of every JSON pointer. YAML 1.2's
 * core schema, so `on`, `yes` and `no` stay strings (as JSON would spell them) and no timestamp or merge key
 * (`<<`) changes a value behind the reader's back; one document only; keys are unique; aliases are bounded.
 */
export function parseYamlProfileText(text: string, file: string): ParsedProfile {
  const diagnostics: Diagnostic[] = [];
  const index = new LineIndex(text);
  const at = (offset: number, length: number) => index.place(offset, length);
  const places = new Map<string, Place>();
  const report = (code: Code, pointer: string, place: Place, message: string, severity: Severity = "error") => diagnostics.push({ code, severity, pointer, message, file, ...place });
  const locate = (pointer: string, key = false): Place => {
    const exact = places.get(key ? pointer + "#key" : pointer) ?? places.get(pointer);
    if (exact) return exact;
    const cut = pointer.lastIndexOf("/");
    return cut < 0 ? at(0, 1) : locate(pointer.slice(0, cut), true);
  };
  if (text.length > MAX_PROFILE_CHARS) {
    report("PROFILE_TOO_LARGE", "", at(0, 1), `the file has ${text.length} characters; a profile is at most ${MAX_PROFILE_CHARS}`);
    return { value: undefined, locate, diagnostics };
  }
  const doc = parseDocument(text, { version: "1.2", schema: "core", uniqueKeys: true, prettyErrors: false, strict: true, merge: false });
  for (const e of doc.errors) {
    const code: Code = e.code === "DUPLICATE_KEY" ? "DUPLICATE_KEY" : "YAML_SYNTAX";
    const message = e.code === "DUPLICATE_KEY" ? "a key appears twice in this mapping; keep one" : `invalid YAML: ${e.message.split("\n")[0]}`;
    report(code, "", at(e.pos[0], e.pos[1] - e.pos[0]), message);
  }
  for (const w of doc.warnings) report("YAML_SYNTAX", "", at(w.pos[0], w.pos[1] - w.pos[0]), `YAML: ${w.message.split("\n")[0]}`, "warning");
  if (doc.errors.length > 0) return { value: undefined, locate, diagnostics };
  if (doc.contents === null) {
    report("YAML_SYNTAX", "", at(0, 1), "the file is empty; a profile is a mapping of fields");
    return { value: undefined, locate, diagnostics };
  }
  let value: unknown;
  try {
    // the library bounds alias expansion (maxAliasCount) and resolves aliases; the walk below only places
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    report("YAML_SYNTAX", "", at(0, 1), `invalid YAML: ${(error as Error).message.split("\n")[0]}`);
    return { value: undefined, locate, diagnostics };
  }
  const rangeOf = (node: YamlNode) => at(node.range?.[0] ?? 0, (node.range?.[1] ?? 0) - (node.range?.[0] ?? 0));
  // Positions of what the text spells out; an alias is placed where it is written, not walked into.
  const walk = (node: unknown, pointer: string, depth: number) => {
    if (depth > MAX_DEPTH) {
      report("JSON_TOO_DEEP", pointer, rangeOf(node as YamlNode), `mappings and sequences are nested more than ${MAX_DEPTH} deep here`);
      return;
    }
    if (isAlias(node) || isScalar(node)) {
      places.set(pointer, rangeOf(node));
      if (isScalar(node)) checkScalar(node.value, pointer, rangeOf(node));
      return;
    }
    if (isMap(node)) {
      places.set(pointer, rangeOf(node));
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        if (!isScalar(key) || (typeof key.value !== "string" && typeof key.value !== "number" && typeof key.value !== "boolean")) {
          report("YAML_SYNTAX", pointer, key && typeof key === "object" && "range" in (key as object) ? rangeOf(key as YamlNode) : rangeOf(node), "a key must be plain text, as in JSON");
          continue;
        }
        const child = `${pointer}/${escapePointerToken(String(key.value))}`;
        places.set(child + "#key", rangeOf(key));
        if (pair.value === null) places.set(child, rangeOf(key));
        else walk(pair.value, child, depth + 1);
      }
      return;
    }
    if (isSeq(node)) {
      places.set(pointer, rangeOf(node));
      node.items.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1));
    }
  };
  const checkScalar = (v: unknown, pointer: string, place: Place) => {
    if (typeof v === "number" && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)))) {
      report("NUMBER_OUT_OF_RANGE", pointer, place, "the number cannot be represented exactly (finite, integers within ±2^53)");
    }
  };
  walk(doc.contents, "", 0);
  if (diagnostics.some((d) => d.severity === "error")) return { value: undefined, locate, diagnostics };
  return { value, locate, diagnostics };
}

/**
 * One top-level field of a YAML profile without parsing the whole file (a fleet's check reads every
 * profile's `extends` and `name` before checking it): the field's own lines, when the file is a plain block
 * mapping that writes the key once at the start of a line, are parsed alone. undefined when that shortcut
 * does not apply (flow style, a quoted key, an alias, the key twice or not at all): parse the whole file.
 */
export function quickYamlField(text: string, key: string): { value: unknown } | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const starts = (keyLines[key] ??= new RegExp(`^${key}[ \\t]*:(?:[ \\t]|$)`));
  const at = lines.flatMap((line, i) => (starts.test(line) ? [i] : []));
  // every line at the left margin a plain `key:` (or a list item under one): a block mapping whose keys are all in sight
  const plainBlock = lines.every((line) => !/^[^\s#-]/.test(line) || /^[A-Za-z_$][\w$.-]*[ \t]*:(\s|$)/.test(line)) && !lines.some((line, i) => i > 0 && /^(---|\.\.\.)(\s|$)/.test(line));
  if (at.length === 0 && plainBlock && !/^---/.test(text)) return { value: undefined };
  if (at.length !== 1 || !plainBlock) return undefined;
  let end = at[0] + 1;
  while (end < lines.length && /^(\s|-|#|$)/.test(lines[end]) && !/^(---|\.\.\.)(\s|$)/.test(lines[end])) end++;
  const snippet = lines.slice(at[0], end).join("\n");
  const simple = end === at[0] + 1 ? plainScalarOf(lines[at[0]].slice(lines[at[0]].indexOf(":") + 1)) : undefined;
  if (simple !== undefined) return { value: simple };
  if (/[&*!]/.test(snippet.replace(/#.*$/gm, "").replace(/"[^"]*"|'[^']*'/g, ""))) return undefined; // anchors, aliases, tags: the whole file decides
  try {
    const value = parse(snippet, { version: "1.2", schema: "core", uniqueKeys: true, prettyErrors: false }) as Record<string, unknown> | null;
    return value !== null && typeof value === "object" && key in value ? { value: value[key] } : undefined;
  } catch {
    return undefined;
  }
}

const keyLines: Record<string, RegExp> = {};

/**
 * The value of `key: value  # comment` when it is a string YAML 1.2's core schema cannot read as anything
 * else (a path, a name): letters, digits and . / _ - only, not null/true/false/.inf/.nan or a number. Else
 * undefined, and the yaml library reads it.
 */
function plainScalarOf(rest: string): string | undefined {
  const v = rest.replace(/\s#.*$/, "").trim();
  if (!/^[A-Za-z_./][\w./-]*$/.test(v)) return undefined;
  if (/^(null|Null|NULL|true|True|TRUE|false|False|FALSE)$/.test(v) || /^\.(inf|Inf|INF|nan|NaN|NAN|[0-9])/.test(v)) return undefined;
  return v;
}
