/**
 * The newest guide's optional pages (Cilium 1.19.5): NodeLocal DNSCache, encryption, Gateway API, Cluster Mesh,
 * flow logs and the egress gateway's node pool. Facts only; derive/addons.ts decides, emit/addons.ts writes.
 */

/** appendix/with-node-local-dns.md: node-cache, pulled from docker.io/k8smirror on TKE (the guide's image). */
export const NODE_LOCAL_DNS = {
  name: "node-local-dns",
  upstreamService: "kube-dns-upstream",
  label: "node-local-dns",
  /** The upstream image and where TKE nodes pull it from. */
  image: { repository: "registry.k8s.io/dns/k8s-dns-node-cache", tkeMirror: "docker.io/k8smirror/k8s-dns-node-cache", tag: "1.26.4" },
  /** install.sh puts kube-dns's ClusterIP here (the guide's sed). */
  placeholder: "__PILLAR__DNS__SERVER__",
  /** node-cache fills these itself: the upstream Service's ClusterIP, and the node's resolv.conf. */
  clusterDns: "__PILLAR__CLUSTER__DNS__",
  upstreamServers: "__PILLAR__UPSTREAM__SERVERS__",
  /** TKE clusters' DNS domain; the guide's installer writes it literally. */
  domain: "cluster.local",
  policy: "nodelocaldns",
  metricsPort: 9253,
  healthPort: 8080,
} as const;

/** The cluster's DNS Service the cache stands in for, and its Pods' label. */
export const KUBE_DNS = { service: "kube-dns", label: "kube-dns" } as const;

/** The guide's node-cache container: its requests, and the flags that leave interfaces and iptables alone (Cilium redirects). */
export const NODE_CACHE_CONTAINER = {
  requests: { cpu: "25m", memory: "5Mi" },
  flags: ["-skipteardown=true", "-setupinterface=false", "-setupiptables=false"],
} as const;

/** The CRD cilium-operator registers for local redirect policies: the policy can be applied once it exists. */
export const LOCAL_REDIRECT_POLICY_CRD = "ciliumlocalredirectpolicies.cilium.io";

/** encryption.md: WireGuard needs the kernel module; the guide knows TencentOS 4 carries it. */
export const WIREGUARD_OS_PREFIXES = ["tlinux4"] as const;
export const WIREGUARD_OS_TEXT = "TencentOS Server 4 (tlinux4_x86_64_public)";

/** Cilium's IPsec key Secret, created once before the chart when encryption is ipsec (Cilium's IPsec guide). */
export const IPSEC_SECRET = "cilium-ipsec-keys";

/**
 * The Gateway API CRDs each Cilium minor needs (its operator indexes these kinds and versions at start and exits
 * when one is not served). 1.18: v1.3.0 standard plus the experimental TLSRoute (v1alpha2). 1.19: v1.4.1
 * standard plus the experimental TLSRoute: 1.19.1+ indexes TLSRoute v1alpha2, which v1.5's standard channel no
 * longer serves (cilium/cilium#44920, #45139). 1.20: v1.5.1 standard (TLSRoute, ReferenceGrant and
 * BackendTLSPolicy v1). Each file sits in schema/gateway-api/ (its README says where it comes from).
 */
