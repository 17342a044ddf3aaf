import gatewayApiCrds from "../../schema/gateway-api/v1.5.1-standard.yaml?lazy";
import {
  FLOW_LOG_CONTAINER_METADATA,
  FLOW_LOG_EXTRACT_RULE,
  FLOW_LOG_INDEXES,
  FLOW_LOG_TOKENIZER,
  TKE_CLB_ANNOTATIONS,
} from "../knowledge/addons.js";
import { CILIUM_NAMESPACE } from "../knowledge/tke.js";
import { manifestsToYaml } from "../text/yaml.js";
import { sh } from "../text/shell.js";
import type { Settings } from "../settings.js";
import { file, headerLines, type Emitter, type OutputFile } from "./output.js";

function gatewayApi(settings: Settings): OutputFile[] {
  const g = settings.addons.gatewayApi;
  if (g === null) return [];
  const header = headerLines(settings, `The Gateway API ${g.version} standard CRDs the guide pins for Cilium 1.19, so the cluster needs no access to GitHub. install.sh applies them before the chart.`);
  const crds = [...header.map((line) => `# ${line}`), gatewayApiCrds().replace(/^---\n/, "")].join("\n");
  const name = "example-gateway";
  const gateway = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "default" },
    spec: { gatewayClassName: g.gatewayClass, listeners: [{ name: "http", port: g.listenerPort, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }] },
  };
  const route = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "example-route", namespace: "default" },
    spec: {
      parentRefs: [{ name, sectionName: "http" }],
      hostnames: ["example.internal"],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "example-backend", port: 80 }] }],
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${name}-clb`, namespace: "default", annotations: { [TKE_CLB_ANNOTATIONS.directAccess]: "true" } },
    spec: {
      type: "LoadBalancer",
      externalTrafficPolicy: "Cluster",
      selector: { "k8s-app": "cilium-envoy" },
      ports: [{ name: "http", port: g.clbPort, targetPort: g.listenerPort, protocol: "TCP" }],
    },
  };
  const comments = new Map([
    [
      "0:spec.listeners",
      `port ${g.listenerPort}: Envoy binds it on every node (host network); a port under 1024 needs envoy.securityContext.capabilities.keepCapNetBindService true in cilium.extraValues, and must be free on the nodes`,
    ],
    ["2:metadata.annotations", `${TKE_CLB_ANNOTATIONS.directAccess}: the CLB sends to the envoy Pods (node IPs) directly; add ${TKE_CLB_ANNOTATIONS.existingLb}: lb-xxxxxxxx to reuse a CLB`],
    ["2:spec.ports", `the CLB listens on ${g.clbPort} and sends to the Gateway's listener port; allow it in the nodes' security group (or set LoadBalancerPassToTarget on the CLB)`],
  ]);
  return [
    file(g.crdsFile, crds.endsWith("\n") ? crds : `${crds}\n`),
    file(
      g.exampleFile,
      manifestsToYaml(
        headerLines(settings, "An example, not applied by install.sh: a Gateway, a route and the TKE CLB Service in front of the host-network Envoy (the guide's pattern). Copy and adapt it."),
        [gateway, route, service],
        comments,
      ),
    ),
  ];
}

function clsLogConfig(settings: Settings): OutputFile[] {
  const c = settings.addons.flowLogs?.logConfig ?? null;
  if (c === null) return [];
  const logConfig = {
    apiVersion: "cls.cloud.tencent.com/v1",
    kind: "LogConfig",
    metadata: { name: c.name },
    spec: {
      clsDetail: {
        region: c.region,
        logsetName: c.logset,
        topicName: c.topic,
        extractRule: { ...FLOW_LOG_EXTRACT_RULE },
        indexStatus: "on",
        indexs: FLOW_LOG_INDEXES.map(([indexName, type]) =>
          type === "plain" ? { indexName } : type === "long" ? { indexName, indexType: "long" } : { indexName, indexType: "text", tokenizer: FLOW_LOG_TOKENIZER, containZH: false },
        ),
        autoIndex: "true",
        logFormat: "default",
        logType: "json_log",
        maxSplitPartitions: 0,
        period: 30,
        storageType: "",
      },
      inputDetail: {
        type: "container_file",
        containerFile: {
          namespace: CILIUM_NAMESPACE,
          workload: { kind: "daemonset", name: "cilium" },
          container: "cilium-agent",
          filePaths: [{ file: "*.log", path: c.dir }],
          metadataContainer: [...FLOW_LOG_CONTAINER_METADATA],
          metadataLabels: ["__NULL__"],
          nodeMetadataLabels: ["__NULL__"],
        },
      },
    },
  };
  return [
    file(
      c.file,
      manifestsToYaml(
        headerLines(settings, `TKE log collection: ships the flow log files to CLS (logset ${c.logset}, topic ${c.topic}, created when missing). install.sh applies it; the cluster's log collection must be on.`),
        [logConfig],
      ),
    ),
  ];
}

function clustermesh(settings: Settings): OutputFile[] {
  const m = settings.addons.mesh;
  if (m === null) return [];
  const me = sh(m.clusterName);
  const lines = [
    "#!/usr/bin/env bash",
    ...headerLines(settings, `Cluster Mesh "${m.name}": joins ${m.clusterName} (clusterId ${m.clusterId}) to the mesh, the guide's steps in order.`).map((l) => `# ${l}`),
    "#",
    "# Run each member's clustermesh.sh in clusterId order, with one kubeconfig whose contexts are the TKE cluster ids:",
    ...m.members.map((member) => `#   ${member.clusterId}  ${member.clusterName}  (${member.profile})`),
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
    const from = sh(m.caFrom);
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
  for (const peer of m.connectTo) lines.push(`    cilium clustermesh connect --context "$ME" --destination-context ${sh(peer)}`);
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


export const emitAddons: Emitter = (settings) => [...gatewayApi(settings), ...clsLogConfig(settings), ...clustermesh(settings)];
