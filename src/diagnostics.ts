/** A user-facing finding about a profile: located, coded, collected (never thrown). */
export type Severity = "error" | "warning";

export interface Diagnostic {
  code: string;
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
  const head = `${where} ${d.severity} ${d.code} ${pointer}: ${d.message}`;
  const hint = `  = help: tke-cilium explain ${d.code}`;
  if (source === undefined || d.line === 0) return `${head}\n${hint}`;
  const text = sourceLine(source, d.line);
  if (text === undefined) return `${head}\n${hint}`;
  const gutter = String(d.line);
  const pad = " ".repeat(gutter.length);
  const start = Math.min(d.col - 1, text.length);
  const width = Math.max(1, Math.min(d.length, text.length - start));
  return [
    head,
    ` ${gutter} | ${printable(text)}`,
    ` ${pad} | ${" ".repeat(start)}${"^".repeat(width)}`,
    hint,
  ].join("\n");
}

function sourceLine(source: string, line: number): string | undefined {
  const lines = source.split(/\r\n|\r|\n/);
  return lines[line - 1];
}

/** Control characters would move the terminal cursor; show them as escapes of the same width. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029\u200e\u200f\u202a-\u202e]/g, "?").replace(/\t/g, " ");
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
