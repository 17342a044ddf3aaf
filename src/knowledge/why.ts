/**
 * Why each Helm value the bundle sets is there: one line each, printed above the value in the values files.
 * Keyed by the dotted value path. Sources: the seeds' annotated tke-values.yaml and the guide (Cilium 1.19.5).
 */
export const WHY: Readonly<Record<string, string>> = {
  routingMode: "native routing: Pods keep their VPC-CNI IPs and the VPC routes them, no overlay",
  "endpointRoutes.enabled": "required by native routing: Pod traffic is routed straight to its veth, not via cilium_host",
  "ipam.mode": "tke-eni-ipamd allocates Pod IPs; Cilium must not",
  enableIPv4Masquerade: "Pod IPs are VPC IPs; TKE's ip-masq-agent rules are not needed inside the VPC",
  devices: "TKE nodes carry traffic on every eth* (Pods use the secondary ENIs eth1, eth2...); without BPF on all of them replies cannot be reverse-NATed",
  "cni.chainingMode": "chain Cilium behind VPC-CNI (generic-veth chaining)",
  "cni.customConf": "the CNI configuration comes from the ConfigMap below, not from Cilium",
  "cni.configMap": "the ConfigMap in cni-config.yaml holding the chained conflist",
  "cni.externalRouting": "VPC-CNI already sets up Pod routes; Cilium must not add its own",
  "extraConfig.local-router-ipv4": "Cilium allocates no Pod IPs, so cilium_host gets this fixed link-local address on every node",
  "sysctlfix.enabled": "restarting systemd-sysctl would reset eth0 rp_filter and drop Pod traffic on VPC-CNI",
  "localRedirectPolicies.enabled": "CiliumLocalRedirectPolicy, used by NodeLocal DNSCache",
  kubeProxyReplacement: "Cilium replaces kube-proxy (ClusterIP, NodePort, HostPort); TKE's kube-proxy is switched off by install.sh",
  k8sServiceHost: "TKE's link-local apiserver VIP; a CLB address would be intercepted by Cilium itself and lost (\"operation not permitted\")",
  k8sServicePort: "the port of the apiserver VIP",
  rollOutCiliumPods: "roll the agents when cilium-config changes (a checksum on the Pod template), so a re-rendered feature reaches them; also under Argo CD and Flux",
  "operator.rollOutPods": "roll the operator when its configuration changes, for the same reason",
  "envoy.rollOutPods": "roll cilium-envoy when its configuration changes (Gateway API, L7 proxy settings, a chart upgrade), as the guide restarts it after enabling the Gateway API",
  "hubble.relay.rollOutPods": "roll Hubble Relay when its configuration changes (peer address, TLS), so a re-rendered bundle reaches it",
  "hubble.ui.rollOutPods": "roll the Hubble UI when its nginx configuration changes",
  "operator.tolerations": "start the operator before TKE has initialised any node, or the first install deadlocks",
  "operator.affinity": "keep the hostNetwork operator off super nodes (eklet), where its readiness probe never passes",
  "hubble.relay.enabled": "Hubble Relay: one API over every node's flow logs",
  "hubble.ui.enabled": "Hubble UI: the service map in a browser",
  "ciliumEndpointSlice.enabled": "batch CiliumEndpoints into slices to cut apiserver watch traffic in large clusters",
  "bandwidthManager.enabled": "enforce kubernetes.io/egress-bandwidth Pod annotations with EDT in BPF",
  tunnelProtocol: "VXLAN between nodes, as the guide verified on VPC-CNI and GR",
  "ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.cidrs": "Pod CIDRs of the default pool; must not overlap the VPC or the Service CIDR (append more later to grow)",
  "ipam.operator.autoCreateCiliumPodIPPools.default.ipv4.maskSize": "per-node block carved from the pool; a full node takes another block",
  "egressGateway.enabled": "Cilium Egress Gateway: CiliumEgressGatewayPolicy picks the node (and IP) Pods leave through",
  "bpf.masquerade": "SNAT in BPF: required by the egress gateway and ipMasqAgent; iptables masquerade would force legacy host routing",
  "ipMasqAgent.enabled": "Cilium's BPF ipMasqAgent replaces TKE's ip-masq-agent DaemonSet (switched off by install.sh)",
  "ipMasqAgent.config.masqLinkLocal": "169.254.0.0/16 hosts Tencent Cloud services that only answer the node IP: SNAT it",
  "ipMasqAgent.config.nonMasqueradeCIDRs": "traffic to the VPC keeps its Pod IP; SNATing it would break cross-node Pod identity",
  k8sClientRateLimit: "scale tuning, for an agent whose client throttles: agent 20/40 and operator 200/400, up from 10/20 and 100/200",
  "extraConfig.labels": "scale tuning: Job labels stay out of security identities (Cilium already leaves pod-template-hash and controller-revision-hash out; the list keeps them out too)",
  "encryption.enabled": "transparent encryption of Pod traffic between nodes (features.encryption)",
  "encryption.type": "WireGuard, the guide's choice: IPsec cannot work with VPC-CNI, and WireGuard needs no key Secret",
  "gatewayAPI.enabled": "Cilium's Gateway API: Gateways and routes served by the cilium-envoy DaemonSet",
  "gatewayAPI.hostNetwork.enabled": "Envoy binds the nodes' ports: TKE's CLB cannot reach the virtual backend of the LoadBalancer Service Cilium would create otherwise",
  "hubble.export.dynamic.enabled": "flow logs: Hubble's dynamic exporter writes flows to files in the cilium Pods (reconfigured without restarting the agents)",
  "hubble.export.dynamic.config.content": "one file per export, rotated as the guide sets it (50 MB, 10 files, compressed); the CLS endpoint's own traffic is never logged, or the shipped logs would be logged again endlessly",
  "hubble.redact.enabled": "flow logs keep no secrets: redaction on",
  "hubble.redact.http.urlQuery": "drop URL query strings from HTTP flows (tokens often travel there)",
  "hubble.redact.http.userInfo": "drop user:password from HTTP URLs",
  "cluster.name": "Cluster Mesh: this cluster's name in the mesh, its TKE cluster id",
  "cluster.id": "Cluster Mesh: this cluster's number, unique in the mesh",
  "clustermesh.useAPIServer": "Cluster Mesh: clustermesh-apiserver serves this cluster's state to its peers",
  "clustermesh.apiserver.service.type": "peers reach clustermesh-apiserver through a CLB",
  "clustermesh.apiserver.service.annotations": "an internal CLB (the profile's subnet, or the CLB it names): the mesh stays inside the VPC",
  "clustermesh.config.enabled": "Cluster Mesh from the values: the chart writes the peers' connection config, no cilium clustermesh connect",
  "clustermesh.config.clusters": "the other members of the mesh, each at its clustermesh-apiserver's address (clusterMesh.address); the shared CA signs the client certificates",
  "hubble.tls.auto.method": "GitOps: the cluster makes Hubble's certificates (certgen Job and CronJob); a certificate made at render time would differ on every refresh and never be in sync",
  "clustermesh.apiserver.tls.auto.method": "GitOps: the cluster makes clustermesh-apiserver's certificates (certgen), for the same reason",
  "certgen.ttlSecondsAfterFinished": "GitOps: keep the finished certgen Job; deleted, the engine would see it missing and run it again for ever",
  agentNotReadyTaintKey: "the startup taint under a key cluster-autoscaler ignores, so a native pool still scales up from zero",
};

