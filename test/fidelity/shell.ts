// Shell fidelity: mvdan/sh's parser (the one shfmt uses) reads the script, and shellcheck lints it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sh from "mvdan-sh";
import { runPooled } from "../process-pool.js";

export const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
if (!hasShellcheck && process.env.REQUIRE_SHELLCHECK) throw new Error("REQUIRE_SHELLCHECK is set but shellcheck is not installed");

/** mvdan/sh's parse error for a bash script, or null when it parses. */
export function shellParseError(script: string): string | null {
  try {
    sh.syntax.NewParser().Parse(script, "install.sh");
    return null;
  } catch (error) {
    const e = error as { Error?: () => string; message?: string };
    return `parse: ${e.Error?.() ?? e.message ?? String(error)}`;
  }
}

/** Problems of a bash script: a parse error from mvdan/sh, then shellcheck's findings (when installed). */
export function shellProblems(script: string): string[] {
  const parseError = shellParseError(script);
  if (parseError !== null) return [parseError];
  if (!hasShellcheck) return [];
  const dir = mkdtempSync(join(tmpdir(), "tke-cilium-sh-"));
  try {
    const path = join(dir, "install.sh");
    writeFileSync(path, script);
    // besides the defaults, the optional checks for real pitfalls (not the style ones: braces, [[ ]])
    const result = spawnSync("shellcheck", ["--severity=style", `--enable=${OPTIONAL}`, "--format=gcc", path], { encoding: "utf8" });
    if (result.status === 0) return [];
    return result.stdout.split("\n").filter(Boolean).map((l) => l.replace(path, "install.sh"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const OPTIONAL = "check-extra-masked-returns,avoid-nullary-conditions,add-default-case,check-unassigned-uppercase,quote-safe-variables,deprecate-which";

/** The scripts that parse, each written to a folder of its own as install.sh; the parse errors of the others. */
function prepare(scripts: ReadonlyMap<string, string>): { problems: Map<string, string[]>; linted: string[]; dir: string; paths: string[] } {
  const problems = new Map<string, string[]>();
  for (const [name, script] of scripts) {
    const parseError = shellParseError(script);
    problems.set(name, parseError === null ? [] : [parseError]);
  }
  const linted = hasShellcheck ? [...scripts.keys()].filter((name) => problems.get(name)!.length === 0) : [];
  const dir = linted.length === 0 ? "" : mkdtempSync(join(tmpdir(), "tke-cilium-sh-"));
  const paths = linted.map((name, i) => {
    const path = join(dir, String(i), "install.sh");
    mkdirSync(join(dir, String(i)));
    writeFileSync(path, scripts.get(name)!);
    return path;
  });
  return { problems, linted, dir, paths };
}

/** shellcheck's findings (gcc format) given back to the script each is about. */
function collect(problems: Map<string, string[]>, linted: readonly string[], paths: readonly string[], result: { status: number | null; stdout: string; stderr: string }): Map<string, string[]> {
  for (const line of result.stdout.split("\n").filter(Boolean)) {
    const at = paths.findIndex((path) => line.startsWith(`${path}:`));
    if (at < 0) throw new Error(`shellcheck: a finding for no script given: ${line}`);
    problems.get(linted[at])!.push(line.replace(paths[at], "install.sh"));
  }
  // a failing run with nothing to show (a crash, an unknown option) is a problem of every script
  if (result.status !== 0 && result.stdout.trim() === "") for (const name of linted) problems.get(name)!.push(`shellcheck exited ${result.status}: ${result.stderr.trim()}`);
  return problems;
}

/**
 * shellProblems for several scripts at once: the same parse of each, and one shellcheck process over all that
 * parse (each file is linted on its own; one process saves shellcheck's start-up per script). The process runs
 * in runPooled (both cores, no more), so a test file can start many and await each where it needs it.
 */
export async function shellProblemsOfEach(scripts: ReadonlyMap<string, string>): Promise<Map<string, string[]>> {
  const { problems, linted, dir, paths } = prepare(scripts);
  if (linted.length === 0) return problems;
  try {
    return collect(problems, linted, paths, await runPooled("shellcheck", ["--severity=style", `--enable=${OPTIONAL}`, "--format=gcc", ...paths]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
