/**
 * A small writer for the HCL subset the bundle needs, in `terraform fmt` layout: two-space indents,
 * `=` aligned across consecutive single-line attributes, one blank line before each nested block.
 */
export type HclValue = string | number | boolean | readonly string[] | HclExpression;

/** Raw HCL expression text (a reference, a function call), written as is. */
export interface HclExpression {
  expression: string;
}

export interface HclAttribute {
  kind: "attribute";
  name: string;
  value: HclValue;
}

export interface HclBlock {
  kind: "block";
  type: string;
  labels: readonly string[];
  body: readonly HclItem[];
  /** Comment lines written above the block. */
  comment?: readonly string[];
}

export type HclItem = HclAttribute | HclBlock;

export const attr = (name: string, value: HclValue): HclAttribute => ({ kind: "attribute", name, value });
export const block = (type: string, labels: readonly string[], body: readonly HclItem[], comment?: readonly string[]): HclBlock => ({
  kind: "block",
  type,
  labels,
  body,
  comment,
});
export const expr = (expression: string): HclExpression => ({ expression });

const HCL_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * An HCL quoted string: quotes, backslashes and control characters escaped, and `${` / `%{` doubled so a
 * value can never become an interpolation or a template directive.
 */
export function hcl(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/["\\\u0000-\u001f\u007f]/g, (c) => HCL_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `"${escaped.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{")}"`;
}

function valueText(value: HclValue): string {
  if (typeof value === "string") return hcl(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v: string) => hcl(v)).join(", ")}]`;
  return (value as HclExpression).expression;
}

/** Top-level blocks separated by blank lines. */
export function writeHcl(header: readonly string[], blocks: readonly HclBlock[]): string {
  return hclFile(header, hclBody(blocks));
}

/** writeHcl's text without a header ("\n" alone without blocks): a caller may keep it for files that differ only in their header. */
export function hclBody(blocks: readonly HclBlock[]): string {
  const lines: string[] = [];
  blocks.forEach((b, i) => {
    if (i > 0) lines.push("");
    lines.push(...blockLines(b, ""));
  });
  return lines.join("\n") + "\n";
}

/** A header's comment lines above an hclBody's text, a blank line between them when there are blocks. */
export function hclFile(header: readonly string[], body: string): string {
  if (header.length === 0) return body;
  const comments = header.map((line) => (line === "" ? "#" : `# ${line}`)).join("\n") + "\n";
  return body === "\n" ? comments : comments + "\n" + body;
}

function blockLines(b: HclBlock, indent: string): string[] {
  const labels = b.labels.map((label) => ` ${hcl(label)}`).join("");
  const out = (b.comment ?? []).map((line) => `${indent}# ${line}`);
  out.push(`${indent}${b.type}${labels} {`);
  out.push(...bodyLines(b.body, indent + "  "));
  out.push(`${indent}}`);
  return out;
}

function bodyLines(items: readonly HclItem[], indent: string): string[] {
  const out: string[] = [];
  let run: HclAttribute[] = [];
  const flush = () => {
    const width = Math.max(...run.map((a) => a.name.length));
    for (const a of run) out.push(`${indent}${a.name.padEnd(width)} = ${valueText(a.value)}`);
    run = [];
  };
  for (const item of items) {
    if (item.kind === "attribute") {
      run.push(item);
      continue;
    }
    if (run.length > 0) flush();
    if (out.length > 0) out.push("");
    out.push(...blockLines(item, indent));
  }
  if (run.length > 0) {
    if (out.length > 0 && items[items.length - run.length - 1]?.kind === "block") out.push("");
    flush();
  }
  return out;
}
