import { GENERATED_BY } from "../knowledge/bundle.js";
import type { Settings } from "../settings.js";
import daemonsetExistsText from "./daemonset-exists.sh.hbs?raw";

/** One file of a bundle: its path inside out/<name>/, its bytes as text, and its mode. */
export interface OutputFile {
  path: string;
  content: string;
  mode: 0o644 | 0o755;
}

/** Every emitter has this shape, so adding an output is one file plus one line in emit/index.ts. */
export type Emitter = (settings: Settings) => OutputFile[];

export const file = (path: string, content: string, mode: 0o644 | 0o755 = 0o644): OutputFile => ({ path, content, mode });

/** An object's metadata with the annotations derive set for its delivery phase (Argo CD's sync wave), if any. */
export const phasedMetadata = <T extends object>(metadata: T, annotations: Readonly<Record<string, string>>): T | (T & { annotations: Record<string, string> }) =>
  Object.keys(annotations).length === 0 ? metadata : { ...metadata, annotations: { ...annotations } };

/**
 * The first lines of every file: the tool, the profile and "do not edit"; no timestamp, so a render is
 * byte-identical wherever it runs. Characters that could end a comment line are shown escaped.
 */
export function headerLines(settings: Settings, purpose: string): string[] {
  const shown = commentPath(settings.profilePath);
  return [
    `${GENERATED_BY}${shown}. Do not edit: change the profile and run \`tke-cilium render\`.`,
    purpose,
  ];
}

/** A profile path as a comment line may hold it: as it is when plain, else quoted and escaped (a newline in a file name stays in the comment). */
export function commentPath(path: string): string {
  return /^[\w./@+-]+$/.test(path) ? path : quotedPath(path);
}

/**
 * The path commentPath wrote at the start of `text`, read back, when `then` follows it: the quoted form (JSON's
 * escapes, the only ones quotedPath writes), or the plain form (its last character may be the one `then`
 * starts with, as in "a.json. Do not edit"); null when neither is there.
 */
export function readCommentPath(text: string, then: string): string | null {
  const quoted = /^"(?:[^"\\]|\\["\\]|\\u[0-9a-f]{4})*"/.exec(text);
  if (quoted !== null) return text.startsWith(then, quoted[0].length) ? (JSON.parse(quoted[0]) as string) : null;
  const plain = /^[\w./@+-]+/.exec(text)?.[0] ?? "";
  for (let end = plain.length; end > 0; end--) if (text.startsWith(then, end)) return plain.slice(0, end);
  return null;
}

/**
 * A path in double quotes with every character a comment line of YAML, HCL or bash cannot hold written as
 * \uXXXX: controls (C0, DEL, C1), line and paragraph separators, bidirectional marks, non-characters and
 * lone surrogates, besides the quote and the backslash.
 */
function quotedPath(path: string): string {
  const unsafe = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  return `"${path.replace(unsafe, (c) => (c === '"' || c === "\\" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`))}"`;
}

/** The helper both scripts' preludes define (install.sh switches DaemonSets off with it, uninstall.sh back on): one text for both. */
export const DAEMONSET_EXISTS = daemonsetExistsText.replace(/\n$/, "");
