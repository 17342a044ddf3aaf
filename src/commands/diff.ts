import { formatDiagnostic } from "../diagnostics.js";
import { sourceTextOf } from "../extends.js";
import { EXIT, type Io } from "../io.js";
import { BUILTIN_CHARTS, withAddedCharts } from "../knowledge/chart.js";
import { childProcess } from "../lazy-builtins.js";
import type { DesiredState, LiveObjectRef, LiveState } from "../live-diff.js";
import { checkProfiles, emitProfile, isRenderable } from "../pipeline.js";
import { colorDiff } from "../report.js";
import { terminalLine, terminalText } from "../text/terminal.js";
import { findRepositoryRoot, readAddedCharts } from "../workspace.js";
import { readSources } from "./bundles.js";
import { defineCommand } from "./command.js";

const HELP = `Usage: tke-cilium diff PROFILE [--context NAME] [--no-color]

Compare what the profile's bundle would install with what the cluster runs, without changing
anything: the Helm values (helm get values) and chart version (helm list) of the release, and each
object of the bundle's manifests (kubectl get -o yaml, compared on the fields the bundle sets). Prints
a unified diff per object, from the cluster (live/) to the bundle (bundle/). Only get, list and
get-values calls are made; kubectl and helm are the ones on PATH, at their current context.

Options:
  --context NAME  the kubeconfig context (kubectl --context, helm --kube-context)
  --no-color      no colours

Exit codes: 0 the cluster runs the bundle; 1 it differs (or the profile is invalid); 2 usage error, or
kubectl/helm could not read the cluster.`;

/** One read-only call of kubectl or helm: its output, or why it failed. */
type Tool = (tool: "kubectl" | "helm", args: string[]) => { ok: true; stdout: string } | { ok: false; notFound: boolean; message: string };

/** The only calls diff makes: every one reads. */
const runTool =
  (context: string | undefined): Tool =>
  (tool, args) => {
    const withContext = context === undefined ? args : [...args, tool === "kubectl" ? "--context" : "--kube-context", context];
    const r = childProcess().spawnSync(tool, withContext, { encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) return { ok: false, notFound: false, message: `${tool}: ${r.error.message}` };
    if (r.status === 0) return { ok: true, stdout: r.stdout };
    return { ok: false, notFound: /not ?found/i.test(r.stderr), message: `${tool} ${args.join(" ")}: ${r.stderr.trim()}` };
  };

/** The cluster's side, read with get/list calls only. */
async function readLive(desired: DesiredState, tool: Tool, parse: (text: string) => unknown): Promise<LiveState | string> {
  const { name, namespace } = desired.release;
  const list = tool("helm", ["list", "--namespace", namespace, "--filter", `^${name}$`, "--output", "json"]);
  if (!list.ok) return list.message;
  const release = (JSON.parse(list.stdout) as { name: string; chart: string }[]).find((r) => r.name === name);
  let values: Record<string, unknown> | null = null;
  if (release !== undefined) {
    const got = tool("helm", ["get", "values", name, "--namespace", namespace, "--output", "yaml"]);
    if (!got.ok) return got.message;
    values = (parse(got.stdout) as Record<string, unknown> | null) ?? {};
  }
  const objects: LiveState["objects"] = [];
  for (const { ref } of desired.objects) {
    const got = tool("kubectl", ["get", resourceOf(ref), ref.name, ...(ref.namespace === null ? [] : ["--namespace", ref.namespace]), "--output", "yaml"]);
    if (!got.ok && !got.notFound) return got.message;
    objects.push(got.ok ? (parse(got.stdout) as Record<string, unknown>) : null);
  }
  return { values, chartVersion: release === undefined ? null : release.chart.replace(/^.*?-(?=\d)/, ""), objects };
}

/** kubectl's TYPE.VERSION.GROUP, so a kind two API groups share is not confused. */
function resourceOf(ref: LiveObjectRef): string {
  const [group, version] = ref.apiVersion.includes("/") ? ref.apiVersion.split("/") : ["", ref.apiVersion];
  return group === "" ? ref.kind.toLowerCase() : `${ref.kind.toLowerCase()}.${version}.${group}`;
}

export const diffCommand = defineCommand({
  name: "diff",
  flags: { context: { type: "string" }, color: { type: "boolean" }, "no-color": { type: "boolean" } },
  help: HELP,
  run: async (args, flags, io) => runDiff(args, io, runTool(flags.context as string | undefined)),
});

async function runDiff(args: readonly string[], io: Io, tool: Tool): Promise<number> {
  if (args.length !== 1) {
    io.stderr(`tke-cilium: diff compares one PROFILE with the cluster\n${HELP}\n`);
    return EXIT.usage;
  }
  const read = await readSources(args, io, true);
  if (typeof read === "number") return read;
  const added = readAddedCharts(findRepositoryRoot(io.cwd), io.cwd);
  const results = [...checkProfiles(read.sources, withAddedCharts(BUILTIN_CHARTS, added.charts)), ...read.unreadable];
  for (const r of results) for (const d of r.diagnostics) io.stderr(formatDiagnostic(d, sourceTextOf(r.source, d.file)) + "\n");
  if (results.length !== 1) {
    io.stderr(`tke-cilium: diff compares one profile; ${args[0]} names ${results.length}\n`);
    return EXIT.usage;
  }
  const checked = results[0];
  if (!isRenderable(checked)) {
    io.stderr("nothing compared: fix the errors above\n");
    return EXIT.failed;
  }
  // the yaml and diff libraries are loaded by diff alone, not on every start
  const { desiredState, diffLive, parseLiveYaml } = await import("../live-diff.js");
  const { createTwoFilesPatch } = await import("diff");
  const desired = desiredState(emitProfile(checked));
  const live = await readLive(desired, tool, parseLiveYaml);
  if (typeof live === "string") {
    io.stderr(`tke-cilium: cannot read the cluster: ${terminalLine(live)}\n`);
    return EXIT.usage;
  }
  const differences = diffLive(desired, live);
  for (const d of differences) {
    const patch = createTwoFilesPatch(d.live === "" ? "/dev/null" : `live/${d.title}`, `bundle/${d.title}`, d.live, d.bundle, undefined, undefined, { context: 3 });
    const text = patch.split("\n").filter((line) => !line.startsWith("===")).join("\n");
    io.stdout(io.color ? colorDiff(terminalText(text)) : terminalText(text));
  }
  const { name, namespace } = desired.release;
  if (differences.length === 0) io.stderr(`the cluster runs ${checked.name}'s bundle: release ${namespace}/${name}, chart ${desired.chartVersion}, ${desired.objects.length} objects\n`);
  else io.stderr(`${checked.name}: ${differences.length} difference${differences.length === 1 ? "" : "s"} with the cluster: ${differences.map((d) => d.title).join(", ")}\n`);
  return differences.length === 0 ? EXIT.ok : EXIT.failed;
}
