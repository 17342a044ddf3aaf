/* Generated from schema/profile.schema.json by `npm run gen:types` (json-schema-to-typescript). Do not edit. */

/**
 * One TKE cluster that gets Cilium: what tke-cilium needs to render its install bundle into out/<name>/.
 */
export interface TkeCiliumProfile {
  /**
   * Path or URL of this JSON Schema, so editors complete and check the profile. Ignored by tke-cilium.
   */
  $schema?: string;
  /**
   * Base file(s) this profile is like, relative to its folder (base.yaml, or NAME.base.yaml/.yml/.json), applied in order before the profile itself: objects merge, arrays and scalars replace, null removes an inherited value. A base may extend other bases.
   */
  extends?: string | string[];
  /**
   * Name of the output folder out/<name>/ (a DNS label). Defaults to the profile file's basename without .json, .yaml or .yml.
   */
  name?: string;
  /**
   * Where the cluster runs: tke (Tencent Kubernetes Engine, the default: region, apiserverVIP, cluster and nodePool describe it) or a self-managed kubeadm, k3s or kubespray cluster (selfManaged describes it; region, apiserverVIP and nodePool are TKE-only and an error there).
   */
  platform?: "tke" | "kubeadm" | "k3s" | "kubespray";
  /**
   * Tencent Cloud region id (ap-guangzhou, na-ashburn, ap-shanghai-fsi, ap-hangzhou-ec...), used by the Terraform provider block. A region tke-cilium does not know is a warning (UNKNOWN_REGION).
   */
  region?: string;
  /**
   * k8sServiceHost: the 169.254.x.x apiserver address printed by `kubectl get ep kubernetes -n default -o jsonpath='{.subsets[0].addresses[0].ip}'`. Never the CLB VIP.
   */
  apiserverVIP?: string;
  /**
   * k8sServicePort: the apiserver port behind apiserverVIP.
   */
  apiserverPort?: number;
  /**
   * The TKE cluster Cilium is installed on.
   */
  cluster?: {
    /**
     * Existing cluster id. When set, Terraform node pools reference it and no cluster resource is emitted; when absent, main.tf creates the cluster.
     */
    id?: string;
    /**
     * TKE container network: vpc-cni (VPC-CNI shared ENI multi-IP, recommended) or gr (GlobalRouter; overlay mode only).
     */
    network?: "vpc-cni" | "gr";
    /**
     * Kubernetes version of the cluster (cluster_version in Terraform). Below 1.30 is an error, below 1.32 a warning.
     */
    kubernetesVersion?: string;
    /**
     * VPC id for the cluster resource (vpc_id). Absent: a Terraform variable.
     */
    vpcId?: string;
    /**
     * Service CIDR for the cluster resource (service_cidr). Absent: a Terraform variable.
     */
    serviceCidr?: string;
    /**
     * VPC-CNI Pod subnets for the cluster resource (eni_subnet_ids). Absent: a Terraform variable.
     *
     * @minItems 1
     * @maxItems 30
     */
    eniSubnetIds?: string[];
    /**
     * Subnet of the intranet CLB that exposes the apiserver (cluster_intranet_subnet_id). Absent: a Terraform variable.
     */
    intranetSubnetId?: string;
    /**
     * Default node OS of the cluster resource (cluster_os), an OsName from the verified OS table.
     */
    osImage?: string;
    /**
     * The VPC's primary and secondary CIDRs: the nonMasqueradeCIDRs of Cilium's ipMasqAgent, and the ranges Pod CIDRs must not overlap.
     *
     * @maxItems 10
     */
    vpcCidrs?: string[];
    /**
     * The ClusterIP of kube-system/kube-dns (kubectl -n kube-system get service kube-dns -o jsonpath='{.spec.clusterIP}'). NodeLocal DNSCache needs it: install.sh reads it from the cluster when it is not given; a GitOps engine cannot, so a GitOps bundle with features.nodeLocalDns needs it here, and then delivers NodeLocal DNSCache itself.
     */
    kubeDnsIP?: string;
    /**
     * Native mode: the version of TKE's tke-eni-agent the cluster runs (kubectl -n kube-system get daemonset tke-eni-agent -o jsonpath='{.spec.template.spec.containers[0].image}', the image tag), which must be v3.8.0 or later. install.sh checks the live one before it changes anything; a GitOps engine cannot, so a native GitOps bundle needs it here. Update it when TKE upgrades the add-on.
     */
    eniAgentVersion?: string;
    /**
     * Expected number of nodes. Drives the APF share (<=500: 10, <=1000: 6, <=3000: 3, more: 2; absent: 2) and the large-scale advice from 200 nodes on.
     */
    maxNodes?: number;
  };
  /**
   * The Cilium release and how it is wired into the cluster.
   */
  cilium?: {
    /**
     * Cilium release (X.Y.Z): one tke-cilium ships chart data for (tke-cilium chart list: 1.18.0 to 1.18.12, 1.19.0 to 1.19.6, 1.20.0) or one added to the repository with tke-cilium chart add. Default: 1.19.5, the release the newest TKE guide verified.
     */
    version?: string;
    /**
     * native: VPC-CNI plus generic-veth chaining, Pods keep VPC IPs. overlay: vxlan tunnel with multi-pool IPAM (the only mode on GR clusters).
     */
    mode?: "native" | "overlay";
    /**
     * Overlay mode only: the Pod CIDRs of the default CiliumPodIPPool. Must not overlap cluster.vpcCidrs or cluster.serviceCidr.
     *
     * @minItems 1
     * @maxItems 16
     */
    podCidrs?: string[];
    /**
     * Overlay mode only: the per-node block size carved from podCidrs (24 = 254 Pod IPs a block).
     */
    podMaskSize?: number;
    /**
     * Helm chart reference (repo/chart), or a local .tgz path for air-gapped installs (relative to install.sh).
     */
    chart?: string;
    /**
     * Where the chart reference cilium/<chart> is fetched from, by install.sh, Argo CD and Flux alike: the upstream Helm repository, an HTTP(S) mirror of it, or an OCI registry such as TCR (oci://<registry>/<namespace>, holding the chart as <namespace>/cilium). Mainland-China clusters often cannot reach helm.cilium.io.
     */
    chartRepository?: string;
    /**
     * Extra Helm values, merged last into features-values.yaml. Every key path must exist in the chart for cilium.version.
     */
    extraValues?: {};
  };
  /**
   * Where nodes pull Cilium's images from.
   */
  images?: {
    /**
     * tke: quay.io images from quay.tencentcloudcr.com, SPIRE from docker.io/k8smirror (no internet needed on TKE). none: upstream registries. custom: every image under images.registry (a TCR copy).
     */
    mirror?: "tke" | "none" | "custom";
    /**
     * The private registry (e.g. your-tcr-name.tencentcloudcr.com, or with a namespace). Each image keeps its upstream path under it, the guide's TCR layout: your-tcr-name.tencentcloudcr.com/quay.io/cilium/cilium. Required with mirror custom, forbidden otherwise.
     */
    registry?: string;
    /**
     * Keep the chart's image digests. Set false when the copy does not keep upstream digests (docker pull/tag/push copies).
     */
    useDigest?: boolean;
  };
  /**
   * The node pool the bundle creates for Cilium nodes.
   */
  nodePool?: {
    /**
     * karpenter: a Karpenter NodePool + TKEMachineNodeClass (nodepool.yaml). native: a TKE native node pool in Terraform. regular: a TKE regular (CVM) node pool in Terraform.
     */
    type: "karpenter" | "native" | "regular";
    /**
     * Node pool name. Defaults to default (karpenter) or cilium (native, regular).
     */
    name?: string;
    /**
     * Subnets of the nodes. Required for karpenter; absent on native/regular: a Terraform variable.
     *
     * @maxItems 30
     */
    subnetIds?: string[];
    /**
     * Security groups of the nodes. Required for karpenter; absent on native/regular: a Terraform variable.
     *
     * @maxItems 30
     */
    securityGroupIds?: string[];
    /**
     * SSH key ids installed on the nodes (optional).
     *
     * @maxItems 30
     */
    sshKeyIds?: string[];
    /**
     * Karpenter: instance families the NodePool may launch.
     *
     * @minItems 1
     * @maxItems 50
     */
    instanceFamilies?: string[];
    /**
     * Karpenter: capacity types the NodePool may launch.
     *
     * @minItems 1
     */
    capacityTypes?: ("on-demand" | "spot")[];
    /**
     * Karpenter: launch only instances with more than this many vCPUs.
     */
    minInstanceCpu?: number;
    /**
     * Karpenter: total vCPUs the NodePool may hold (limits.cpu).
     */
    cpuLimit?: number;
    /**
     * Karpenter: how long a node must be empty or underused before it is consolidated.
     */
    consolidateAfter?: string;
    /**
     * Karpenter: the share or number of nodes that may be disrupted at once.
     */
    disruptionBudget?: string;
    /**
     * native/regular: CVM instance types (regular uses the first as instance_type, the rest as backups). Absent: a Terraform variable.
     *
     * @minItems 1
     * @maxItems 10
     */
    instanceTypes?: string[];
    /**
     * native/regular: minimum number of nodes. At least 1 keeps a node for cilium-operator and lets cluster-autoscaler copy a real node as its template.
     */
    minSize?: number;
    /**
     * native/regular: maximum number of nodes.
     */
    maxSize?: number;
    /**
     * regular: node OS (node_os), an OsName from the verified OS table. Kernel must be >= 5.10.
     */
    os?: string;
    /**
     * Taint new nodes until cilium-agent is ready on them (Cilium removes the taint). Default: on for regular pools (node.cilium.io/agent-not-ready, as the guide's pool) and Karpenter pools (startupTaints); off for native pools, as the guide's. true on a native pool uses a key cluster-autoscaler ignores (ignore-taint.cluster-autoscaler.kubernetes.io/cilium-agent-not-ready), set in the chart too, so the pool still scales up from zero.
     */
    startupTaint?: boolean;
    /**
     * native/regular: a post-init script that adds the quay.io -> quay.tencentcloudcr.com containerd mirror on each node.
     */
    containerdMirror?: boolean;
    /**
     * The guide's egress gateway node pool, created beside this pool in terraform/nodepool/: nodes labelled egress-node=true, each with a public IP, a fixed number of them, and optionally a taint that keeps other Pods off. egress-gateway-policy.sh prints the CiliumEgressGatewayPolicy that sends chosen Pods out through them. Needs features.egressGateway; native and regular pools only (Karpenter sizes a pool to pending Pods, an egress pool has a fixed size).
     */
    egress?: {
      /**
       * The egress pool's name (and its Terraform resource's).
       */
      name?: string;
      /**
       * How many egress nodes: a fixed size, no autoscaling (their public IPs are what the outside world allows).
       */
      size?: number;
      /**
       * Taint the egress nodes (egress-node=true:NoSchedule) so only Pods that tolerate it run there.
       */
      taint?: boolean;
      /**
       * Public bandwidth of each egress node in Mbps, billed by traffic (TRAFFIC_POSTPAID_BY_HOUR: 1 to 100).
       */
      bandwidthOut?: number;
      /**
       * Subnets of the egress nodes. A subnet whose route table has no NAT gateway route lets the egress gateway coexist with a NAT gateway (the guide's FAQ). Default: nodePool.subnetIds.
       *
       * @minItems 1
       * @maxItems 30
       */
      subnetIds?: string[];
    };
  };
  /**
   * Cluster Mesh: join this cluster to the other profiles' clusters of the same mesh. cluster.id is required (Cilium's cluster.name is the TKE cluster id). Among the profiles rendered or checked together, the clusters of one mesh need unique clusterIds, non-overlapping Pod CIDRs (overlay) or VPC CIDRs (native), and each its address: every member's values list the others (clustermesh.config), so the mesh connects from the values alone (GitOps too). Emits clustermesh.sh (shared CA, status). Not with the egress gateway.
   */
  clusterMesh?: {
    /**
     * The mesh's name: profiles with the same name form one mesh.
     */
    name: string;
    /**
     * Cilium's cluster.id, unique in the mesh.
     */
    clusterId: number;
    /**
     * Subnet of the internal CLB that exposes clustermesh-apiserver to the other clusters (when clbId is not given). Default: the first of nodePool.subnetIds, else cluster.intranetSubnetId.
     */
    subnetId?: string;
    /**
     * The VPC address (IPv4) of this cluster's clustermesh-apiserver: the VIP of its internal CLB, port 2379. The other members' values list it (clustermesh.config.clusters[].ips), so it must be known before they render: create the internal CLB beforehand and give clbId, or read the VIP the CLB got on this cluster's first install (kubectl -n kube-system get service clustermesh-apiserver) and re-render the mesh.
     */
    address?: string;
    /**
     * An internal CLB created beforehand (Terraform, console) whose VIP is address: clustermesh-apiserver's Service reuses it (service.kubernetes.io/tke-existed-lbid) instead of creating one, so the address is fixed before the install. subnetId is then not used.
     */
    clbId?: string;
  };
  /**
   * Optional Cilium features.
   */
  features?: {
    /**
     * Hubble Relay and Hubble UI.
     */
    hubble?: boolean;
    /**
     * Cilium Egress Gateway (with BPF masquerade and ipMasqAgent). Incompatible with endpointSlice.
     */
    egressGateway?: boolean;
    /**
     * Native mode: Pods reach outside the VPC through the node IP (BPF masquerade + ipMasqAgent), as the guide's installer does by default. Off: Pods reach the internet only through a NAT gateway; leaving it unset warns (NATIVE_WITHOUT_MASQUERADE), false says the VPC has one. Overlay always masquerades.
     */
    masquerade?: boolean;
    /**
     * CiliumEndpointSlice (ciliumEndpointSlice.enabled), advised from 200 nodes on.
     */
    endpointSlice?: boolean;
    /**
     * CiliumLocalRedirectPolicy (localRedirectPolicies.enabled). features.nodeLocalDns needs it.
     */
    localRedirectPolicy?: boolean;
    /**
     * Cilium Bandwidth Manager (bandwidthManager.enabled).
     */
    bandwidthManager?: boolean;
    /**
     * Emit cilium-apf.yaml: a FlowSchema and PriorityLevelConfiguration that rate-limit Cilium's apiserver traffic.
     */
    apf?: boolean;
    /**
     * The guide's large-scale tuning for a cluster that shows the symptoms: client rate limits (k8sClientRateLimit, when cilium-agent's client throttles) and identity label trimming (extraConfig.labels, when identities multiply). Off by default, at any size: the guide applies them when the symptom is seen. Agent and operator resources are not set: raise them through cilium.extraValues after an OOM or CPU throttling.
     */
    scaleTuning?: boolean;
    /**
     * The guide's self-built NodeLocal DNSCache (TKE's own add-on cannot work with Cilium): node-local-dns.yaml (a node-cache DaemonSet with the mirrored image) and localdns-redirect-policy.yaml (a CiliumLocalRedirectPolicy that sends kube-dns traffic to the node's cache). install.sh reads kube-dns's ClusterIP, and applies the policy once cilium-operator is up. Needs localRedirectPolicy.
     */
    nodeLocalDns?: boolean;
    /**
     * Transparent encryption between nodes. wireguard: the guide's choice (the kernel must carry the wireguard module; TencentOS 4 does). ipsec: GlobalRouter clusters only (it cannot work with VPC-CNI); install.sh creates the cilium-ipsec-keys Secret once. none: no encryption.
     */
    encryption?: "none" | "wireguard" | "ipsec";
    /**
     * Cilium's Gateway API in host-network mode (TKE's CLB cannot reach it otherwise). Overlay mode only: with VPC-CNI native routing (delegated IPAM) the agents refuse Envoy's configuration. Ships the Gateway API v1.5.1 CRDs (gateway-api-crds.yaml, applied before the chart) and an example Gateway with its TKE CLB Service (gateway-example.yaml).
     */
    gatewayApi?: boolean;
    /**
     * Flow logs: Hubble's dynamic exporter writes flows to files in the cilium Pods (/var/run/cilium/hubble/), rotated (50 MB, 10 files, compressed) with HTTP URL queries and user info redacted, and never logging the CLS endpoint's own traffic (169.254.0.71). true: one export of every flow (the guide's 'all'). An object chooses the exports, and with cls the CLS LogConfig that collects them (cls-logconfig.yaml). Needs the Hubble server (on unless cilium.extraValues turns hubble.enabled off).
     */
    flowLogs?:
      | boolean
      | {
          /**
           * One file per export. Default: [{"name": "all"}].
           *
           * @minItems 1
           * @maxItems 10
           */
          exports?: {
            /**
             * The export's name; its file is /var/run/cilium/hubble/<name>.log.
             */
            name: string;
            /**
             * Export only flows matching one of these filters (includeFilters).
             *
             * @maxItems 20
             *
             * Items: A Hubble FlowFilter (fields of flow.proto's FlowFilter: source_pod, destination_pod, source_ip, destination_ip, verdict, event_type, source_label, destination_label...); fields of one filter must all match.
             */
            include?: {}[];
            /**
             * Leave out flows matching one of these filters (excludeFilters); the CLS endpoint's traffic is always left out.
             *
             * @maxItems 20
             *
             * Items: A Hubble FlowFilter (fields of flow.proto's FlowFilter: source_pod, destination_pod, source_ip, destination_ip, verdict, event_type, source_label, destination_label...); fields of one filter must all match.
             */
            exclude?: {}[];
            /**
             * Keep only these fields of each flow (time, verdict, IP, l4, source.pod_name...); empty keeps all.
             *
             * @maxItems 50
             */
            fieldMask?: string[];
          }[];
          /**
           * Collect the exported files into Tencent Cloud CLS: emits cls-logconfig.yaml (a LogConfig of TKE's log collection, which must be enabled on the cluster).
           */
          cls?: {
            /**
             * CLS region. Default: the profile's region.
             */
            region?: string;
            /**
             * CLS logset name (created when none has it).
             */
            logset: string;
            /**
             * CLS topic name (created when none has it).
             */
            topic: string;
          };
        };
    /**
     * Expose the Hubble UI (features.hubble) inside the VPC through a TKE internal CLB: the hubble-ui Service becomes a LoadBalancer with service.kubernetes.io/qcloud-loadbalancer-internal-subnetid. true: the CLB takes its address from the first of nodePool.subnetIds, else cluster.intranetSubnetId; an object gives the subnet. false: the UI stays a ClusterIP Service (kubectl port-forward).
     */
    hubbleUiClb?:
      | boolean
      | {
          /**
           * Subnet the internal CLB takes its address from.
           */
          subnetId?: string;
        };
  };
  /**
   * How the GitOps engine of tke-cilium.json delivers this cluster's bundle. Ignored without an engine.
   */
  gitops?: {
    /**
     * Argo CD: the cluster this bundle deploys to, as registered in Argo CD (a name), or its API server URL (https://...). Default: tke-cilium.json's gitops.destination with {name} replaced by this profile's name.
     */
    destination?: string;
  };
  /**
   * Upgrade safety: render and check --staged compare this bundle with the one already on disk or in HEAD, and refuse a skipped minor release, a downgrade or a datapath change unless it is allowed here, on purpose and visibly in the pull request.
   */
  upgrade?: {
    /**
     * The dangerous changes this commit makes on purpose: skip-minor (e.g. 1.18 to 1.20 in one step), downgrade (a lower Cilium release), datapath (cilium.mode, IPAM or routing change: every Pod must be recreated). Remove it again once the change is rolled out.
     */
    allow?: ("skip-minor" | "downgrade" | "datapath")[];
  };
  /**
   * The self-managed cluster (platform kubeadm, k3s or kubespray): where its API server listens and how its network is laid out. Required on those platforms, an error on tke.
   */
  selfManaged?: {
    /**
     * k8sServiceHost/k8sServicePort: the API server every node reaches without kube-proxy (kubeadm's controlPlaneEndpoint or advertiseAddress).
     */
    apiServer: {
      /**
       * The API server's IPv4 address as `kubectl get endpoints kubernetes -n default` shows it (kubeadm's advertiseAddress of the control plane); install.sh and uninstall.sh check kubectl points at it. An API server behind a load balancer or DNS name is not supported yet.
       */
      host: string;
      /**
       * The API server port (kubeadm's bindPort, default 6443).
       */
      port?: number;
    };
    /**
     * The cluster's Pod CIDRs (kubeadm podSubnet): Cilium's cluster-pool hands each node a block of them. Never the chart's 10.0.0.0/8 default (seed 003).
     *
     * @minItems 1
     * @maxItems 16
     */
    podCidrs: string[];
    /**
     * The per-node block size carved from podCidrs (kube-controller-manager's node-cidr-mask-size-ipv4; 24 = 254 addresses, of which Cilium's router and health endpoint take two).
     */
    podMaskSize?: number;
    /**
     * The Service CIDR (kubeadm serviceSubnet).
     */
    serviceCidr?: string;
    /**
     * The networks the nodes' own addresses are in (ip route on a node): Pod CIDRs must not overlap them.
     *
     * @minItems 1
     * @maxItems 16
     */
    nodeCidrs: string[];
    /**
     * Other networks the Pods must reach or that are routed on the nodes' LAN (VPN, MetalLB ranges, the home router's LAN): Pod CIDRs must not overlap them.
     *
     * @maxItems 16
     */
    otherCidrs?: string[];
    /**
     * How Pod traffic crosses nodes.
     */
    routing?: {
      /**
       * tunnel (VXLAN or Geneve between nodes, the chart's default) or native (the network routes Pod CIDRs: autoDirectNodeRoutes on one L2 segment, or routes you provide).
       */
      mode?: "tunnel" | "native";
      /**
       * Tunnel mode: vxlan (UDP 8472) or geneve (UDP 6081).
       */
      tunnelProtocol?: "vxlan" | "geneve";
      /**
       * Native mode: every node installs routes to the other nodes' Pod CIDRs; needs all nodes on one L2 segment.
       */
      autoDirectNodeRoutes?: boolean;
      /**
       * Native mode: your router or BGP already routes every node's Pod CIDR to that node (you vouch for it).
       */
      routesProvided?: boolean;
    };
    /**
     * cluster-pool: Cilium's operator hands out blocks of podCidrs. kubernetes: Cilium reads Node.spec.podCIDR, which kube-controller-manager allocates from the cluster's pod subnet.
     */
    ipam?: "cluster-pool" | "kubernetes";
    /**
     * Cilium replaces kube-proxy (kubeProxyReplacement true); kube-proxy must then not run.
     */
    kubeProxyReplacement?: boolean;
    /**
     * Whether kube-proxy runs: absent (never installed: kubeadm skipPhases addon/kube-proxy, k3s disable-kube-proxy), remove (running now: install.sh's migration removes it), or keep (it stays; only without kubeProxyReplacement).
     */
    kubeProxy?: "absent" | "remove" | "keep";
    /**
     * Multus runs beside Cilium: cni.exclusive false, so Cilium leaves its CNI configuration in /etc/cni/net.d.
     */
    multus?: boolean;
    /**
     * kubelet's maxPods on the nodes (default 110): each node's block of podCidrs must hold them plus Cilium's router and health addresses.
     */
    maxPods?: number;
    /**
     * With features.hubble: how the Hubble UI is reached. port-forward: a ClusterIP Service (cilium hubble ui, or kubectl port-forward). nodeport: a NodePort Service on every node (no cloud load balancer on a self-managed cluster).
     */
    hubbleUi?: "port-forward" | "nodeport";
    /**
     * Platform k3s only: how the k3s servers run beside Cilium (k3s-config.yaml renders it). Absent: the defaults below.
     */
    k3s?: {
      /**
       * k3s's flannel-backend: none, so Cilium is the only CNI (k3s's custom-CNI guide). Anything else runs flannel beside Cilium (K3S_FLANNEL_NOT_DISABLED).
       */
      flannelBackend?: "none" | "vxlan" | "host-gw" | "wireguard-native";
      /**
       * k3s's own network policy controller (disable-network-policy false): it must be off beside Cilium (K3S_FLANNEL_NOT_DISABLED).
       */
      networkPolicy?: boolean;
      /**
       * Install the systemd drop-in that removes Cilium's interfaces and iptables rules when k3s stops (seed 004); off is K3S_WITHOUT_CLEANUP_HOOK.
       */
      cleanupHook?: boolean;
    };
    /**
     * Platform kubespray only: what kubespray deploys beside Cilium (kubespray-cilium.yml renders it for group_vars). Absent: the defaults below.
     */
    kubespray?: {
      /**
       * kubespray's NodeLocal DNS (enable_nodelocaldns): a node-cache on every node at nodeLocalDnsIP. With kube-proxy replacement, Cilium's transparent DNS proxy is turned off so it keeps working (cilium#33144).
       */
      nodeLocalDns?: boolean;
      /**
       * nodelocaldns_ip: the link-local address of the node cache (seed 001: 169.254.25.10 on the nodelocaldns dummy interface).
       */
      nodeLocalDnsIP?: string;
      /**
       * kube_proxy_mode while kube-proxy runs (kubeProxy keep): ipvs (kubespray's default, seed 001) or iptables.
       */
      kubeProxyMode?: "ipvs" | "iptables";
    };
  };
}
