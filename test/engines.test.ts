// The GitOps objects a bundle carries when tke-cilium.json names an engine: held to the real CRDs of Argo CD
// (v3.5.1) and Flux (helm-controller v1.6.3, source-controller v1.9.1, kustomize-controller v1.9.4), closed to
// unknown fields; the files they name are exactly the bundle's values files and manifests; and the Flux
// kustomization is built by the real kubectl kustomize.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { GitopsConfig } from "../src/config.js";
import { GITOPS_FILES } from "../src/knowledge/gitops.js";
import { renderProfile } from "../src/pipeline.js";
import { BUILTIN_CHARTS } from "../src/knowledge/chart.js";
import type { GitopsContext } from "../src/settings.js";
import { crdValidatorAt } from "./fidelity/crd.js";
import { asGitopsProfile, fileOf, gitopsProfileText, presetPaths, ROOT, writeBundleTo } from "./helpers.js";
import { kubectlBinary } from "./real-helm.js";

type Obj = Record<string, any>;

const fixture = (file: string) => join(ROOT, "test/fixtures/gitops", file);
const CRDS = [
  crdValidatorAt(fixture("argocd-v3.5.1-application-crd.yaml"), "v1alpha1"),
  crdValidatorAt(fixture("helm.toolkit.fluxcd.io_helmreleases.yaml"), "v2"),
  crdValidatorAt(fixture("source.toolkit.fluxcd.io_helmrepositories.yaml"), "v1"),
  crdValidatorAt(fixture("kustomize.toolkit.fluxcd.io_kustomizations.yaml"), "v1"),
];

/** Problems of one object against the CRD of its apiVersion and kind; empty when the API server would take it. */
function crdProblems(object: Obj): string[] {
  const [group, version] = String(object.apiVersion).split("/");
  const crd = CRDS.find((c) => c.kind === object.kind && c.group === group && c.version === version);
  if (crd === undefined) return [`no CRD for ${object.apiVersion} ${object.kind}`];
  const problems = crd.validate(object) ? [] : (crd.validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  // the API server's own rule for metadata: namespaced kinds need a namespace here (no kubectl -n to add one)
  if (crd.scope === "Namespaced" && typeof object.metadata?.namespace !== "string") problems.push("metadata.namespace missing");
  return problems;
}

const ARGOCD: GitopsConfig = { engine: "argocd", namespace: "argocd", repoURL: "https://git.example.com/platform/fleet.git", revision: "main", project: "platform", destination: "{name}" };
const FLUX: GitopsConfig = { engine: "flux", namespace: "flux-system", gitRepository: "flux-system", interval: "10m" };
const context = (config: GitopsConfig, outPath = "out"): GitopsContext => ({ config, outPath });

function render(path: string, gitops: GitopsContext) {
  const r = renderProfile({ path, text: gitopsProfileText(path) }, BUILTIN_CHARTS, gitops);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r;
}

const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj);
const delivery = (files: ReturnType<typeof render>["files"]) => JSON.parse(fileOf(files, "bundle.json")!.content) as Obj;
/** What an engine delivers: the values files, and the manifests install.sh does not keep to itself. */
const delivered = (d: Obj) => (d.manifests as Obj[]).filter((m) => m.phase !== "by-install-script");
const roleFiles = (d: Obj) => ({ values: d.valuesFiles as string[], manifests: delivered(d).map((m) => m.file as string) });

