import type { Code } from "./rules/codes.js";
import type { Severity } from "./rules/code-entry.js";

export type { Severity };

/** A user-facing finding about a profile: located, coded, collected (never thrown). */
export interface Diagnostic {
  code: Code;
  severity: Severity;
  /** JSON pointer of the offending value ("" for the whole document). */
  pointer: string;
  message: string;
  file: string;
  /** 1-based; 0 when the finding has no place in the text (e.g. a missing file). */
  line: number;
  col: number;
  /** Number of characters to underline from col (at least 1). */
  length: number;
  /** What to write instead, when the rule knows it (a field or key name, a value): --json carries it. */
  suggestion?: string;
}

export const isError = (d: Diagnostic): boolean => d.severity === "error";

/** Failing diagnostics: errors, and warnings too when strict. */
export function failing(diagnostics: readonly Diagnostic[], strict = false): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error" || strict);
}

/**
 * `file:line:col severity CODE /pointer: message`, then the source line and a caret under the value,
 * as compilers print them. `source` is the profile text, when there is one.
 */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const pointer = d.pointer === "" ? "/" : d.pointer;
  const head = `${printable(where)} ${d.severity} ${d.code} ${printable(pointer)}: ${printable(d.message)}`;
  const hint = `  = help: tke-cilium explain ${d.code}`;
  if (source === undefined || d.line === 0) return `${head}\n${hint}`;
  const text = sourceLine(source, d.line);
  if (text === undefined) return `${head}\n${hint}`;
  const gutter = String(d.line);
  const pad = " ".repeat(gutter.length);
  // Long lines (minified JSON) are shown as a window around the column, marked with "...".
  const from = text.length > MAX_SHOWN ? Math.max(0, Math.min(d.col - 1 - 20, text.length - MAX_SHOWN)) : 0;
  const shown = text.slice(from, from + MAX_SHOWN);
  const prefix = from > 0 ? "..." : "";
  const suffix = from + MAX_SHOWN < text.length ? "..." : "";
  const start = Math.min(d.col - 1 - from, shown.length) + prefix.length;
  const width = Math.max(1, Math.min(d.length, shown.length + prefix.length - start));
  return [head, ` ${gutter} | ${prefix}${printable(shown)}${suffix}`, ` ${pad} | ${" ".repeat(start)}${"^".repeat(width)}`, hint].join("\n");
}

/** Characters of a source line shown under a diagnostic. */
const MAX_SHOWN = 100;

/** The line index of the last source shown: one per file, however many diagnostics it has (20,000 would otherwise split it 20,000 times). */
let indexed: { source: string; index: LineIndex } | null = null;

function sourceLine(source: string, line: number): string | undefined {
  if (indexed === null || indexed.source !== source) indexed = { source, index: new LineIndex(source) };
  return indexed.index.lineText(source, line);
}

/**
 * Profile text printed to a terminal: control characters (escape sequences!), line separators and
 * bidirectional overrides are shown as "?" so a hostile profile cannot rewrite the screen or reorder the
 * line. One character each, so the caret below still lines up.
 */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "?").replace(/\t/g, " ");
}

/** A position in the profile text, resolved to 1-based line and column. */
export interface Place {
  line: number;
  col: number;
  length: number;
}

/** Offsets → 1-based line/col, computed once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }
  /** Line `line` (1-based) of `text`, the text this index was built from, without its line break. */
  lineText(text: string, line: number): string | undefined {
    if (line < 1 || line > this.starts.length) return undefined;
    const end = line < this.starts.length ? this.starts[line] : text.length;
    return text.slice(this.starts[line - 1], end).replace(/\r?\n$|\r$/, "");
  }
  place(offset: number, length: number): Place {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo] + 1, length: Math.max(1, length) };
  }
}
