// The scenario suite's driver: one profile walked through a cluster's life on the fake cluster, as an
// operator would, with the cluster's state asserted after each step. Used by test/scenario.test.ts (one
// representative slice) and test/slow/scenario.test.ts (every preset and the add-on matrix).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { expect } from "vitest";
import type { OutputFile } from "../src/emit/index.js";
import { FakeCluster, kubeadmCluster, tkeCluster, type ClusterState } from "./fake-cluster/cluster.js";
import { pods, releaseValues, workerNodes } from "./fake-cluster/controllers.js";
import { fileOf, fleetEquivalentPaths, helmValuesFiles, presetPaths, renderObject, ROOT, writeBundleTo } from "./helpers.js";
import { helmTemplate } from "./real-helm.js";

type Profile = Record<string, any>;

export interface ScenarioCase {
  name: string;
  profile: Profile;
}

/**
 * The add-ons the matrix combines: how a profile turns each on, and how the live cluster shows it (the release's
 * values as helm merged them, or the objects install.sh applied).
 */
const ADD_ONS = {
  hubble: { on: { hubble: true }, live: (s: ClusterState) => releaseValues(s).hubble?.relay?.enabled === true },
  nodeLocalDns: { on: { nodeLocalDns: true }, live: (s: ClusterState) => s.objects["DaemonSet/kube-system/node-local-dns"] !== undefined && s.objects["CiliumLocalRedirectPolicy/kube-system/nodelocaldns"] !== undefined },
  gatewayApi: { on: { gatewayApi: true }, live: (s: ClusterState) => releaseValues(s).gatewayAPI?.enabled === true },
  egressGateway: { on: { egressGateway: true }, live: (s: ClusterState) => releaseValues(s).egressGateway?.enabled === true },
  encryption: { on: { encryption: "wireguard" }, live: (s: ClusterState) => releaseValues(s).encryption?.enabled === true },
  flowLogs: { on: { hubble: true, flowLogs: { exports: [{ name: "all" }] } }, live: (s: ClusterState) => releaseValues(s).hubble?.export?.dynamic?.enabled === true },
} as const satisfies Record<string, { on: Profile; live: (s: ClusterState) => boolean }>;
type AddOn = keyof typeof ADD_ONS;
const ADD_ON_NAMES = Object.keys(ADD_ONS) as AddOn[];

/**
 * A pairwise matrix over the add-ons: every two add-ons appear together in all four on/off combinations in
 * some row. Greedy: each row is the candidate that covers the most pairs not yet covered.
 */
export function pairwiseRows(names: readonly string[] = ADD_ON_NAMES): Record<string, boolean>[] {
  const pairs = (row: number) => names.flatMap((_, i) => names.slice(i + 1).map((__, k) => `${i}${(row >> i) & 1}-${i + k + 1}${(row >> (i + k + 1)) & 1}`));
  const uncovered = new Set(Array.from({ length: 1 << names.length }, (_, r) => pairs(r)).flat());
  const rows: number[] = [];
  while (uncovered.size > 0) {
    let best = 0;
    let bestCount = -1;
    for (let r = 0; r < 1 << names.length; r++) {
      const count = pairs(r).filter((p) => uncovered.has(p)).length;
      if (count > bestCount) [best, bestCount] = [r, count];
    }
    rows.push(best);
    for (const p of pairs(best)) uncovered.delete(p);
  }
  return rows.map((r) => Object.fromEntries(names.map((n, i) => [n, ((r >> i) & 1) === 1])));
}

const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as Profile;

/** Every preset as a scenario: presets/*.json, presets/mesh/*, the fleet (its JSON equivalents). */
export const presetCases = (): ScenarioCase[] => [...presetPaths(), ...fleetEquivalentPaths()].map((path) => ({ name: path, profile: readJson(path) }));

/** The add-on matrix, generated from the overlay preset (Envoy needs an IPAM of Cilium's own). */
export function matrixCases(base = readJson("presets/overlay.json")): ScenarioCase[] {
  return pairwiseRows().map((row) => {
    const on = ADD_ON_NAMES.filter((n) => row[n]);
    const features: Profile = { ...base.features, hubble: false };
    for (const n of on) Object.assign(features, ADD_ONS[n].on);
    return { name: `overlay + ${on.join(", ") || "no add-on"}`, profile: { ...base, features } };
  });
}

