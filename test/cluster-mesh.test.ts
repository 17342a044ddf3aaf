import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { renderProfiles } from "../src/pipeline.js";
import { shellWord, UnsafeShellValueError } from "../src/text/shell.js";
import { FakeCluster, removeFakeClusters, tkeCluster, type ClusterState } from "./fake-cluster/cluster.js";
import { fileOf, gitopsProfileText, helmValuesFiles, ROOT, writeBundleTo } from "./helpers.js";
import { helmTemplate } from "./real-helm.js";
import { casesHere, onceInNpmTest } from "./slice.js";

afterAll(removeFakeClusters);

/**
 * Issue 25, item 4: a Cluster Mesh that connects from its values. Each member's values list the other members
 * (clustermesh.config) with their addresses, read back from what the real `helm template` renders; the shared-CA
 * step of clustermesh.sh changes nothing when run again and has a dry run; the status check names the peer that
 * this cluster cannot reach. Run against fake clusters, one kubeconfig context each.
 */

type Obj = Record<string, any>;
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null);
const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-mesh-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PRESETS = ["presets/mesh/gz-east.json", "presets/mesh/gz-west.json", "presets/mesh/sh.json"];
const preset = (path: string): Obj => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

/** The mesh presets rendered as one run, each at the given Cilium version. */
function renderMesh(version: string) {
  const results = renderProfiles(PRESETS.map((path) => ({ path, text: JSON.stringify({ ...preset(path), cilium: { version } }) })));
  for (const r of results) expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return results;
}

const decode = (value: string) => Buffer.from(value, "base64").toString("utf8");

/**
 * What a member's agents are told about their peers, from the objects `helm template` renders: the remote
 * clusters of cilium-clustermesh, and for each the endpoint KVStoreMesh dials (cilium-kvstoremesh) with the
 * addresses its host name resolves to (hostAliases of clustermesh-apiserver up to 1.19; 1.20 writes them into
 * the Secret as cilium-host-aliases).
 */
function peersSeen(objects: Obj[]): Record<string, { endpoints: string[]; ips: string[] }> {
  const secret = (name: string) => objects.find((o) => o.kind === "Secret" && o.metadata.name === name);
  const clustermesh = secret("cilium-clustermesh");
  expect(clustermesh, "the cilium-clustermesh Secret").toBeDefined();
  const kvstoremesh = secret("cilium-kvstoremesh")?.data ?? {};
  const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "clustermesh-apiserver");
  const aliases: { ip: string; hostnames: string[] }[] = deployment?.spec.template.spec.hostAliases ?? [];
  return Object.fromEntries(
    Object.keys(clustermesh!.data ?? {}).map((name) => {
      const config = parse(decode(kvstoremesh[name] ?? clustermesh!.data[name])) as { endpoints: string[]; "cilium-host-aliases"?: { hostname: string; ips: string[] }[] };
      const hosts = config.endpoints.map((e) => new URL(e).hostname);
      // 1.20 writes both: one address, however many places name it
      const ips = new Set([
        ...aliases.filter((a) => a.hostnames.some((h) => hosts.includes(h))).map((a) => a.ip),
        ...(config["cilium-host-aliases"] ?? []).filter((a) => hosts.includes(a.hostname)).flatMap((a) => a.ips),
      ]);
      return [name, { endpoints: config.endpoints, ips: [...ips] }];
    }),
  );
}

/**
 * npm test: each way the chart tells a member its peers' addresses once, the clustermesh-apiserver's hostAliases
 * (up to 1.19: 1.19.5, the presets' release) and the Secret's cilium-host-aliases (1.20); npm run test:slow
 * the rest (1.18.3). The file's other checks run in npm test only.
 */
const MESH_VERSIONS = casesHere(["1.18.3", "1.19.5", "1.20.0"], (version) => version !== "1.18.3");

