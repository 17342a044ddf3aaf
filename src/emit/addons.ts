import gatewayApiCrds from "../../schema/gateway-api/v1.5.1-standard.yaml?lazy";
import renderEgressPolicy from "./egress-gateway-policy.sh.hbs?template";
import {
  FLOW_LOG_CONTAINER_METADATA,
  FLOW_LOG_EXTRACT_RULE,
  FLOW_LOG_INDEXES,
  FLOW_LOG_TOKENIZER,
  KUBE_DNS,
  NODE_CACHE_CONTAINER,
  NODE_LOCAL_DNS,
  TKE_CLB_ANNOTATIONS,
} from "../knowledge/addons.js";
import { CILIUM_NAMESPACE } from "../knowledge/tke.js";
import { literalBlock, manifestsToYaml } from "../text/yaml.js";
import { checkedShellValue, sh, shellWord } from "../text/shell.js";
import type { Settings } from "../settings.js";
import { commentPath, file, headerLines, type Emitter, type OutputFile, phasedMetadata } from "./output.js";

/** The node-cache Corefile: the guide's, with the cluster domain written out and HINFO answered locally (VPC DNS refuses it). */
function corefile(): string {
  const n = NODE_LOCAL_DNS;
  const zone = (name: string, cache: string[], forward: string[], extra: string[] = []) => [
    `${name}:53 {`,
    "    errors",
    ...cache,
    "    reload",
    "    loop",
    "    bind 0.0.0.0",
    ...forward,
    `    prometheus :${n.metricsPort}`,
    ...extra,
    "}",
  ];
  const forceTcp = [`    forward . ${n.clusterDns} {`, "        force_tcp", "    }"];
  return [
    ...zone(n.domain, ["    cache {", "        success 9984 30", "        denial 9984 5", "    }"], forceTcp, ["    health"]),
    ...zone("in-addr.arpa", ["    cache 30"], forceTcp),
    ...zone("ip6.arpa", ["    cache 30"], forceTcp),
    ".:53 {",
    "    template ANY HINFO . {",
    "        rcode NXDOMAIN",
    "    }",
    "    errors",
    "    cache 30",
    "    reload",
    "    loop",
    "    bind 0.0.0.0",
    `    forward . ${n.upstreamServers}`,
    `    prometheus :${n.metricsPort}`,
    "}",
    "",
  ].join("\n");
}

