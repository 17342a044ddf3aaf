import { CILIUM_NAMESPACE } from "../../knowledge/tke.js";
import { commentPath, file, type OutputFile } from "../../emit/output.js";
import { checkedShellValue, sh, shellWord } from "../../text/shell.js";
import type { FilesContext } from "../capability.js";
import type { Mesh } from "./slice.js";

/**
 * clustermesh.sh: the guide's shared-CA step, made idempotent (it compares the CA already here with the first
 * member's and changes nothing when they are equal) with a dry run, and a status check that names each peer
 * this cluster's agents cannot reach. The connections themselves are in the values (clustermesh.config).
 */
export function clustermeshScript(m: Mesh, header: FilesContext["header"]): OutputFile[] {
  const me = shellWord("clusterId", m.clusterName);
  const lines = [
    "#!/usr/bin/env bash",
    ...header(`Cluster Mesh "${m.name}": ${m.clusterName} (clusterId ${m.clusterId}) and its peers, as the values declare them.`).map((l) => `# ${l}`),
    "#",
    "# The members, in clusterId order, each reached at its clustermesh-apiserver's address (clusterMesh.address);",
    "# one kubeconfig whose contexts are the TKE cluster ids:",
    ...m.members.map((member) => `#   ${member.clusterId}  ${checkedShellValue("clusterId", member.clusterName)}  ${member.address === null ? "(no address)" : `${checkedShellValue("ipv4", member.address)}:${m.port}`}  (${commentPath(member.profile)})`),
    "#",
    "# This member's values (clustermesh.config) list every other member: installing them connects the mesh, no",
    "# cilium clustermesh connect, nothing outside the values (a GitOps engine can deliver them).",
    m.caFrom === null
      ? "# ./clustermesh.sh ca [--dry-run]   checks this member has the CA the other members copy (run install.sh here first)."
      : `# ./clustermesh.sh ca [--dry-run]   before install.sh: copies ${m.caFrom}'s CA here, or changes nothing when it is here already.`,
    "# ./clustermesh.sh status            once the members run Cilium: names each peer this cluster cannot reach.",
    "set -euo pipefail",
    "",
    `ME=${me}`,
    `ADDRESS=${m.address === null ? "''" : shellWord("ipv4", m.address)}`,
    `PORT=${sh(m.port)}`,
    `CA_SECRET=${sh(m.caSecret)}`,
    `NAMESPACE=${sh(CILIUM_NAMESPACE)}`,
    "",
    "die() {",
    "  printf 'clustermesh.sh: error: %s\\n' \"$*\" >&2",
    "  exit 1",
    "}",
    "note() {",
    "  printf 'clustermesh.sh: %s\\n' \"$*\"",
    "}",
    "usage() {",
    "  printf 'usage: %s ca [--dry-run] | status\\n' \"$0\" >&2",
    "  exit 2",
    "}",
    "",
    'command -v kubectl >/dev/null 2>&1 || die "kubectl is not installed or not on PATH"',
    'kubectl config get-contexts "$ME" >/dev/null 2>&1 || die "no kubeconfig context named $ME: name each cluster\'s context by its TKE cluster id"',
    "",
    "# the CA Secret's data (ca.crt, ca.key) in a cluster; empty when it has none",
    "ca_data() {",
    '  kubectl --context "$1" -n "$NAMESPACE" get secret "$CA_SECRET" --ignore-not-found -o \'jsonpath={.data}\'',
    "}",
    "",
    'command="${1:-}"',
    "if [ $# -gt 0 ]; then shift; fi",
    "DRY_RUN=0",
    'for arg in "$@"; do',
    '  case "$arg" in',
    '    --dry-run) [ "$command" = ca ] || usage; DRY_RUN=1 ;;',
    "    *) usage ;;",
    "  esac",
    "done",
    "",
    'case "$command" in',
    "  ca)",
    '    here="$(ca_data "$ME")" || die "cannot read $NAMESPACE/$CA_SECRET on $ME"',
  ];
  if (m.caFrom === null) {
    lines.push(
      '    [ -n "$here" ] || die "$ME has no $CA_SECRET yet: run install.sh here first (the chart creates it)"',
      '    note "$ME has the lowest clusterId of the mesh: its CA is the one the other members copy; nothing to change"',
      '    [ "$DRY_RUN" = 0 ] || note "dry run: this member\'s step only reads"',
    );
  } else {
    lines.push(
      `    FROM=${shellWord("clusterId", m.caFrom)}`,
      '    kubectl config get-contexts "$FROM" >/dev/null 2>&1 || die "no kubeconfig context named $FROM"',
      '    source="$(ca_data "$FROM")" || die "cannot read $NAMESPACE/$CA_SECRET on $FROM"',
      '    [ -n "$source" ] || die "$FROM has no $CA_SECRET yet: install Cilium there first"',
      '    if [ "$here" = "$source" ]; then',
      '      note "$ME already has the CA of $FROM: nothing to change"',
      "      exit 0",
      "    fi",
      '    if [ -z "$here" ]; then action="copy the CA of $FROM to $ME"; else action="replace the CA of $ME by the CA of $FROM"; fi',
      '    if [ "$DRY_RUN" = 1 ]; then',
      '      note "dry run: would $action; nothing changed"',
      "      exit 0",
      "    fi",
      '    manifest="$(kubectl --context "$FROM" -n "$NAMESPACE" get secret "$CA_SECRET" -o yaml)" || die "cannot read $NAMESPACE/$CA_SECRET on $FROM"',
      "    # the copy is a new object here: without the source's identity and version",
      '    manifest="$(printf \'%s\\n\' "$manifest" | grep -v -E \'^  (creationTimestamp|resourceVersion|uid):\')"',
      '    if [ -n "$here" ]; then',
      '      kubectl --context "$ME" -n "$NAMESPACE" delete secret "$CA_SECRET"',
      "    fi",
      "    printf '%s\\n' \"$manifest\" | kubectl --context \"$ME\" apply -f -",
      '    note "$action: done"',
      '    if [ -n "$here" ]; then',
      '      note "$ME had its own CA: run its install.sh again, so the chart re-issues its certificates from the mesh\'s CA"',
      "    fi",
    );
  }
  lines.push(
    "    ;;",
    "  status)",
    "    failed=0",
    '    own="$(kubectl --context "$ME" -n "$NAMESPACE" get service clustermesh-apiserver -o \'jsonpath={.status.loadBalancer.ingress[0].ip}\')" || die "$ME has no clustermesh-apiserver Service: run install.sh here first"',
    '    if [ "$own" = "$ADDRESS" ]; then',
    '      note "$ME: clustermesh-apiserver at $ADDRESS:$PORT, the address its peers list"',
    "    else",
    '      note "$ME: clustermesh-apiserver\'s CLB has ${own:-no address yet}, but its peers dial $ADDRESS (clusterMesh.address): make them equal (clusterMesh.clbId, or the CLB\'s VIP as the address) and re-render the mesh"',
    "      failed=1",
    "    fi",
    "    # one agent's view of the mesh: a line per remote cluster, ready or not",
    '    view="$(kubectl --context "$ME" -n "$NAMESPACE" exec ds/cilium -c cilium-agent -- cilium-dbg status --all-clusters)" || die "cannot read the Cilium agents\' status on $ME (kubectl exec ds/cilium)"',
    "    unreachable=()",
    "    peer() {",
    '      local name="$1" address="$2" line',
    "      line=\"$(printf '%s\\n' \"$view\" | awk -v want=\"$name:\" '$1 == want && !seen { sub(/^[[:space:]]+/, \"\"); print; seen = 1 }')\"",
    '      case "$line" in',
    '        *": ready,"*) note "peer $name ($address:$PORT): ready" ;;',
    '        "") note "peer $name ($address:$PORT): unreachable from $ME: the agents do not know it (has this cluster\'s install.sh run with the current values?)"; unreachable+=("$name") ;;',
    '        *) note "peer $name ($address:$PORT): unreachable from $ME: $line"; unreachable+=("$name") ;;',
    "      esac",
    "    }",
  );
  if (m.peers.length === 0) lines.push('    note "mesh has no other member in this bundle: no peer to check"');
  for (const peer of m.peers) {
    if (peer.address !== null) lines.push(`    peer ${shellWord("clusterId", peer.clusterName)} ${shellWord("ipv4", peer.address)}`);
  }
  lines.push(
    '    if [ "${#unreachable[@]}" -gt 0 ]; then',
    '      die "$ME cannot reach ${unreachable[*]}: check that peer\'s clustermesh-apiserver (its CLB, port $PORT open from this VPC) and that both members share one CA (./clustermesh.sh ca)"',
    "    fi",
    '    [ "$failed" = 0 ] || exit 1',
    '    note "$ME reaches every peer of the mesh"',
    "    ;;",
    "  *)",
    "    usage",
    "    ;;",
    "esac",
    "",
  );
  return [file(m.script, lines.join("\n"), 0o755)];
}
