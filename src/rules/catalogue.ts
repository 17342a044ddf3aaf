import { KUBERNETES_MINIMUM, KUBERNETES_RECOMMENDED_MINIMUM } from "../knowledge/tke.js";
import type { CodeEntry } from "./code-entry.js";
import { SELF_MANAGED_CODES } from "../capabilities/self-managed.js";

export type { CodeEntry, Stage } from "./code-entry.js";

/**
 * Every diagnostic code tke-cilium reports, in one typed table: where in the pipeline it is found, how
 * severe it is by default, and the text of `tke-cilium explain`. The union of the codes is closed: a
 * Diagnostic cannot carry a code that is not listed here.
 */

export const CATALOGUE = [
  {
    code: "JSON_SYNTAX",
    stage: "read",
    severity: "error",
    title: "the profile is not valid JSON",
    explanation: "Profiles are strict JSON: no comments, no trailing commas, double-quoted keys and strings.",
    source: "RFC 8259",
  },
  {
    code: "BYTE_ORDER_MARK",
    stage: "read",
    severity: "warning",
    title: "the file starts with a UTF-8 byte order mark",
    explanation: "The mark is ignored, but other JSON tools reject it; save the file as UTF-8 without BOM.",
    source: "RFC 8259 §8.1",
  },
  {
    code: "DUPLICATE_KEY",
    stage: "read",
    severity: "error",
    title: "a key appears twice in one object",
    explanation: "JSON parsers silently keep one of the two values, so the profile would not say what it seems to say. Keep one.",
    source: "RFC 8259 §4",
  },
  {
    code: "UNKNOWN_FIELD",
    stage: "schema",
    severity: "error",
    title: "a field the schema does not know",
    explanation: "Every object of the profile is closed: a misspelt field would otherwise be ignored silently. The message suggests the nearest known field.",
    source: "schema/profile.schema.json",
  },
  {
    code: "MISSING_FIELD",
    stage: "schema",
    severity: "error",
    title: "a required field is missing",
    explanation: "region, apiserverVIP and nodePool.type have no default.",
    source: "schema/profile.schema.json",
  },
  {
    code: "INVALID_TYPE",
    stage: "schema",
    severity: "error",
    title: "a value of the wrong JSON type",
    explanation: "Numbers, booleans and strings are not interchangeable: write 60002, not \"60002\"; true, not \"true\".",
    source: "schema/profile.schema.json",
  },
  {
    code: "INVALID_VALUE",
    stage: "schema",
    severity: "error",
    title: "a value outside the allowed set or form",
    explanation: "The value does not match the field's pattern or list of choices; the message shows what is expected.",
    source: "schema/profile.schema.json",
  },
  {
    code: "OUT_OF_RANGE",
    stage: "schema",
    severity: "error",
    title: "a number outside its range",
    explanation: "The field has a minimum or maximum; the message gives it.",
    source: "schema/profile.schema.json",
  },
  {
    code: "PROFILE_TOO_LARGE",
    stage: "read",
    severity: "error",
    title: "the file is far too large to be a profile",
    explanation: "Profiles are small JSON files; tke-cilium refuses anything over 1 MiB rather than spend time and memory on it.",
    source: "tke-cilium",
  },
  {
    code: "JSON_TOO_DEEP",
    stage: "read",
    severity: "error",
    title: "arrays or objects nested too deeply",
    explanation: "No profile nests more than a few levels; beyond 64 the file is refused before parsing, so it cannot exhaust the parser's stack.",
    source: "tke-cilium",
  },
  {
    code: "YAML_SYNTAX",
    stage: "read",
    severity: "error",
    title: "the profile is not valid YAML, or uses YAML a profile cannot",
    explanation:
      "A .yaml/.yml profile is read as YAML 1.2 (core schema: on, yes and no are strings, no timestamps, no << merge keys), one document, keys as plain text, at most 100 aliases. Anything else is refused at its line; YAML's own warnings (an unknown tag) are shown as warnings.",
    source: "YAML 1.2.2",
  },
  {
    code: "EXTENDS_INVALID",
    stage: "read",
    severity: "error",
    title: "extends names something that cannot be a base",
    explanation:
      'extends is a path, or a list of paths, relative to the profile\'s folder, to base files inside the repository. A base is recognised by its name: base.json, base.yaml, base.yml or NAME.base.json/.yaml/.yml. Bases are never rendered themselves, so a folder or glob of profiles can hold them.',
    source: "tke-cilium",
  },
  {
    code: "BASE_NOT_FOUND",
    stage: "read",
    severity: "error",
    title: "a base named in extends cannot be read",
    explanation: "The file does not exist, is outside the repository, is not a regular file, or is too large to be a base. Fix the path in extends.",
    source: "tke-cilium",
  },
  {
    code: "BASE_CYCLE",
    stage: "read",
    severity: "error",
    title: "bases extend each other in a circle",
    explanation: "A base that (through other bases) extends itself has no defined value. Remove one extends of the circle the message lists.",
    source: "tke-cilium",
  },
  {
    code: "INVALID_UTF8",
    stage: "read",
    severity: "error",
    title: "the file is not UTF-8",
    explanation: "JSON files are UTF-8. Decoding other bytes would silently replace characters, so the file is refused at its first invalid byte.",
    source: "RFC 8259 §8.1",
  },
  {
    code: "NUMBER_OUT_OF_RANGE",
    stage: "read",
    severity: "error",
    title: "a number that JSON tools cannot hold exactly",
    explanation: "Numbers like 1e400 become infinity, integral values beyond ±2^53 lose digits whatever their spelling (9007199254740993.0, 1e21), and more than 17 significant digits cannot be held; none of these means what the file says.",
    source: "RFC 8259 §6",
  },
  {
    code: "INVALID_UNICODE",
    stage: "read",
    severity: "error",
    title: "a string holds a lone UTF-16 surrogate",
    explanation:
      "JSON can spell half of a surrogate pair on its own (\\ud800). That is not a character: YAML writers cannot write it and Helm's YAML reader refuses the values file. Write the character itself, or both halves of its pair.",
    source: "RFC 8259 §8.2; YAML 1.2 §5.1 (printable characters)",
  },
  {
    code: "INVALID_NAME",
    stage: "profile",
    severity: "error",
    title: "the output folder name is not a DNS label",
    explanation: "Without a name field, the bundle folder is named after the profile file. Lower-case letters, digits and '-' only (at most 63): set name when the file name has other characters (e.g. dots).",
    source: "SPEC §2 (name)",
  },
  {
    code: "FIELD_NOT_FOR_PLATFORM",
    stage: "profile",
    severity: "error",
    title: "a field of another platform",
    explanation:
      "region, apiserverVIP and nodePool describe a TKE cluster (platform tke, the default); selfManaged describes a kubeadm, k3s or kubespray cluster. A field of the other kind is a profile copied from another platform, and the bundle would silently ignore it: remove it, or set platform to the one it belongs to. The same for an add-on only TKE bundles carry (features.gatewayApi, nodeLocalDns, egressGateway, encryption, flowLogs… on kubeadm, k3s or kubespray).",
    source: "issue 27 (platforms); SPEC §2",
  },
  {
    code: "UNSUPPORTED_CILIUM_VERSION",
    stage: "profile",
    severity: "error",
    title: "cilium.version must be a release tke-cilium has chart data for",
    explanation:
      "Image lists, value keys and value types come from the released chart of each version. tke-cilium ships them for 1.18.0 to 1.18.12, 1.19.0 to 1.19.6 and 1.20.0 (tke-cilium chart list). A newer release needs no tool release: tke-cilium chart add cilium-X.Y.Z.tgz (the tarball helm pull cilium/cilium --version X.Y.Z saves) stores its data in the repository's .tke-cilium/charts/. The message judges an unknown version by release order: newer than the newest known patch or minor (add it), or a typo of a known one.",
    source: "schema/cilium/ (released charts); .tke-cilium/charts/ (tke-cilium chart add)",
  },
  {
    code: "CILIUM_NOT_VERIFIED",
    stage: "profile",
    severity: "warning",
    title: "the TKE guide has not verified this Cilium minor release yet",
    explanation:
      "The TKE guide has verified the 1.18 and 1.19 lines on TKE (its newest edition: Cilium 1.19.5). Cilium 1.20 and later render and pass Helm's own checks, but nobody has confirmed on TKE that they work with VPC-CNI chaining, TKE's apiserver VIP and its node images. Try a new minor on a test cluster first; the default cilium.version stays the release the guide verified.",
    source: "guide: install.md (Cilium 1.19.5 edition, 2026-08); history/ (1.18.3 edition)",
  },
  {
    code: "KUBERNETES_TOO_OLD",
    stage: "profile",
    severity: "error",
    title: `cluster.kubernetesVersion below ${KUBERNETES_MINIMUM} is unsupported, below ${KUBERNETES_RECOMMENDED_MINIMUM} discouraged`,
    explanation: `The first guide asked for Kubernetes ${KUBERNETES_MINIMUM} or later, the oldest release Cilium 1.18 is tested on (error below). Since 2026-04 the guide asks for ${KUBERNETES_RECOMMENDED_MINIMUM} or later (warning below). Each Cilium release is e2e-tested on a range of Kubernetes releases, and newer ones are not guaranteed either (KUBERNETES_UNTESTED).`,
    source: "seed 000 (>= 1.30.0); guide install.md (>= 1.32)",
  },
  {
    code: "PLACEHOLDER_VALUE",
    stage: "profile",
    severity: "error",
    title: "a placeholder tke-cilium init wrote is still in the profile",
    explanation:
      "init writes subnet-changeme and sg-changeme where a Karpenter pool needs ids it was not given, so the profile is valid to edit. A bundle with them would create a TKEMachineNodeClass that selects no subnet and no security group: Karpenter would never launch a node. render, check and validate refuse them; put the real ids there (the VPC console lists them).",
    source: "tke-cilium init; reference/karpenter/ (TKEMachineNodeClass selector terms)",
  },
  {
    code: "OS_UNSUPPORTED",
    stage: "profile",
    severity: "error",
    title: "node OS must have kernel 5.10 or later",
    explanation:
      "Cilium needs Linux 5.10+. TencentOS 3.x and Ubuntu 20.04 are errors; an OS outside the guide's verified table is a warning (test one node first).",
    source: "guide: appendix/verified-os.md",
  },
  {
    code: "POD_CIDR_OVERLAP",
    stage: "profile",
    severity: "error",
    title: "overlay Pod CIDRs must not overlap the VPC or the Service CIDR",
    explanation:
      "In overlay mode Pod IPs come from cilium.podCidrs. A Pod CIDR that overlaps a VPC range or the Service CIDR makes those addresses ambiguous: nodes route them to Pods and cut off real VPC hosts or Services. The default cluster-pool range 10.0.0.0/8 breaking node networks is the seeds' most repeated failure. Pick a range outside every cluster.vpcCidrs entry and cluster.serviceCidr.",
    source: "guide: install.md overlay values (Pod CIDR must not conflict with VPC or Service CIDR); seeds 001, 003, 004 (cluster-pool 10.0.0.0/8)",
  },
  {
    code: "SERVICE_CIDR_OVERLAP",
    stage: "profile",
    severity: "error",
    title: "the Service CIDR must not overlap the VPC",
    explanation: "TKE requires the Service CIDR to be outside the VPC's ranges; kube-proxy replacement would otherwise capture traffic meant for VPC hosts.",
    source: "terraform provider: service_cidr (different from the VPC CIDR)",
  },
  {
    code: "EGRESS_WITH_ENDPOINT_SLICE",
    stage: "profile",
    severity: "error",
    title: "the egress gateway does not work with CiliumEndpointSlice",
    explanation: "Cilium's egress gateway is incompatible with CiliumEndpointSlice (and Cluster Mesh). Turn one of features.egressGateway and features.endpointSlice off.",
    source: "guide: egress-gateway.md, known issues",
  },
  {
    code: "UNKNOWN_HELM_VALUE",
    stage: "profile",
    severity: "error",
    title: "cilium.extraValues sets a value the chart does not have",
    explanation:
      "The Cilium chart's own schema is not strict: Helm accepts a misspelt key and ignores it, and the setting silently never happens. tke-cilium checks every path of cilium.extraValues against the chart's key set for cilium.version (keys of values.yaml and every value its templates read). Free-form maps (extraConfig, resources, tolerations, annotations...) accept any sub-key.",
    source: "schema/cilium/ (the released chart's values.yaml and templates)",
  },
  {
    code: "DOTTED_HELM_KEY",
    stage: "profile",
    severity: "error",
    title: "cilium.extraValues has a key with dots where the chart expects nesting",
    explanation:
      "In a values file a key is one name: {\"hubble.relay.enabled\": true} sets a value literally called hubble.relay.enabled, which the chart never reads, so Hubble Relay silently stays off. Nest the keys instead: {\"hubble\": {\"relay\": {\"enabled\": true}}}. Dots are fine inside free-form maps (extraConfig, annotations, labels...), whose keys are passed on as they are.",
    source: "Helm values files (YAML maps); schema/cilium/ (the chart's key set)",
  },
  {
    code: "HELM_VALUE_TYPE",
    stage: "profile",
    severity: "error",
    title: "cilium.extraValues sets a value of the wrong type",
    explanation:
      "Helm validates the merged values against the chart's values.schema.json and fails the install on a wrong type: booleans must be true/false, not \"yes\" or \"true\"; numbers must be numbers. tke-cilium checks the types before anything is rendered.",
    source: "schema/cilium/ (the released chart's values.schema.json)",
  },
  {
    code: "EXTRA_VALUE_OVERRIDE",
    stage: "bundle",
    severity: "warning",
    title: "cilium.extraValues changes a value the bundle sets",
    explanation:
      "The profile's value wins: the bundle leaves its own out of its values file, and the profile's is written last (features-values.yaml), with a comment naming what the bundle wanted and why. The bundle rules then check the result, so an override that would break the cluster is refused under its own code. Prefer the profile field that drives the value when there is one; keep the override when none does (e.g. the agent's resources after an OOM).",
    source: "SPEC §3 invariants; Helm merges values files in order (maps merge, lists and scalars are replaced)",
  },
  {
    code: "ENVOY_WITH_DELEGATED_IPAM",
    stage: "bundle",
    severity: "error",
    title: "Gateway API, Ingress or the Envoy config need an IPAM Cilium owns",
    explanation:
      "With ipam.mode delegated-plugin (native mode: VPC-CNI hands out the Pod IPs), cilium-agent refuses to start when the Envoy config is on, and Gateway API and the Ingress controller turn it on: every node loses its CNI. The guide's mode table: Gateway API is not supported in Native Routing (VPC-CNI), only in overlay mode (ipam multi-pool). Use cilium.mode overlay for a cluster that needs Gateway API or Ingress.",
    source: "guide: install.md (mode table, 'Gateway API'), gateway-api.md; Cilium: the agent's option checks (envoy config with delegated IPAM)",
  },
  {
    code: "IPSEC_ON_VPC_CNI",
    stage: "bundle",
    severity: "error",
    title: "IPsec encryption does not work for Pods on VPC-CNI",
    explanation:
      "The guide's encryption page: when Pods use the VPC-CNI network (native mode), IPsec cannot be used; use WireGuard (encryption.type wireguard).",
    source: "guide: encryption.md",
  },
  {
    code: "CLUSTERMESH_WITH_EGRESS_GATEWAY",
    stage: "bundle",
    severity: "error",
    title: "Cluster Mesh and the egress gateway cannot run together",
    explanation:
      "Cilium's egress gateway is incompatible with Cluster Mesh (and CiliumEndpointSlice); the guide's egress gateway page repeats it. Turn one of them off.",
    source: "guide: egress-gateway.md; Cilium docs: Egress Gateway, Compatibility with other features",
  },
  {
    code: "GATEWAY_API_WITHOUT_HOST_NETWORK",
    stage: "bundle",
    severity: "error",
    title: "on TKE, Gateway API needs host-network mode",
    explanation:
      "The guide's Gateway API page: gatewayAPI.hostNetwork.enabled must be true on TKE. The CLB then sends traffic straight to the node port Envoy binds (direct-access), without the LoadBalancer Service path that does not work there.",
    source: "guide: gateway-api.md (Helm values table: 'TKE 环境必须启用')",
  },
  {
    code: "AUTO_DIRECT_ROUTES_WITH_TUNNEL",
    stage: "bundle",
    severity: "error",
    title: "autoDirectNodeRoutes works only with native routing",
    explanation:
      "autoDirectNodeRoutes installs a route to each node's Pod range, which only native routing uses; with routingMode tunnel (overlay mode) Cilium refuses the combination and the agents do not start. Seed 003's lesson. Remove autoDirectNodeRoutes from cilium.extraValues.",
    source: "seed 003 (routing); Cilium: routing docs and the agent's option checks",
  },
  {
    code: "TUNNEL_WITHOUT_MASQUERADE",
    stage: "bundle",
    severity: "error",
    title: "tunnel routing needs IPv4 masquerading",
    explanation:
      "In overlay mode the Pod addresses exist only inside the tunnels: traffic leaving the cluster must be masqueraded to the node's address, or replies never come back. Seed 003's routing rules. Keep enableIPv4Masquerade on (overlay mode sets it).",
    source: "seed 003 (routing); guide: appendix/masquerading.md",
  },
  {
    code: "DUPLICATE_PROFILE_NAME",
    stage: "fleet",
    severity: "error",
    title: "two profiles render to one output folder",
    explanation: "Each profile writes out/<name>/; two profiles with one name in one run would overwrite each other. Rename one (the name field, or the file).",
    source: "SPEC §2",
  },
  {
    code: "UPGRADE_SKIPS_MINOR",
    stage: "upgrade",
    severity: "error",
    title: "the upgrade skips a minor release",
    explanation:
      "render and check --staged compare each bundle with the one it replaces (on disk, or in HEAD): in GitOps nothing else stands between the commit and the cluster. Cilium is upgraded one minor release at a time (1.18 → 1.19 → 1.20): its pre-flight check, the configuration migrations and the agents' rolling restart assume the previous minor is running. Safe path: set cilium.version to the newest patch of the next minor, commit, let the engine roll it out and check the cluster (cilium status), then take the next minor. A deliberate jump (a cluster being rebuilt) is allowed with upgrade.allow: ['skip-minor'] in the profile, visible in the pull request; remove it afterwards.",
    source: "docs.cilium.io: Upgrade Guide (upgrade to the latest patch, then one minor at a time); tke-cilium",
  },
  {
    code: "UPGRADE_DOWNGRADE",
    stage: "upgrade",
    severity: "error",
    title: "the bundle goes to an older Cilium release",
    explanation:
      "The bundle in place (on disk, or in HEAD) runs a newer Cilium than the profile now asks for. Cilium supports a rollback only to the release it was upgraded from, with that release's values, and only soon after the upgrade: newer agents may have written state (BPF maps, CRD fields) an older one cannot read. Safe path: revert the upgrade commit as a whole (version and values together), or roll forward to a fixed patch of the running minor. A deliberate downgrade is allowed with upgrade.allow: ['downgrade'] in the profile.",
    source: "docs.cilium.io: Upgrade Guide, Downgrade; tke-cilium",
  },
  {
    code: "UPGRADE_DATAPATH_CHANGE",
    stage: "upgrade",
    severity: "error",
    title: "the datapath of a running cluster changes",
    explanation:
      "routingMode, ipam.mode or the tunnel protocol differ from the bundle in place (native ↔ overlay, delegated-plugin ↔ multi-pool IPAM, vxlan ↔ geneve). Running Pods keep the addresses and routes of the old datapath; cross-node traffic breaks until every node is drained and rebuilt, and TKE's VPC-CNI and Cilium's own IPAM would hand out conflicting addresses. Safe path: create a new node pool (or a new cluster) with the new mode and move the workloads, rather than changing the cluster in place. A deliberate in-place change (an empty cluster) is allowed with upgrade.allow: ['datapath'] in the profile.",
    source: "guide: overlay mode (a GR or VPC-CNI cluster is created for one mode); docs.cilium.io: Routing, IPAM (changing the IPAM mode of a running cluster is not supported)",
  },
  {
    code: "UPGRADE_ALLOW_UNUSED",
    stage: "upgrade",
    severity: "warning",
    title: "upgrade.allow names a change this bundle does not make",
    explanation:
      "upgrade.allow lets one deliberate skipped minor, downgrade or datapath change through review. Once that change is committed, the bundle in place already has it and the allowance is not needed; left in the profile, it would let the next such change through unseen. Safe path: remove the entry (or the whole upgrade field) in the commit after the rollout.",
    source: "tke-cilium",
  },
  {
    code: "GITOPS_LOCAL_CHART",
    stage: "profile",
    severity: "error",
    title: "a GitOps engine cannot fetch a local chart file",
    explanation:
      "tke-cilium.json names a GitOps engine, and the profile's cilium.chart is a .tgz next to the bundle. Argo CD and Flux fetch the chart from a Helm repository: use cilium/cilium (https://helm.cilium.io/), or a mirror of it as a Helm repository, or deliver this cluster with install.sh alone (remove gitops from tke-cilium.json).",
    source: "Argo CD Application spec.sources[].chart; Flux HelmRelease spec.chart.spec.sourceRef",
  },
  {
    code: "GITOPS_NAME_TOO_LONG",
    stage: "bundle",
    severity: "error",
    title: "the Argo CD Application's name is longer than a label value",
    explanation:
      "The Application is called cilium-<name>, and Argo CD writes the Application's name into a label of every object it deploys; a label value holds at most 63 characters. Give the profile a shorter name.",
    source: "Kubernetes object names and labels (label values: 63 characters); Argo CD resource tracking",
  },
  {
    code: "KUBERNETES_UNTESTED",
    stage: "profile",
    severity: "warning",
    title: "the Cilium release is not tested on this Kubernetes release",
    explanation:
      "Cilium lists the Kubernetes releases each of its releases is e2e-tested on; Cilium 1.18 stops at 1.33. Newer releases depend on Kubernetes' compatibility and are not guaranteed. Use Cilium 1.19 on Kubernetes 1.34 and later.",
    source: "Cilium docs: Kubernetes Compatibility (v1.18: 1.30, 1.31, 1.32, 1.33)",
  },
  {
    code: "FLOW_LOGS_WITHOUT_HUBBLE",
    stage: "bundle",
    severity: "error",
    title: "flow logs need the Hubble server",
    explanation:
      "features.flowLogs configures Hubble's dynamic exporter, which runs inside the Hubble server of each cilium-agent. cilium.extraValues setting hubble.enabled false switches that server off, and no flow would ever be written. The Hubble server is on by default; Relay and UI (features.hubble) are not needed.",
    source: "guide: flow-logs.md (hubble.enabled=true with the exporter)",
  },

  {
    code: "GITOPS_NEEDS_VPC_CIDRS",
    stage: "bundle",
    severity: "error",
    title: "a GitOps bundle cannot read the VPC's CIDRs from the cluster",
    explanation:
      "With masquerading in native mode (features.masquerade or features.egressGateway), ipMasqAgent.config.nonMasqueradeCIDRs must list every VPC range. install.sh reads them from the cluster's ip-masq-agent-config ConfigMap when the profile does not give them; a GitOps engine renders the chart from git alone and would install the three RFC 1918 ranges instead, silently: cross-node Pod traffic to a VPC range outside them would be SNATed. List the VPC's primary and secondary CIDRs in cluster.vpcCidrs (console: VPC > CIDR, or `kubectl -n kube-system get cm ip-masq-agent-config -o yaml`).",
    source: "guide: egress-gateway.md (nonMasqueradeCIDRs), appendix/masquerading.md; tke-cilium",
  },
  {
    code: "GITOPS_NEEDS_KUBE_DNS_IP",
    stage: "bundle",
    severity: "error",
    title: "a GitOps bundle cannot read kube-dns's ClusterIP from the cluster",
    explanation:
      "NodeLocal DNSCache (features.nodeLocalDns) binds kube-dns's ClusterIP on every node, and its redirect policy sends that address to the node's cache. install.sh reads the address from the cluster when the profile does not give it; a GitOps engine renders from git alone. Set cluster.kubeDnsIP to the ClusterIP of kube-system/kube-dns (`kubectl -n kube-system get service kube-dns -o jsonpath='{.spec.clusterIP}'`; it never changes for the cluster's life): the bundle then holds it, and the engine delivers NodeLocal DNSCache and its policy after the chart.",
    source: "guide: nodelocaldns.md; tke-cilium",
  },
  ...SELF_MANAGED_CODES,
] as const satisfies readonly CodeEntry[];

/** The codes of the pipeline's own stages and rules; capabilities own theirs (src/rules/codes.ts joins them). */
export type CatalogueCode = (typeof CATALOGUE)[number]["code"];
