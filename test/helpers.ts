import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { renderProfile, type RenderResult } from "../src/pipeline.js";
import type { OutputFile } from "../src/emit/index.js";

export const ROOT = join(import.meta.dirname, "..");

/** A profile rendered from its file in the repository, with the path relative to the repository root. */
export function renderFile(relPath: string): RenderResult {
  return renderProfile({ path: relPath, text: readFileSync(join(ROOT, relPath), "utf8") });
}

/** Renders a profile given as an object (JSON-serialised as a user would write it). */
export function renderObject(profile: unknown, path = "test/profile.json"): RenderResult {
  return renderProfile({ path, text: JSON.stringify(profile, null, 2) + "\n" });
}

/** presets/*.json, then the Cluster Mesh's presets/mesh/*.json. */
export const presetPaths = (): string[] =>
  ["presets", "presets/mesh"].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => `${dir}/${f}`),
  );

export const goldenCases = (): string[] =>
  readdirSync(join(ROOT, "test/golden"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, "test/golden", d.name, "profile.json")))
    .map((d) => d.name)
    .sort();

/** The JSON equivalents of presets/fleet/ (one YAML base, per-cluster YAML files): the same bundles, held to the same checks. */
export const fleetEquivalentPaths = (): string[] =>
  readdirSync(join(ROOT, "test/fixtures/fleet-json"))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => `test/fixtures/fleet-json/${f}`);

/** Every preset and golden profile (and the fleet's JSON equivalents): the set invariants and fidelity checks run over. */
export const allProfilePaths = (): string[] => [...presetPaths(), ...fleetEquivalentPaths(), ...goldenCases().map((c) => `test/golden/${c}/profile.json`)];

/**
 * A preset as a GitOps repository keeps it: what install.sh would read from the cluster is in the profile
 * (tke-eni-agent's version in native mode, kube-dns's ClusterIP for NodeLocal DNSCache).
 */
export function gitopsProfileText(relPath: string): string {
  return JSON.stringify(asGitopsProfile(JSON.parse(readFileSync(join(ROOT, relPath), "utf8"))), null, 2) + "\n";
}

/** The same for a profile object: the eni-agent version a native cluster runs, kube-dns's ClusterIP for NodeLocal DNSCache. */
export function asGitopsProfile(profile: Record<string, any>): Record<string, any> {
  const cluster = { ...profile.cluster };
  if ((profile.cilium?.mode ?? "native") === "native") cluster.eniAgentVersion ??= "v3.8.3";
  if (profile.features?.nodeLocalDns) cluster.kubeDnsIP ??= "192.168.0.10";
  return { ...profile, cluster };
}

export function fileOf(files: readonly OutputFile[], path: string): OutputFile | undefined {
  return files.find((f) => f.path === path);
}

/** The values files in the order install.sh passes them to helm. */
export function helmValuesFiles(files: readonly OutputFile[]): string[] {
  const script = fileOf(files, "install.sh")?.content ?? "";
  const command = script.slice(script.indexOf('helm upgrade --install "$RELEASE"'));
  const end = command.search(/\n\n/);
  return [...command.slice(0, end).matchAll(/-f "\$HERE"\/'([^']+)'/g)].map((m) => m[1]);
}

/** Leaf value paths of a values document: maps are merged by Helm, anything else (lists too) is replaced. */
export function leafPaths(value: unknown, prefix: string[] = []): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) for (const [p, x] of leafPaths(v, [...prefix, k])) out.set(p, x);
  } else {
    out.set(prefix.join("."), value);
  }
  return out;
}

export function parseYaml(text: string): unknown {
  return parse(text, { version: "1.1" });
}

/** Writes a bundle's files into `dir` (folders made, each file with its mode), as render writes them; `dir`. */
export function writeBundleTo(dir: string, files: readonly OutputFile[]): string {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
    chmodSync(join(dir, f.path), f.mode);
  }
  return dir;
}

/**
 * The CLI's main (src/cli.ts) run in this process in `cwd`, as the built CLI's run() calls it but with no colour
 * (NO_COLOR, or not a terminal): its exit code and what it wrote. A bug inside main throws here where the
 * process would print it and exit 70, so a test fails on it all the same. For the cases whose point is the
 * input, not the process: a node process of its own for each costs most of such a test's time.
 */
export async function mainHere(cwd: string, args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const { main } = await import("../src/cli.js");
  let stdout = "";
  let stderr = "";
  const status = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, color: false });
  return { status, stdout, stderr };
}