/** Comment over an image repository moved to a mirror. */
export function whyMirrored(upstream: string, mirrorWhy: string): string {
  return `${upstream}: ${mirrorWhy}`;
}

/** Explanations that depend on the mode or feature set, chosen by derive. */
export const WHY_VARIANT: Readonly<Record<string, string>> = {
  "routingMode.overlay": "overlay: cross-node Pod traffic is encapsulated, Pod IPs come from Cilium's own pools, not the VPC",
  "ipam.mode.overlay": "multi-pool IPAM: nodes take more Pod CIDR blocks as they fill, no fixed per-node limit",
  "enableIPv4Masquerade.overlay": "overlay Pod IPs are unknown to the VPC; traffic leaving the cluster is SNATed to the node IP",
  "enableIPv4Masquerade.masquerade": "Pods leave the VPC through the node IP (BPF masquerade + ipMasqAgent below)",
  "encryption.type.ipsec": "IPsec (GlobalRouter only): install.sh creates the key Secret cilium-ipsec-keys once",
  "ipMasqAgent.config.nonMasqueradeCIDRs.mesh": "traffic to the VPC and to the mesh peers' Pods keeps its Pod IP; SNATing it would break cross-node and cross-cluster Pod identity",
  "ipMasqAgent.config.nonMasqueradeCIDRs.overlay":
    "overlay: only the Pod CIDRs keep their source (they stay inside the tunnel); an empty list would leave every private range, the VPC included, unmasqueraded (Cilium's default), and the VPC cannot route replies back to an overlay Pod IP",
  "bpf.masquerade.overlay": "BPF masquerade; iptables masquerade would force legacy host routing",
};

