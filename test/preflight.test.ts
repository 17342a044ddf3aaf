import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import type { OutputFile } from "../src/emit/index.js";
import { BUILTIN_CHARTS } from "../src/knowledge/chart.js";
import { renderProfile } from "../src/pipeline.js";
import type { GitopsContext } from "../src/settings.js";
import { allProfilePaths, fileOf, ROOT, gitopsProfileText, helmValuesFiles, renderFile, renderObject } from "./helpers.js";
import { helmTemplate } from "./real-helm.js";
import { FakeCluster, tkeCluster } from "./fake-cluster/cluster.js";

/**
 * Cilium's pre-flight check is a Helm release of its own (cilium-preflight) installed beside the release
 * cilium during a minor upgrade. Helm refuses to install an object another release owns ("invalid ownership
 * metadata"), so the real `helm template` of both releases, as install.sh runs them, must share no object.
 */

const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-preflight-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } } };
}

const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** The values files install.sh passes to the pre-flight release (after `helm upgrade --install 'cilium-preflight'`). */
function preflightValuesFiles(files: readonly OutputFile[]): string[] {
  const script = fileOf(files, "install.sh")!.content;
  const command = script.slice(script.indexOf("helm upgrade --install 'cilium-preflight'"));
  return [...command.slice(0, command.indexOf("\n  run ", 1)).matchAll(/-f "\$HERE"\/'([^']+)'/g)].map((m) => m[1]);
}

/** Both releases' objects, rendered by the real helm from the bundle as install.sh passes it. */
function templateBoth(name: string, files: readonly OutputFile[]): { main: K8sObject[]; preflight: K8sObject[] } {
  const dir = join(scratch, name.replaceAll("/", "_"));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  const install = fileOf(files, "install.sh")!.content;
  const namespace = /^NAMESPACE='([^']+)'$/m.exec(install)![1];
  const version = /^VERSION='([^']+)'$/m.exec(install)![1];
  const preflightFiles = preflightValuesFiles(files);
  expect(preflightFiles.length, "the pre-flight's values files").toBeGreaterThan(0);
  return {
    main: parse(helmTemplate(version, namespace, helmValuesFiles(files), dir)),
    preflight: parse(helmTemplate(version, namespace, preflightFiles, dir, "cilium-preflight")),
  };
}

function expectDisjoint(name: string, files: readonly OutputFile[]): K8sObject[] {
  const { main, preflight } = templateBoth(name, files);
  const owned = new Set(main.map(key));
  expect(preflight.map(key).filter((k) => owned.has(k)), "objects both releases render").toEqual([]);
  expect(preflight.map(key)).toContain("DaemonSet/kube-system/cilium-pre-flight-check");
  return preflight;
}

const images = (objects: readonly K8sObject[]) =>
  objects.flatMap((o) => [...(o.spec?.template?.spec?.containers ?? []), ...(o.spec?.template?.spec?.initContainers ?? [])].map((c) => c.image));

describe.each(allProfilePaths())("the pre-flight release of %s", (path) => {
  it("renders nothing the release cilium renders", () => {
    const r = renderFile(path);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const preflight = expectDisjoint(path, r.files);
    // its images come from where the main release's do (the mirror), never straight from quay.io when mirrored
    const mainImages = fileOf(r.files, "image-values.yaml")?.content ?? "";
    if (mainImages.includes("quay.tencentcloudcr.com")) for (const image of images(preflight)) expect(image).toMatch(/^quay\.tencentcloudcr\.com\//);
  });
});

const BASE = {
  region: "ap-guangzhou",
  apiserverVIP: "169.254.128.27",
  cluster: { id: "cls-preflt01", vpcCidrs: ["10.0.0.0/16"], kubeDnsIP: "192.168.0.10", eniAgentVersion: "v3.8.3" },
  nodePool: { type: "karpenter", subnetIds: ["subnet-preflt01"], securityGroupIds: ["sg-preflt01"] },
};
const ADD_ONS: Record<string, Record<string, unknown>> = {
  hubble: { features: { hubble: true } },
  "hubble-ui-clb": { features: { hubble: true, hubbleUiClb: { subnetId: "subnet-preflt01" } } },
  "gateway-api": { features: { gatewayApi: true } },
  wireguard: { features: { encryption: "wireguard" } },
  ipsec: { features: { encryption: "ipsec" } },
  "node-local-dns": { features: { nodeLocalDns: true } },
  "flow-logs": { features: { hubble: true, flowLogs: { exports: [{ name: "dropped", include: [{ verdict: ["DROPPED"] }] }] } } },
  "cluster-mesh": { clusterMesh: { name: "preflt", clusterId: 7, address: "10.0.7.20" } },
  everything: { features: { hubble: true, hubbleUiClb: { subnetId: "subnet-preflt01" }, gatewayApi: true, encryption: "wireguard", nodeLocalDns: true, egressGateway: true, apf: true } },
};
/** Combinations the tool refuses (Envoy with delegated IPAM, IPsec on VPC-CNI): no bundle to check. */
const REFUSED = new Set(["ENVOY_WITH_DELEGATED_IPAM", "IPSEC_ON_VPC_CNI"]);
const VERSIONS = ["1.18.3", "1.19.5", "1.20.0"];
const MODES = { native: {}, overlay: { mode: "overlay", podCidrs: ["172.28.0.0/16"] } };

const merge = (a: Record<string, any>, b: Record<string, any>): Record<string, any> => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === "object" && !Array.isArray(v) && typeof a[k] === "object" ? merge(a[k], v) : v;
  return out;
};

