import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkHelmValue } from "../src/knowledge/chart.js";
import { nearest } from "../src/text/nearest.js";
import { helmProblems } from "./fidelity/helm.js";
import { karpenterProblems } from "./fidelity/karpenter.js";
import { kubernetesProblems } from "./fidelity/kubernetes.js";
import { hasShellcheck, shellProblems, shellProblemsOfEach } from "./fidelity/shell.js";
import { fmtProblems, parseHcl, terraformProblems } from "./fidelity/terraform.js";
import type { OutputFile } from "../src/emit/index.js";

/** The bundle's Terraform files by root folder (terraform/, terraform/nodepool/). */
function terraformRoots(files: readonly OutputFile[]): Map<string, OutputFile[]> {
  const roots = new Map<string, OutputFile[]>();
  for (const f of files.filter((x) => x.path.startsWith("terraform/") && x.path.endsWith(".tf"))) {
    const dir = f.path.slice(0, f.path.lastIndexOf("/"));
    roots.set(dir, [...(roots.get(dir) ?? []), f]);
  }
  return roots;
}
import { ROOT, fileOf, helmValuesFiles, leafPaths, parseYaml, renderFile, renderObject } from "./helpers.js";
import { onceInNpmTest, profilePathsHere } from "./slice.js";

const hasTerraform = spawnSync("terraform", ["version"]).status === 0;

function documents(text: string): Record<string, unknown>[] {
  return text.split(/^---$/m).map((d) => parseYaml(d) as Record<string, unknown>);
}

const SCRIPTS = ["install.sh", "uninstall.sh", "clustermesh.sh", "egress-gateway-policy.sh", "preflight-node.sh", "cleanup-node.sh"];
const scriptsOf = (files: readonly OutputFile[]) =>
  SCRIPTS.flatMap((name) => {
    const f = fileOf(files, name);
    return f ? [[name, f] as const] : [];
  });

/**
 * Each profile's scripts linted by one shellcheck process, for every profile this suite runs, started before
 * the first test (runPooled: two at a time, both cores) and awaited by its test.
 */
const linting = new Map<string, Promise<Map<string, string[]>>>();
function lint(path: string, files: readonly OutputFile[]): Promise<Map<string, string[]>> {
  let made = linting.get(path);
  if (made === undefined) {
    made = shellProblemsOfEach(new Map(scriptsOf(files).map(([name, f]) => [name, f.content])));
    // awaited by the test; a rejection before it runs is not an unhandled one
    made.catch(() => undefined);
    linting.set(path, made);
  }
  return made;
}
const bundles = new Map<string, readonly OutputFile[]>();
beforeAll(() => {
  for (const [path, files] of bundles) lint(path, files);
});