describe.each(presetPaths())("%s", (path) => {
  it("Argo CD: the Application passes the CRD and names exactly the bundle's values files and manifests", () => {
    const { files, name } = render(path, context(ARGOCD));
    const d = delivery(files);
    expect(d.gitops).toEqual({ engine: "argocd", files: [GITOPS_FILES.argocdApplication] });
    const [app, ...rest] = docs(fileOf(files, GITOPS_FILES.argocdApplication)!.content);
    expect(rest).toEqual([]);
    expect(crdProblems(app)).toEqual([]);
    const [chart, ref, dir] = app.spec.sources as Obj[];
    expect([chart.chart, chart.targetRevision, chart.repoURL]).toEqual(["cilium", d.chart.version, d.chart.repository]);
    expect(ref.ref).toBe("values");
    const prefix = `$values/out/${name}/`;
    const named = chart.helm.valueFiles.map((f: string) => (f.startsWith(prefix) ? f.slice(prefix.length) : f));
    const { values, manifests } = roleFiles(d);
    expect(named).toEqual(values);
    const include: string = dir?.directory.include ?? "";
    expect(include === "" ? [] : include.replace(/^\{|\}$/g, "").split(",")).toEqual(manifests);
    if (dir) expect(dir.path).toBe(`out/${name}`);
    for (const f of [...values, ...manifests]) expect(fileOf(files, f), f).toBeDefined();
    expect(app.spec.destination).toEqual({ name, namespace: "kube-system" });
    // ordering: what needs Cilium running waits for the chart's objects to be healthy (sync wave 1)
    for (const m of (d.manifests as Obj[]).filter((x) => x.phase !== "by-install-script")) {
      for (const o of docs(fileOf(files, m.file as string)!.content)) {
        expect(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"], `${m.file} ${o.kind}`).toBe(m.phase === "after-chart" ? "1" : undefined);
      }
    }
    // certificates come from the cluster (certgen): nothing to ignore (test/gitops-converge.test.ts proves it with helm)
    expect(app.spec.ignoreDifferences).toBeUndefined();
    expect(app.spec.syncPolicy.syncOptions).toEqual(["ServerSideApply=true", "SkipDryRunOnMissingResource=true"]);
    expect(app.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true });
    expect(app.spec.syncPolicy.retry.limit).toBeGreaterThan(0);
  });

  it("Flux: every object passes its CRD; the kustomization names exactly the bundle's files", () => {
    const { files } = render(path, context(FLUX));
    const d = delivery(files);
    expect(d.gitops.engine).toBe("flux");
    for (const f of d.gitops.files) expect(fileOf(files, f), f).toBeDefined();
    const objects = [...docs(fileOf(files, GITOPS_FILES.fluxRelease)!.content), ...docs(fileOf(files, GITOPS_FILES.fluxKustomization)!.content)];
    const after = (d.manifests as Obj[]).filter((m) => m.phase === "after-chart").map((m) => m.file as string);
    expect(objects.map((o) => o.kind)).toEqual(["HelmRepository", "HelmRelease", "Kustomization", ...(after.length > 0 ? ["Kustomization"] : [])]);
    for (const o of objects) expect(crdProblems(o), o.kind).toEqual([]);
    const [, release] = objects;
    expect(release.spec.chart.spec.version).toBe(d.chart.version);
    expect(release.spec.valuesFrom.map((v: Obj) => v.valuesKey)).toEqual(d.valuesFiles);
    expect(release.spec.upgrade.remediation).toEqual({ retries: 3, strategy: "rollback" });
    expect(release.spec.install.remediation.retries).toBe(3);
    expect(release.spec.driftDetection).toEqual({ mode: "enabled" });
    expect(objects[2].spec).toMatchObject({ wait: true, timeout: release.spec.timeout, prune: true });
    const [kustomization] = docs(fileOf(files, GITOPS_FILES.kustomization)!.content);
    const { values, manifests } = roleFiles(d);
    // with the release: what it needs first; after it (a Kustomization that dependsOn it): what needs Cilium running
    expect([...kustomization.resources, ...after]).toEqual([GITOPS_FILES.fluxRelease, ...manifests]);
    expect(kustomization.configMapGenerator[0].files).toEqual(values);
    if (after.length > 0) {
      const [, , first, second] = objects;
      expect(second.spec.dependsOn).toEqual([{ name: first.metadata.name }]);
      expect(second.spec.path).toBe(`${first.spec.path}/after-chart`);
      expect(docs(fileOf(files, "after-chart/kustomization.yaml")!.content)[0].resources).toEqual(after.map((f) => `../${f}`));
    }
  });
});

