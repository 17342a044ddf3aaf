// npm run bench: start-up and fleet figures for the README's "Performance" section. Not a test: it asserts
// nothing, writes only to a temporary folder, and removes it. Uses dist/ (npm run build first).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { dirname, join, relative } from "node:path";

const CLI = "dist/cli.cjs";
if (!existsSync(CLI)) {
  console.error("bench: dist/cli.cjs is missing; run npm run build first");
  process.exit(2);
}
const runs = Number(process.env.BENCH_RUNS ?? 25);
const fleetRuns = Number(process.env.BENCH_FLEET_RUNS ?? 3);
const fleetSize = Number(process.env.BENCH_FLEET_SIZE ?? 1000);
const hasGnuTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status === 0;

/** Wall time of one process in ms, and its CPU time (user + system, ms) and peak resident set (KiB) when GNU time is there. */
function measure(args) {
  const command = hasGnuTime ? ["/usr/bin/time", ["-f", "%U %S %M", ...args]] : [args[0], args.slice(1)];
  const start = process.hrtime.bigint();
  const r = spawnSync(command[0], command[1], { encoding: "utf8", maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && !(args.includes("check") && r.status === 1)) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  const [user, system, rss] = hasGnuTime ? r.stderr.trim().split("\n").pop().split(" ").map(Number) : [NaN, NaN, NaN];
  return { ms, rss, cpu: (user + system) * 1000, status: r.status };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`;
const mib = (kib) => (Number.isNaN(kib) ? "n/a" : `${(kib / 1024).toFixed(1)} MiB`);

/** Profiles of every shape the tool supports, varied by index. */
function fleetProfile(i) {
  const regions = ["ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-singapore", "ap-tokyo", "eu-frankfurt", "na-ashburn"];
  const pool = ["karpenter", "native", "regular"][i % 3];
  const overlay = i % 4 === 1;
  const gr = overlay && i % 8 === 1;
  const versions = ["1.19.5", "1.19.4", "1.18.11", "1.18.3"];
  const profile = {
    name: `cluster-${String(i).padStart(4, "0")}`,
    region: regions[i % regions.length],
    apiserverVIP: `169.254.${128 + (i % 100)}.${1 + (i % 250)}`,
    cluster: {
      ...(i % 2 ? { id: `cls-${i.toString(36).padStart(8, "0")}` } : { vpcId: `vpc-${i.toString(36)}` }),
      network: gr ? "gr" : "vpc-cni",
      vpcCidrs: [`10.${i % 200}.0.0/16`],
      maxNodes: [10, 150, 400, 1200, 4000][i % 5],
    },
    cilium: { version: versions[i % versions.length], mode: overlay ? "overlay" : "native", ...(overlay ? { podCidrs: ["172.30.0.0/16"] } : {}) },
    images: { mirror: i % 7 === 3 ? "none" : i % 7 === 5 ? "custom" : "tke", ...(i % 7 === 5 ? { registry: "reg.example.com/cilium", useDigest: false } : {}) },
    nodePool: {
      type: pool,
      subnetIds: [`subnet-${i.toString(36)}`],
      securityGroupIds: [`sg-${i.toString(36)}`],
      ...(pool === "regular" ? { os: "ubuntu24.04x86_64", instanceTypes: ["S5.LARGE8"] } : {}),
      ...(pool === "native" ? { containerdMirror: i % 2 === 0 } : {}),
    },
    features: {
      hubble: i % 3 === 0,
      egressGateway: i % 10 === 0,
      endpointSlice: i % 10 !== 0 && i % 5 >= 2,
      bandwidthManager: i % 6 === 0,
    },
  };
  return profile;
}

/** A profile as block YAML: every string quoted as JSON (valid YAML 1.2), so no value changes type. */
function toYaml(value, indent = "") {
  return Object.entries(value)
    .map(([k, v]) => (v && typeof v === "object" && !Array.isArray(v) ? `${indent}${k}:\n${toYaml(v, indent + "  ")}` : `${indent}${k}: ${JSON.stringify(v)}\n`))
    .join("");
}

/** Number of files under a folder. */
function fleetFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

/** Copy a tree file by file with plain writes: what the file system alone costs for a fleet's bundles. */
function rawWrite(from, to) {
  const entries = readdirSync(from, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const contents = entries.map((e) => [join(to, relative(from, join(e.parentPath ?? e.path, e.name))), readFileSync(join(e.parentPath ?? e.path, e.name))]);
  const start = process.hrtime.bigint();
  for (const [path, content] of contents) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The file system holding `dir`, from /proc/mounts: type and mount options (Linux), or "unknown". */
function fileSystemOf(dir) {
  try {
    const mounts = readFileSync("/proc/mounts", "utf8").trim().split("\n").map((l) => l.split(" "));
    const best = mounts.filter(([, at]) => dir === at || dir.startsWith(at.endsWith("/") ? at : at + "/")).sort((a, b) => b[1].length - a[1].length)[0];
    return best ? `${best[2]} ${best[3]}` : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * 2b. The same fleet with its shared fields in a base: each profile says `extends` and only what differs.
 * Paired runs (without, then with, each time) so all see the same machine load; the bundles are the same.
 * BENCH_ONLY=bases runs this section alone.
 */
function benchBases(root) {
  const shared = {
    cluster: { kubernetesVersion: "1.34.1", serviceCidr: "192.168.0.0/17" },
    nodePool: { instanceFamilies: ["S5", "SA2"], capacityTypes: ["on-demand"], consolidateAfter: "5m" },
    features: { apf: true, localRedirectPolicy: true },
  };
  const merge = (a, b) => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object" ? merge(out[k], v) : v;
    return out;
  };
  const full = join(root, "fleet-full");
  const based = join(root, "fleet-based");
  const basedYaml = join(root, "fleet-based-yaml");
  for (const dir of [full, based, basedYaml]) mkdirSync(dir);
  writeFileSync(join(based, "base.json"), JSON.stringify(shared, null, 2) + "\n");
  writeFileSync(join(basedYaml, "base.yaml"), toYaml(shared));
  for (let i = 0; i < fleetSize; i++) {
    const own = fleetProfile(i);
    writeFileSync(join(full, `cluster-${i}.json`), JSON.stringify(merge(shared, own), null, 2) + "\n");
    writeFileSync(join(based, `cluster-${i}.json`), JSON.stringify({ extends: "base.json", ...own }, null, 2) + "\n");
    writeFileSync(join(basedYaml, `cluster-${i}.yaml`), `# cluster ${i}\n` + toYaml({ extends: "base.yaml", ...own }));
  }
  const variants = [["full", full], ["based", based], ["basedYaml", basedYaml]];
  const pairs = { full: [], based: [], basedYaml: [] };
  const cpu = { full: [], based: [], basedYaml: [] };
  // each variant's own out/ (the bundle headers name the profile files), rendered once
  for (const [key, dir] of variants) measure([process.execPath, CLI, "render", "--quiet", dir, "--out", join(root, `bases-out-${key}`)]);
  for (let i = 0; i < Math.max(fleetRuns, 5); i++) {
    for (const [key, dir] of variants) {
      const r = measure([process.execPath, CLI, "check", "--quiet", dir, "--out", join(root, `bases-out-${key}`)]);
      if (r.status !== 0) throw new Error(`bench: check of the ${key} fleet found drift or an invalid profile; the rows would not compare the same work`);
      pairs[key].push(r.ms);
      cpu[key].push(r.cpu);
    }
  }
  console.log(`2b. fleet with bases: check of the same ${fleetSize} clusters, paired runs (each check finds no drift)`);
  console.log(`   without bases (JSON):          ${fmt(pairs.full)}`);
  console.log(`   with a base (JSON, extends):   ${fmt(pairs.based)}; ratio of medians ${(median(pairs.based) / median(pairs.full)).toFixed(2)}x (goal: at most 1.10x)`);
  console.log(`   with a base (YAML, extends):   ${fmt(pairs.basedYaml)}; ratio of medians ${(median(pairs.basedYaml) / median(pairs.full)).toFixed(2)}x`);
  if (hasGnuTime) {
    // CPU time (user + system) moves less than wall time when other work shares the machine
    console.log(`   CPU time without bases:        ${fmt(cpu.full)}`);
    console.log(`   CPU time with a base (JSON):   ${fmt(cpu.based)}; ratio of medians ${(median(cpu.based) / median(cpu.full)).toFixed(2)}x`);
    console.log(`   CPU time with a base (YAML):   ${fmt(cpu.basedYaml)}; ratio of medians ${(median(cpu.basedYaml) / median(cpu.full)).toFixed(2)}x`);
  }
  console.log("");

}

