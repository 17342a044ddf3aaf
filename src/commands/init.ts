import { dirname, join, relative, resolve } from "node:path";
import { formatDiagnostic } from "../diagnostics.js";
import { existsSync, readFileSync } from "node:fs";
import { displayPath, findRepositoryRoot } from "../workspace.js";
import { PLACEHOLDERS } from "../knowledge/placeholders.js";
import { writeFileAtomic, writeNewFile } from "../store.js";
import { checkProfile } from "../pipeline.js";
import { EXIT, type Io } from "../io.js";
import { defineCommand, type FlagValues } from "./command.js";

interface InitFlags {
  region?: string;
  vip?: string;
  pool?: string;
  name?: string;
  subnet?: string[];
  "security-group"?: string[];
  "vpc-cidr"?: string[];
}

const POOLS = ["karpenter", "native", "regular"];

/** tke-cilium init: a new profile from flags (or answers on a terminal), validated before it is written. */
async function runInit(args: readonly string[], flags: InitFlags, io: Io): Promise<number> {
  if (args.length > 1) {
    io.stderr(`tke-cilium: init writes one file\n${INIT_HELP + "\n"}`);
    return EXIT.usage;
  }
  const answers = { region: flags.region, vip: flags.vip, pool: flags.pool };
  const questions: [keyof typeof answers, string][] = [
    ["region", "Region (e.g. ap-guangzhou): "],
    ["vip", "apiserver VIP (kubectl get ep kubernetes -n default -o jsonpath='{.subsets[0].addresses[0].ip}'): "],
    ["pool", `Node pool type (${POOLS.join(", ")}): `],
  ];
  for (const [key, question] of questions) {
    if (answers[key] !== undefined) continue;
    if (!io.ask) {
      io.stderr(`tke-cilium: init needs --${key} (or a terminal to ask on)\n${INIT_HELP + "\n"}`);
      return EXIT.usage;
    }
    answers[key] = await io.ask(question);
  }
  let subnets = flags.subnet ?? [];
  let groups = flags["security-group"] ?? [];
  const placeholders: string[] = [];
  if (answers.pool === "karpenter") {
    if (subnets.length === 0 && io.ask) subnets = split(await io.ask("Node subnet ids (subnet-..., comma-separated): "));
    if (groups.length === 0 && io.ask) groups = split(await io.ask("Node security group ids (sg-..., comma-separated): "));
    const [subnetPlaceholder, groupPlaceholder] = PLACEHOLDERS;
    if (subnets.length === 0) placeholders.push(subnetPlaceholder.field);
    if (groups.length === 0) placeholders.push(groupPlaceholder.field);
    if (subnets.length === 0) subnets = [subnetPlaceholder.value];
    if (groups.length === 0) groups = [groupPlaceholder.value];
  }
  const vpcCidrs = (flags["vpc-cidr"] ?? []).flatMap(split);
  const file = args[0] ?? `${flags.name ?? "cluster"}.json`;
  const path = resolve(io.cwd, file);
  const schemaFile = repositorySchemaPath(io.cwd);
  const profile = {
    $schema: relative(dirname(path), schemaFile).split("\\").join("/"),
    ...(flags.name ? { name: flags.name } : {}),
    region: answers.region,
    apiserverVIP: answers.vip,
    ...(vpcCidrs.length > 0 ? { cluster: { vpcCidrs } } : {}),
    nodePool: { type: answers.pool, ...(subnets.length ? { subnetIds: subnets } : {}), ...(groups.length ? { securityGroupIds: groups } : {}) },
    // the guide installer's default: Pods reach the internet through the node's address, with no NAT gateway needed
    features: { masquerade: true },
  };
  const text = JSON.stringify(profile, null, 2) + "\n";
  const checked = checkProfile({ path: file, text });
  // the placeholders are the user's to replace: everything else must be valid already
  const problems = checked.diagnostics.filter((d) => d.code !== "PLACEHOLDER_VALUE");
  if (problems.some((d) => d.severity === "error")) {
    for (const d of problems) io.stderr(formatDiagnostic(d, text) + "\n");
    io.stderr(`tke-cilium: ${file} not written: the values above do not make a valid profile\n`);
    return EXIT.failed;
  }
  if (!writeNewFile(path, text)) {
    io.stderr(`tke-cilium: ${file} exists; init never overwrites a profile\n`);
    return EXIT.failed;
  }
  // warnings are about the file written: shown once it is there
  for (const d of problems) io.stderr(formatDiagnostic(d, text) + "\n");
  io.stdout(`wrote ${file}\n`);
  if (placeholders.length > 0) {
    io.stderr(`tke-cilium: edit ${placeholders.join(" and ")} in ${file}: they hold placeholders, which render refuses until they are replaced\n`);
  }
  if (!existsSync(schemaFile)) {
    io.stderr(`tke-cilium: "$schema" points at ${displayPath(schemaFile, io.cwd)}, which exists once tke-cilium is a dev dependency of this repository (npm install --save-dev tke-cilium)\n`);
  }
  if (vpcCidrs.length === 0) {
    io.stderr(`tke-cilium: give the VPC's CIDRs (--vpc-cidr, or cluster.vpcCidrs in ${file}): masquerading needs them, and a GitOps engine cannot read them from the cluster\n`);
  }
  const ignored = ignoreNodeModules(findRepositoryRoot(io.cwd));
  if (ignored !== null) io.stdout(`${ignored} ${displayPath(join(findRepositoryRoot(io.cwd), ".gitignore"), io.cwd)} (node_modules/ stays out of git)\n`);
  io.stdout(`next: tke-cilium render ${file}\n`);
  return EXIT.ok;
}