export const GATEWAY_API_BY_MINOR = [
  { minor: "1.18", version: "v1.3.0", file: "v1.3.0-standard-tlsroute", crds: ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants", "tlsroutes"], tlsRoute: "v1alpha2" },
  { minor: "1.19", version: "v1.4.1", file: "v1.4.1-standard-tlsroute", crds: ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants", "backendtlspolicies", "tlsroutes"], tlsRoute: "v1alpha2" },
  { minor: "1.20", version: "v1.5.1", file: "v1.5.1-standard", crds: ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants", "backendtlspolicies", "tlsroutes"], tlsRoute: "v1" },
] as const;
export type GatewayApiRelease = (typeof GATEWAY_API_BY_MINOR)[number];

export const GATEWAY_API = {
  group: "gateway.networking.k8s.io",
  /** The annotation every Gateway API CRD carries with its release (v1.4.1): what a cluster already holds. */
  bundleVersionAnnotation: "gateway.networking.k8s.io/bundle-version",
  gatewayClass: "cilium",
} as const;

/** TKE's Service annotations the guide uses to put a CLB in front of the host-network Envoy. */
export const TKE_CLB_ANNOTATIONS = {
  directAccess: "service.cloud.tencent.com/direct-access",
  existingLb: "service.kubernetes.io/tke-existed-lbid",
  internalSubnet: "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid",
} as const;

/** The example Gateway's listener: above 1024, so Envoy needs no NET_BIND_SERVICE (the CLB still listens on 80). */
export const GATEWAY_EXAMPLE_PORTS = { listener: 8080, clb: 80 } as const;

/** flow-logs.md: where the exporter writes, the CLS endpoint whose traffic must not be logged, and the rotation. */
export const FLOW_LOGS = {
  dir: "/var/run/cilium/hubble",
  clsEndpoint: "169.254.0.71",
  /** The guide's settings for a large log volume (the chart's own default is 10 MB, 5 files, uncompressed). */
  rotation: { fileMaxSizeMb: 50, fileMaxBackups: 10, fileCompress: true },
  defaultExport: "all",
  logConfigName: "cilium-flow-logs",
  logConfigCrd: "logconfigs.cls.cloud.tencent.com",
} as const;

/** The LogConfig's indexes, as the guide lists them: [name, type] ("text" ones share the guide's tokenizer). */
export const FLOW_LOG_INDEXES: readonly (readonly [string, "text" | "long" | "plain"])[] = [
  ["namespace", "plain"],
  ["pod_name", "plain"],
  ["container_name", "plain"],
  ...[
    "flow.verdict",
    "flow.uuid",
    "flow.drop_reason_desc",
    "flow.source.pod_name",
    "flow.source.namespace",
    "flow.source.cluster_name",
    "flow.source.labels",
    "flow.source.identity",
    "flow.destination.pod_name",
    "flow.destination.namespace",
    "flow.destination.cluster_name",
    "flow.destination.labels",
    "flow.destination.identity",
    "flow.destination_service.name",
    "flow.destination_service.namespace",
    "flow.IP.ipVersion",
    "flow.IP.source",
    "flow.IP.destination",
    "flow.l4",
    "flow.l7",
  ].map((name) => [name, "text"] as const),
  ...["flow.l4.TCP.source_port", "flow.l4.TCP.destination_port", "flow.l4.UDP.source_port", "flow.l4.UDP.destination_port"].map((name) => [name, "long"] as const),
  ...["flow.event_type.type", "flow.event_type.sub_type", "flow.Summary", "flow.traffic_direction", "flow.trace_reason", "flow.is_reply", "flow.Type", "flow.node_labels", "flow.file"].map(
    (name) => [name, "text"] as const,
  ),
];

/** The guide's LogConfig: how CLS parses each JSON line (time from the flow's "time"), and the container metadata kept. */
export const FLOW_LOG_EXTRACT_RULE = {
  backtracking: "0",
  isGBK: "false",
  jsonStandard: "true",
  timeFormat: "%Y-%m-%dT%H:%M:%S.%f%z",
  timeKey: "time",
  unMatchUpload: "true",
  unMatchedKey: "LogParseFailure",
} as const;
export const FLOW_LOG_CONTAINER_METADATA = ["namespace", "pod_name", "pod_ip", "pod_uid", "container_id", "container_name", "image_name", "cluster_id"] as const;

/** The tokenizer of the guide's text indexes. */
export const FLOW_LOG_TOKENIZER = "@&?|#()='\",;:<>[]{}/ \n\t\r\\";

/** clustermesh.md: the mesh's shared CA Secret. */
export const CLUSTERMESH_CA_SECRET = "cilium-ca";

/** The chart's clustermesh-apiserver Service port (templates/clustermesh-apiserver/service.yaml: 2379, 1.18-1.20). */
export const CLUSTERMESH_APISERVER_PORT = 2379;

/** egress-gateway.md: the egress nodes' label and optional taint, and their public bandwidth. */
export const EGRESS_NODE = {
  label: { key: "egress-node", value: "true" },
  taint: { key: "egress-node", value: "true", effect: "NoSchedule" },
  chargeType: "TRAFFIC_POSTPAID_BY_HOUR",
} as const;