/** Why each value of a self-managed cluster (platform kubeadm, k3s, kubespray) is there. */
export const WHY_SELF_MANAGED: Readonly<Record<string, string>> = {
  kubeProxyReplacement: "Cilium replaces kube-proxy (ClusterIP, NodePort, HostPort): kube-proxy must not run beside it",
  "kubeProxyReplacement.off": "kube-proxy serves Services on this cluster; Cilium leaves them to it",
  k8sServiceHost: "the API server's own address: without kube-proxy the agent cannot reach it through the kubernetes Service",
  k8sServicePort: "the API server's port",
  routingMode: "tunnel: Pod traffic between nodes is encapsulated, the network needs to know no Pod CIDR",
  "routingMode.native": "native routing: the network (autoDirectNodeRoutes on one L2, or your routes) carries Pod CIDRs between nodes",
  tunnelProtocol: "the profile's tunnel protocol (vxlan: UDP 8472, geneve: UDP 6081 between nodes)",
  ipv4NativeRoutingCIDR: "the Pod CIDR: traffic to it is not masqueraded, anything else leaves through the node IP",
  autoDirectNodeRoutes: "every node routes the other nodes' Pod CIDRs itself (all nodes on one L2 segment)",
  "ipam.mode": "Cilium's operator hands each node a block of the cluster's Pod CIDR (cluster-pool)",
  "ipam.mode.kubernetes": "Cilium takes each node's Pod CIDR from Node.spec.podCIDR, allocated by kube-controller-manager",
  "ipam.operator.clusterPoolIPv4PodCIDRList": "the cluster's Pod CIDR, never the chart's 10.0.0.0/8 default (seed 003: its routes hijacked the LAN)",
  "ipam.operator.clusterPoolIPv4MaskSize": "the per-node block carved from the Pod CIDR",
  "cni.exclusive": "Multus runs beside Cilium: Cilium must not rename the other CNI configurations in /etc/cni/net.d",
  "hubble.ui.service.type": "the Hubble UI on a port of every node (selfManaged.hubbleUi nodeport): a self-managed cluster has no cloud load balancer",
  rollOutCiliumPods: "roll the agents when cilium-config changes, so a re-rendered value reaches them",
  "operator.rollOutPods": "roll the operator when its configuration changes, for the same reason",
  "envoy.rollOutPods": "roll cilium-envoy when its configuration changes (L7 proxy settings, a chart upgrade)",
};

/** Why kubespray's NodeLocal DNS needs a value of its own. */
export const WHY_KUBESPRAY: Readonly<Record<string, string>> = {
  "dnsProxy.enableTransparentMode": "kubespray's NodeLocal DNS answers on a link-local address from the host network: Cilium's transparent DNS proxy, on with kube-proxy replacement, conflicts with it (kubespray's cilium_dns_proxy_enable_transparent_mode, cilium#33144)",
};
