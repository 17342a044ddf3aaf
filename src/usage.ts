import pkg from "../package.json" with { type: "json" };
import { PROFILE_HELP } from "./commands/command.js";

/** --help text, for the whole tool or one command. */
export function usageText(): string {
  return `tke-cilium ${pkg.version}: render a reviewable Cilium-on-TKE install bundle from a JSON or YAML profile.

Usage:
  tke-cilium render [PROFILE...] [--out DIR] [--check] [--prune] [--strict] [--quiet] [--json]
  tke-cilium check [PROFILE...] [--out DIR] [--staged] [--strict] [--quiet] [--json]
  tke-cilium validate [PROFILE...] [--strict] [--quiet] [--json]
  tke-cilium diff PROFILE [--context NAME]      (read-only: the bundle against the live cluster)
  tke-cilium init [FILE] --region REGION --vip IP --pool TYPE [--name NAME]
  tke-cilium chart add CILIUM_TGZ... | chart list
  tke-cilium rules | explain CODE
  tke-cilium explain-profile PROFILE            (also render --explain PROFILE)
  tke-cilium COMMAND --help
  tke-cilium --help | --version

${PROFILE_HELP}
A bundle holds Helm values files, cni-config.yaml (native mode), cilium-apf.yaml,
nodepool.yaml (Karpenter), terraform/*.tf and install.sh. Apply it with
out/<name>/install.sh; with a GitOps engine in tke-cilium.json, each bundle also holds the Argo CD
Application or the Flux objects that deliver it (bundle.json lists every file and its role).

Diagnostics: FILE:LINE:COL severity CODE /json/pointer: message
Exit codes: 0 ok; 1 invalid profile or drift; 2 usage error (unknown flag, no such file).
Profile schema: schema/profile.schema.json (add "$schema" to a profile for editor completion; in
YAML, "$schema" or a first line "# yaml-language-server: $schema=PATH").
`;
}

export const VERSION = pkg.version;
