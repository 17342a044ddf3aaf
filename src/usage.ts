import pkg from "../package.json" with { type: "json" };

export const COMMANDS = ["render", "check", "validate", "init", "rules", "explain"] as const;
export type Command = (typeof COMMANDS)[number];

const PROFILE = `PROFILE is a JSON file, a directory (its *.json files) or a quoted glob ('clusters/**/*.json').`;
const OUTPUT = `  --quiet       print nothing when all is well (for hooks)
  --json        machine-readable result on stdout (diagnostics included), e.g. for CI annotations
  --no-color    no colours (also when NO_COLOR is set, or stdout is not a terminal)`;

const TEXTS: Record<Command, string> = {
  render: `Usage: tke-cilium render PROFILE... [--out DIR] [--check] [--strict] [--quiet] [--json]

Validate every profile, then write each bundle to DIR/<name>/ (DIR defaults to out) and print
what changed. Nothing is written unless every profile is valid. A bundle folder is replaced whole
and atomically; an identical one is left untouched.
${PROFILE}

Options:
  --out DIR     folder that holds the bundles (default: out)
  --check       do not write; compare with DIR/<name>/ like \`tke-cilium check\`
  --strict      treat warnings as errors
${OUTPUT}`,
  check: `Usage: tke-cilium check PROFILE... [--out DIR] [--strict] [--quiet] [--json]

Render in memory and compare with DIR/<name>/. Changed, missing and extra files are drift: each
is printed as a unified diff, then one summary line. Exit 1 on drift or an invalid profile.
Writes nothing. A folder of DIR that none of the profiles renders (a deleted or renamed cluster's
bundle, which GitOps would keep deploying) is a warning; --strict makes it an error too.
This is the pre-commit hook: tke-cilium check --quiet clusters/
${PROFILE}

Options:
  --out DIR     folder that holds the bundles (default: out)
  --strict      treat warnings as errors
${OUTPUT}`,
  validate: `Usage: tke-cilium validate PROFILE... [--strict] [--quiet] [--json]

Check profiles against the schema and the rules; print diagnostics only.
${PROFILE}

Options:
  --strict      treat warnings as errors
${OUTPUT}`,
  init: `Usage: tke-cilium init [FILE] --region REGION --vip IP --pool TYPE [--name NAME]
                       [--subnet ID]... [--security-group ID]...

Write a new, valid profile (default FILE: NAME.json, NAME defaulting to "cluster") with "$schema"
set for editor completion. On a terminal, missing values are asked for. Never overwrites a file.

Options:
  --region REGION         Tencent Cloud region, e.g. ap-guangzhou
  --vip IP                apiserver VIP: kubectl get ep kubernetes -n default -o jsonpath='{.subsets[0].addresses[0].ip}'
  --pool TYPE             karpenter, native or regular
  --name NAME             output folder name (out/NAME/)
  --subnet ID             node subnet (repeatable; needed by karpenter pools)
  --security-group ID     node security group (repeatable; needed by karpenter pools)`,
  rules: `Usage: tke-cilium rules

List every diagnostic code tke-cilium can report, with its severity and a one-line summary.`,
  explain: `Usage: tke-cilium explain CODE

Explain a diagnostic code: why the rule exists, what to do, and where the knowledge comes from.`,
};

/** --help text, for the whole tool or one command. */
export function usageText(command?: Command): string {
  if (command) return TEXTS[command] + "\n";
  return `tke-cilium ${pkg.version}: render a reviewable Cilium-on-TKE install bundle from a JSON profile.

Usage:
  tke-cilium render PROFILE... [--out DIR] [--check] [--strict] [--quiet] [--json]
  tke-cilium check PROFILE... [--out DIR] [--strict] [--quiet] [--json]
  tke-cilium validate PROFILE... [--strict] [--quiet] [--json]
  tke-cilium init [FILE] --region REGION --vip IP --pool TYPE [--name NAME]
  tke-cilium rules | explain CODE
  tke-cilium COMMAND --help
  tke-cilium --help | --version

${PROFILE}
A bundle holds Helm values files, cni-config.yaml (native mode), cilium-apf.yaml,
nodepool.yaml (Karpenter), terraform/*.tf and install.sh. Apply it with
out/<name>/install.sh, or commit out/ and let GitOps apply the values files.

Diagnostics: FILE:LINE:COL severity CODE /json/pointer: message
Exit codes: 0 ok; 1 invalid profile or drift; 2 usage error (unknown flag, no such file).
Profile schema: schema/profile.schema.json (add "$schema" to a profile for editor completion).
`;
}

export const VERSION = pkg.version;
