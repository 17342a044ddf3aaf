// Shell fidelity: mvdan/sh's parser (the one shfmt uses) reads the script, and shellcheck lints it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sh from "mvdan-sh";

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
    const optional = "check-extra-masked-returns,avoid-nullary-conditions,add-default-case,check-unassigned-uppercase,quote-safe-variables,deprecate-which";
    const result = spawnSync("shellcheck", ["--severity=style", `--enable=${optional}`, "--format=gcc", path], { encoding: "utf8" });
    if (result.status === 0) return [];
    return result.stdout.split("\n").filter(Boolean).map((l) => l.replace(path, "install.sh"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * shellProblems for several scripts at once: the same parse of each, and one shellcheck process over all that
 * parse (each file is linted on its own; one process saves shellcheck's start-up per script).
 */
export function shellProblemsOfEach(scripts: ReadonlyMap<string, string>): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  for (const [name, script] of scripts) {
    const parseError = shellParseError(script);
    problems.set(name, parseError === null ? [] : [parseError]);
  }
  const linted = [...scripts.keys()].filter((name) => problems.get(name)!.length === 0);
  if (!hasShellcheck || linted.length === 0) return problems;
  const dir = mkdtempSync(join(tmpdir(), "tke-cilium-sh-"));
  try {
    const paths = linted.map((name, i) => {
      const path = join(dir, String(i), "install.sh");
      mkdirSync(join(dir, String(i)));
      writeFileSync(path, scripts.get(name)!);
      return path;
    });
    const optional = "check-extra-masked-returns,avoid-nullary-conditions,add-default-case,check-unassigned-uppercase,quote-safe-variables,deprecate-which";
    const result = spawnSync("shellcheck", ["--severity=style", `--enable=${optional}`, "--format=gcc", ...paths], { encoding: "utf8" });
    if (result.error) throw result.error;
    for (const line of result.stdout.split("\n").filter(Boolean)) {
      const at = paths.findIndex((path) => line.startsWith(`${path}:`));
      if (at < 0) throw new Error(`shellcheck: a finding for no script given: ${line}`);
      problems.get(linted[at])!.push(line.replace(paths[at], "install.sh"));
    }
    // a failing run with nothing to show (a crash, an unknown option) is a problem of every script
    if (result.status !== 0 && result.stdout.trim() === "") for (const name of linted) problems.get(name)!.push(`shellcheck exited ${result.status}: ${result.stderr.trim()}`);
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

