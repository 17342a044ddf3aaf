import applyNodeLocalDns from "./apply.sh.hbs?raw";
import kubeDns from "./kube-dns.sh.hbs?raw";
import removeNodeLocalDns from "./remove.sh.hbs?raw";
import { KUBE_DNS, LOCAL_REDIRECT_POLICY_CRD, NODE_CACHE_CONTAINER, NODE_LOCAL_DNS } from "../../knowledge/addons.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { CILIUM_NAMESPACE } from "../../knowledge/tke.js";
import { mirroredRepository } from "../../derive/mirror.js";
import { file, phasedMetadata, type OutputFile } from "../../emit/output.js";
import { addonLabels } from "../../knowledge/bundle.js";
import type { FilledProfile } from "../../profile.js";
import { check } from "../../plan/step.js";
import { literalBlock, manifestsToYaml } from "../../text/yaml.js";
import { defineCapability, type FilesContext } from "../capability.js";

/** features.nodeLocalDns: the guide's self-built NodeLocal DNSCache. */
interface NodeLocalDns {
  /** node-local-dns.yaml: its one runtime value is install.sh's to fill. */
  manifestFile: string;
  policyFile: string;
  /** node-cache's image as upstream names it, and where the nodes pull it from. */
  source: string;
  image: string;
  /** A private registry the image is copied to (images.txt). */
  copied: boolean;
  /** The text in node-local-dns.yaml install.sh replaces with kube-dns's ClusterIP. */
  placeholder: string;
  /** cluster.kubeDnsIP: kube-dns's ClusterIP when the profile gives it (then written in, and an engine can deliver it); null: install.sh reads it. */
  kubeDnsIP: string | null;
  /** The CRD cilium-operator registers: the policy waits for it. */
  policyCrd: string;
}

/** node-cache's image, from where the profile's nodes pull images. */
export function nodeLocalDnsImage(p: FilledProfile): { source: string; image: string } {
  const { repository, tkeMirror, tag } = NODE_LOCAL_DNS.image;
  const source = `${repository}:${tag}`;
  if (p.images.mirror === "tke") return { source, image: `${tkeMirror}:${tag}` };
  return { source, image: `${mirroredRepository(p, repository)?.repository ?? repository}:${tag}` };
}

export const nodeLocalDns = defineCapability({
  id: "node-local-dns",
  kind: "add-on",
  summary: "NodeLocal DNSCache (the guide's self-built one) with a CiliumLocalRedirectPolicy sending kube-dns traffic to it",
  fields: ["/features/nodeLocalDns"],
  codes: [
    {
      code: "NODE_LOCAL_DNS_WITHOUT_LRP",
      stage: "profile",
      severity: "error",
      title: "NodeLocal DNSCache needs local redirect policies",
      explanation:
        "With kube-proxy replaced, Cilium's BPF load balancer answers kube-dns's ClusterIP before any node-local listener sees the packet, so the guide redirects kube-dns to the node's cache with a CiliumLocalRedirectPolicy. That CRD exists only with localRedirectPolicies.enabled (features.localRedirectPolicy).",
      source: "guide: appendix/with-node-local-dns.md",
    },
  ] as const,
  profileRules: [
    {
      code: "NODE_LOCAL_DNS_WITHOUT_LRP",
      check: (p) =>
        p.features.nodeLocalDns && !p.features.localRedirectPolicy
          ? [{ pointer: "/features/localRedirectPolicy", message: "features.nodeLocalDns redirects kube-dns traffic with a CiliumLocalRedirectPolicy: set localRedirectPolicy true" }]
          : [],
    },
  ],

  examples: [
    { code: "NODE_LOCAL_DNS_WITHOUT_LRP", fires: { features: { nodeLocalDns: true, localRedirectPolicy: false } },
      pointer: "/features/localRedirectPolicy",
      quiet: { features: { nodeLocalDns: true, localRedirectPolicy: true } } },
  ],
  // the redirect first: kube-dns's traffic goes back to kube-dns before the cache it was sent to goes
  leftovers: [
    { resource: "ciliumlocalredirectpolicies.cilium.io", namespace: CILIUM_NAMESPACE, crd: LOCAL_REDIRECT_POLICY_CRD },
    { resource: "daemonsets.apps", namespace: CILIUM_NAMESPACE, crd: null },
    { resource: "services", namespace: CILIUM_NAMESPACE, crd: null },
    { resource: "configmaps", namespace: CILIUM_NAMESPACE, crd: null },
    { resource: "serviceaccounts", namespace: CILIUM_NAMESPACE, crd: null },
  ],
  leftoverNote: "NodeLocal DNSCache removed, its redirect first: Pods resolve through kube-dns again",
  resolve: (p): NodeLocalDns | null => {
    if (!p.features.nodeLocalDns) return null;
    const { source, image } = nodeLocalDnsImage(p);
    return {
      manifestFile: BUNDLE_FILES.nodeLocalDns,
      policyFile: BUNDLE_FILES.nodeLocalDnsPolicy,
      source,
      image,
      copied: p.images.mirror === "custom",
      placeholder: NODE_LOCAL_DNS.placeholder,
      kubeDnsIP: p.cluster.kubeDnsIP ?? null,
      policyCrd: LOCAL_REDIRECT_POLICY_CRD,
    };
  },
  images: (d) => (d.copied ? [{ source: d.source, target: d.image }] : []),
  files: (d, context) => nodeLocalDnsFiles(d, context),
  delivery: (d) => ({
    manifests:
      d.kubeDnsIP === null
        ? [
            { file: d.manifestFile, phase: "by-install-script", what: "NodeLocal DNSCache: install.sh writes kube-dns's ClusterIP into it" },
            { file: d.policyFile, phase: "by-install-script", what: "the redirect of kube-dns to the node's cache: install.sh applies it once cilium-operator is up" },
          ]
        : // kube-dns's ClusterIP is in the profile: nothing is left to read from the cluster
          [
            { file: d.manifestFile, phase: "after-chart", what: "NodeLocal DNSCache, with kube-dns's ClusterIP from the profile" },
            { file: d.policyFile, phase: "after-chart", what: "the redirect of kube-dns to the node's cache (its CRD comes with cilium-operator)" },
          ],
  }),
  plan: (d) => [
    check("node-local-dns/kube-dns", "reads", { template: kubeDns }, { provide: ["kube_dns_ip"] }),
    {
      kind: "run",
      id: "node-local-dns/apply",
      phase: "after-operator",
      script: { template: applyNodeLocalDns, words: { file: d.manifestFile, policyCrd: d.policyCrd, policyFile: d.policyFile }, texts: { placeholderText: d.placeholder, policyFileText: d.policyFile } },
      need: ["kube_dns_ip"],
      undo: {
        kind: "commands",
        phase: "before-chart-removal",
        title: "Remove NodeLocal DNSCache (the redirect first: DNS goes back to kube-dns)",
        script: { template: removeNodeLocalDns, words: { policyCrd: d.policyCrd, policyFile: d.policyFile, file: d.manifestFile } },
        needsBundleFiles: true,
      },
    },
  ],
});

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

