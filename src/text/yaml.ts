// The YAML writer for the bundle's values files and manifests. It writes only what tke-cilium emits (block
// maps, block sequences, scalars, literal blocks and comments above keys) and decides quoting by itself,
// which costs a fraction of building a yaml Document on every render. test/yaml-writer.test.ts holds it to
// the yaml library: every value reads back identical under YAML 1.1 and 1.2, and it never writes plain a
// string that yaml would quote.

export interface CommentedValue {
  path: readonly string[];
  value: unknown;
  /** One line written above the value's key. */
  comment: string;
}

/** A multi-line string written as a literal block (|-), e.g. JSON inside a ConfigMap. */
export class LiteralBlock {
  constructor(readonly text: string) {}
}

export function literalBlock(text: string): LiteralBlock {
  return new LiteralBlock(text);
}

/** A map whose keys may carry a comment; values are plain data, LiteralBlocks or other CommentedMaps. */
class CommentedMap {
  readonly entries = new Map<string, { value: unknown; comment?: string }>();

  static of(object: Record<string, unknown>): CommentedMap {
    const map = new CommentedMap();
    for (const key of Object.keys(object)) map.entries.set(key, { value: object[key] });
    return map;
  }

  /** The map under `key`; an object value there becomes a CommentedMap, a missing one is created when asked. */
  child(key: string, create: boolean): CommentedMap | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      if (!create) return undefined;
      const child = new CommentedMap();
      this.entries.set(key, { value: child });
      return child;
    }
    if (entry.value instanceof CommentedMap) return entry.value;
    if (!isPlainObject(entry.value)) return undefined;
    entry.value = CommentedMap.of(entry.value as Record<string, unknown>);
    return entry.value as CommentedMap;
  }
}

/** Nested values with a comment above each, keys in the order given. */
export function commentedValuesToYaml(header: readonly string[], values: readonly CommentedValue[]): string {
  const root = new CommentedMap();
  for (const { path, value, comment } of values) {
    let map = root;
    for (const key of path.slice(0, -1)) {
      const child = map.child(key, true);
      if (child === undefined) throw new Error(`bug: ${key} is both a value and a map`);
      map = child;
    }
    map.entries.set(path[path.length - 1], { value, comment });
  }
  return document(header, root);
}

/** Kubernetes objects, one YAML document each, the header above the first. Comments keyed "<docIndex>:a.b.c" go above key c of that document. */
export function manifestsToYaml(header: readonly string[], objects: readonly unknown[], comments: ReadonlyMap<string, string> = new Map()): string {
  return objects
    .map((object, index) => {
      let root: unknown = object;
      for (const [dotted, comment] of comments) {
        const [docIndex, ...first] = dotted.split(":");
        if (Number(docIndex) !== index) continue;
        const keys = first.join(":").split(".");
        if (!(root instanceof CommentedMap)) root = CommentedMap.of(root as Record<string, unknown>);
        let map = root as CommentedMap;
        for (const key of keys.slice(0, -1)) {
          const child = map.child(key, false);
          if (child === undefined) throw new Error(`bug: no map at ${keys.join(".")}`);
          map = child;
        }
        const entry = map.entries.get(keys[keys.length - 1]);
        if (entry === undefined) throw new Error(`bug: no key at ${keys.join(".")}`);
        entry.comment = comment;
      }
      return document(index === 0 ? header : [], root);
    })
    .join("---\n");
}

function document(header: readonly string[], root: unknown): string {
  const out: string[] = [];
  if (isCollection(root) && !isEmpty(root)) block(out, root, "");
  else out.push(inline(root));
  return yamlHeader(header) + out.join("\n") + "\n";
}

/**
 * The header the writers put above a file's first document: each line a comment, then an empty line (nothing
 * without one). manifestsToYaml(header, ...) is yamlHeader(header) + manifestsToYaml([], ...): a caller that
 * writes the same objects under many headers may keep the second part.
 */
export function yamlHeader(header: readonly string[]): string {
  if (header.length === 0) return "";
  let out = "";
  for (const line of header.join("\n").split("\n")) out += commentLine("", line) + "\n";
  return out + "\n";
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof LiteralBlock) && !(value instanceof CommentedMap);
}

const isCollection = (value: unknown): boolean => Array.isArray(value) || isPlainObject(value) || value instanceof CommentedMap;

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof CommentedMap) {
    for (const entry of value.entries.values()) if (entry.value !== undefined) return false;
    return true;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) if (object[key] !== undefined) return false;
  return true;
}

/** A non-empty map or sequence as block lines at `indent`. */
function block(out: string[], value: unknown, indent: string): void {
  if (Array.isArray(value)) {
    for (const item of value) seqItem(out, item === undefined ? null : item, indent);
  } else if (value instanceof CommentedMap) {
    for (const [key, entry] of value.entries) if (entry.value !== undefined) mapEntry(out, key, entry.value, entry.comment, indent);
  } else {
    // keys whose value is undefined are left out, as JSON does
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) if (object[key] !== undefined) mapEntry(out, key, object[key], undefined, indent);
  }
}

function mapEntry(out: string[], key: string, item: unknown, comment: string | undefined, indent: string): void {
  if (comment !== undefined) for (const line of comment.split("\n")) out.push(commentLine(indent, line));
  const k = scalarText(key);
  // YAML caps an implicit key at 1024 characters; a longer one is written as an explicit "? key"
  const head = k.length > 1024 ? `${indent}? ${k}\n${indent}:` : `${indent}${k}:`;
  if (item instanceof LiteralBlock && literalFits(item.text)) {
    out.push(`${head} ${literalHeader(item.text)}`);
    literalLines(out, item.text, indent + "  ");
  } else if (isCollection(item) && !isEmpty(item)) {
    out.push(head);
    // sequences under a key sit at the key's own indentation (kubectl's style)
    block(out, item, Array.isArray(item) ? indent : indent + "  ");
  } else {
    out.push(`${head} ${inline(item)}`);
  }
}