/** The versions a scenario walks: a 1.18 install, its patch upgrade, then the minor upgrade to the profile's 1.19. */
function versionsOf(profile: Profile): [string, string, string] {
  const own: string | undefined = profile.cilium?.version;
  return ["1.18.11", "1.18.12", own?.startsWith("1.19.") ? own : "1.19.5"];
}

const withVersion = (p: Profile, version: string): Profile => ({ ...p, cilium: { ...p.cilium, version } });
const isSelfManaged = (p: Profile) => p.platform !== undefined && p.platform !== "tke";

function render(profile: Profile): OutputFile[] {
  const r = renderObject({ ...profile, name: "c1" });
  expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.pointer}: ${d.message}`)).toEqual([]);
  return r.files;
}

const renders = (profile: Profile) => renderObject({ ...profile, name: "c1" }).diagnostics.every((d) => d.severity !== "error");

/** Whether a profile has an add-on on. */
const hasAddOn = (p: Profile, n: AddOn) => (n === "flowLogs" || n === "encryption" ? Boolean(p.features?.[n]) : p.features?.[n] === true);
const withAddOn = (p: Profile, n: AddOn): Profile => ({ ...p, features: { ...p.features, ...ADD_ONS[n].on } });

/** The add-on a scenario turns on and off again: the first one the profile lacks and can have. */
function toggleOf(profile: Profile): AddOn | null {
  const order: AddOn[] = ["gatewayApi", "nodeLocalDns", "hubble", "egressGateway", "encryption", "flowLogs"];
  return order.find((n) => !hasAddOn(profile, n) && renders(withAddOn(profile, n))) ?? null;
}

/** A datapath change that renders: native <-> overlay on TKE, the routing mode or the IPAM of a self-managed cluster. */
function datapathChangeOf(profile: Profile): Profile {
  const candidates: Profile[] = isSelfManaged(profile)
    ? [
        { ...profile, selfManaged: { ...profile.selfManaged, routing: { mode: "native" }, autoDirectNodeRoutes: true } },
        { ...profile, selfManaged: { ...profile.selfManaged, routing: { mode: "native" } } },
        { ...profile, selfManaged: { ...profile.selfManaged, ipam: profile.selfManaged.ipam === "kubernetes" ? "cluster-pool" : "kubernetes" } },
      ]
    : profile.cilium?.mode === "overlay"
      ? [{ ...profile, cilium: { ...profile.cilium, mode: "native", podCidrs: undefined, podMaskSize: undefined }, features: { ...profile.features, gatewayApi: undefined } }]
      : [{ ...profile, cilium: { ...profile.cilium, mode: "overlay", podCidrs: ["172.28.0.0/16"] }, features: { ...profile.features, masquerade: undefined } }];
  const found = candidates.find(renders);
  expect(found, "a datapath change of this profile that renders").toBeDefined();
  return found!;
}

/** The fresh cluster a profile is for: TKE (VPC-CNI or GR) or a self-managed one with kube-proxy as the profile expects. */
export function clusterFor(profile: Profile): ClusterState {
  if (isSelfManaged(profile)) return kubeadmCluster({ vip: profile.selfManaged.apiServer.host, kubeProxy: profile.selfManaged.kubeProxy !== "absent" });
  const state = tkeCluster({ vip: profile.apiserverVIP, network: profile.cluster?.network === "gr" ? "gr" : "vpc-cni" });
  // flow logs into CLS need the cluster's log collection on (its LogConfig CRD)
  if (profile.features?.flowLogs?.cls) state.crds.push("logconfigs.cls.cloud.tencent.com");
  return state;
}

/**
 * What uninstall.sh says it leaves behind: the Karpenter pool, CRDs (the Gateway API's hold users' routes;
 * Cilium's are the operator's), and objects the cluster had before. Anything else install.sh applied must go.
 */
const LEFT_ON_PURPOSE = /^(NodePool|TKEMachineNodeClass|CustomResourceDefinition)\//;

const TKE_NETWORKING = ["kube-proxy", "tke-cni-agent", "ip-masq-agent"] as const;
const switchedOff = (s: ClusterState, ds: string) => s.daemonSets[ds]?.nodeSelector?.["label-not-exist"] === "node-not-exist";
/** A call that could change the cluster. */
const MUTATING = /^(helm (upgrade --install (?!--dry-run)|install|uninstall|rollback|repo add)|kubectl (.* )?(apply|patch|delete|create|annotate|label|replace|scale|rollout restart))/;

type Outcome = Awaited<ReturnType<FakeCluster["run"]>>;

/** The objects each release owns, as the real `helm template` renders them from the bundle (Helm ownership). */
function ownedObjects(files: readonly OutputFile[], release: "cilium" | "cilium-preflight"): string[] {
  const dir = writeBundleTo(mkdtempSync(join(tmpdir(), "tke-cilium-scenario-")), files);
  try {
    return releaseObjects(files, release, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
function releaseObjects(files: readonly OutputFile[], release: "cilium" | "cilium-preflight", dir: string): string[] {
  const install = fileOf(files, "install.sh")!.content;
  const version = /^VERSION='([^']+)'$/m.exec(install)![1];
  const namespace = /^NAMESPACE='([^']+)'$/m.exec(install)![1];
  const valuesFiles =
    release === "cilium" ? helmValuesFiles(files) : [...install.slice(install.indexOf("helm upgrade --install 'cilium-preflight'")).split("\n  run ")[0].matchAll(/-f "\$HERE"\/'([^']+)'/g)].map((m) => m[1]);
  expect(valuesFiles.length, `${release}'s values files`).toBeGreaterThan(0);
  return parseAllDocuments(helmTemplate(version, namespace, valuesFiles, dir, release))
    .map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } } | null)
    .filter((o) => o !== null)
    .map((o) => `${o!.kind}/${o!.metadata.namespace ?? ""}/${o!.metadata.name}`);
}