const root = mkdtempSync(join(tmpdir(), "tke-cilium-bench-"));
const shm = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/tke-cilium-bench-") : null;
try {
  console.log(`machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free), Node.js ${process.version}`);
  console.log(`disk: ${tmpdir()} (${fileSystemOf(root)})${shm ? "; memory: /dev/shm (tmpfs)" : ""}`);
  console.log(`command: npm run bench (BENCH_RUNS=${runs}, BENCH_FLEET_RUNS=${fleetRuns}, BENCH_FLEET_SIZE=${fleetSize})\n`);
  if (process.env.BENCH_ONLY === "bases") {
    benchBases(root);
    process.exitCode = 0;
  } else {

    // Nothing is deleted before the end: on some file systems (ext4 without a journal, as on this project's
    // VMs) creating files is several times slower for a minute or more after thousands were deleted, and the
    // figures would then be the file system's. Each run writes into a new folder instead.

    // 1. cold start, interleaved with bare node so both see the same machine load; the bundle goes to a new
    // folder on disk each run (what a user does), and to memory when there is a tmpfs (the tool alone)
    const bare = [];
    const onDisk = [];
    const inMemory = [];
    let renderRss = 0;
    for (let i = 0; i < runs + 3; i++) {
      const a = measure([process.execPath, "-e", "0"]);
      const b = measure([process.execPath, CLI, "render", "presets/prod.json", "--out", join(root, `single-${i}`)]);
      const c = shm ? measure([process.execPath, CLI, "render", "presets/prod.json", "--out", join(shm, `single-${i}`)]) : b;
      if (i < 3) continue; // warm the file cache
      bare.push(a.ms);
      onDisk.push(b.ms);
      inMemory.push(c.ms);
      renderRss = Math.max(renderRss, b.rss, c.rss);
    }
    console.log("1. cold render of presets/prod.json (one process each, output read through a pipe, into a new out/ each time)");
    console.log(`   node -e 0:                  ${fmt(bare)}`);
    console.log(`   tke-cilium render:          ${fmt(onDisk)}, peak RSS ${mib(renderRss)}`);
    console.log(`   ratio of medians:           ${(median(onDisk) / median(bare)).toFixed(2)}x (goal: at most 1.5x)`);
    if (shm) console.log(`   the same, out/ on tmpfs:    ${fmt(inMemory)}; ratio ${(median(inMemory) / median(bare)).toFixed(2)}x`);
    console.log("");

    // 2. a fleet of varied profiles
    const profiles = join(root, "profiles");
    mkdirSync(profiles);
    for (let i = 0; i < fleetSize; i++) writeFileSync(join(profiles, `cluster-${i}.json`), JSON.stringify(fleetProfile(i), null, 2) + "\n");
    console.log(`2. fleet of ${fleetSize} profiles (all pool types, both modes, mixed features and versions)`);
    const places = [[`disk (${tmpdir()})`, root]];
    if (shm) places.push(["tmpfs (/dev/shm)", shm]);
    for (const [label, base] of places) {
      const renders = [];
      const checks = [];
      const raws = [];
      let renderPeak = 0;
      let checkPeak = 0;
      let files = 0;
      for (let i = 0; i < fleetRuns; i++) {
        const fleetOut = join(base, `fleet-out-${i}`);
        const r = measure([process.execPath, CLI, "render", profiles, "--out", fleetOut]);
        const c = measure([process.execPath, CLI, "check", profiles, "--out", fleetOut]);
        // bare Node creating the same files in the same place right after: what the file system costs now
        raws.push(rawWrite(fleetOut, join(base, `raw-${i}`)));
        renders.push(r.ms);
        checks.push(c.ms);
        renderPeak = Math.max(renderPeak, r.rss);
        checkPeak = Math.max(checkPeak, c.rss);
        files = fleetFiles(fleetOut);
      }
      console.log(`   out/ on ${label}: ${files} files a run`);
      console.log(`   render into an empty out/: ${fmt(renders)}; ${(median(renders) / fleetSize).toFixed(2)} ms a profile; peak RSS ${mib(renderPeak)} (goal: under 3 s)`);
      console.log(`   check against that out/:   ${fmt(checks)}; ${(median(checks) / fleetSize).toFixed(2)} ms a profile; peak RSS ${mib(checkPeak)} (goals: under 2 s, under 100 MiB)`);
      console.log(`   bare Node writing the same ${files} files there, in-process: ${fmt(raws)}`);
    }
    console.log("");

    benchBases(root);

    // 3. The pre-commit hook: check --staged, one profile changed and re-rendered, in a git repository of
    // 3 clusters and in one of the whole fleet: the cost should not grow with the fleet.
    console.log(`3. check --staged after changing one profile (the pre-commit hook), 3 clusters against ${fleetSize}`);
    for (const size of [3, fleetSize]) {
      const repo = join(root, `repo-${size}`);
      mkdirSync(join(repo, "clusters"), { recursive: true });
      const git = (...args) => spawnSync("git", args, { cwd: repo, encoding: "utf8" });
      git("init", "-q");
      git("config", "user.email", "bench@example.invalid");
      git("config", "user.name", "bench");
      for (let i = 0; i < size; i++) writeFileSync(join(repo, "clusters", `cluster-${i}.json`), JSON.stringify(fleetProfile(i), null, 2) + "\n");
      spawnSync(process.execPath, [join(process.cwd(), CLI), "render", "--quiet", "clusters"], { cwd: repo });
      git("add", "-A");
      git("commit", "-qm", "fleet");
      const edited = join(repo, "clusters", "cluster-0.json");
      writeFileSync(edited, JSON.stringify({ ...fleetProfile(0), apiserverPort: 443 }, null, 2) + "\n");
      spawnSync(process.execPath, [join(process.cwd(), CLI), "render", "--quiet", "clusters"], { cwd: repo });
      git("add", "-A");
      const times = [];
      let peak = 0;
      for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        const command = hasGnuTime ? ["/usr/bin/time", ["-f", "%M", process.execPath, join(process.cwd(), CLI), "check", "--staged", "clusters"]] : [process.execPath, [join(process.cwd(), CLI), "check", "--staged", "clusters"]];
        const r = spawnSync(command[0], command[1], { cwd: repo, encoding: "utf8" });
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (r.status !== 0) throw new Error(`check --staged failed in the ${size}-cluster repository: ${r.stderr}`);
        if (hasGnuTime) peak = Math.max(peak, Number(r.stderr.trim().split("\n").pop()));
      }
      console.log(`   ${String(size).padStart(5)} clusters: ${fmt(times)}, peak RSS ${mib(peak)}`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
  if (shm) rmSync(shm, { recursive: true, force: true });
}