// npm test: the covering slice of the profiles (test/slice.ts); npm run test:slow: the rest
describe.each(profilePathsHere())("fidelity of %s", (path) => {
  const { files } = renderFile(path);
  bundles.set(path, files);
  const version = (JSON.parse(readFileSync(join(ROOT, path), "utf8")).cilium?.version as string | undefined) ?? "1.19.5";
  const valuesFiles = helmValuesFiles(files);

  it(`Helm: the merged values validate against the Cilium ${version} chart schema`, () => {
    expect(helmProblems(version, valuesFiles.map((f) => fileOf(files, f)!.content))).toEqual([]);
  });

  it("Helm: every emitted value is a chart value of the right type", () => {
    for (const name of valuesFiles) {
      for (const [leaf, value] of leafPaths(parseYaml(fileOf(files, name)!.content))) {
        expect(checkHelmValue(version, leaf.split("."), value, nearest), `${name}: ${leaf}`).toBeNull();
      }
    }
  });

  it("Kubernetes: ConfigMap, FlowSchema and PriorityLevelConfiguration are valid API objects", () => {
    const objects = ["cni-config.yaml", "cilium-apf.yaml"].flatMap((f) => (fileOf(files, f) ? documents(fileOf(files, f)!.content) : []));
    for (const o of objects) expect(kubernetesProblems(o), String(o.kind)).toEqual([]);
  });

  it("Karpenter: NodePool and TKEMachineNodeClass pass their CRDs", () => {
    const nodepool = fileOf(files, "nodepool.yaml");
    for (const o of nodepool ? documents(nodepool.content) : []) expect(karpenterProblems(o), String(o.kind)).toEqual([]);
  });

  it("Terraform: each root parsed by HashiCorp's parser, every argument known, every required one present", async () => {
    const profile = JSON.parse(readFileSync(join(ROOT, path), "utf8"));
    const roots = terraformRoots(files);
    const expected = new Map<string, string[]>();
    // a self-managed cluster (platform kubeadm...) has no Terraform: its nodes are the user's
    const tke = (profile.platform ?? "tke") === "tke";
    if (tke && profile.cluster?.id === undefined) expected.set("terraform", ["main.tf", "outputs.tf", "variables.tf", "versions.tf"]);
    if (tke && profile.nodePool.type !== "karpenter") expected.set("terraform/nodepool", ["main.tf", "variables.tf", "versions.tf"]);
    expect(new Map([...roots].map(([dir, tf]) => [dir, tf.map((f) => f.path.slice(dir.length + 1)).sort()]))).toEqual(expected);
    for (const tf of roots.values()) expect(await terraformProblems(tf)).toEqual([]);
  });

  it("Terraform: a new cluster and a node pool are never created by one apply", async () => {
    for (const [dir, tf] of terraformRoots(files)) {
      const types = new Set<string>();
      for (const f of tf) for (const type of Object.keys(((await parseHcl(f.path, f.content)).resource as object) ?? {})) types.add(type);
      const pools = [...types].filter((t) => t.endsWith("node_pool"));
      expect(types.has("tencentcloud_kubernetes_cluster") && pools.length > 0, `${dir}: ${[...types].join(", ")}`).toBe(false);
    }
  });

  it(`Terraform: formatted as terraform fmt would${hasTerraform ? " (terraform fmt -check)" : " (layout rules; terraform not installed)"}`, () => {
    const tf = files.filter((f) => f.path.startsWith("terraform/"));
    for (const f of tf) expect(fmtProblems(f.content), f.path).toEqual([]);
    if (!hasTerraform) return;
    const dir = mkdtempSync(join(tmpdir(), "tke-cilium-tf-"));
    try {
      for (const f of tf) writeFileSync(join(dir, f.path.replaceAll("/", "_")), f.content);
      const r = spawnSync("terraform", ["fmt", "-check", "-diff", dir], { encoding: "utf8" });
      expect(r.stdout).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`install.sh and uninstall.sh: parsed by mvdan/sh${hasShellcheck ? " and clean under shellcheck" : " (shellcheck not installed)"}`, async () => {
    const scripts = scriptsOf(files);
    expect(scripts.map(([name]) => name).slice(0, 2)).toEqual(["install.sh", "uninstall.sh"]);
    // one shellcheck process for the bundle's scripts, each linted on its own
    const problems = await lint(path, files);
    for (const [name, f] of scripts) expect([name, problems.get(name), f.mode]).toEqual([name, [], 0o755]);
  });
});

// one-off checks: npm test only (npm run test:slow collects this file for the rest of its profiles)
onceInNpmTest(() => {
  describe("each check bites on a broken variant", () => {
    const { files } = renderFile("presets/prod.json");
    const tke = fileOf(files, "tke-values.yaml")!.content;

    it("Helm: a bogus key is not a chart value; a string where the chart wants a boolean fails its schema", () => {
      expect(checkHelmValue("1.19.5", ["kubeProxyReplacment"], true, nearest)).toEqual({ kind: "unknown", suggestion: "kubeProxyReplacement" });
      const problems = helmProblems("1.19.5", [tke, "hubble:\n  relay:\n    enabled: \"yes\"\n"]);
      expect(problems.join("\n")).toMatch(/\/hubble\/relay\/enabled must be boolean/);
    });

    it("Kubernetes: an unknown field and a value outside the allowed set are rejected", () => {
      const [flowSchema, priority] = documents(fileOf(files, "cilium-apf.yaml")!.content) as { spec: Record<string, unknown> }[];
      expect(kubernetesProblems({ ...flowSchema, spec: { ...flowSchema.spec, matchingPrecedenc: 2 } })).toEqual(["/spec/matchingPrecedenc: unknown field"]);
      expect(kubernetesProblems({ ...priority, spec: { ...priority.spec, type: "Unlimited" } })).toEqual(['/spec/type: "Unlimited" is not one of Limited, Exempt']);
      const configMap = documents(fileOf(files, "cni-config.yaml")!.content)[0];
      expect(kubernetesProblems({ ...configMap, data: { "cni-config": 42 } }).join()).toMatch(/^\/data\/cni-config: type \{"type":"string"\}/);
    });

    it("Karpenter: an unknown NodePool field, an empty selector list and a bad Gt requirement are rejected", () => {
      const [nodePool, nodeClass] = documents(fileOf(files, "nodepool.yaml")!.content) as { spec: Record<string, unknown> }[];
      expect(karpenterProblems({ ...nodePool, spec: { ...nodePool.spec, weigth: 10 } }).join()).toMatch(/must NOT have additional properties.*weigth/);
      expect(karpenterProblems({ ...nodeClass, spec: { ...nodeClass.spec, subnetSelectorTerms: [] } })).toContain("subnetSelectorTerms cannot be empty");
      const template = nodePool.spec.template as { spec: { requirements: unknown[] } };
      const bad = structuredClone(nodePool) as typeof nodePool;
      (bad.spec.template as typeof template).spec.requirements = [...template.spec.requirements, { key: "karpenter.k8s.tke/instance-cpu", operator: "Gt", values: ["two"] }];
      expect(karpenterProblems(bad)).toContain("Gt requirements need one non-negative integer");
      const { spec: noConsolidate, ...rest } = nodePool;
      const disruption = { ...(noConsolidate.disruption as Record<string, unknown>) };
      delete disruption.consolidateAfter;
      expect(karpenterProblems({ ...rest, spec: { ...noConsolidate, disruption } }).join()).toMatch(/consolidateAfter/);
    });

    it("Terraform: a missing required argument, an unknown one and an undeclared variable are caught", async () => {
      const main = fileOf(files, "terraform/main.tf")!.content;
      const tf = files.filter((f) => f.path.startsWith("terraform/"));
      const swap = (content: string) => tf.map((f) => (f.path === "terraform/main.tf" ? { ...f, content } : f));
      expect(await terraformProblems(swap(main.replace(/^ *vpc_id .*\n/m, "")))).toEqual(["terraform/main.tf: tencentcloud_kubernetes_cluster.tke_cluster: required argument vpc_id is missing"]);
      expect((await terraformProblems(swap(main.replace("cluster_intranet  ", "cluster_intranett ")))).join()).toMatch(/unknown argument cluster_intranett/);
      expect((await terraformProblems(swap(main.replace('"vpc-prod0001"', "var.vpc")))).join()).toMatch(/var.vpc is used but not declared/);
      expect(fmtProblems('resource "a" "b" {\n  x = 1\n  long_name = 2\n}\n')).toHaveLength(1);
    });

    it("install.sh: a syntax error and an unquoted variable are caught", () => {
      const script = fileOf(files, "install.sh")!.content;
      expect(shellProblems(script.replace('step "Next steps"', 'step "Next steps\n'))[0]).toMatch(/^parse: /);
      if (hasShellcheck) expect(shellProblems(script.replace('run kubectl apply -f "$HERE"/', "run kubectl apply -f $HERE/")).join()).toMatch(/SC2086/);
    });

    it("several scripts checked at once: each finding is its own script's, a parse error stays with its script", async () => {
      const script = fileOf(files, "install.sh")!.content;
      const problems = await shellProblemsOfEach(
        new Map([
          ["clean.sh", script],
          ["unquoted.sh", script.replace('run kubectl apply -f "$HERE"/', "run kubectl apply -f $HERE/")],
          ["broken.sh", script.replace('step "Next steps"', 'step "Next steps\n')],
        ]),
      );
      expect(problems.get("clean.sh")).toEqual([]);
      if (hasShellcheck) expect(problems.get("unquoted.sh")!.join()).toMatch(/SC2086/);
      expect(problems.get("broken.sh")![0]).toMatch(/^parse: /);
    });
  });

  describe("extraValues are checked against the chart of the profile's version", () => {
    const base = { region: "ap-singapore", apiserverVIP: "169.254.1.1", nodePool: { type: "native" }, cluster: { kubernetesVersion: "1.33.4" }, features: { masquerade: false } };
    const codes = (version: string, extraValues: unknown) => renderObject({ ...base, cilium: { version, extraValues } }).diagnostics.map((d) => d.code);

    it("accepts a 1.19 key at 1.19.5 and refuses it at 1.18.3", () => {
      const v = { encryption: { ztunnel: { caAddress: "https://ca.example:15012" } } };
      expect(codes("1.19.5", v)).toEqual([]);
      expect(codes("1.18.3", v)).toEqual(["UNKNOWN_HELM_VALUE"]);
    });

    it("accepts a 1.18 key at 1.18.3 and refuses it at 1.19.5", () => {
      const v = { customCalls: { enabled: true } };
      expect(codes("1.18.3", v)).toEqual([]);
      expect(codes("1.19.5", v)).toEqual(["UNKNOWN_HELM_VALUE"]);
    });

    it("lets free-form maps take any key, and puts extraValues in features-values.yaml", () => {
      const r = renderObject({ ...base, cilium: { extraValues: { extraConfig: { "any-key": "1" }, operator: { replicas: 1, nodeSelector: { pool: "system" } } } } });
      expect(r.diagnostics).toEqual([]);
      const values = leafPaths(parseYaml(fileOf(r.files, "features-values.yaml")!.content));
      expect(values.get("operator.replicas")).toBe(1);
      expect(values.get("operator.nodeSelector.pool")).toBe("system");
    });

    it("refuses a map where the chart wants a scalar", () => {
      expect(codes("1.19.5", { hubble: { enabled: { really: true } } })).toEqual(["HELM_VALUE_TYPE"]);
    });
  });
});
