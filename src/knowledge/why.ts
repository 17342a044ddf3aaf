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
  "operator.tolerations": "start the operator before TKE has initialised any node, or the first install deadlocks",
  "operator.affinity": "keep the hostNetwork operator off super nodes (eklet), where its readiness probe never passes",
  "hubble.relay.enabled": "Hubble Relay: one API over every node's flow logs",
  "hubble.ui.enabled": "Hubble UI: the service map in a browser",
  "ciliumEndpointSlice.enabled": "batch CiliumEndpoints into slices to cut apiserver watch traffic in large clusters",
  "bandwidthManager.enabled": "enforce kubernetes.io/egress-bandwidth Pod annotations with EDT in BPF",
};

/** Comment over an image repository moved to a mirror. */
export function whyMirrored(upstream: string, mirrorWhy: string): string {
  return `${upstream}: ${mirrorWhy}`;
}