it("a bundle's folder is read from the git root: an out folder below the root shows in every path", () => {
  const { files } = render("presets/prod.json", context(ARGOCD, "gitops/out"));
  const [app] = docs(fileOf(files, GITOPS_FILES.argocdApplication)!.content);
  expect(app.spec.sources[0].helm.valueFiles[0]).toBe("$values/gitops/out/prod/tke-values.yaml");
  expect(app.spec.sources[2].path).toBe("gitops/out/prod");
  const flux = render("presets/prod.json", context(FLUX, "gitops/out")).files;
  expect(docs(fileOf(flux, GITOPS_FILES.fluxKustomization)!.content)[0].spec.path).toBe("./gitops/out/prod");
});

it("Argo CD destinations: a server URL, the in-cluster server, and a name template", () => {
  const dest = (destination: string | null) => docs(fileOf(render("presets/dev.json", context({ ...ARGOCD, destination } as GitopsConfig)).files, GITOPS_FILES.argocdApplication)!.content)[0].spec.destination;
  expect(dest("https://10.0.0.1:443")).toEqual({ server: "https://10.0.0.1:443", namespace: "kube-system" });
  expect(dest(null)).toEqual({ server: "https://kubernetes.default.svc", namespace: "kube-system" });
  expect(dest("tke-{name}")).toEqual({ name: "tke-dev", namespace: "kube-system" });
});

describe("the real kubectl kustomize builds every Flux bundle", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-kustomize-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  // cluster-scoped kinds the bundles hold (Kubernetes and Karpenter): kustomize must not give them a namespace
  const CLUSTER_SCOPED = new Set(["FlowSchema", "PriorityLevelConfiguration", "NodePool", "TKEMachineNodeClass", "CustomResourceDefinition", "LogConfig"]);

  it.each(presetPaths())("%s", (path) => {
    const { files, name } = render(path, context(FLUX));
    const dir = join(scratch, name!);
    writeBundleTo(dir, files);
    // Flux builds inside the repository's artifact: a kustomization may name files one folder up
    const build = (root: string) => docs(execFileSync(kubectlBinary(), ["kustomize", "--load-restrictor", "LoadRestrictionsNone", root], { encoding: "utf8" }));
    const built = [...build(dir), ...(existsSync(join(dir, "after-chart")) ? build(join(dir, "after-chart")) : [])];
    const d = delivery(files);
    const configMap = built.find((o) => o.kind === "ConfigMap" && o.metadata.namespace === "flux-system")!;
    expect(configMap.metadata.name).toMatch(/^cilium-values-[a-z0-9]{10}$/);
    expect(Object.keys(configMap.data).sort()).toEqual([...d.valuesFiles].sort());
    for (const f of d.valuesFiles) expect(configMap.data[f]).toBe(fileOf(files, f)!.content);
    const release = built.find((o) => o.kind === "HelmRelease")!;
    // the generated name (with its content hash) is what the release reads: a values change upgrades it
    expect(new Set(release.spec.valuesFrom.map((v: Obj) => v.name))).toEqual(new Set([configMap.metadata.name]));
    for (const o of built) {
      if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace, o.kind).toBeUndefined();
      else expect(o.metadata.namespace, o.kind).toMatch(/^(flux-system|kube-system)$/);
    }
    const manifestKinds = new Set<string>(delivered(d).flatMap((m: Obj) => docs(fileOf(files, m.file as string)!.content).map((o) => o.kind)));
    for (const kind of manifestKinds) expect(built.some((o) => o.kind === kind), kind).toBe(true);
  });
});