/** node_modules/ in the repository's .gitignore: written when there is none, added when it lacks the line. */
function ignoreNodeModules(root: string): "wrote" | "updated" | null {
  const path = join(root, ".gitignore");
  if (writeNewFile(path, `${NODE_MODULES_IGNORE}\n`)) return "wrote";
  const text = readFileSync(path, "utf8");
  if (text.split(/\r?\n/).some((line) => /^\/?node_modules\/?$/.test(line.trim()))) return null;
  writeFileAtomic(path, `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${NODE_MODULES_IGNORE}\n`);
  return "updated";
}

const NODE_MODULES_IGNORE = "node_modules/";

/**
 * The profile schema as every teammate's checkout has it: in the repository's own install of tke-cilium
 * (node_modules/tke-cilium/schema/), not wherever this copy of the tool happens to live.
 */
function repositorySchemaPath(cwd: string): string {
  return join(findRepositoryRoot(cwd), "node_modules", "tke-cilium", "schema", "profile.schema.json");
}

const split = (answer: string) => answer.split(/[\s,]+/).filter(Boolean);

const INIT_HELP = `Usage: tke-cilium init [FILE] --region REGION --vip IP --pool TYPE [--name NAME]
                       [--vpc-cidr CIDR]... [--subnet ID]... [--security-group ID]...

Write a new, valid profile (default FILE: NAME.json, NAME defaulting to "cluster") with "$schema"
set for editor completion. On a terminal, missing values are asked for. Never overwrites a file.
Adds node_modules/ to the repository's .gitignore.

Options:
  --region REGION         Tencent Cloud region, e.g. ap-guangzhou
  --vip IP                apiserver VIP: kubectl get ep kubernetes -n default -o jsonpath='{.subsets[0].addresses[0].ip}'
  --pool TYPE             karpenter, native or regular
  --name NAME             output folder name (out/NAME/)
  --vpc-cidr CIDR         the VPC's primary or secondary CIDR (repeatable; masquerading needs them all)
  --subnet ID             node subnet (repeatable; needed by karpenter pools)
  --security-group ID     node security group (repeatable; needed by karpenter pools)`;

export const initCommand = defineCommand({
  name: "init",
  flags: {
    region: { type: "string" },
    vip: { type: "string" },
    pool: { type: "string" },
    name: { type: "string" },
    subnet: { type: "string", multiple: true },
    "security-group": { type: "string", multiple: true },
    "vpc-cidr": { type: "string", multiple: true },
  },
  help: INIT_HELP,
  run: (args, flags: FlagValues, io) => runInit(args, flags as InitFlags, io),
});