describe("a mesh declared in the values, as the real helm template reads them", () => {
  it.each(MESH_VERSIONS)("Cilium %s: each member's cilium-clustermesh lists every other member, at its address, never itself; each cluster has its own name and id", (version) => {
    const results = renderMesh(version);
    const members = PRESETS.map((p) => ({ name: preset(p).cluster.id as string, address: preset(p).clusterMesh.address as string, id: String(preset(p).clusterMesh.clusterId) }));
    const objects = results.map((r) => docs(helmTemplate(version, "kube-system", helmValuesFiles(r.files), writeBundleTo(mkdtempSync(join(scratch, `${r.name}-`)), r.files))));
    // the agents' own identity in the mesh, and no peer's CIDR left to masquerade (test/addons.test.ts checks the values)
    for (const [i, me] of members.entries()) {
      const config = objects[i].find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config")!.data;
      expect([config["cluster-name"], config["cluster-id"]], me.name).toEqual([me.name, me.id]);
      expect(config["non-masquerade-cidrs"] ?? "", me.name).toBe("");
    }
    const seen = objects.map(peersSeen);
    for (const [i, me] of members.entries()) {
      const others = members.filter((m) => m.name !== me.name);
      expect(Object.keys(seen[i]).sort(), `${me.name}'s peers`).toEqual(others.map((o) => o.name).sort());
      for (const other of others) {
        // dialled by name (the server certificate's *.mesh.cilium.io), resolved to the member's address
        expect(seen[i][other.name].endpoints, `${me.name} -> ${other.name}`).toEqual([`https://${other.name}.mesh.cilium.io:2379`]);
        expect(seen[i][other.name].ips, `${me.name} -> ${other.name}`).toEqual([other.address]);
      }
    }
    // symmetrical: A lists B exactly when B lists A
    for (const [i, a] of members.entries()) for (const [j, b] of members.entries()) if (i !== j) expect(b.name in seen[i]).toBe(a.name in seen[j]);
  });

  onceInNpmTest(() => {
    it("a member rendered with a peer that gives no address is refused, naming that peer", () => {
      const [east, west] = PRESETS.map(preset);
      delete west.clusterMesh.address;
      const results = renderProfiles([
        { path: "east.json", text: JSON.stringify(east) },
        { path: "west.json", text: JSON.stringify(west) },
      ]);
      expect(results[0].diagnostics.map((d) => [d.severity, d.code, d.pointer])).toContainEqual(["error", "MESH_PEER_WITHOUT_ADDRESS", "/clusterMesh/name"]);
      expect(results[0].diagnostics.find((d) => d.code === "MESH_PEER_WITHOUT_ADDRESS")!.message).toContain("west.json");
      expect(results[1].diagnostics.map((d) => [d.severity, d.code])).toContainEqual(["error", "MESH_WITHOUT_ADDRESS"]);
      expect(results.every((r) => r.files.length === 0)).toBe(true);
    });

    it("a CLB made beforehand (clbId) needs no subnet; without it and without a subnet the member is refused", () => {
      const east = preset(PRESETS[0]);
      const noSubnet = { ...east, nodePool: { ...east.nodePool, subnetIds: [] } };
      const codes = (profile: Obj) => renderProfiles([{ path: "east.json", text: JSON.stringify(profile) }])[0].diagnostics.map((d) => d.code);
      expect(codes(noSubnet)).toContain("CLUSTERMESH_WITHOUT_SUBNET");
      expect(codes({ ...noSubnet, clusterMesh: { ...east.clusterMesh, clbId: "lb-east0001" } })).not.toContain("CLUSTERMESH_WITHOUT_SUBNET");
    });

    it("delivered by a GitOps engine, the mesh's members render with no finding: their peers are in git", () => {
      const argocd = { config: { engine: "argocd", namespace: "argocd", repoURL: "https://git.example.com/fleet.git", revision: "HEAD", project: "default", destination: "{name}" }, outPath: "out" } as const;
      const results = renderProfiles(PRESETS.map((path) => ({ path, text: gitopsProfileText(path) })), undefined, argocd);
      for (const r of results) expect(r.diagnostics).toEqual([]);
    });

    it("an address that is not an IPv4 address is refused by the schema, and never quoted into a script", () => {
      for (const address of ["10.0.0.1; touch /tmp/x", "$(reboot)", "10.0.0.256", "mesh.example.com", "10.0.0.1\n"]) {
        const east = { ...preset(PRESETS[0]), clusterMesh: { ...preset(PRESETS[0]).clusterMesh, address } };
        const [r] = renderProfiles([{ path: "east.json", text: JSON.stringify(east) }]);
        expect(r.diagnostics.some((d) => d.severity === "error" && d.pointer === "/clusterMesh/address"), address).toBe(true);
        expect(() => shellWord("ipv4", address)).toThrow(UnsafeShellValueError);
      }
      expect(shellWord("ipv4", "10.30.0.100")).toBe("'10.30.0.100'");
    });
  });
});