/**
 * Walks a profile through install -> re-run -> patch upgrade -> minor upgrade -> add-on on -> add-on off ->
 * datapath change (refused) -> uninstall -> reinstall, under pipefail, asserting the cluster after each step.
 */
export async function runScenario(c: ScenarioCase): Promise<void> {
  const profile = c.profile;
  const [v0, v1, v2] = versionsOf(profile);
  const cluster = new FakeCluster(clusterFor(profile));
  const initial = cluster.state;
  let bundle = 0;
  let folder = "";
  let files: OutputFile[] = [];
  const use = (p: Profile) => {
    files = render(p);
    folder = cluster.writeBundle(`v${++bundle}`, files);
  };
  // SHELLOPTS in the environment: bash starts with pipefail whatever the script sets itself
  const run = (script: "install.sh" | "uninstall.sh", ...args: string[]) => cluster.run(join(folder, script), args, { SHELLOPTS: "pipefail" });
  const said = (what: string, r: Outcome) => `${c.name}, ${what}: exit ${r.status}\n${r.stderr}`;
  const nodesJoin = () => cluster.edit((s) => s.nodes.push({ name: "10.0.0.11" }, { name: "10.0.0.12" }, { name: "10.0.0.13" }));

  /** What holds after every step: no Pod lost its network, the operator does not crash-loop, every call understood. */
  const healthy = (what: string) => {
    const s = cluster.state;
    expect(s.incidents ?? [], `${c.name}, ${what}: incidents`).toEqual([]);
    expect(pods(s).filter((p) => p.status === "CrashLoopBackOff").map((p) => `${p.name}: ${p.reason}`), `${c.name}, ${what}: crash-looping Pods`).toEqual([]);
  };
  /** The release cilium at a version, deployed, alone (no pre-flight left); its agents and operator on every node. */
  const installed = (what: string, version: string) => {
    const s = cluster.state;
    expect(Object.fromEntries(Object.entries(s.releases).map(([k, r]) => [k, `${r.version} ${r.status}`])), `${c.name}, ${what}: releases`).toEqual({ "kube-system/cilium": `${version} deployed` });
    expect(s.daemonSets["cilium-pre-flight-check"], `${c.name}, ${what}: the pre-flight DaemonSet`).toBeUndefined();
    expect(Object.values(s.owners ?? {}).filter((o) => o !== "cilium"), `${c.name}, ${what}: objects owned by another release`).toEqual([]);
    const agents = pods(s).filter((p) => p.owner === "DaemonSet/kube-system/cilium");
    expect(agents.map((p) => `${p.node} ${p.image.split(":").at(-1)} ${p.status}`), `${c.name}, ${what}: agents`).toEqual(workerNodes(s).map((n) => `${n} v${version} Running`));
    const operator = pods(s).filter((p) => p.owner === "Deployment/kube-system/cilium-operator");
    expect(operator.length, `${c.name}, ${what}: operator replicas`).toBeGreaterThan(0);
    if (workerNodes(s).length >= operator.length) expect(operator.map((p) => p.status), `${c.name}, ${what}: operator`).toEqual(operator.map(() => "Running"));
    if (isSelfManaged(profile)) {
      const kubeProxy = profile.selfManaged.kubeProxy;
      expect(s.daemonSets["kube-proxy"] !== undefined, `${c.name}, ${what}: kube-proxy runs`).toBe(kubeProxy === "keep");
    } else for (const ds of TKE_NETWORKING) if (initial.daemonSets[ds]) expect(switchedOff(s, ds), `${c.name}, ${what}: ${ds} switched off`).toBe(true);
  };
  const datapath = () => cluster.state.objects["ConfigMap/kube-system/cilium-config"]?.data;

  // 1. first install
  use(withVersion(profile, v0));
  let r = await run("install.sh");
  expect(r.status, said("first install", r)).toBe(0);
  installed("first install", v0);
  healthy("first install");
  const firstDatapath = datapath();

  // 2. nodes join; a re-run finishes what waited for them (the redirect policy), the next changes nothing
  nodesJoin();
  r = await run("install.sh");
  expect(r.status, said("re-run", r)).toBe(0);
  expect(r.changes.filter((x) => x !== "kubectl apply CiliumLocalRedirectPolicy/kube-system/nodelocaldns"), `${c.name}, re-run`).toEqual([]);
  r = await run("install.sh");
  expect([r.status, r.changes], said("second re-run", r)).toEqual([0, []]);
  installed("re-run", v0);
  healthy("re-run");

  // 3. patch upgrade: the release alone changes. Each release owns what the real helm renders for it from here on.
  const patchProfile = withVersion(profile, v1);
  use(patchProfile);
  cluster.edit((s) => (s.renders = { cilium: ownedObjects(files, "cilium") }));
  const revision = cluster.state.releases["kube-system/cilium"].revision;
  r = await run("install.sh");
  expect([r.status, r.changes], said("patch upgrade", r)).toEqual([0, [`helm upgrade --install cilium ${v1}`]]);
  expect(cluster.state.releases["kube-system/cilium"].revision).toBe(revision + 1);
  installed("patch upgrade", v1);
  healthy("patch upgrade");

  // 4. minor upgrade: the pre-flight release beside cilium (no shared object), removed, then the upgrade
  const minorProfile = withVersion(profile, v2);
  use(minorProfile);
  cluster.edit((s) => (s.renders = { ...s.renders, "cilium-preflight": ownedObjects(files, "cilium-preflight") }));
  r = await run("install.sh");
  expect(r.status, said("minor upgrade", r)).toBe(0);
  const order = ["helm upgrade --install cilium-preflight", "helm uninstall cilium-preflight", "helm upgrade --install cilium "].map((p) => r.changes.findIndex((x) => x.startsWith(p)));
  expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])), `${c.name}, minor upgrade: ${r.changes.join(", ")}`).toBe(true);
  installed("minor upgrade", v2);
  healthy("minor upgrade");
  expect(datapath(), `${c.name}: the datapath through the upgrades`).toEqual(firstDatapath);

  // 5. an add-on on, then off again
  const toggle = toggleOf(minorProfile);
  // a TKE cluster has an add-on to turn on (a self-managed one may have none its platform allows)
  if (!isSelfManaged(minorProfile)) expect(toggle, `${c.name}: an add-on to turn on and off`).not.toBeNull();
  // the objects the add-on brought: gone once it is off (install.sh deletes an add-on's labelled objects), CRDs aside
  let toggled: string[] = [];
  if (toggle !== null) {
    const without = Object.keys(cluster.state.objects);
    use(withAddOn(minorProfile, toggle));
    r = await run("install.sh");
    toggled = Object.keys(cluster.state.objects).filter((k) => !without.includes(k));
    expect(r.status, said(`${toggle} on`, r)).toBe(0);
    // the operator runs (nodes have joined): everything the add-on needs went in with this run
    expect((await run("install.sh")).changes, `${c.name}, ${toggle} on, a re-run`).toEqual([]);
    expect(ADD_ONS[toggle].live(cluster.state), `${c.name}: ${toggle} on`).toBe(true);
    installed(`${toggle} on`, v2);
    healthy(`${toggle} on`);
    use(minorProfile);
    r = await run("install.sh");
    expect(r.status, said(`${toggle} off`, r)).toBe(0);
    expect(ADD_ONS[toggle].live(cluster.state), `${c.name}: ${toggle} off`).toBe(false);
    expect(toggled.filter((k) => !LEFT_ON_PURPOSE.test(k) && k in cluster.state.objects), `${c.name}, ${toggle} off: what it left`).toEqual([]);
    installed(`${toggle} off`, v2);
    healthy(`${toggle} off`);
  }

  // 6. a datapath change on the live release: refused, with not one call that could change the cluster
  use(datapathChangeOf(minorProfile));
  const before = cluster.state;
  r = await run("install.sh");
  expect(r.status, `${c.name}, datapath change: exit status`).not.toBe(0);
  // refused by the datapath guard, not by some other stop
  expect(r.stderr, `${c.name}, datapath change: why`).toContain("changes the datapath of the running Cilium");
  expect(cluster.state.calls.filter((x) => MUTATING.test(x)), `${c.name}, datapath change: mutating calls`).toEqual([]);
  expect(r.changes).toEqual([]);
  expect(cluster.state.releases).toEqual(before.releases);
  healthy("datapath change");

  // 7. uninstall: the release goes, TKE's networking comes back
  use(minorProfile);
  r = await run("uninstall.sh");
  expect(r.status, said("uninstall", r)).toBe(0);
  const gone = cluster.state;
  expect(gone.releases, `${c.name}, uninstall: releases`).toEqual({});
  expect(gone.daemonSets.cilium).toBeUndefined();
  expect(pods(gone).filter((p) => p.owner.includes("cilium")), `${c.name}, uninstall: Cilium's Pods`).toEqual([]);
  if (!isSelfManaged(profile)) for (const ds of TKE_NETWORKING) if (initial.daemonSets[ds]) expect(switchedOff(gone, ds), `${c.name}, uninstall: ${ds} back`).toBe(false);
  expect(Object.keys(gone.objects).filter((k) => !(k in initial.objects) && !LEFT_ON_PURPOSE.test(k)), `${c.name}, uninstall: objects left behind`).toEqual([]);
  r = await run("uninstall.sh");
  expect([r.status, r.changes], said("second uninstall", r)).toEqual([0, []]);

  // 8. reinstall on rebuilt nodes (uninstall.sh says to rebuild them): a first install again
  cluster.edit((s) => (s.nodes = []));
  r = await run("install.sh");
  expect(r.status, said("reinstall", r)).toBe(0);
  expect(r.stdout).toContain(`first install of Cilium ${v2}`);
  nodesJoin();
  r = await run("install.sh");
  expect(r.status, said("reinstall, nodes joined", r)).toBe(0);
  installed("reinstall", v2);
  expect(cluster.state.releases["kube-system/cilium"].revision, `${c.name}: a new release`).toBe(1);
  healthy("reinstall");
}