function nodeLocalDnsFiles(d: NodeLocalDns, { header, afterChart }: FilesContext): OutputFile[] {
  const n = NODE_LOCAL_DNS;
  const ns = CILIUM_NAMESPACE;
  const own = addonLabels("node-local-dns");
  // delivered after the chart by an engine (Argo CD's sync wave) once kube-dns's ClusterIP is in the profile
  const after = afterChart;
  const dnsPorts = [
    { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
    { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
  ];
  const objects = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: phasedMetadata({ name: n.name, namespace: ns, labels: own }, after) },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: phasedMetadata({ name: n.upstreamService, namespace: ns, labels: { "k8s-app": KUBE_DNS.label, "kubernetes.io/name": "KubeDNSUpstream", ...own } }, after),
      spec: { ports: dnsPorts, selector: { "k8s-app": KUBE_DNS.label } },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: phasedMetadata({ name: n.name, namespace: ns, labels: own }, after), data: { Corefile: literalBlock(corefile()) } },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: phasedMetadata({ name: n.name, namespace: ns, labels: { "k8s-app": n.label, ...own } }, after),
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
      metadata: { name: n.name, namespace: ns, labels: { "k8s-app": n.label, ...own }, annotations: { "prometheus.io/port": String(n.metricsPort), "prometheus.io/scrape": "true", ...after } },
      spec: { clusterIP: "None", ports: [{ name: "metrics", port: n.metricsPort, targetPort: n.metricsPort }], selector: { "k8s-app": n.label } },
    },
  ];
  const policy = {
    apiVersion: "cilium.io/v2",
    kind: "CiliumLocalRedirectPolicy",
    metadata: phasedMetadata({ name: n.policy, namespace: ns, labels: own }, afterChart),
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
        header(`NodeLocal DNSCache (the guide's self-built one; TKE's add-on cannot work with Cilium). ${d.kubeDnsIP === null ? `install.sh applies it with ${d.placeholder} replaced by kube-dns's ClusterIP.` : "It holds kube-dns's ClusterIP from the profile (cluster.kubeDnsIP)."}`),
        objects,
        comments,
      ),
    ),
    file(d.policyFile, manifestsToYaml(header("Sends Pods' kube-dns traffic to the node-local-dns Pod on their node. install.sh applies it once cilium-operator is up (it registers the CRD)."), [policy])),
  ];
}

