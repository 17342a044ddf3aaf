// The fleet as one object: tke-cilium render writes an Argo CD ApplicationSet (from tke-cilium.json alone)
// whose git files generator finds every bundle's Application. Adding a profile and rendering adds the
// cluster: no other file changes. Held to the ApplicationSet CRD of Argo CD v3.5.1, closed to unknown fields.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import micromatch from "micromatch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { main, type Io } from "../src/cli.js";
import type { GitopsConfig } from "../src/config.js";
import { fleetFilePaths } from "../src/emit/fleet.js";
import { crdValidatorAt } from "./fidelity/crd.js";
import { asGitopsProfile, ROOT } from "./helpers.js";

type Obj = Record<string, any>;
const APPSET = crdValidatorAt(join(ROOT, "test/fixtures/gitops/argocd-v3.5.1-applicationset-crd.yaml"), "v1alpha1");
const APP = crdValidatorAt(join(ROOT, "test/fixtures/gitops/argocd-v3.5.1-application-crd.yaml"), "v1alpha1");

let repo: string;
let out = "";
let err = "";
const run = async (...argv: string[]) => {
  out = "";
  err = "";
  const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: repo };
  return main(argv, io);
};
const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8", env });
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj);
const read = (path: string) => readFileSync(join(repo, path), "utf8");
const ENGINES = {
  argocd: { engine: "argocd", repoURL: "https://git.example.com/platform/fleet.git", revision: "main" },
  flux: { engine: "flux" },
};

function setUp(engine: keyof typeof ENGINES) {
  git("init", "-q");
  mkdirSync(join(repo, "clusters"));
  writeFileSync(join(repo, "clusters/prod.json"), JSON.stringify(asGitopsProfile(JSON.parse(readFileSync(join(ROOT, "presets/prod.json"), "utf8"))), null, 2) + "\n");
  writeFileSync(join(repo, "tke-cilium.json"), JSON.stringify({ profiles: ["clusters/*.json"], gitops: ENGINES[engine] }, null, 2) + "\n");
}