onceInNpmTest(() => {
  /** The first member's CA as the chart leaves it in the cluster. */
  const CA = (crt: string, key: string) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "cilium-ca", namespace: "kube-system", labels: { "app.kubernetes.io/managed-by": "Helm" }, annotations: { "meta.helm.sh/release-name": "cilium", "meta.helm.sh/release-namespace": "kube-system" } },
    data: { "ca.crt": Buffer.from(crt).toString("base64"), "ca.key": Buffer.from(key).toString("base64") },
  });

  describe("clustermesh.sh on fake clusters, one kubeconfig context each", () => {
    const results = renderMesh("1.19.5");
    const script = (i: number) => join(writeBundleTo(mkdtempSync(join(scratch, "sh-")), results[i].files), "clustermesh.sh");
    const cluster = (over: Partial<ClusterState> = {}) => new FakeCluster(tkeCluster(over));

    it("ca copies the first member's CA, and run again changes nothing in any cluster", async () => {
      const east = cluster({ objects: { "Secret/kube-system/cilium-ca": CA("EAST CERT", "EAST KEY") } });
      const west = cluster();
      const contexts = { "cls-mesh0001": east, "cls-mesh0002": west };
      const first = await west.run(script(1), ["ca"], {}, { contexts });
      expect(first.status, first.stderr).toBe(0);
      expect(first.changes).toEqual(["kubectl apply Secret/kube-system/cilium-ca"]);
      expect(west.state.objects["Secret/kube-system/cilium-ca"].data).toEqual(CA("EAST CERT", "EAST KEY").data);
      expect(first.stdout).toContain("copy the CA of cls-mesh0001 to cls-mesh0002: done");

      const again = await west.run(script(1), ["ca"], {}, { contexts });
      expect(again.status, again.stderr).toBe(0);
      expect(again.changes).toEqual([]);
      expect(east.state.changes).toEqual([]);
      expect(again.stdout).toContain("cls-mesh0002 already has the CA of cls-mesh0001: nothing to change");
    });

    it("ca replaces a CA of the member's own (the guide's delete and apply), and says to re-run install.sh", async () => {
      const east = cluster({ objects: { "Secret/kube-system/cilium-ca": CA("EAST CERT", "EAST KEY") } });
      const west = cluster({ objects: { "Secret/kube-system/cilium-ca": CA("WEST CERT", "WEST KEY") } });
      const r = await west.run(script(1), ["ca"], {}, { contexts: { "cls-mesh0001": east, "cls-mesh0002": west } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.changes).toEqual(["kubectl delete secret cilium-ca", "kubectl apply Secret/kube-system/cilium-ca"]);
      expect(west.state.objects["Secret/kube-system/cilium-ca"].data).toEqual(CA("EAST CERT", "EAST KEY").data);
      expect(r.stdout).toContain("run its install.sh again");
    });

    it("ca --dry-run says what it would do and changes nothing", async () => {
      const east = cluster({ objects: { "Secret/kube-system/cilium-ca": CA("EAST CERT", "EAST KEY") } });
      for (const westCa of [undefined, CA("WEST CERT", "WEST KEY")]) {
        const west = cluster(westCa === undefined ? {} : { objects: { "Secret/kube-system/cilium-ca": westCa } });
        const r = await west.run(script(1), ["ca", "--dry-run"], {}, { contexts: { "cls-mesh0001": east, "cls-mesh0002": west } });
        expect(r.status, r.stderr).toBe(0);
        expect(r.changes).toEqual([]);
        expect(r.stdout).toContain(westCa === undefined ? "dry run: would copy the CA of cls-mesh0001 to cls-mesh0002" : "dry run: would replace the CA of cls-mesh0002 by the CA of cls-mesh0001");
        expect(west.state.objects["Secret/kube-system/cilium-ca"]).toEqual(westCa);
      }
    });

    it("ca stops, changing nothing, while the first member has no CA; on the first member it only checks", async () => {
      const east = cluster();
      const west = cluster();
      const contexts = { "cls-mesh0001": east, "cls-mesh0002": west };
      const r = await west.run(script(1), ["ca"], {}, { contexts });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("cls-mesh0001 has no cilium-ca yet: install Cilium there first");
      expect(r.changes).toEqual([]);
      const onFirst = await east.run(script(0), ["ca"], {}, { contexts });
      expect(onFirst.status).toBe(1);
      expect(onFirst.stderr).toContain("run install.sh here first");
    });

    /** A member whose agents see the given status lines, its clustermesh-apiserver's CLB at `lb`. */
    const member = (lb: string | undefined, lines: string[]) =>
      cluster({
        services: { "kube-system/clustermesh-apiserver": "192.168.3.7" },
        ...(lb === undefined ? {} : { loadBalancers: { "kube-system/clustermesh-apiserver": lb } }),
        exec: { "kube-system/ds/cilium cilium-dbg status --all-clusters": { stdout: ["KVStore:  Disabled", `ClusterMesh:   ${lines.filter((l) => l.includes(": ready,")).length}/2 remote clusters ready, 0 global-services`, ...lines.map((l) => `   ${l}`), ""].join("\n") } },
      });

    it("status: every peer ready exits 0", async () => {
      const west = member("10.20.0.100", [
        "cls-mesh0001: ready, 3 nodes, 20 endpoints, 9 identities, 0 services, 0 MCS-API service exports, 0 reconnections (last: never)",
        "cls-mesh0003: ready, 2 nodes, 11 endpoints, 7 identities, 0 services, 0 MCS-API service exports, 0 reconnections (last: never)",
      ]);
      const r = await west.run(script(1), ["status"], {}, { contexts: { "cls-mesh0002": west } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("peer cls-mesh0001 (10.10.0.100:2379): ready");
      expect(r.stdout).toContain("peer cls-mesh0003 (10.30.0.100:2379): ready");
      expect(r.changes).toEqual([]);
    });

    it("status names the peer this cluster cannot reach, and the one its agents do not know", async () => {
      const notReady = member("10.20.0.100", [
        "cls-mesh0001: ready, 3 nodes, 20 endpoints, 9 identities, 0 services, 0 MCS-API service exports, 0 reconnections (last: never)",
        "cls-mesh0003: not-ready, 0 nodes, 0 endpoints, 0 identities, 0 services, 0 MCS-API service exports, 4 reconnections (last: 12s ago)",
      ]);
      const r = await notReady.run(script(1), ["status"], {}, { contexts: { "cls-mesh0002": notReady } });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("peer cls-mesh0003 (10.30.0.100:2379): unreachable from cls-mesh0002: cls-mesh0003: not-ready");
      expect(r.stderr).toContain("cls-mesh0002 cannot reach cls-mesh0003:");
      expect(r.stderr).not.toContain("cls-mesh0001");

      const unknown = member("10.20.0.100", ["cls-mesh0003: ready, 2 nodes, 11 endpoints, 7 identities, 0 services, 0 MCS-API service exports, 0 reconnections (last: never)"]);
      const u = await unknown.run(script(1), ["status"], {}, { contexts: { "cls-mesh0002": unknown } });
      expect(u.status).toBe(1);
      expect(u.stdout).toContain("peer cls-mesh0001 (10.10.0.100:2379): unreachable from cls-mesh0002: the agents do not know it");
      expect(u.stderr).toContain("cls-mesh0002 cannot reach cls-mesh0001:");
    });

    it("status fails when this member's CLB is not at the address its peers dial", async () => {
      for (const lb of ["10.20.0.7", undefined]) {
        const west = member(lb, [
          "cls-mesh0001: ready, 3 nodes, 20 endpoints, 9 identities, 0 services, 0 MCS-API service exports, 0 reconnections (last: never)",
          "cls-mesh0003: ready, 2 nodes, 11 endpoints, 7 identities, 0 services, 0 MCS-API service exports, 0 reconnections (last: never)",
        ]);
        const r = await west.run(script(1), ["status"], {}, { contexts: { "cls-mesh0002": west } });
        expect(r.status).toBe(1);
        expect(r.stdout).toContain(`clustermesh-apiserver's CLB has ${lb ?? "no address yet"}, but its peers dial 10.20.0.100 (clusterMesh.address)`);
      }
    });

    it("refuses an unknown command or option, and a kubeconfig without this member's context", async () => {
      const west = cluster();
      for (const args of [["connect"], ["status", "--dry-run"], ["ca", "--force"]]) {
        const r = await west.run(script(1), args, {}, { contexts: { "cls-mesh0002": west } });
        expect(r.status, args.join(" ")).toBe(2);
        expect(r.stderr).toContain("usage:");
      }
      const r = await west.run(script(1), ["ca"], {}, { contexts: { "cls-other01": west } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("no kubeconfig context named cls-mesh0002");
    });
  });

  describe("install.sh of a mesh member", () => {
    it("passes no connections of the release back to helm: the values hold the peers", () => {
      const [, west] = renderMesh("1.19.5");
      const install = fileOf(west.files, "install.sh")!.content;
      expect(install).not.toContain("helm get values");
      expect(install).not.toContain("mesh_args");
    });
  });
});
