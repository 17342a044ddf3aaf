import type { Diagnostic } from "./diagnostics.js";
import type { DriftKind } from "./diff.js";
import { terminalLine } from "./text/terminal.js";

/** What render did to one bundle. */
export interface WrittenRow {
  profile: string;
  folder: string;
  files: number;
  status: "new" | "updated" | "unchanged" | "refused";
  changed: number;
  /** Why a bundle was refused. */
  reason?: string;
}

/** render's table: one row a profile, columns aligned. */
export function writtenTable(rows: readonly WrittenRow[]): string {
  // profile and folder names come from the disk (a pull request names the files): escaped for the terminal
  const cells = rows.map((r) => [terminalLine(r.profile), terminalLine(`${r.folder}/`), String(r.files), r.status === "updated" ? `updated (${r.changed} files)` : r.status]);
  const all = [["profile", "bundle", "files", "status"], ...cells];
  const widths = all[0].map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n") + "\n";
}

/** One drifted bundle, as check reports it. */
export interface DriftReport {
  profile: string;
  name: string;
  folder: string;
  files: { path: string; kind: DriftKind; diff: string }[];
}

/** check's last line: "3 profiles, 1 drifted: prod (tke-values.yaml changed)". */
export function driftSummary(profiles: number, drifted: readonly DriftReport[]): string {
  const head = `${profiles} profile${profiles === 1 ? "" : "s"}, ${drifted.length} drifted`;
  if (drifted.length === 0) return head;
  return `${head}: ${drifted.map((d) => `${d.name} (${d.files.map((f) => `${f.path} ${f.kind}`).join(", ")})`).join("; ")}`;
}

/** Bundle folders that none of the run's profiles renders: one line, a warning (an error with --strict). */
export function orphanWarning(out: string, orphans: readonly string[], strict: boolean): string {
  const which = orphans.map((name) => `${out}/${name}/`).join(", ");
  const what = orphans.length === 1 ? "a bundle that none of these profiles renders" : `${orphans.length} bundles that none of these profiles renders`;
  const advice = orphans.length === 1 ? "A deleted or renamed cluster? Remove the folder, or pass its profile too." : "Deleted or renamed clusters? Remove the folders, or pass their profiles too.";
  return `${strict ? "error" : "warning"}: ${what}: ${which}. ${advice}`;
}

const ANSI = { red: "\u001b[31m", green: "\u001b[32m", cyan: "\u001b[36m", bold: "\u001b[1m", reset: "\u001b[0m" };

/** A unified diff with the usual terminal colours: headers bold, hunks cyan, removals red, additions green. */
export function colorDiff(diff: string): string {
  return diff
    .split("\n")
    .map((line) => {
      if (line.startsWith("--- ") || line.startsWith("+++ ")) return `${ANSI.bold}${line}${ANSI.reset}`;
      if (line.startsWith("@@")) return `${ANSI.cyan}${line}${ANSI.reset}`;
      if (line.startsWith("-")) return `${ANSI.red}${line}${ANSI.reset}`;
      if (line.startsWith("+")) return `${ANSI.green}${line}${ANSI.reset}`;
      return line;
    })
    .join("\n");
}

/** Diagnostics as JSON for CI annotations: file, line, col, severity, code, pointer, message. */
export function diagnosticsJson(diagnostics: readonly Diagnostic[]): object[] {
  return diagnostics.map((d) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity, code: d.code, pointer: d.pointer, message: d.message, ...(d.suggestion === undefined ? {} : { suggestion: d.suggestion }) }));
}