/** Add a profile, render with no argument, and list what git sees changed. */
async function addCluster(): Promise<string[]> {
  const profile = JSON.parse(read("clusters/prod.json"));
  writeFileSync(join(repo, "clusters/staging.json"), JSON.stringify({ ...profile, apiserverVIP: "169.254.128.44" }, null, 2) + "\n");
  expect(await run("render", "--quiet"), err).toBe(0);
  return git("status", "--porcelain", "--untracked-files=all").split("\n").filter(Boolean).map((l) => l.slice(3));
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), "tke-cilium-fleet-"));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe("Argo CD: the ApplicationSet", () => {
  it("passes the CRD, and its generator finds every bundle's Application", async () => {
    setUp("argocd");
    expect(await run("render")).toBe(0);
    expect(out).toContain("wrote out/argocd-applicationset.yaml");
    const [appset, ...rest] = docs(read("out/argocd-applicationset.yaml"));
    expect(rest).toEqual([]);
    expect(APPSET.validate(appset), JSON.stringify(APPSET.validate.errors)).toBe(true);
    expect(appset.metadata).toEqual({ name: "tke-cilium-fleet", namespace: "argocd" });
    const [generator] = appset.spec.generators;
    expect(generator.git).toMatchObject({ repoURL: ENGINES.argocd.repoURL, revision: "main", files: [{ path: "out/*/argocd-application.yaml" }] });
    // never deletes an Application: a removed bundle must not uninstall a cluster's CNI
    expect(appset.spec.syncPolicy).toEqual({ applicationsSync: "create-update", preserveResourcesOnDeletion: true });
    expect(appset.spec.template.spec.syncPolicy.automated.prune).toBe(false);
    // what the generated Application for a bundle would be, and that it passes the Application CRD
    const generated = JSON.parse(JSON.stringify(appset.spec.template).replaceAll("{{ .path.basename }}", "prod").replaceAll("{{ .path.path }}", "out/prod"));
    expect(APP.validate({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...generated }), JSON.stringify(APP.validate.errors)).toBe(true);
    expect(generated.spec.source).toMatchObject({ path: "out/prod", directory: { include: "argocd-application.yaml" } });
    expect(await run("check")).toBe(0);
  });

  it("a profile added and rendered reaches its cluster: no other file is edited", async () => {
    setUp("argocd");
    expect(await run("render", "--quiet")).toBe(0);
    git("add", "-A");
    git("commit", "-qm", "fleet");
    const changed = await addCluster();
    expect(changed.filter((p) => !p.startsWith("out/staging/"))).toEqual(["clusters/staging.json"]);
    const glob = docs(read("out/argocd-applicationset.yaml"))[0].spec.generators[0].git.files[0].path;
    const tracked = git("ls-files", "-o", "-c", "--exclude-standard").split("\n");
    expect(micromatch(tracked, glob).sort()).toEqual(["out/prod/argocd-application.yaml", "out/staging/argocd-application.yaml"]);
    expect(docs(read("out/staging/argocd-application.yaml"))[0].metadata.name).toBe("cilium-staging");
  });

  it("check reports a hand-edited or missing ApplicationSet as drift", async () => {
    setUp("argocd");
    expect(await run("render", "--quiet")).toBe(0);
    writeFileSync(join(repo, "out/argocd-applicationset.yaml"), read("out/argocd-applicationset.yaml").replace("revision: main", "revision: dev"));
    expect(await run("check", "--no-color")).toBe(1);
    expect(err).toContain("fleet (argocd-applicationset.yaml changed)");
    rmSync(join(repo, "out/argocd-applicationset.yaml"));
    expect(await run("check", "--no-color")).toBe(1);
    expect(await run("render", "--quiet")).toBe(0);
    expect(await run("check")).toBe(0);
  });

  it("a FIFO or an oversized file planted as the ApplicationSet is drift, never opened or read whole; render replaces it", async () => {
    setUp("argocd");
    expect(await run("render", "--quiet"), err).toBe(0);
    const appset = join(repo, "out/argocd-applicationset.yaml");
    rmSync(appset);
    execFileSync("mkfifo", [appset]);
    expect(await run("check"), err).toBe(1);
    expect(out + err).toMatch(/argocd-applicationset\.yaml[^]*a FIFO/);
    rmSync(appset);
    writeFileSync(appset, "x".repeat(9 * 1024 * 1024));
    expect(await run("check"), err).toBe(1);
    expect(out + err).toMatch(/a file of 9437184 bytes, larger than any bundle file, not read/);
    expect(await run("render", "--quiet"), err).toBe(0);
    expect(read("out/argocd-applicationset.yaml")).toMatch(/kind: ApplicationSet/);
    expect(await run("check"), err).toBe(0);
  });

  it("check --staged (the hook) reads the ApplicationSet from the commit", async () => {
    setUp("argocd");
    expect(await run("render", "--quiet")).toBe(0);
    git("add", "-A");
    expect(await run("check", "--staged")).toBe(0);
    writeFileSync(join(repo, "out/argocd-applicationset.yaml"), read("out/argocd-applicationset.yaml").replace("revision: main", "revision: dev"));
    git("add", "-A");
    expect(await run("check", "--staged", "--no-color")).toBe(1);
    expect(err).toContain("fleet (argocd-applicationset.yaml changed)");
  });
});

it("Flux: a profile added and rendered brings its own entry point (flux-kustomization.yaml); no other file is edited", async () => {
  setUp("flux");
  expect(await run("render", "--quiet")).toBe(0);
  git("add", "-A");
  git("commit", "-qm", "fleet");
  const changed = await addCluster();
  expect(changed.filter((p) => !p.startsWith("out/staging/"))).toEqual(["clusters/staging.json"]);
  expect(changed).toContain("out/staging/flux-kustomization.yaml");
  const [entry] = docs(read("out/staging/flux-kustomization.yaml"));
  expect(entry.spec.path).toBe("./out/staging");
});

describe("the fleet's own files in out/", () => {
  it.each(Object.keys(ENGINES) as (keyof typeof ENGINES)[])("%s: what render writes beside the bundles is what check --staged lists ahead (fleetFilePaths)", async (engine) => {
    setUp(engine);
    expect(await run("render", "--quiet"), err).toBe(0);
    const beside = readdirSync(join(repo, "out"), { withFileTypes: true }).filter((d) => !d.isDirectory()).map((d) => d.name);
    expect(beside.sort()).toEqual(fleetFilePaths(ENGINES[engine] as GitopsConfig).sort());
    expect(beside.length).toBe(engine === "argocd" ? 1 : 0);
  });
});
