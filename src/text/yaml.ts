import { Document, Pair, Scalar, YAMLMap, isMap, isScalar, visit } from "yaml";

/** YAML 1.1 so that strings like on, yes, ~ and 1.10 get quoted for every consumer (Helm's parser is YAML 1.1). */
const DOC_OPTIONS = { version: "1.1" } as const;
const TO_STRING = { lineWidth: 0, indentSeq: false } as const;

export interface CommentedValue {
  path: readonly string[];
  value: unknown;
  /** One line written above the value's key. */
  comment: string;
}

/**
 * Characters a YAML 1.1 reader (Helm's go-yaml) treats as line breaks, and invisible ones that change how a
 * line reads in review (bidirectional overrides, BOM). yaml writes them raw even inside double quotes, so
 * every scalar holding one is double-quoted and the characters are then spelt as escapes.
 */
const UNSAFE_RAW = /[\u0085\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const UNSAFE_RAW_ALL = new RegExp(UNSAFE_RAW.source, "g");

function toYamlText(doc: Document): string {
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === "string" && UNSAFE_RAW.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // Every such character now sits inside a double-quoted scalar, where \uXXXX is an escape.
  return doc.toString(TO_STRING).replace(UNSAFE_RAW_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

/** Nested values with a comment above each, keys in the order given. */
export function commentedValuesToYaml(header: readonly string[], values: readonly CommentedValue[]): string {
  const doc = new Document({}, DOC_OPTIONS);
  const root = doc.contents as unknown as YAMLMap;
  for (const { path, value, comment } of values) {
    let map = root;
    for (const key of path.slice(0, -1)) map = childMap(doc, map, key);
    const keyNode = new Scalar(path[path.length - 1]);
    keyNode.commentBefore = commentText(comment);
    map.items.push(new Pair(keyNode, doc.createNode(value)));
  }
  doc.commentBefore = commentText(header.join("\n"));
  return toYamlText(doc);
}

function childMap(doc: Document, map: YAMLMap, key: string): YAMLMap {
  const existing = map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
  if (existing && isMap(existing.value)) return existing.value;
  if (existing) throw new Error(`bug: ${key} is both a value and a map`);
  const child = new YAMLMap(doc.schema);
  map.items.push(new Pair(new Scalar(key), child));
  return child;
}

/** Kubernetes objects, one YAML document each, the header above the first. */
export function manifestsToYaml(header: readonly string[], objects: readonly unknown[], comments: ReadonlyMap<string, string> = new Map()): string {
  return objects
    .map((object, i) => {
      const doc = new Document(object, DOC_OPTIONS);
      if (i === 0) doc.commentBefore = commentText(header.join("\n"));
      for (const [dotted, comment] of comments) attachComment(doc, dotted.split("."), comment, i);
      return toYamlText(doc);
    })
    .join("---\n");
}

/** Comments keyed "<docIndex>:a.b.c" are placed above key c of document docIndex. */
function attachComment(doc: Document, path: string[], comment: string, index: number): void {
  const [docIndex, ...first] = path[0].split(":");
  if (Number(docIndex) !== index) return;
  const keys = [first.join(":"), ...path.slice(1)];
  const node = doc.getIn(keys.slice(0, -1), true);
  if (!isMap(node)) throw new Error(`bug: no map at ${keys.join(".")}`);
  const pair = node.items.find((item) => isScalar(item.key) && item.key.value === keys[keys.length - 1]);
  if (!pair || !isScalar(pair.key)) throw new Error(`bug: no key at ${keys.join(".")}`);
  pair.key.commentBefore = commentText(comment);
}

/** A multi-line string written as a literal block (|-), e.g. JSON inside a ConfigMap. */
export function literalBlock(text: string): Scalar {
  const scalar = new Scalar(text);
  scalar.type = Scalar.BLOCK_LITERAL;
  return scalar;
}

/** yaml prefixes each comment line with "#"; a leading space gives "# text". */
function commentText(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? "" : " " + line))
    .join("\n");
}