function seqItem(out: string[], item: unknown, indent: string): void {
  if (item instanceof LiteralBlock && literalFits(item.text)) {
    out.push(`${indent}- ${literalHeader(item.text)}`);
    literalLines(out, item.text, indent + "  ");
  } else if (isCollection(item) && !isEmpty(item)) {
    // the item's first line shares the "- " with it
    const start = out.length;
    block(out, item, indent + "  ");
    out[start] = `${indent}- ${out[start].slice(indent.length + 2)}`;
  } else {
    out.push(`${indent}- ${inline(item)}`);
  }
}

/** A value on one line: a scalar, or an empty map or sequence. */
function inline(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return ".nan";
    if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (typeof value === "string") return scalarText(value);
  if (value instanceof LiteralBlock) return scalarText(value.text);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
  } else if (typeof value === "object" && isEmpty(value)) return "{}";
  throw new Error(`bug: ${typeof value} cannot be written on one line`);
}

// ---- scalars

/** Characters a YAML 1.1 reader (Helm's) takes as line breaks, and invisible ones that change how a line reads in review. */
const UNSAFE = /[\u0085\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
/** Everything a double-quoted scalar must spell as an escape beyond what JSON.stringify escapes. */
const ESCAPE_MORE = /[\u007f-\u009f\u00a0\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g;

/**
 * Plain when nothing can read it as anything but this string: a conservative character set (no YAML
 * indicator, no "#", no ": "), nothing that resolves to a bool, null, number or timestamp under YAML 1.1
 * (go-yaml, Helm) or 1.2, and nothing a reviewer could misread.
 */
const PLAIN_ASCII = /^[\w./][\w./:@%+=~()^$ -]*$/;
const PLAIN = /^[\w./][\w./:@%+=~()^$ \u{a1}-\u{2027}\u{202a}-\u{d7ff}\u{e000}-\u{fffd}\u{10000}-\u{10ffff}-]*$/u;
const PLAIN_NOT = /: |:$| $|^\.\./;
const KEYWORDS = new Set(["y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"]);
const NUMBER_FORMS = [
  /^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9_]*)?$/, // 1, 1_000, 1.5, 1., 1e5, 0777
  /^[-+]?[0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9_]*)?$/, // .5, "." and "_." (YAML 1.1's float needs no digit)
  /^[-+]?[0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/, // e0, E+1 (nor before its exponent)
  /^[-+]?0[bBoOxX][0-9a-fA-F_.pP+-]*$/, // 0b1, 0o7, 0x1F, hex floats
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/, // sexagesimal 1:30, 190:20:30.15
  /^[-+]?\.?(?:inf|infinity|nan)$/i,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ]|$)/, // timestamps
];
const NUMBER_LIKE = new RegExp(NUMBER_FORMS.map((re) => `(?:${re.source})`).join("|"), "i");

/**
 * A string as a plain or double-quoted scalar. The keys and most values of a fleet's bundles recur from one
 * profile to the next: each short one is worked out once (up to SCALARS_KEPT of them; then the memo starts afresh).
 */
export function scalarText(text: string): string {
  if (text.length > SCALAR_KEPT_LENGTH) return scalarOf(text);
  let out = scalars.get(text);
  if (out === undefined) {
    if (scalars.size >= SCALARS_KEPT) scalars.clear();
    scalars.set(text, (out = scalarOf(text)));
  }
  return out;
}

function scalarOf(text: string): string {
  const plain = PLAIN_ASCII.test(text) || (PLAIN.test(text) && !UNSAFE.test(text));
  return plain && !PLAIN_NOT.test(text) && !KEYWORDS.has(text.toLowerCase()) && !NUMBER_LIKE.test(text) ? text : doubleQuoted(text);
}

/** The memo holds short strings only (keys, names, addresses, versions), so it stays well under a megabyte. */
const SCALARS_KEPT = 20_000;
const SCALAR_KEPT_LENGTH = 120;
const scalars = new Map<string, string>();

/** JSON's string escapes are all valid YAML escapes; YAML needs a few more (line breaks, C1 controls, invisible marks). */
function doubleQuoted(text: string): string {
  return JSON.stringify(text).replace(ESCAPE_MORE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

// ---- literal blocks

/**
 * A literal block keeps text exactly only when it is printable, its first line does not start with white space
 * (that would set the indentation) and no line ends in white space (a line of spaces reads back empty).
 */
function literalFits(text: string): boolean {
  return /^[^\s]/.test(text) && !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]/.test(text) && !UNSAFE.test(text) && !/[ \t]\n|[ \t]$/.test(text);
}

/** |- without a final line break, | with one, |+ with more. */
function literalHeader(text: string): string {
  if (!text.endsWith("\n")) return "|-";
  return text.endsWith("\n\n") ? "|+" : "|";
}

function literalLines(out: string[], text: string, indent: string): void {
  // the last line break is the header's to keep (| or |+); the lines before it are the content
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  for (const line of body.split("\n")) out.push(line === "" ? "" : indent + line);
}

// ---- comments

/** "# text" at `indent`; a character that would end the comment line early is shown as "?". */
function commentLine(indent: string, text: string): string {
  const safe = text.replace(/[\r\u0085\u2028\u2029]/g, "?");
  return safe === "" ? `${indent}#` : `${indent}# ${safe}`;
}