const matrix = VERSIONS.flatMap((version) =>
  Object.entries(MODES).flatMap(([mode, cilium]) => Object.entries(ADD_ONS).map(([addOn, over]) => ({ name: `${version} ${mode} ${addOn}`, profile: merge({ ...BASE, cilium: { version, ...cilium } }, over) }))),
);

describe("the pre-flight release over the add-on matrix", () => {
  it.each(matrix)("$name: renders nothing the release cilium renders", ({ name, profile }) => {
    const r = renderObject(profile);
    const errors = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
    // a combination the tool refuses for its own reason has no bundle; any other error is a broken matrix
    if (errors.length > 0) return expect(errors.filter((c) => !REFUSED.has(c)), name).toEqual([]);
    expectDisjoint(name, r.files);
  });

  it("GitOps bundles (Hubble's certificates by certgen) too", () => {
    const gitops: GitopsContext = { config: { engine: "flux", namespace: "flux-system", gitRepository: "flux-system", interval: "10m" }, outPath: "out" };
    for (const path of ["presets/prod.json", "presets/mesh/gz-east.json"]) {
      const r = renderProfile({ path, text: gitopsProfileText(path) }, BUILTIN_CHARTS, gitops);
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expectDisjoint(`gitops-${path}`, r.files);
    }
  });
});

describe("the test can fail", () => {
  it("the main release's values files given to the pre-flight, as before, collide (hubble-relay, cilium-ca...)", () => {
    const r = renderFile("presets/prod.json");
    const dir = join(scratch, "collide");
    for (const f of r.files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    writeFileSync(join(dir, "old-preflight.yaml"), "preflight:\n  enabled: true\nagent: false\noperator:\n  enabled: false\n");
    const main = parse(helmTemplate("1.19.5", "kube-system", helmValuesFiles(r.files), dir));
    const old = parse(helmTemplate("1.19.5", "kube-system", [...helmValuesFiles(r.files), "old-preflight.yaml"], dir, "cilium-preflight"));
    const owned = new Set(main.map(key));
    expect(old.map(key).filter((k) => owned.has(k))).toEqual(expect.arrayContaining(["Secret/kube-system/cilium-ca", "Deployment/kube-system/hubble-relay"]));
  });
});

describe("a minor upgrade on a fake cluster that owns objects as Helm does", () => {
  const prod = () => JSON.parse(readFileSync(join(ROOT, "presets/prod.json"), "utf8")) as Record<string, any>;
  const OLD_PREFLIGHT = "old-preflight.yaml";

  /** Installs prod 1.18.12, then runs the 1.19.5 bundle with each release owning what the real helm renders for it. */
  async function minorUpgrade(oldStylePreflight: boolean) {
    const cluster = new FakeCluster(tkeCluster({ vip: "169.254.128.27" }));
    const v1 = renderObject({ ...prod(), name: "c1", cilium: { version: "1.18.12" } }).files;
    const first = templateBoth("fake-v1", v1);
    cluster.edit((st) => (st.renders = { cilium: first.main.map(key) }));
    const folder1 = cluster.writeBundle("v1", v1);
    expect((await cluster.run(join(folder1, "install.sh"))).status).toBe(0);
    cluster.edit((st) => st.nodes.push({ name: "10.0.0.11" }));
    const v2 = renderObject({ ...prod(), name: "c1" }).files;
    const next = templateBoth("fake-v2", v2);
    let preflight = next.preflight.map(key);
    if (oldStylePreflight) {
      // what install.sh passed the pre-flight before: the main release's values files and three --set
      const dir = join(scratch, "fake-v2");
      writeFileSync(join(dir, OLD_PREFLIGHT), "preflight:\n  enabled: true\nagent: false\noperator:\n  enabled: false\n");
      preflight = parse(helmTemplate("1.19.5", "kube-system", [...helmValuesFiles(v2), OLD_PREFLIGHT], dir, "cilium-preflight")).map(key);
    }
    cluster.edit((st) => (st.renders = { cilium: next.main.map(key), "cilium-preflight": preflight }));
    return cluster.run(join(cluster.writeBundle("v2", v2), "install.sh"));
  }

  it("the pre-flight installs beside the release cilium, is removed, and the upgrade follows", async () => {
    const r = await minorUpgrade(false);
    expect(r.stderr).not.toContain("invalid ownership metadata");
    expect(r.status).toBe(0);
    expect(r.changes).toEqual(expect.arrayContaining(["helm upgrade --install cilium-preflight 1.19.5", "helm uninstall cilium-preflight", "helm upgrade --install cilium 1.19.5"]));
  });

  it("the old pre-flight (every values file of the release cilium) fails as Helm fails", async () => {
    const r = await minorUpgrade(true);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("invalid ownership metadata");
    expect(r.changes).not.toContain("helm upgrade --install cilium 1.19.5");
  });
});
