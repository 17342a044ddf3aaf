import { escapePointerToken } from "./parse.js";
import type { MergedProfile } from "./extends.js";

/**
 * `tke-cilium explain-profile`: the merged profile as YAML, each value followed by the file and line that set
 * it. Scalars and arrays are written as JSON (valid YAML flow), so nothing is re-quoted by this printer.
 */
export function explainProfileText(merged: MergedProfile): string {
  const lines: string[] = [`# merged from ${merged.files.join(", then ")}`];
  const where = (pointer: string) => {
    const place = merged.locate(pointer);
    return `${place.file}:${place.line}`;
  };
  const walk = (value: Record<string, unknown>, pointer: string, indent: string) => {
    const entries = Object.entries(value);
    const width = Math.max(0, ...entries.map(([k, v]) => (isObject(v) ? 0 : `${indent}${JSON.stringify(k)}: ${JSON.stringify(v)}`.length)));
    for (const [key, v] of entries) {
      const child = `${pointer}/${escapePointerToken(key)}`;
      const head = `${indent}${JSON.stringify(key)}:`;
      if (isObject(v) && Object.keys(v).length > 0) {
        lines.push(head);
        walk(v, child, `${indent}  `);
      } else lines.push(`${`${head} ${JSON.stringify(v)}`.padEnd(width)}  # ${where(child)}`);
    }
  };
  if (isObject(merged.value)) walk(merged.value, "", "");
  return lines.join("\n") + "\n";
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
