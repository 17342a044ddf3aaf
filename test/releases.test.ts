import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { readChartTarball } from "../src/chart-tarball.js";
import { BUILTIN_CHARTS, withAddedCharts } from "../src/knowledge/chart.js";
import { allProfilePaths, leafPaths, parseYaml, renderObject, ROOT } from "./helpers.js";
import { checkHelmValue } from "../src/knowledge/chart.js";
import { nearest } from "../src/text/nearest.js";
import { renderProfile } from "../src/pipeline.js";

const CLI = join(ROOT, "dist/cli.cjs");
const base = { region: "ap-guangzhou", apiserverVIP: "169.254.128.7", nodePool: { type: "native" } };
const versionDiagnostics = (version: string) =>
  renderObject({ ...base, cilium: { version } }).diagnostics.filter((d) => d.pointer === "/cilium/version").map((d) => `${d.severity} ${d.code}: ${d.message}`);

describe("cilium.version is judged by release order", () => {
  it("a patch newer than the newest known one is a release to add", () => {
    expect(versionDiagnostics("1.19.7")).toEqual([
      "error UNSUPPORTED_CILIUM_VERSION: 1.19.7 is newer than the newest known 1.19.6; add it with `tke-cilium chart add cilium-1.19.7.tgz`, or use 1.19.6",
    ]);
  });
  it("the next minor is a release to add, not a typo", () => {
    expect(versionDiagnostics("1.21.0")).toEqual([
      "error UNSUPPORTED_CILIUM_VERSION: 1.21.0 is newer than the newest known release 1.20.0; add it with `tke-cilium chart add cilium-1.21.0.tgz`, or use 1.20.0",
    ]);
  });
  it("a typo gets the release it most likely meant", () => {
    expect(versionDiagnostics("1.91.5")).toEqual(["error UNSUPPORTED_CILIUM_VERSION: tke-cilium knows no Cilium 1.91.5; did you mean 1.19.5?"]);
  });
  it("a release older than the guide's is unsupported", () => {
    expect(versionDiagnostics("1.17.4")[0]).toMatch(/^error UNSUPPORTED_CILIUM_VERSION: Cilium 1\.17\.4 is older than 1\.18\.0/);
  });
  it("1.18.12, 1.19.6 and 1.20.0 are known; only 1.20 is unverified by the guide (a warning)", () => {
    expect(versionDiagnostics("1.18.12")).toEqual([]);
    expect(versionDiagnostics("1.19.6")).toEqual([]);
    expect(versionDiagnostics("1.20.0")).toEqual([expect.stringMatching(/^warning CILIUM_NOT_VERIFIED: the TKE guide has not verified Cilium 1\.20 yet/)]);
  });
  it("--json carries the suggestion", () => {
    const d = renderObject({ ...base, cilium: { version: "1.19.7" } }).diagnostics.find((x) => x.code === "UNSUPPORTED_CILIUM_VERSION");
    expect(d?.suggestion).toBe("1.19.6");
  });
});

/** A copy of a released chart tarball with its version (Chart.yaml) changed: a release tke-cilium does not know. */
async function retaggedChart(from: string, to: string): Promise<Buffer> {
  const files: { name: string; data: string | Buffer }[] = [];
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve) => extract.on("finish", () => resolve()));
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c) => chunks.push(c as Buffer));
    stream.on("end", () => {
      const data = Buffer.concat(chunks);
      if (header.type === "file") files.push({ name: header.name, data: header.name === "cilium/Chart.yaml" ? data.toString().replace(/^version: .*$/m, `version: ${to}`) : data });
      next();
    });
  });
  extract.end(gunzipSync(readFileSync(join(ROOT, `test/fixtures/cilium/${from}/cilium-${from}.tgz`))));
  await done;
  return hostileTar(files);
}

/** A gzipped tar of exactly these members, written as given (no name clean-up). */
function hostileTar(entries: { name: string; data: string | Buffer }[]): Buffer {
  return gzipSync(Buffer.concat([...entries.flatMap((e) => {
    const data = Buffer.from(e.data);
    return [tarHeader(e.name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512)];
  }), Buffer.alloc(1024)]));
}

