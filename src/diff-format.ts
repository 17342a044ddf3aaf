import { createTwoFilesPatch } from "diff";
import type { Drift } from "./diff.js";

/**
 * A unified diff from what is on disk (a/) to what the profile renders (b/), so applying it — or running
 * render — brings the folder up to date.
 */
export function formatDrift(drift: Drift, folder: string): string {
  const where = `${folder}/${drift.path}`;
  if (drift.kind === "not a regular file") {
    return `--- a/${where}\n+++ b/${where}\nnot a regular file: ${drift.actual}; tke-cilium does not read it. Remove it, then run tke-cilium render\n`;
  }
  if (drift.kind === "changed" && drift.actual !== null && drift.actual.includes("\r\n") && drift.actual.replace(/\r\n/g, "\n") === drift.expected) {
    return `--- a/${where}\n+++ b/${where}\nline endings: the file has CRLF line endings where tke-cilium writes LF, probably converted on checkout by .gitattributes (eol=crlf, text=auto) or core.autocrlf. Add "${folder.split("/")[0]}/** -text" to .gitattributes, then run tke-cilium render\n`;
  }
  if (drift.kind === "mode") return `--- a/${where}\n+++ b/${where}\nmode: the file must be ${drift.expected === null ? "" : "executable"} (chmod +x)\n`;
  const from = drift.actual === null ? "/dev/null" : `a/${where}`;
  const to = drift.expected === null ? "/dev/null" : `b/${where}`;
  const patch = createTwoFilesPatch(from, to, drift.actual ?? "", drift.expected ?? "", undefined, undefined, { context: 3 });
  // createTwoFilesPatch starts with an "Index:"-less "===" line; keep only the standard unified header and hunks.
  return patch.split("\n").filter((line) => !line.startsWith("===")).join("\n");
}