function nodeLocalDns(settings: Settings): OutputFile[] {
  const d = settings.addons.nodeLocalDns;
  if (d === null) return [];
  const n = NODE_LOCAL_DNS;
  const ns = CILIUM_NAMESPACE;
  // delivered after the chart by an engine (Argo CD's sync wave) once kube-dns's ClusterIP is in the profile
  const after = settings.afterChartAnnotations;
  const dnsPorts = [
    { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
    { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
  ];
  const objects = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: phasedMetadata({ name: n.name, namespace: ns }, after) },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: phasedMetadata({ name: n.upstreamService, namespace: ns, labels: { "k8s-app": KUBE_DNS.label, "kubernetes.io/name": "KubeDNSUpstream" } }, after),
      spec: { ports: dnsPorts, selector: { "k8s-app": KUBE_DNS.label } },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: phasedMetadata({ name: n.name, namespace: ns }, after), data: { Corefile: literalBlock(corefile()) } },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: phasedMetadata({ name: n.name, namespace: ns, labels: { "k8s-app": n.label } }, after),
      spec: {
        updateStrategy: { rollingUpdate: { maxUnavailable: "10%" } },
        selector: { matchLabels: { "k8s-app": n.label } },
        template: {
          metadata: { labels: { "k8s-app": n.label }, annotations: { "prometheus.io/port": String(n.metricsPort), "prometheus.io/scrape": "true" } },
          spec: {
            priorityClassName: "system-node-critical",
            serviceAccountName: n.name,
            hostNetwork: false,
            dnsPolicy: "Default",
            tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }, { effect: "NoSchedule", operator: "Exists" }],
            containers: [
              {
                name: "node-cache",
                image: d.image,
                resources: { requests: { ...NODE_CACHE_CONTAINER.requests } },
                args: ["-localip", d.kubeDnsIP ?? d.placeholder, "-conf", "/etc/Corefile", "-upstreamsvc", n.upstreamService, ...NODE_CACHE_CONTAINER.flags],
                securityContext: { capabilities: { add: ["NET_ADMIN"] } },
                ports: [
                  { containerPort: 53, name: "dns", protocol: "UDP" },
                  { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                  { containerPort: n.metricsPort, name: "metrics", protocol: "TCP" },
                ],
                livenessProbe: { httpGet: { path: "/health", port: n.healthPort }, initialDelaySeconds: 60, timeoutSeconds: 5 },
                volumeMounts: [
                  { mountPath: "/run/xtables.lock", name: "xtables-lock", readOnly: false },
                  { name: "config-volume", mountPath: "/etc/coredns" },
                  { name: "kube-dns-config", mountPath: "/etc/kube-dns" },
                ],
              },
            ],
            volumes: [
              { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
              { name: "kube-dns-config", configMap: { name: KUBE_DNS.service, optional: true } },
              { name: "config-volume", configMap: { name: n.name, items: [{ key: "Corefile", path: "Corefile.base" }] } },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: n.name, namespace: ns, labels: { "k8s-app": n.label }, annotations: { "prometheus.io/port": String(n.metricsPort), "prometheus.io/scrape": "true", ...after } },
      spec: { clusterIP: "None", ports: [{ name: "metrics", port: n.metricsPort, targetPort: n.metricsPort }], selector: { "k8s-app": n.label } },
    },
  ];
  const policy = {
    apiVersion: "cilium.io/v2",
    kind: "CiliumLocalRedirectPolicy",
    metadata: phasedMetadata({ name: n.policy, namespace: ns }, settings.afterChartAnnotations),
    spec: {
      redirectFrontend: { serviceMatcher: { serviceName: KUBE_DNS.service, namespace: ns } },
      redirectBackend: {
        localEndpointSelector: { matchLabels: { "k8s-app": n.label } },
        toPorts: [
          { port: "53", name: "dns", protocol: "UDP" },
          { port: "53", name: "dns-tcp", protocol: "TCP" },
        ],
      },
    },
  };
  const comments = new Map([
    ["3:spec.template.spec.containers", `-localip: ${d.kubeDnsIP === null ? `install.sh writes kube-dns's ClusterIP over ${d.placeholder}` : "kube-dns's ClusterIP (cluster.kubeDnsIP)"}; node-cache fills ${n.clusterDns} (kube-dns-upstream) and ${n.upstreamServers} (the node's resolv.conf) itself`],
    ["2:data.Corefile", "HINFO is answered here: the VPC's DNS does not support it and would fill the log with errors"],
  ]);
  return [
    file(
      d.manifestFile,
      manifestsToYaml(
        headerLines(settings, `NodeLocal DNSCache (the guide's self-built one; TKE's add-on cannot work with Cilium). ${d.kubeDnsIP === null ? `install.sh applies it with ${d.placeholder} replaced by kube-dns's ClusterIP.` : "It holds kube-dns's ClusterIP from the profile (cluster.kubeDnsIP)."}`),
        objects,
        comments,
      ),
    ),
    file(d.policyFile, manifestsToYaml(headerLines(settings, "Sends Pods' kube-dns traffic to the node-local-dns Pod on their node. install.sh applies it once cilium-operator is up (it registers the CRD)."), [policy])),
  ];
}

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
    metadata: phasedMetadata({ name: c.name }, settings.afterChartAnnotations),
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
  const me = shellWord("clusterId", m.clusterName);
  const lines = [
    "#!/usr/bin/env bash",
    ...headerLines(settings, `Cluster Mesh "${m.name}": joins ${m.clusterName} (clusterId ${m.clusterId}) to the mesh, the guide's steps in order.`).map((l) => `# ${l}`),
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

/**
 * egress-gateway-policy.sh: the guide's CiliumEgressGatewayPolicy over the live egress nodes. Their names and
 * internal IPs exist only once the pool has nodes, so the policy is printed from the cluster, not rendered.
 */
function egressPolicy(settings: Settings): OutputFile[] {
  const e = settings.addons.egressPolicy;
  if (e === null) return [];
  const selector = `${e.label.key}=${e.label.value}`;
  const view = {
    header: headerLines(settings, "Prints a CiliumEgressGatewayPolicy that sends chosen Pods' traffic out through the egress nodes."),
    script: e.script,
    selector: sh(selector),
    selectorText: selector,
  };
  return [file(e.script, renderEgressPolicy(view), 0o755)];
}

export const emitAddons: Emitter = (settings) => [...nodeLocalDns(settings), ...gatewayApi(settings), ...clsLogConfig(settings), ...clustermesh(settings), ...egressPolicy(settings)];