describe("chart add", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tke-cilium-chart-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("reads a built-in release's tarball into the same images, keys and types as the shipped data", async () => {
    for (const version of ["1.18.12", "1.19.6", "1.20.0"]) {
      const facts = await readChartTarball(readFileSync(join(ROOT, `test/fixtures/cilium/${version}/cilium-${version}.tgz`)));
      expect(facts.version).toBe(version);
      expect(facts.images).toEqual(BUILTIN_CHARTS.images(version));
      expect(new Set(facts.keys)).toEqual(BUILTIN_CHARTS.keys(version));
      expect(new Map(Object.entries(facts.types).map(([k, t]) => [k, t.split("|")]))).toEqual(BUILTIN_CHARTS.types(version));
    }
  });

  it("an added release renders and has its extraValues checked like a built-in one (in a scratch repo, through the CLI)", async () => {
    const repo = join(scratch, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    mkdirSync(join(repo, "clusters"));
    writeFileSync(join(repo, "cilium-1.20.1.tgz"), await retaggedChart("1.20.0", "1.20.1"));
    const profile = { ...base, cilium: { version: "1.20.1", extraValues: { hubble: { relay: { enabeld: true } } } } };
    writeFileSync(join(repo, "clusters/edge.json"), JSON.stringify(profile, null, 2));
    const before = spawnSync("node", [CLI, "render", "clusters/edge.json"], { cwd: repo, encoding: "utf8" });
    expect(before.status).toBe(1);
    expect(before.stderr).toContain("1.20.1 is newer than the newest known 1.20.0; add it with `tke-cilium chart add cilium-1.20.1.tgz`");

    const add = spawnSync("node", [CLI, "chart", "add", "../cilium-1.20.1.tgz"], { cwd: join(repo, "clusters"), encoding: "utf8" });
    expect(add.stderr).toBe("");
    expect(add.stdout).toMatch(/^added Cilium 1\.20\.1: \.\.\/\.tke-cilium\/charts\/1\.20\.1\.json \(\d+ images, \d+ value keys\)\n$/);
    expect(add.status).toBe(0);

    const typo = spawnSync("node", [CLI, "validate", "clusters/edge.json"], { cwd: repo, encoding: "utf8" });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain("UNKNOWN_HELM_VALUE /cilium/extraValues/hubble/relay/enabeld: hubble.relay.enabeld is not a value of the Cilium 1.20.1 chart; did you mean `hubble.relay.enabled`?");

    writeFileSync(join(repo, "clusters/edge.json"), JSON.stringify({ ...profile, cilium: { version: "1.20.1", extraValues: { hubble: { relay: { enabled: true } } } } }, null, 2));
    const render = spawnSync("node", [CLI, "render", "clusters/edge.json"], { cwd: repo, encoding: "utf8" });
    expect(render.status).toBe(0);
    expect(render.stderr).toContain("CILIUM_NOT_VERIFIED");
    expect(readFileSync(join(repo, "out/edge/install.sh"), "utf8")).toContain("VERSION='1.20.1'");
    expect(readFileSync(join(repo, "out/edge/image-values.yaml"), "utf8")).toContain("quay.tencentcloudcr.com/cilium/cilium");
    const list = spawnSync("node", [CLI, "chart", "list"], { cwd: repo, encoding: "utf8" });
    expect(list.stdout).toContain("1.20.1  added: .tke-cilium/charts/1.20.1.json\n");
    expect(list.stdout).toContain("1.19.5  built in\n");
  });

  it("the same profile in the pipeline: unknown without the added data, rendered with it", async () => {
    const facts = await readChartTarball(await retaggedChart("1.19.6", "1.19.9"));
    const source = { path: "x.json", text: JSON.stringify({ ...base, cilium: { version: "1.19.9" } }) };
    expect(renderProfile(source).files).toEqual([]);
    const charts = withAddedCharts(BUILTIN_CHARTS, [{ ...facts, origin: "test" }]);
    const result = renderProfile(source, charts);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.files.map((f) => f.path)).toContain("tke-values.yaml");
  });

  const hostile: [string, () => Buffer, RegExp][] = [
    ["not gzip", () => Buffer.from("PK\x03\x04 a zip, not a tgz"), /not a gzip file/],
    ["gzip of nothing tar-like", () => gzipSync(Buffer.from("just text, no tar headers here".repeat(40))), /not a Helm chart|not a tar archive/],
    ["path traversal", () => hostileTar([{ name: "cilium/Chart.yaml", data: "name: cilium\nversion: 9.9.9\n" }, { name: "cilium/../../etc/passwd", data: "x" }]), /points outside the chart/],
    ["absolute path", () => hostileTar([{ name: "/etc/cron.d/x", data: "x" }]), /points outside the chart/],
    ["symbolic link", () => symlinkTar(), /is a symlink, not a file/],
    ["huge member", () => gzipSync(Buffer.concat([tarHeader("cilium/values.yaml", 9 * 1024 * 1024), Buffer.alloc(512)])), /has 9437184 bytes, more than any chart file/],
    ["gzip bomb", () => gzipSync(Buffer.alloc(80 * 1024 * 1024)), /unpacks to more than 64 MiB/],
    ["another chart", () => hostileTar([{ name: "nginx/Chart.yaml", data: "name: nginx\nversion: 1.0.0\n" }, { name: "nginx/values.yaml", data: "a: 1\n" }]), /names the chart "nginx", not cilium/],
  ];
  it.each(hostile)("refuses a hostile tarball: %s", async (_name, make, message) => {
    await expect(readChartTarball(make())).rejects.toThrow(message);
  });

  it("refuses a hostile tarball on the command line with one line and exit 1, writing nothing", () => {
    const repo = join(scratch, "hostile");
    mkdirSync(join(repo, ".git"), { recursive: true });
    writeFileSync(join(repo, "evil.tgz"), hostileTar([{ name: "cilium/../../escape.txt", data: "x" }]));
    const r = spawnSync("node", [CLI, "chart", "add", "evil.tgz"], { cwd: repo, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tke-cilium: evil.tgz: member "cilium/../../escape.txt" points outside the chart; refusing the whole archive\n');
    expect(existsSync(join(repo, ".tke-cilium"))).toBe(false);
    expect(readdirSync(scratch)).not.toContain("escape.txt");
  });
});

/** A ustar header for a regular file of `size` bytes (the data itself left out: the size alone must refuse it). */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write("0", 156);
  h.write("ustar\0" + "00", 257);
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

function symlinkTar(): Buffer {
  const h = tarHeader("cilium/values.yaml", 0);
  h.write("2", 156);
  h.write("/etc/shadow", 157);
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return gzipSync(Buffer.concat([h, Buffer.alloc(1024)]));
}

describe("every value the bundle sets exists, with its type, in each new release's chart", () => {
  // 1.20 removes and renames values (clustermesh.apiserver.tls.*, encryption.strictMode...): the bundle must set none of them
  it.each(["1.18.12", "1.19.6", "1.20.0"])("Cilium %s, every preset and golden profile", (version) => {
    const problems: string[] = [];
    for (const path of allProfilePaths()) {
      const profile = JSON.parse(readFileSync(join(ROOT, path), "utf8"));
      const result = renderObject({ ...profile, name: "x", cilium: { ...profile.cilium, version } });
      expect(result.diagnostics.filter((d) => d.severity === "error"), path).toEqual([]);
      for (const f of result.files.filter((f) => f.path.endsWith("-values.yaml"))) {
        for (const [leaf, value] of leafPaths(parseYaml(f.content))) {
          const problem = checkHelmValue(version, leaf.split("."), value, nearest);
          if (problem) problems.push(`${path} ${f.path} ${leaf}: ${JSON.stringify(problem)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
