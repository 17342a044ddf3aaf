import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { expect } from "vitest";
import type { OutputFile } from "../src/emit/index.js";
import { fileOf, helmValuesFiles, renderObject, writeBundleTo } from "./helpers.js";
import { helmTemplate } from "./real-helm.js";
import { casesHere } from "./slice.js";

/**
 * Cilium's pre-flight check is a Helm release of its own (cilium-preflight) installed beside the release
 * cilium during a minor upgrade. Helm refuses to install an object another release owns ("invalid ownership
 * metadata"), so the real `helm template` of both releases, as install.sh runs them, must share no object.
 * Shared by test/preflight.test.ts and test/slow/preflight-matrix.test.ts.
 */

/** Where bundles are written for helm; made on first use, removed by each test file that uses it (afterAll(removeScratch)). */
export const scratch = join(tmpdir(), `tke-cilium-preflight-${process.pid}-${Math.random().toString(36).slice(2)}`);
export const removeScratch = () => rmSync(scratch, { recursive: true, force: true });

export interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } } };
}

export const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
export const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** The values files install.sh passes to the pre-flight release (after `helm upgrade --install 'cilium-preflight'`). */
function preflightValuesFiles(files: readonly OutputFile[]): string[] {
  const script = fileOf(files, "install.sh")!.content;
  const command = script.slice(script.indexOf("helm upgrade --install 'cilium-preflight'"));
  return [...command.slice(0, command.indexOf("\n  run ", 1)).matchAll(/-f "\$HERE"\/'([^']+)'/g)].map((m) => m[1]);
}

/** Both releases' objects, rendered by the real helm from the bundle as install.sh passes it. */
export function templateBoth(name: string, files: readonly OutputFile[]): { main: K8sObject[]; preflight: K8sObject[] } {
  const dir = join(scratch, name.replaceAll("/", "_"));
  writeBundleTo(dir, files);
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

export function expectDisjoint(name: string, files: readonly OutputFile[]): K8sObject[] {
  const { main, preflight } = templateBoth(name, files);
  return expectPreflightApart(main, preflight);
}

/** The pre-flight release's objects share none with the release cilium's, and hold the pre-flight DaemonSet. */
export function expectPreflightApart(main: readonly K8sObject[], preflight: K8sObject[]): K8sObject[] {
  const owned = new Set(main.map(key));
  expect(preflight.map(key).filter((k) => owned.has(k)), "objects both releases render").toEqual([]);
  expect(preflight.map(key)).toContain("DaemonSet/kube-system/cilium-pre-flight-check");
  return preflight;
}

/** What install.sh passes to helm for the pre-flight release: its namespace, chart version and values files. */
export function preflightRelease(files: readonly OutputFile[]): { namespace: string; version: string; valuesFiles: string[] } {
  const install = fileOf(files, "install.sh")!.content;
  const namespace = /^NAMESPACE='([^']+)'$/m.exec(install)![1];
  const version = /^VERSION='([^']+)'$/m.exec(install)![1];
  return { namespace, version, valuesFiles: preflightValuesFiles(files) };
}

/**
 * The pre-flight release of a bundle, rendered by the real helm as install.sh runs it (preflightRelease, the
 * text helm printed), checked against the release cilium's objects rendered from the same folder:
 * test/helm-template.test.ts renders each profile's release once and this adds the pre-flight beside it.
 */
export function expectPreflightBeside(files: readonly OutputFile[], main: readonly K8sObject[], preflightText: string): void {
  expect(preflightRelease(files).valuesFiles.length, "the pre-flight's values files").toBeGreaterThan(0);
  const preflight = expectPreflightApart(main, parse(preflightText));
  // its images come from where the main release's do (the mirror), never straight from quay.io when mirrored
  const mainImages = fileOf(files, "image-values.yaml")?.content ?? "";
  if (mainImages.includes("quay.tencentcloudcr.com")) for (const image of images(preflight)) expect(image).toMatch(/^quay\.tencentcloudcr\.com\//);
}

export const images = (objects: readonly K8sObject[]) =>
  objects.flatMap((o) => [...(o.spec?.template?.spec?.containers ?? []), ...(o.spec?.template?.spec?.initContainers ?? [])].map((c) => c.image));

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
export const REFUSED = new Set(["ENVOY_WITH_DELEGATED_IPAM", "IPSEC_ON_VPC_CNI"]);
const VERSIONS = ["1.18.3", "1.19.5", "1.20.0"];
const MODES = { native: {}, overlay: { mode: "overlay", podCidrs: ["172.28.0.0/16"] } };

const merge = (a: Record<string, any>, b: Record<string, any>): Record<string, any> => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === "object" && !Array.isArray(v) && typeof a[k] === "object" ? merge(a[k], v) : v;
  return out;
};

export const fullMatrix = VERSIONS.flatMap((version) =>
  Object.entries(MODES).flatMap(([mode, cilium]) => Object.entries(ADD_ONS).map(([addOn, over]) => ({ name: `${version} ${mode} ${addOn}`, profile: merge({ ...BASE, cilium: { version, ...cilium } }, over) }))),
);

/**
 * npm test runs a slice of the add-on matrix in which every add-on, version and mode appears (each add-on
 * once, the version and mode turning with it: 9 of the 54 cases, two real helm renders each); npm run
 * test:slow runs the other 45.
 */
const addOns = Object.keys(ADD_ONS);
const modes = Object.keys(MODES);
const refused = (c: (typeof fullMatrix)[number]) => renderObject(c.profile).diagnostics.some((d) => d.severity === "error");
/** Per add-on, its turn's version and mode, or the other mode when the tool refuses that one (nothing to render). */
const sliceNames = new Set(
  addOns.map((addOn, a) => {
    const version = VERSIONS[a % VERSIONS.length];
    const turn = Math.floor(a / VERSIONS.length) % 2;
    const tried = [modes[turn], modes[1 - turn]].map((mode) => fullMatrix.find((c) => c.name === `${version} ${mode} ${addOn}`)!);
    return (tried.find((c) => !refused(c)) ?? tried[0]).name;
  }),
);
export const fastMatrix = casesHere(fullMatrix, (c) => sliceNames.has(c.name), false);
export const slowMatrix = casesHere(fullMatrix, (c) => sliceNames.has(c.name), true);

/**
 * One case of the matrix: a combination the tool refuses for its own reason has no bundle; any other error is a
 * broken matrix. True when a bundle was rendered and its two releases compared.
 */
export function expectMatrixCase(name: string, profile: Record<string, unknown>): boolean {
  const r = renderObject(profile);
  const errors = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
  if (errors.length > 0) {
    expect(errors.filter((c) => !REFUSED.has(c)), name).toEqual([]);
    return false;
  }
  expectDisjoint(name, r.files);
  return true;
}