describe("the chart source: upstream, an HTTP mirror, an OCI registry (TCR), the same for install.sh and both engines", () => {
  const withRepository = (chartRepository: string) => {
    const profile = asGitopsProfile(JSON.parse(readFileSync(join(ROOT, "presets/prod.json"), "utf8")));
    profile.cilium.chartRepository = chartRepository;
    profile.$schema = undefined;
    return JSON.stringify(profile);
  };
  const renderText = (text: string, gitops: GitopsContext) => {
    const r = renderProfile({ path: "clusters/prod.json", text }, BUILTIN_CHARTS, gitops);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return r.files;
  };

  it("an HTTP mirror: helm repo add, the Application's repoURL and the HelmRepository's url", () => {
    const mirror = "https://mirrors.example.cn/helm/cilium/";
    const argo = renderText(withRepository(mirror), context(ARGOCD));
    expect(fileOf(argo, "install.sh")!.content).toContain(`helm repo add 'tke-cilium' '${mirror}' --force-update`);
    const [app] = docs(fileOf(argo, GITOPS_FILES.argocdApplication)!.content);
    expect(crdProblems(app)).toEqual([]);
    expect(app.spec.sources[0]).toMatchObject({ repoURL: mirror, chart: "cilium" });
    const flux = renderText(withRepository(mirror), context(FLUX));
    const [repo, release] = docs(fileOf(flux, GITOPS_FILES.fluxRelease)!.content);
    for (const o of [repo, release]) expect(crdProblems(o), o.kind).toEqual([]);
    expect(repo.spec).toEqual({ interval: "10m", url: mirror });
    expect(JSON.parse(fileOf(flux, "bundle.json")!.content).chart.repository).toBe(mirror);
  });

  it("an OCI registry: helm takes oci://…/cilium, Argo CD the registry without its scheme, Flux a HelmRepository of type oci", () => {
    const registry = "oci://ccr.ccs.tencentyun.com/cilium-charts";
    const argo = renderText(withRepository(registry), context(ARGOCD));
    const script = fileOf(argo, "install.sh")!.content;
    expect(script).toContain(`CHART='${registry}/cilium'`);
    expect(script).not.toContain("helm repo add");
    const [app] = docs(fileOf(argo, GITOPS_FILES.argocdApplication)!.content);
    expect(crdProblems(app)).toEqual([]);
    expect(app.spec.sources[0]).toMatchObject({ repoURL: "ccr.ccs.tencentyun.com/cilium-charts", chart: "cilium", targetRevision: "1.19.5" });
    const flux = renderText(withRepository(registry), context(FLUX));
    const [repo, release] = docs(fileOf(flux, GITOPS_FILES.fluxRelease)!.content);
    for (const o of [repo, release]) expect(crdProblems(o), o.kind).toEqual([]);
    expect(repo.spec).toEqual({ interval: "10m", type: "oci", url: registry });
    expect(release.spec.chart.spec).toMatchObject({ chart: "cilium", version: "1.19.5" });
  });
});

