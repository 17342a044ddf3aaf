import { ALL_CODES, findCode } from "./rules/codes.js";
import { SECURITY_GROUP_PORTS } from "./knowledge/features.js";

/** `tke-cilium rules`: one line a code. */
export function rulesText(): string {
  const width = Math.max(...ALL_CODES.map((r) => r.code.length));
  const lines = ALL_CODES.map((r) => `${r.code.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.title}`);
  return [...lines, "", "Run tke-cilium explain CODE for the why and the fix; tke-cilium explain ports for the nodes' security group."].join("\n") + "\n";
}

/** Topics `tke-cilium explain` answers besides the codes. */
const TOPICS: Readonly<Record<string, { title: string; lines: readonly string[] }>> = {
  ports: { title: "what the nodes' security group must allow, per mode", lines: SECURITY_GROUP_PORTS },
};

/** `tke-cilium explain CODE` (or a topic: ports); null when there is no such code. */
export function explainText(code: string): string | null {
  const topic = TOPICS[code.toLowerCase()];
  if (topic) return [`${code.toLowerCase()}: ${topic.title}`, "", ...topic.lines.flatMap((l) => wrap(`- ${l}`, 100))].join("\n") + "\n";
  const rule = findCode(code.toUpperCase());
  if (!rule) return null;
  return [`${rule.code} (${rule.severity}): ${rule.title}`, "", ...wrap(rule.explanation, 100), "", `Source: ${rule.source}`].join("\n") + "\n";
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}