/**
 * The recovery scenarios on a fresh cluster: helm failing after the switch-offs leaves TKE's networking as it
 * was; a transient helm error is retried or reported, never read as "no release" (install.sh and uninstall.sh).
 */
export async function runRecovery(c: ScenarioCase): Promise<void> {
  const profile = c.profile;
  const files = render(profile);
  const failing = new FakeCluster(clusterFor(profile));
  const folder = failing.writeBundle("v1", files);
  const run = (cluster: FakeCluster, script: string, ...args: string[]) => cluster.run(join(folder, script), args, { SHELLOPTS: "pipefail" });
  const before = failing.state.daemonSets;
  failing.edit((s) => (s.failures = { "helm upgrade --install cilium": 1 }));
  let r = await run(failing, "install.sh");
  expect(r.status, `${c.name}: helm failed`).not.toBe(0);
  expect(failing.state.releases).toEqual({});
  for (const [name, ds] of Object.entries(before)) expect(failing.state.daemonSets[name]?.nodeSelector ?? {}, `${c.name}: ${name} after helm failed`).toEqual(ds.nodeSelector ?? {});

  // a transient error on every read of the release: install.sh and uninstall.sh report it and change nothing, or retry
  const live = new FakeCluster(clusterFor(profile));
  live.writeBundle("v1", files);
  expect((await run(live, "install.sh")).status).toBe(0);
  live.edit((s) => s.nodes.push({ name: "10.0.0.11" }, { name: "10.0.0.12" }));
  for (const script of ["install.sh", "uninstall.sh"]) {
    const was = live.state;
    live.edit((s) => (s.failures = { "helm history": 1, "helm list": 1, "helm status": 1, "helm get": 1 }));
    r = await run(live, script);
    const after = live.state;
    if (r.status !== 0) {
      expect(after.calls.filter((x) => MUTATING.test(x)), `${c.name}, ${script} after a transient error: mutating calls`).toEqual([]);
    } else if (script === "install.sh") {
      // retried: the release is the one installed, untouched
      expect(r.changes, `${c.name}, install.sh retried`).toEqual([]);
    } else {
      // retried: the release went, and TKE's networking came back only then
      expect(after.releases, `${c.name}, uninstall.sh retried`).toEqual({});
    }
    expect(after.calls.filter((x) => x.startsWith("helm upgrade --install cilium ")), `${c.name}, ${script}: no install over a release it could not read`).toEqual([]);
    if (r.status !== 0) expect(after.releases).toEqual(was.releases);
    live.edit((s) => (s.failures = {}));
  }

  // a transient error reading one of TKE's networking DaemonSets is never "not found": on a first install it would
  // stay running beside Cilium; at uninstall it would stay switched off with Cilium gone
  if (isSelfManaged(profile)) return;
  for (const ds of TKE_NETWORKING) {
    const fresh = new FakeCluster(clusterFor(profile));
    fresh.writeBundle("v1", files);
    fresh.edit((s) => (s.failures = { [`kubectl -n kube-system get daemonset ${ds}`]: 1 }));
    r = await run(fresh, "install.sh");
    if (r.status === 0) expect(switchedOff(fresh.state, ds), `${c.name}: ${ds} after a transient error on install`).toBe(true);
    else expect(fresh.state.releases, `${c.name}: install.sh stopped`).toEqual({});
    fresh.edit((s) => (s.failures = {}));
    expect((await run(fresh, "install.sh")).status).toBe(0);
    fresh.edit((s) => (s.failures = { [`kubectl -n kube-system get daemonset ${ds}`]: 1 }));
    r = await run(fresh, "uninstall.sh");
    if (r.status === 0) expect(switchedOff(fresh.state, ds), `${c.name}: ${ds} after a transient error on uninstall`).toBe(false);
    else expect(r.stderr, `${c.name}: uninstall.sh stopped`).toContain(ds);
  }
}