it("Flux's timeout grows with cluster.maxNodes", () => {
  const timeout = (maxNodes: number | undefined) => {
    const profile = asGitopsProfile(JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")));
    profile.cluster = { ...profile.cluster, maxNodes };
    if (maxNodes === undefined) delete profile.cluster.maxNodes;
    const r = renderProfile({ path: "dev.json", text: JSON.stringify(profile) }, BUILTIN_CHARTS, context(FLUX));
    return docs(fileOf(r.files, GITOPS_FILES.fluxRelease)!.content)[1].spec.timeout;
  };
  expect([timeout(undefined), timeout(10), timeout(200), timeout(800), timeout(5000)]).toEqual(["15m", "10m", "20m", "45m", "60m"]);
});

it("a profile's gitops.destination overrides tke-cilium.json's", () => {
  const profile = asGitopsProfile(JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")));
  profile.gitops = { destination: "https://cls-abc.example:443" };
  const r = renderProfile({ path: "dev.json", text: JSON.stringify(profile) }, BUILTIN_CHARTS, context(ARGOCD));
  expect(docs(fileOf(r.files, GITOPS_FILES.argocdApplication)!.content)[0].spec.destination).toEqual({ server: "https://cls-abc.example:443", namespace: "kube-system" });
});

it("a GitOps profile that masquerades in native mode without cluster.vpcCidrs is an error naming the field (no silent RFC 1918 fallback)", () => {
  const profile = asGitopsProfile(JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")));
  profile.features = { ...profile.features, masquerade: true };
  delete profile.cluster?.vpcCidrs;
  for (const config of [ARGOCD, FLUX]) {
    const r = renderProfile({ path: "clusters/dev.json", text: JSON.stringify(profile, null, 2) }, BUILTIN_CHARTS, context(config));
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.pointer])).toEqual([["GITOPS_NEEDS_VPC_CIDRS", "/cluster/vpcCidrs"]]);
    expect(errors[0].message).toContain("cluster.vpcCidrs");
  }
  // without an engine, install.sh reads them from the cluster: a warning, as before
  const plain = renderProfile({ path: "clusters/dev.json", text: JSON.stringify(profile, null, 2) });
  expect(plain.diagnostics.map((d) => [d.code, d.severity])).toContainEqual(["MASQUERADE_WITHOUT_VPC_CIDRS", "warning"]);
});

it("NodeLocal DNSCache in a GitOps bundle: kube-dns's ClusterIP is a profile field (an error naming it when missing), then the engine delivers the cache and its policy after the chart", () => {
  const profile = asGitopsProfile(JSON.parse(readFileSync(join(ROOT, "presets/mesh/gz-east.json"), "utf8")));
  delete profile.cluster.kubeDnsIP;
  const without = renderProfile({ path: "gz-east.json", text: JSON.stringify(profile) }, BUILTIN_CHARTS, context(FLUX));
  expect(without.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.pointer])).toEqual([["GITOPS_NEEDS_KUBE_DNS_IP", "/cluster/kubeDnsIP"]]);
  profile.cluster.kubeDnsIP = "192.168.0.10";
  for (const config of [ARGOCD, FLUX]) {
    const r = renderProfile({ path: "gz-east.json", text: JSON.stringify(profile) }, BUILTIN_CHARTS, context(config));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const cache = fileOf(r.files, "node-local-dns.yaml")!.content;
    expect(cache).not.toContain("__PILLAR__DNS__SERVER__");
    expect(cache).toContain("- 192.168.0.10");
    const phases = Object.fromEntries((delivery(r.files).manifests as Obj[]).map((m) => [m.file, m.phase]));
    expect([phases["node-local-dns.yaml"], phases["localdns-redirect-policy.yaml"]]).toEqual(["after-chart", "after-chart"]);
  }
});

it("tke-eni-agent's version: a profile field checked against the minimum, required of a native GitOps bundle", () => {
  const profile = asGitopsProfile(JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8")));
  const errors = (eni: string | undefined, gitops: GitopsContext | null) => {
    const p = structuredClone(profile);
    if (eni === undefined) delete p.cluster.eniAgentVersion;
    else p.cluster.eniAgentVersion = eni;
    return renderProfile({ path: "dev.json", text: JSON.stringify(p) }, BUILTIN_CHARTS, gitops).diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.pointer]);
  };
  expect(errors(undefined, context(FLUX))).toEqual([["GITOPS_NEEDS_ENI_AGENT_VERSION", "/cluster/eniAgentVersion"]]);
  expect(errors("v3.7.12", context(ARGOCD))).toEqual([["ENI_AGENT_TOO_OLD", "/cluster/eniAgentVersion"]]);
  expect(errors("v3.8.0", context(ARGOCD))).toEqual([]);
  // without an engine install.sh checks the live cluster: the field is optional
  expect(errors(undefined, null)).toEqual([]);
});
