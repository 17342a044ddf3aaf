import { CILIUM_NAMESPACE } from "../../knowledge/tke.js";
import { commentPath, file, type OutputFile } from "../../emit/output.js";
import { checkedShellValue, sh, shellWord } from "../../text/shell.js";
import type { FilesContext } from "../capability.js";
import type { Mesh } from "./slice.js";

export function clustermeshScript(m: Mesh, header: FilesContext["header"]): OutputFile[] {
  const me = shellWord("clusterId", m.clusterName);
  const lines = [
    "#!/usr/bin/env bash",
    ...header(`Cluster Mesh "${m.name}": joins ${m.clusterName} (clusterId ${m.clusterId}) to the mesh, the guide's steps in order.`).map((l) => `# ${l}`),
    "#",
    "# Run each member's clustermesh.sh in clusterId order, with one kubeconfig whose contexts are the TKE cluster ids:",
    ...m.members.map((member) => `#   ${member.clusterId}  ${checkedShellValue("clusterId", member.clusterName)}  (${commentPath(member.profile)})`),
    m.caFrom === null
      ? "# This member's CA is the mesh's: run install.sh here first, then ./clustermesh.sh ca checks it exists."
      : `# Before install.sh: ./clustermesh.sh ca   (copies ${m.caFrom}'s CA here; the chart reuses it)`,
    "# After install.sh:  ./clustermesh.sh connect   (connects to each member with a lower clusterId)",
    "# install.sh keeps the connections (clustermesh.config) when it upgrades the release.",
    "set -euo pipefail",
    "",
    `ME=${me}`,
    `CA_SECRET=${sh(m.caSecret)}`,
    `NAMESPACE=${sh(CILIUM_NAMESPACE)}`,
    "",
    'die() {',
    "  printf 'clustermesh.sh: error: %s\\n' \"$*\" >&2",
    "  exit 1",
    "}",
    "",
    "for tool in kubectl cilium; do",
    '  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed or not on PATH"',
    "done",
    'kubectl config get-contexts "$ME" >/dev/null 2>&1 || die "no kubeconfig context named $ME: name each cluster\'s context by its TKE cluster id"',
    "",
    'case "${1:-}" in',
    "  ca)",
  ];
  if (m.caFrom === null) {
    lines.push(
      '    kubectl --context "$ME" -n "$NAMESPACE" get secret "$CA_SECRET" -o name >/dev/null 2>&1 || die "$ME has no $CA_SECRET yet: run install.sh here first (the chart creates it)"',
      `    printf '%s\\n' "$ME has the lowest clusterId of the mesh: its CA is the one the other members copy"`,
    );
  } else {
    const from = shellWord("clusterId", m.caFrom);
    lines.push(
      `    FROM=${from}`,
      '    kubectl config get-contexts "$FROM" >/dev/null 2>&1 || die "no kubeconfig context named $FROM"',
      '    ca="$(kubectl --context "$FROM" -n "$NAMESPACE" get secret "$CA_SECRET" -o yaml)" || die "$FROM has no $CA_SECRET yet: install Cilium there first"',
      '    ca="$(printf \'%s\\n\' "$ca" | grep -v -E \'^  (creationTimestamp|resourceVersion|uid):\')"',
      '    kubectl --context "$ME" -n "$NAMESPACE" delete secret "$CA_SECRET" --ignore-not-found',
      "    printf '%s\\n' \"$ca\" | kubectl --context \"$ME\" apply -f -",
    );
  }
  lines.push("    ;;", "  connect)", '    cilium clustermesh status --context "$ME" --wait');
  if (m.connectTo.length === 0) lines.push(`    printf '%s\\n' "$ME has the lowest clusterId: the members after it connect to it"`);
  for (const peer of m.connectTo) lines.push(`    cilium clustermesh connect --context "$ME" --destination-context ${shellWord("clusterId", peer)}`);
  lines.push(
    '    cilium clustermesh status --context "$ME" --wait',
    "    ;;",
    "  *)",
    "    printf 'usage: %s ca|connect\\n' \"$0\" >&2",
    "    exit 2",
    "    ;;",
    "esac",
    "",
  );
  return [file(m.script, lines.join("\n"), 0o755)];
}