/**
 * Minor upgrades one after the other (1.18 -> 1.19 -> 1.20), nodes running: each minor's Gateway API CRDs go
 * in before its chart, the pre-flight release owns nothing of the release cilium's, and the operator runs.
 */
export async function runMinorChain(c: ScenarioCase, versions: readonly string[]): Promise<void> {
  const cluster = new FakeCluster(clusterFor(c.profile));
  let files: OutputFile[] = [];
  let folder = "";
  for (const [i, version] of versions.entries()) {
    const previous = files;
    files = render(withVersion(c.profile, version));
    folder = cluster.writeBundle(`v${i}`, files);
    if (i > 0) cluster.edit((s) => (s.renders = { cilium: ownedObjects(previous, "cilium"), "cilium-preflight": ownedObjects(files, "cilium-preflight") }));
    const r = await cluster.run(join(folder, "install.sh"), [], { SHELLOPTS: "pipefail" });
    expect(r.status, `${c.name} -> ${version}: exit ${r.status}\n${r.stderr}`).toBe(0);
    if (i > 0) expect(r.changes.filter((x) => x.startsWith("helm upgrade --install")), `${c.name} -> ${version}`).toEqual([`helm upgrade --install cilium-preflight ${version}`, `helm upgrade --install cilium ${version}`]);
    if (i === 0) cluster.edit((s) => s.nodes.push({ name: "10.0.0.11" }, { name: "10.0.0.12" }));
    const s = cluster.state;
    expect(Object.fromEntries(Object.entries(s.releases).map(([k, rel]) => [k, `${rel.version} ${rel.status}`]))).toEqual({ "kube-system/cilium": `${version} deployed` });
    expect(pods(s).filter((p) => p.status !== "Running").map((p) => `${p.name}: ${p.status} ${p.reason ?? ""}`), `${c.name} at ${version}`).toEqual([]);
    expect(s.incidents ?? []).toEqual([]);
  }
}
