import meshCa from "./ca.sh.hbs?raw";
import meshKeep from "./keep.sh.hbs?raw";
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
 * internal CLB), clustermesh.sh with the guide's CA and connect steps, and install.sh keeping the connections
 * cilium clustermesh connect stored in the release.
 */
export const clusterMesh = defineCapability({
  id: "cluster-mesh",
  kind: "add-on",
  summary: "Cluster Mesh: clustermesh-apiserver on an internal CLB, clustermesh.sh (shared CA, connect), connections kept across upgrades",
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
        "Peers reach clustermesh-apiserver through a LoadBalancer Service; on TKE an internal CLB needs the subnet it takes its address from (the qcloud-loadbalancer-internal-subnetid annotation). Give clusterMesh.subnetId, or nodePool.subnetIds or cluster.intranetSubnetId, whose first subnet is used.",
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
      code: "MESH_WITH_GITOPS",
      stage: "profile",
      severity: "warning",
      title: "Cluster Mesh connections are not in git",
      explanation:
        "The guide connects a mesh with cilium clustermesh connect, which writes the peers (clustermesh.config) into the Helm release. install.sh keeps them across its upgrades, but a GitOps engine renders the release from git alone and reverts them on its next sync. Until the peers' addresses are known before the install, deliver mesh members with install.sh, not an engine.",
      source: "guide: clustermesh.md; tke-cilium",
    },
    {
      code: "MESH_WITHOUT_PEERS",
      stage: "profile",
      severity: "warning",
      title: "no other cluster of the mesh is in this run",
      explanation:
        "A mesh member's bundle depends on its peers (clustermesh.sh connects to them; native members keep their Pod ranges out of masquerading), and tke-cilium learns them only from the profiles of the same run. Render and check the mesh's profiles together, or list them all in tke-cilium.json.",
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
        p.clusterMesh !== undefined && meshSubnet(p) === null
          ? [{ pointer: "/clusterMesh", message: "clustermesh-apiserver needs a subnet for its internal CLB: set clusterMesh.subnetId (or nodePool.subnetIds, or cluster.intranetSubnetId)" }]
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
      code: "MESH_WITH_GITOPS",
      check: (p, { gitops = null }) =>
        p.clusterMesh !== undefined && gitops !== null
          ? [{ pointer: "/clusterMesh", message: `${gitops.config.engine === "argocd" ? "Argo CD" : "Flux"} delivers this bundle, but the mesh's connections (cilium clustermesh connect) live in the release, not in git: the engine reverts them` }]
          : [],
    },
    {
      code: "MESH_WITHOUT_PEERS",
      check: (p, { mesh = [], path = "" }) =>
        p.clusterMesh !== undefined && meshPeers(mesh, path, p.clusterMesh.name as string).length === 0 && invalidMeshPeers(mesh, path, p.clusterMesh.name as string).length === 0
          ? [{ pointer: "/clusterMesh/name", message: `no other profile of this run is in mesh "${p.clusterMesh.name}": render and check the mesh's profiles together (or list them in tke-cilium.json), or clustermesh.sh connects to nothing` }]
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
    { code: "MESH_WITH_GITOPS", fires: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] }, clusterMesh: { name: "m", clusterId: 1 } },
      pointer: "/clusterMesh",
      severity: "warning",
      quiet: { cluster: { id: "cls-aaaaaaaa" }, cilium: { mode: "overlay", podCidrs: ["10.90.0.0/16"] }, nodePool: { type: "native", subnetIds: ["subnet-1"] } },
      peer: { cluster: { id: "cls-bbbbbbbb" }, cilium: { mode: "overlay", podCidrs: ["10.91.0.0/16"] }, clusterMesh: { name: "m", clusterId: 2 } } },
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
      ...(m.subnet === null ? [] : [entry("clustermesh.apiserver.service.annotations", { [TKE_CLB_ANNOTATIONS.internalSubnet]: m.subnet })]),
    ],
  }),
  files: (m, { header }) => clustermeshScript(m, header),
  delivery: (m) => ({ scripts: { clustermesh: m.script } }),
  plan: (m): PlanStep[] => [
    ...(m.caFrom === null
      ? []
      : [check("cluster-mesh/ca", "decide", { template: meshCa, words: { caSecret: m.caSecret }, texts: { caSecretText: m.caSecret, caFromText: { kind: "clusterId", value: m.caFrom }, scriptText: m.script } }, { when: "first-install" })]),
    check("cluster-mesh/keep", "keep", { template: meshKeep }, { provide: ["mesh_args"], need: ["installed_version"], helmArgs: { variable: "mesh_args", position: "before-values" } }),
    {
      kind: "say",
      id: "cluster-mesh/next",
      phase: "next-steps",
      text: `Once every cluster of mesh ${m.name} runs Cilium: ./${m.script} connect (members in clusterId order)`,
      undo:
        m.peers.length === 0
          ? null
          : {
              kind: "external",
              note: "the peers disconnect themselves",
              tell: `The other clusters of mesh ${m.name} still list this one: on each, cilium clustermesh disconnect --context <peer> --destination-context ${m.clusterName}.`,
            },
    },
  ],
});
