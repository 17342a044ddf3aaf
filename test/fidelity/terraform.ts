// Terraform fidelity: HashiCorp's HCL parser (@cdktf/hcl2json) reads every file, and every argument and
// block is held against the provider's argument reference (known names, required arguments).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { ROOT } from "../helpers.js";

interface BlockDoc {
  args: Map<string, { required: boolean }>;
}

/** resource type → "" (the resource) or "block" / "block<parent" → its arguments. */
type ResourceDoc = Map<string, BlockDoc>;

const DOCS: Record<string, string> = {
  tencentcloud_kubernetes_cluster: "kubernetes_cluster.html.markdown",
  tencentcloud_kubernetes_native_node_pool: "kubernetes_native_node_pool.html.markdown",
  tencentcloud_kubernetes_node_pool: "kubernetes_node_pool.html.markdown",
};

function parseDoc(markdown: string): ResourceDoc {
  const doc: ResourceDoc = new Map();
  const section = markdown.slice(markdown.indexOf("## Argument Reference"), markdown.indexOf("## Attributes Reference"));
  let current: BlockDoc = { args: new Map() };
  doc.set("", current);
  for (const line of section.split("\n")) {
    const block = /^The `(\w+)` object(?: of `(\w+)`)? supports the following:/.exec(line);
    if (block) {
      current = doc.get(block[2] ? `${block[1]}<${block[2]}` : block[1]) ?? { args: new Map() };
      doc.set(block[2] ? `${block[1]}<${block[2]}` : block[1], current);
      continue;
    }
    const arg = /^\* `(\w+)` - \((Required|Optional)/.exec(line);
    if (arg) current.args.set(arg[1], { required: arg[2] === "Required" });
  }
  return doc;
}

const RESOURCE_DOCS = new Map(Object.entries(DOCS).map(([type, file]) => [type, parseDoc(readFileSync(join(ROOT, "test/fixtures/terraform", file), "utf8"))]));

export async function parseHcl(name: string, text: string): Promise<Record<string, unknown>> {
  return (await parse(name, text)) as Record<string, unknown>;
}

const isBlockList = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x));

function checkBody(doc: ResourceDoc, key: string, parent: string | null, body: Record<string, unknown>, where: string, problems: string[]): void {
  const block = doc.get(key === "" ? "" : parent ? `${key}<${parent}` : key) ?? doc.get(key);
  if (!block) {
    problems.push(`${where}: the provider documents no block ${key}`);
    return;
  }
  for (const [name, spec] of block.args) if (spec.required && !(name in body)) problems.push(`${where}: required argument ${name} is missing`);
  for (const [name, value] of Object.entries(body)) {
    if (!block.args.has(name)) {
      problems.push(`${where}: unknown argument ${name}`);
      continue;
    }
    if (isBlockList(value)) value.forEach((b, i) => checkBody(doc, name, key === "" ? null : key, b, `${where}.${name}[${i}]`, problems));
  }
}

/** Problems of a whole module (every .tf of the bundle); empty when the provider would accept it. */
export async function terraformProblems(files: { path: string; content: string }[]): Promise<string[]> {
  const problems: string[] = [];
  const parsed = await Promise.all(files.map(async (f) => ({ path: f.path, json: await parseHcl(f.path, f.content) })));
  const declared = new Set<string>();
  const used = new Set<string>();
  for (const { path, json } of parsed) {
    for (const name of Object.keys((json.variable as Record<string, unknown>) ?? {})) declared.add(name);
    for (const m of JSON.stringify(json).matchAll(/\$\{var\.(\w+)/g)) used.add(m[1]);
    for (const [type, byName] of Object.entries((json.resource as Record<string, Record<string, Record<string, unknown>[]>>) ?? {})) {
      const doc = RESOURCE_DOCS.get(type);
      if (!doc) {
        problems.push(`${path}: resource type ${type} is not one the bundle should write`);
        continue;
      }
      for (const [name, bodies] of Object.entries(byName)) bodies.forEach((b) => checkBody(doc, "", null, b, `${path}: ${type}.${name}`, problems));
    }
  }
  for (const v of used) if (!declared.has(v)) problems.push(`var.${v} is used but not declared`);
  for (const v of declared) if (!used.has(v)) problems.push(`variable ${v} is declared but never used`);
  return problems;
}

/**
 * terraform fmt's layout, checked without terraform: two-space indents, and `=` aligned (one space after the
 * longest name) across each run of consecutive single-line attributes.
 */
export function fmtProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  let run: { line: number; indent: number; name: number; eq: number }[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const want = Math.max(...run.map((r) => r.name)) + 1;
    for (const r of run) if (r.eq - r.indent !== want) problems.push(`line ${r.line}: '=' at column ${r.eq + 1}, terraform fmt puts it at ${r.indent + want + 1}`);
    run = [];
  };
  lines.forEach((line, i) => {
    const m = /^( *)([\w-]+)( *)= /.exec(line);
    const indent = line.length - line.trimStart().length;
    if (indent % 2 !== 0) problems.push(`line ${i + 1}: indent of ${indent} spaces`);
    if (/\s+$/.test(line)) problems.push(`line ${i + 1}: trailing white space`);
    if (m && !line.trimEnd().endsWith("{") && !line.trimEnd().endsWith("[")) {
      if (run.length > 0 && run[0].indent !== m[1].length) flush();
      run.push({ line: i + 1, indent: m[1].length, name: m[2].length, eq: m[1].length + m[2].length + m[3].length });
    } else flush();
  });
  flush();
  return problems;
}
