import meshCa from "./ca.sh.hbs?raw";
import { TKE_CLB_ANNOTATIONS } from "../../knowledge/addons.js";
import { valueEntry as entry } from "../../derive/value-entry.js";
import { invalidMeshPeers, meshPeers } from "../../mesh-peers.js";
import { check, type PlanStep } from "../../plan/step.js";
import { overlaps, validCidr } from "../../text/cidr.js";
import { clustermeshScript } from "./script.js";
import { defineCapability } from "../capability.js";
import { meshSubnet, resolveMesh } from "./slice.js";

/**
 * clusterMesh: this cluster in a Cluster Mesh (its cluster name and id, clustermesh-apiserver behind an
 * internal CLB), its peers declared in the values (clustermesh.config: each other member's name and address,
 * the shared CA making their client certificates), and clustermesh.sh with the guide's CA step (idempotent,
 * with a dry run) and a per-peer status check. No cilium clustermesh connect: the values connect the mesh.
 */
export const clusterMesh = defineCapability({
  id: "cluster-mesh",
  kind: "add-on",
  summary: "Cluster Mesh: clustermesh-apiserver on an internal CLB, the peers declared in the values (clustermesh.config), clustermesh.sh (shared CA, status)",
  fields: ["/clusterMesh"],
  codes: [
    {
      code: "CLUSTERMESH_WITHOUT_CLUSTER_ID",
      stage: "profile",
      severity: "error",
      title: "a Cluster Mesh member needs its TKE cluster id",
      explanation:
        "The guide names each cluster of a mesh by its TKE cluster id: it is Cilium's cluster.name and the kubeconfig context the mesh steps (clustermesh.sh) switch between. Set cluster.id.",
      source: "guide: clustermesh.md",
    },
    {
      code: "CLUSTERMESH_WITHOUT_SUBNET",
      stage: "profile",
      severity: "error",
      title: "clustermesh-apiserver needs a subnet for its internal CLB",
      explanation:
        "Peers reach clustermesh-apiserver through a LoadBalancer Service; on TKE an internal CLB needs the subnet it takes its address from (the qcloud-loadbalancer-internal-subnetid annotation). Give clusterMesh.subnetId, or nodePool.subnetIds or cluster.intranetSubnetId, whose first subnet is used; or clusterMesh.clbId, an internal CLB made beforehand.",
      source: "guide: clustermesh.md",
    },
    {
      code: "MESH_NATIVE_WITHOUT_VPC_CIDRS",
      stage: "profile",
      severity: "error",
      title: "a native-mode mesh member must list its VPC CIDRs",
      explanation:
        "In native mode Pods take VPC addresses, so the mesh's address check and its peers' masquerading exceptions need the VPC's CIDRs: list them in cluster.vpcCidrs.",
      source: "guide: clustermesh.md (no SNAT between the mesh's Pods), appendix/masquerading.md",
    },
    {
      code: "MESH_DUPLICATE_CLUSTER_ID",
      stage: "profile",
      severity: "error",
      title: "two clusters of a mesh have the same clusterId",
      explanation:
        "Cilium encodes the cluster id into every security identity; two clusters of one mesh with the same id mix their identities and their policies. The profiles rendered or checked together must give each member of a mesh its own clusterId (1-255).",
      source: "guide: clustermesh.md; Cilium docs: Cluster Mesh requirements",
    },
    {
      code: "MESH_OVERLAPPING_POD_CIDRS",
      stage: "profile",
      severity: "error",
      title: "the Pod addresses of two clusters of a mesh overlap",
      explanation:
        "Cluster Mesh routes Pod addresses across clusters: they must be distinct in the whole mesh. Overlay members take Pod addresses from cilium.podCidrs, native members from their VPC (cluster.vpcCidrs). Give each cluster its own range.",
      source: "Cilium docs: Cluster Mesh requirements (non-overlapping PodCIDR ranges)",
    },
    {
      code: "MESH_MIXED_DATAPATH",
      stage: "profile",
      severity: "error",
      title: "the clusters of a mesh mix native routing and overlay",
      explanation:
        "Cilium requires every cluster of a Cluster Mesh to use the same datapath mode, all encapsulation (overlay) or all native routing: a tunnel on one side and routed Pod addresses on the other cannot reach each other. Give the mesh's profiles one cilium.mode.",
      source: "Cilium docs: Cluster Mesh requirements (same datapath mode)",
    },
    {
      code: "MESH_WITHOUT_ADDRESS",
      stage: "profile",
      severity: "error",
      title: "a Cluster Mesh member does not say where its peers reach it",
      explanation:
        "Each member's values list the other members with the address of their clustermesh-apiserver (clustermesh.config.clusters), so the mesh connects from the values alone, with no cilium clustermesh connect and nothing outside git. That address is the VIP of the member's internal CLB: set clusterMesh.address, with clusterMesh.clbId for a CLB made beforehand (Terraform, console), or read the VIP the CLB got on the first install and re-render the mesh.",
      source: "Cilium docs: Cluster Mesh with Helm (clustermesh.config); guide: clustermesh.md (internal CLB)",
    },
    {
      code: "MESH_PEER_WITHOUT_ADDRESS",
      stage: "profile",
      severity: "error",
      title: "another member of the mesh has no address",
      explanation:
        "This member's values list each peer with the address of its clustermesh-apiserver (clustermesh.config.clusters). A peer whose profile gives no clusterMesh.address cannot be listed, and this cluster would never connect to it. Set the address in the peer's profile.",
      source: "Cilium docs: Cluster Mesh with Helm (clustermesh.config)",
    },
    {
      code: "MESH_DUPLICATE_ADDRESS",
      stage: "profile",
      severity: "error",
      title: "two clusters of a mesh give the same address",
      explanation:
        "Each member's clustermesh-apiserver has its own internal CLB, and the other members' values send that member's name to its address. Two members with one address (a profile copied from another, say) would send both names to one cluster. Give each member the VIP of its own CLB in clusterMesh.address.",
      source: "Cilium docs: Cluster Mesh with Helm (clustermesh.config)",
    },
    {
      code: "MESH_WITHOUT_PEERS",
      stage: "profile",
      severity: "warning",
      title: "no other cluster of the mesh is in this run",
      explanation:
        "A mesh member's bundle depends on its peers (its values list them with their addresses; native members keep their Pod ranges out of masquerading), and tke-cilium learns them only from the profiles of the same run. Render and check the mesh's profiles together, or list them all in tke-cilium.json.",
      source: "tke-cilium",
    },
    {
      code: "MESH_INVALID_PEER",
      stage: "profile",
      severity: "error",
      title: "another member of the mesh is not a valid profile",
      explanation:
        "A mesh member's bundle takes its peers' cluster ids (written into clustermesh.sh) and Pod ranges (kept out of masquerading) from their profiles, which may come from another file of the repository. A peer is validated against the whole schema first; an invalid one is never a source of values, so its members cannot be rendered until it is fixed.",
      source: "tke-cilium",
    },
  ] as const,
  profileRules: [
    {
      code: "CLUSTERMESH_WITHOUT_CLUSTER_ID",
      check: (p) =>
        p.clusterMesh !== undefined && p.cluster.id === undefined
          ? [{ pointer: "/cluster", message: "Cluster Mesh names each cluster by its TKE cluster id (Cilium's cluster.name, and the kubeconfig context of clustermesh.sh): set cluster.id" }]
          : [],
    },
    {
      code: "CLUSTERMESH_WITHOUT_SUBNET",
      check: (p) =>
        p.clusterMesh !== undefined && p.clusterMesh.clbId === undefined && meshSubnet(p) === null
          ? [{ pointer: "/clusterMesh", message: "clustermesh-apiserver needs a subnet for its internal CLB: set clusterMesh.subnetId (or nodePool.subnetIds, or cluster.intranetSubnetId), or clusterMesh.clbId for a CLB made beforehand" }]
          : [],
    },
    {
      code: "MESH_NATIVE_WITHOUT_VPC_CIDRS",
      check: (p) =>
        p.clusterMesh !== undefined && p.cilium.mode === "native" && p.cluster.vpcCidrs.length === 0
          ? [{ pointer: "/cluster/vpcCidrs", message: "in native mode this cluster's Pods use VPC addresses: list the VPC's CIDRs in cluster.vpcCidrs, so the mesh can check they do not overlap its peers' and the peers do not masquerade them" }]
          : [],
    },
    {
      code: "MESH_DUPLICATE_CLUSTER_ID",
      check: (p, { mesh = [], path = "" }) => {
        if (p.clusterMesh === undefined) return [];
        const { name, clusterId } = p.clusterMesh;
        const same = meshPeers(mesh, path, name as string).filter((peer) => peer.clusterId === clusterId);
        return same.length === 0 ? [] : [{ pointer: "/clusterMesh/clusterId", message: `clusterId ${clusterId} is also taken in mesh "${name}" by ${same.map((peer) => peer.path).join(", ")}: each cluster of a mesh needs its own (1-255)` }];
      },
    },
    {
      code: "MESH_OVERLAPPING_POD_CIDRS",
      check: (p, { mesh = [], path = "" }) => {
        if (p.clusterMesh === undefined) return [];
        const native = p.cilium.mode === "native";
        const own = native ? p.cluster.vpcCidrs : p.cilium.podCidrs;
        const pointer = native ? "/cluster/vpcCidrs" : "/cilium/podCidrs";
        return meshPeers(mesh, path, p.clusterMesh.name as string).flatMap((peer) =>
          own.flatMap((cidr, i) =>
            peer.podRanges
              .filter((other) => validCidr(other) && overlaps(cidr, other))
              .map((other) => ({ pointer: `${pointer}/${i}`, message: `${cidr} overlaps ${other}, the Pod addresses of ${peer.path} (${peer.mode} mode) in mesh "${p.clusterMesh!.name}": Pods of a mesh need distinct addresses` })),
          ),
        );
      },
    },
    {
      code: "MESH_MIXED_DATAPATH",
      check: (p, { mesh = [], path = "" }) => {
        if (p.clusterMesh === undefined) return [];
        const other = meshPeers(mesh, path, p.clusterMesh.name as string).filter((peer) => peer.mode !== p.cilium.mode);
        return other.length === 0
          ? []
          : [{ pointer: "/cilium/mode", message: `${p.cilium.mode} mode, but ${other.map((peer) => `${peer.path} (${peer.mode})`).join(", ")} in mesh "${p.clusterMesh.name}": the clusters of a mesh need one datapath mode` }];
      },
    },
    {
      code: "MESH_WITHOUT_ADDRESS",
      check: (p) =>
        p.clusterMesh !== undefined && p.clusterMesh.address === undefined
          ? [{ pointer: "/clusterMesh", message: `the other members of mesh "${p.clusterMesh.name}" reach this cluster's clustermesh-apiserver at the VIP of its internal CLB: set clusterMesh.address (with clusterMesh.clbId for a CLB made beforehand), or their values cannot list it` }]
          : [],
    },
    {
      code: "MESH_PEER_WITHOUT_ADDRESS",
      check: (p, { mesh = [], path = "" }) => {
        if (p.clusterMesh === undefined) return [];
        const missing = meshPeers(mesh, path, p.clusterMesh.name as string).filter((peer) => peer.address === null);
        return missing.length === 0
          ? []
          : [{ pointer: "/clusterMesh/name", message: `${missing.map((peer) => peer.path).join(", ")} in mesh "${p.clusterMesh.name}" give${missing.length === 1 ? "s" : ""} no clusterMesh.address: this cluster's values cannot list ${missing.length === 1 ? "it" : "them"}, and it would never connect` }];
      },
    },
    {
      code: "MESH_DUPLICATE_ADDRESS",
      check: (p, { mesh = [], path = "" }) => {
        const address = p.clusterMesh?.address;
        if (p.clusterMesh === undefined || address === undefined) return [];
        const same = meshPeers(mesh, path, p.clusterMesh.name as string).filter((peer) => peer.address === address);
        return same.length === 0 ? [] : [{ pointer: "/clusterMesh/address", message: `${address} is also the address of ${same.map((peer) => peer.path).join(", ")} in mesh "${p.clusterMesh.name}": each member is reached at the VIP of its own internal CLB` }];
      },
    },
    {
      code: "MESH_WITHOUT_PEERS",
      check: (p, { mesh = [], path = "" }) =>
        p.clusterMesh !== undefined && meshPeers(mesh, path, p.clusterMesh.name as string).length === 0 && invalidMeshPeers(mesh, path, p.clusterMesh.name as string).length === 0
          ? [{ pointer: "/clusterMesh/name", message: `no other profile of this run is in mesh "${p.clusterMesh.name}": render and check the mesh's profiles together (or list them in tke-cilium.json), or this cluster's values list no peer` }]
          : [],
    },


    {
      code: "MESH_INVALID_PEER",
      check: (p, { mesh = [], path = "" }) =>
        p.clusterMesh === undefined
          ? []
          : invalidMeshPeers(mesh, path, p.clusterMesh.name as string).map((peer) => ({
              pointer: "/clusterMesh/name",
              message: `${peer.path}, a member of mesh "${p.clusterMesh!.name}", is not a valid profile (${peer.invalid}): fix it first; none of its values is used`,
            })),
    },
  ],

  examples: [
    { code: "CLUSTERMESH_WITHOUT_CLUSTER_ID", fires: { cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/cluster",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "CLUSTERMESH_WITHOUT_SUBNET", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/clusterMesh",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, clusterMesh: { name: "m", clusterId: 1, subnetId: "subnet-1" } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "MESH_NATIVE_WITHOUT_VPC_CIDRS", fires: { cluster: { id: "cls-aaaaaaaa" }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/cluster/vpcCidrs",
      quiet: { cluster: { id: "cls-aaaaaaaa", vpcCidrs: ["10.1.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      peer: { cluster: { id: "cls-bbbbbbbb", vpcCidrs: ["10.2.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "MESH_DUPLICATE_CLUSTER_ID", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 2 } },
      pointer: "/clusterMesh/clusterId",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "MESH_OVERLAPPING_POD_CIDRS", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.91.128.0/17"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/cilium/podCidrs/0",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.92.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "MESH_MIXED_DATAPATH", fires: { cluster: { id: "cls-aaaaaaaa", vpcCidrs: ["10.1.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/cilium/mode",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.92.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "MESH_WITHOUT_ADDRESS", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/clusterMesh",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1, address: "10.0.1.20" } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2, address: "10.0.2.20" } } },
    { code: "MESH_PEER_WITHOUT_ADDRESS", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1, address: "10.0.1.20" } },
      pointer: "/clusterMesh/name",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "other", clusterId: 1, address: "10.0.1.20" } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "MESH_DUPLICATE_ADDRESS", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1, address: "10.0.2.20" } },
      pointer: "/clusterMesh/address",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1, address: "10.0.1.20" } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2, address: "10.0.2.20" } } },
    { code: "MESH_WITHOUT_PEERS", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "alone", clusterId: 1 } },
      pointer: "/clusterMesh/name",
      severity: "warning",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
    { code: "MESH_INVALID_PEER", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/clusterMesh/name",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "other", clusterId: 1 } },
      peer: { cluster: { id: "cls-b;reboot" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
  ],
  resolve: (p, { profilePath, mesh }) => resolveMesh(p, profilePath, mesh),
  values: (m) => ({
    features: [
      entry("cluster.name", m.clusterName),
      entry("cluster.id", m.clusterId),
      entry("clustermesh.useAPIServer", true),
      entry("clustermesh.apiserver.service.type", "LoadBalancer"),
      ...(m.clbId !== null
        ? [entry("clustermesh.apiserver.service.annotations", { [TKE_CLB_ANNOTATIONS.existingLb]: m.clbId })]
        : m.subnet === null
          ? []
          : [entry("clustermesh.apiserver.service.annotations", { [TKE_CLB_ANNOTATIONS.internalSubnet]: m.subnet })]),
      // the peers, never this cluster: each reached at <name>.<clustermesh.config.domain> (the server certificate's
      // *.mesh.cilium.io), which the chart maps to the given IPs; the shared CA makes the client certificates
      entry("clustermesh.config.enabled", true),
      entry(
        "clustermesh.config.clusters",
        m.peers.flatMap((peer) => (peer.address === null ? [] : [{ name: peer.clusterName, port: m.port, ips: [peer.address] }])),
      ),
    ],
  }),
  files: (m, { header }) => clustermeshScript(m, header),
  delivery: (m) => ({ scripts: { clustermesh: m.script } }),
  plan: (m): PlanStep[] => [
    ...(m.caFrom === null
      ? []
      : [check("cluster-mesh/ca", "decide", { template: meshCa, words: { caSecret: m.caSecret }, texts: { caSecretText: m.caSecret, caFromText: { kind: "clusterId", value: m.caFrom }, scriptText: m.script } }, { when: "first-install" })]),
    {
      kind: "say",
      id: "cluster-mesh/next",
      phase: "next-steps",
      text: `The values connect this cluster to the other members of mesh ${m.name}: once each runs Cilium, ./${m.script} status names any peer this cluster cannot reach`,
      undo:
        m.peers.length === 0
          ? null
          : {
              kind: "external",
              note: "the peers' values still list this cluster",
              tell: `The other clusters of mesh ${m.name} still list this one in their values (clustermesh.config): render them without this profile's clusterMesh and run their install.sh.`,
            },
    },
  ],
});
