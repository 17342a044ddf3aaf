// npm run bench: the figures of the README's "Performance" section, one line for each row of the speed goals
// (issue 29), each as a median with min, max and n, and as a ratio to its goal (at most 1.00 meets it). Not a
// test: it asserts nothing, writes only under a temporary folder (and one on /dev/shm, for the render on tmpfs),
// and removes them. Uses dist/ (npm run build).
//
// Every tool run is a new process started the way a user starts it (node dist/cli.cjs, in the fleet's own git
// repository, paths relative to it). Caches the tool keeps (the V8 code cache, and whatever result cache the
// tool keeps for a repository) are filled by a first run that is not counted ("first run" lines), as a user's
// second run would find them; the measured runs follow. Wall time is what a user waits; CPU time (user +
// system, from GNU time when /usr/bin/time is there) moves less when other work shares the machine.
//
// Knobs (environment):
//   BENCH_ONLY=cold,check,render,staged   sections to run (default: cold,check,render,staged,tests; "bases" adds the extends comparison, "removed" a render into an out/ just removed, run last)
//   BENCH_RUNS=25                         cold-start runs (each a triple: node -e 0, render, render without the code cache)
//   BENCH_FLEET_RUNS=5                    measured runs of each fleet check and render
//   BENCH_STAGED_RUNS=11                  measured runs of each check --staged
//   BENCH_CHECK_SIZES=1000,10000          fleets for "check, nothing changed"
//   BENCH_RENDER_SIZE=1000                fleet for "render"
//   BENCH_STAGED_SIZES=10,1000,10000      fleets for "check --staged"; the flat goal compares the last with the first
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { basename, join, resolve } from "node:path";

const CLI = resolve("dist/cli.cjs");
if (!existsSync(CLI)) {
  console.error("bench: dist/cli.cjs is missing; run npm run build first");
  process.exit(2);
}
const PROD = resolve("presets/prod.json");
const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
const sizes = (text) => list(text).map(Number);
const only = new Set(list(process.env.BENCH_ONLY ?? "cold,check,render,staged,tests"));
const testRuns = Number(process.env.BENCH_TEST_RUNS ?? 1);
const runs = Number(process.env.BENCH_RUNS ?? 25);
const fleetRuns = Number(process.env.BENCH_FLEET_RUNS ?? 5);
const stagedRuns = Number(process.env.BENCH_STAGED_RUNS ?? 11);
const checkSizes = sizes(process.env.BENCH_CHECK_SIZES ?? "1000,10000");
const renderSize = Number(process.env.BENCH_RENDER_SIZE ?? 1000);
const stagedSizes = sizes(process.env.BENCH_STAGED_SIZES ?? "10,1000,10000");
const hasGnuTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status === 0;

/** One process: wall ms, CPU ms (user + system) and peak resident set in KiB (NaN without GNU time). */
function measure(args, { cwd = process.cwd(), env = {}, okStatus = [0] } = {}) {
  const [file, rest] = hasGnuTime ? ["/usr/bin/time", ["-f", "%U %S %M", ...args]] : [args[0], args.slice(1)];
  const start = process.hrtime.bigint();
  const r = spawnSync(file, rest, { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!okStatus.includes(r.status)) throw new Error(`bench: ${args.join(" ")} (in ${cwd}) exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const [user, system, rss] = hasGnuTime ? r.stderr.trim().split("\n").pop().split(" ").map(Number) : [NaN, NaN, NaN];
  return { ms, cpu: (user + system) * 1000, sys: system * 1000, rss };
}
const cli = (args, options) => measure([process.execPath, CLI, ...args], options);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const stats = (xs) => `median ${ms(median(xs))} (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`;
const mib = (kib) => (Number.isNaN(kib) ? "n/a" : `${(kib / 1024).toFixed(1)} MiB`);
const cpuText = (xs) => (hasGnuTime ? `; CPU median ${ms(median(xs))}` : "");
const ratio = (value, goal) => `${(value / goal).toFixed(2)}x of goal${value <= goal ? "" : ", not met"}`;

/** n measured runs after one uncounted first run; returns the samples and the first run. */
function series(n, run) {
  const first = run(-1);
  const samples = [];
  for (let i = 0; i < n; i++) samples.push(run(i));
  return { first, wall: samples.map((s) => s.ms), cpu: samples.map((s) => s.cpu), sys: samples.map((s) => s.sys), rss: Math.max(...samples.map((s) => s.rss)) };
}
/** `withSystem`: the CPU figure split, its system (kernel) part apart: file creation shows there. */
function row(label, s, goals = "", withSystem = false) {
  const system = withSystem && hasGnuTime ? ` (system ${ms(median(s.sys))})` : "";
  console.log(`  ${label}`);
  console.log(`    ${stats(s.wall)}${cpuText(s.cpu)}${system}; peak RSS ${mib(s.rss)}${goals ? `\n    goal ${goals}` : ""}`);
  console.log(`    (first run, not counted: ${ms(s.first.ms)})`);
}

/** Profiles of every shape the tool supports, varied by index. */
function fleetProfile(i) {
  const regions = ["ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-singapore", "ap-tokyo", "eu-frankfurt", "na-ashburn"];
  const pool = ["karpenter", "native", "regular"][i % 3];
  const overlay = i % 4 === 1;
  const gr = overlay && i % 8 === 1;
  const versions = ["1.19.5", "1.19.4", "1.18.11", "1.18.3"];
  return {
    name: `cluster-${String(i).padStart(5, "0")}`,
    region: regions[i % regions.length],
    apiserverVIP: `169.254.${128 + (i % 100)}.${1 + (i % 250)}`,
    cluster: {
      ...(i % 2 ? { id: `cls-${i.toString(36).padStart(8, "0")}` } : { vpcId: `vpc-${i.toString(36)}` }),
      network: gr ? "gr" : "vpc-cni",
      vpcCidrs: [`10.${i % 200}.0.0/16`],
      maxNodes: [10, 150, 400, 1200, 4000][i % 5],
      // what a GitOps bundle must be told (Argo CD cannot ask the cluster as install.sh does)
      eniAgentVersion: "v3.8.3",
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
    features: { hubble: i % 3 === 0, egressGateway: i % 10 === 0, endpointSlice: i % 10 !== 0 && i % 5 >= 2, bandwidthManager: i % 6 === 0 },
  };
}
const profileText = (i, extra = {}) => JSON.stringify({ ...fleetProfile(i), ...extra }, null, 2) + "\n";

/** A GitOps repository's config, as the README shows it: the profiles, the out folder, Argo CD. */
const CONFIG = { profiles: ["clusters/*.json"], out: "out", gitops: { engine: "argocd", repoURL: "https://git.example.com/platform/fleet.git", revision: "main" } };

const root = mkdtempSync(join(tmpdir(), "tke-cilium-bench-"));
const repos = new Map();
/**
 * A git repository holding a fleet of `size` profiles under clusters/ and their bundles under out/, all
 * committed (made once per size and kind, then reused by every section).
 */
function fleetRepo(size, withConfig) {
  const key = `${size}-${withConfig ? "config" : "plain"}`;
  if (repos.has(key)) return repos.get(key);
  const repo = join(root, `repo-${key}`);
  mkdirSync(join(repo, "clusters"), { recursive: true });
  const git = (...args) => {
    const r = spawnSync("git", args, { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`bench: git ${args[0]} failed: ${r.stderr}`);
  };
  git("init", "-q");
  git("config", "user.email", "bench@example.invalid");
  git("config", "user.name", "bench");
  git("config", "gc.auto", "0");
  for (let i = 0; i < size; i++) writeFileSync(join(repo, "clusters", `cluster-${i}.json`), profileText(i));
  if (withConfig) writeFileSync(join(repo, "tke-cilium.json"), JSON.stringify(CONFIG, null, 2) + "\n");
  const started = process.hrtime.bigint();
  cli(withConfig ? ["render", "--quiet"] : ["render", "--quiet", "clusters"], { cwd: repo });
  const renderMs = Number(process.hrtime.bigint() - started) / 1e6;
  git("add", "-A");
  git("commit", "-qm", "fleet");
  console.log(`  (made a repository of ${size} profiles${withConfig ? " with tke-cilium.json" : ""}: first render ${ms(renderMs)})`);
  const made = { repo, edited: false, args: withConfig ? [] : ["clusters"] };
  repos.set(key, made);
  return made;
}

/**
 * The file system a folder is on, from /proc/self/mounts (Linux; "unknown" elsewhere), and for ext4 whether it
 * has a journal: without one, the kernel's inode allocator steps over every inode freed in the last minutes on
 * each file it creates, and a render's figure depends on what anything on the machine deleted just before.
 */
function fileSystemOf(folder) {
  let best = null;
  try {
    for (const line of readFileSync("/proc/self/mounts", "utf8").split("\n")) {
      const [source, at, type] = line.split(" ");
      if (type === undefined || !(folder === at || folder.startsWith(at.endsWith("/") ? at : `${at}/`))) continue;
      if (best === null || at.length >= best.at.length) best = { source, at, type };
    }
  } catch {
    return "unknown";
  }
  if (best === null) return "unknown";
  if (best.type !== "ext4") return best.type;
  try {
    const task = readFileSync(`/sys/fs/ext4/${basename(realpathSync(best.source))}/journal_task`, "utf8").trim();
    return task === "<none>" ? "ext4 without a journal" : "ext4 with a journal";
  } catch {
    return "ext4";
  }
}

/** A new folder on /dev/shm (tmpfs on Linux), or null where there is none or it cannot be written. */
function tmpfsFolder() {
  try {
    return mkdtempSync(join("/dev/shm", "tke-cilium-bench-"));
  } catch {
    return null;
  }
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(", ");
console.log(`machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node.js ${process.version} ${process.arch}`);
console.log(`load average (1, 5, 15 min) at start: ${load()}`);
console.log(`the bench's folders: ${root} (${fileSystemOf(realpathSync(root))})`);
console.log(
  `command: npm run bench (BENCH_ONLY=${[...only].join(",")} BENCH_RUNS=${runs} BENCH_FLEET_RUNS=${fleetRuns} BENCH_STAGED_RUNS=${stagedRuns} ` +
    `BENCH_CHECK_SIZES=${checkSizes.join(",")} BENCH_RENDER_SIZE=${renderSize} BENCH_STAGED_SIZES=${stagedSizes.join(",")} BENCH_TEST_RUNS=${testRuns})`,
);
console.log(`${hasGnuTime ? "" : "no GNU time (/usr/bin/time): no CPU time or peak RSS\n"}`);
const began = process.hrtime.bigint();

try {
  if (only.has("cold")) {
    // Triples, interleaved so all three see the same load: bare node, render, render without the code cache.
    // Each render writes a new out/ folder (the whole render, no result to reuse); the first triples fill the
    // code cache and the file cache and are not counted.
    const cwd = join(root, "cold");
    mkdirSync(cwd);
    const bare = [];
    const warm = [];
    const noCache = [];
    for (let i = -3; i < runs; i++) {
      const a = measure([process.execPath, "-e", "0"]);
      const b = cli(["render", "--quiet", PROD, "--out", `out-${i}`], { cwd });
      const c = cli(["render", "--quiet", PROD, "--out", `nocache-${i}`], { cwd, env: { TKE_CILIUM_CODE_CACHE: "0" } });
      if (i < 0) continue;
      bare.push(a);
      warm.push(b);
      noCache.push(c);
    }
    const over = (xs) => xs.map((x, i) => x.ms - bare[i].ms);
    const overCpu = (xs) => xs.map((x, i) => x.cpu - bare[i].cpu);
    console.log(`1. render presets/prod.json, cold (one process, a new out/ each time), ${runs} interleaved triples`);
    console.log(`  node -e 0:                          ${stats(bare.map((x) => x.ms))}${cpuText(bare.map((x) => x.cpu))}`);
    console.log(`  render:                             ${stats(warm.map((x) => x.ms))}${cpuText(warm.map((x) => x.cpu))}; peak RSS ${mib(Math.max(...warm.map((x) => x.rss)))}`);
    console.log(`  render over node -e 0 (paired):     ${stats(over(warm))}${cpuText(overCpu(warm))}`);
    console.log(`    goal within 35 ms of node -e 0: ${ratio(median(over(warm)), 35)}`);
    console.log(`  without the code cache, over node -e 0 (paired): ${stats(over(noCache))}${cpuText(overCpu(noCache))}`);
    console.log(`  the code cache saves (paired, render without minus with): ${stats(noCache.map((x, i) => x.ms - warm[i].ms))}`);
    console.log("");
  }

  if (only.has("check")) {
    console.log("2. check, nothing changed (the fleet's repository, profiles and bundles as rendered)");
    for (const size of checkSizes) {
      const { repo, args } = fleetRepo(size, false);
      const s = series(fleetRuns, () => cli(["check", "--quiet", ...args], { cwd: repo }));
      const goal = size === 1000 ? `≤ 350 ms: ${ratio(median(s.wall), 350)}` : size === 10000 ? `≤ 2000 ms: ${ratio(median(s.wall), 2000)}; ≤ 200 MiB: ${ratio(s.rss / 1024, 200)}` : "";
      row(`check ${size} profiles:`, s, goal);
    }
    console.log("");
  }

  if (only.has("render")) {
    console.log(`3. render ${renderSize} profiles (the fleet's repository)`);
    const { repo, args } = fleetRepo(renderSize, false);
    const again = series(fleetRuns, () => cli(["render", "--quiet", ...args], { cwd: repo }));
    row("again, nothing changed (out/ as rendered):", again, `≤ 1000 ms: ${ratio(median(again.wall), 1000)}`);
    // Nothing is deleted before these runs (each writes a folder of its own): on an ext4 file system without a
    // journal (this machine's), creating files right after many were deleted in the same block groups costs the
    // kernel a scan of the deleted inodes for each new one (README: A fleet into an empty out/), and that is the
    // last row's case. A deletion by anything else on the machine in the minutes before shows in the system time.
    const empty = series(fleetRuns, (i) => cli(["render", "--quiet", ...args, "--out", `fresh-out-${i + 1}`], { cwd: repo }));
    row("into a new, empty out/ (every bundle written):", empty, `≤ 1000 ms: ${ratio(median(empty.wall), 1000)}`, true);
    // the tool's own cost with no disk under it: the same profiles, out/ on tmpfs
    const shm = tmpfsFolder();
    if (shm !== null) {
      try {
        cpSync(join(repo, "clusters"), join(shm, "clusters"), { recursive: true });
        const onTmpfs = series(fleetRuns, (i) => cli(["render", "--quiet", ...args, "--out", `fresh-out-${i + 1}`], { cwd: shm }));
        row("the same on tmpfs (/dev/shm; no disk: the tool's own cost):", onTmpfs, "", true);
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    }
    for (let i = 0; i <= fleetRuns; i++) rmSync(join(repo, `fresh-out-${i}`), { recursive: true, force: true });
    console.log("");
  }

  if (only.has("staged")) {
    // As a user commits: one profile edited, its bundle re-rendered, both staged (git add -A); then the hook
    // (check --staged) runs, first once uncounted, then measured. Without a config the hook names clusters/.
    console.log(`4. check --staged, one profile edited and staged with its re-rendered bundle, fleets of ${stagedSizes.join(", ")}`);
    for (const withConfig of [false, true]) {
      console.log(withConfig ? "  with tke-cilium.json (profiles, out, Argo CD), no arguments:" : "  without a config (check --staged clusters):");
      const medians = [];
      const cpuMedians = [];
      for (const size of stagedSizes) {
        const made = fleetRepo(size, withConfig);
        if (!made.edited) {
          writeFileSync(join(made.repo, "clusters", "cluster-0.json"), profileText(0, { apiserverPort: 443 }));
          cli(["render", "--quiet", "clusters/cluster-0.json"], { cwd: made.repo });
          // the figures below mean something only if the edit is staged
          const added = spawnSync("git", ["add", "-A"], { cwd: made.repo, encoding: "utf8" });
          if (added.status !== 0) throw new Error(`git add -A in ${made.repo} failed: ${added.stderr}`);
          made.edited = true;
        }
        const s = series(stagedRuns, () => cli(["check", "--staged", "--quiet", ...made.args], { cwd: made.repo }));
        medians.push(median(s.wall));
        cpuMedians.push(median(s.cpu));
        row(`fleet of ${size}:`, s);
      }
      if (stagedSizes.length > 1) {
        const [first, last] = [medians[0], medians[medians.length - 1]];
        console.log(`    flat goal, ${stagedSizes.at(-1)} case ≤ 1.2 × ${stagedSizes[0]} case: ${(last / first).toFixed(2)}x (${ratio(last / first, 1.2)})`);
        if (hasGnuTime) console.log(`    the same by CPU time: ${(cpuMedians.at(-1) / cpuMedians[0]).toFixed(2)}x`);
      }
    }
    console.log("");
  }

  if (only.has("bases")) {
    // A fleet whose shared fields sit in a base (extends) against the same fleet written out in full.
    const size = renderSize;
    const shared = { cluster: { kubernetesVersion: "1.34.1", serviceCidr: "192.168.0.0/17" }, features: { apf: true, localRedirectPolicy: true } };
    const merge = (a, b) => {
      const out = { ...a };
      for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object" ? merge(out[k], v) : v;
      return out;
    };
    const cwd = join(root, "bases");
    for (const dir of ["full", "based"]) mkdirSync(join(cwd, dir), { recursive: true });
    writeFileSync(join(cwd, "based", "base.json"), JSON.stringify(shared, null, 2) + "\n");
    for (let i = 0; i < size; i++) {
      writeFileSync(join(cwd, "full", `cluster-${i}.json`), JSON.stringify(merge(shared, fleetProfile(i)), null, 2) + "\n");
      writeFileSync(join(cwd, "based", `cluster-${i}.json`), JSON.stringify({ extends: "base.json", ...fleetProfile(i) }, null, 2) + "\n");
    }
    for (const dir of ["full", "based"]) cli(["render", "--quiet", dir, "--out", `out-${dir}`], { cwd });
    const full = [];
    const based = [];
    for (let i = 0; i < fleetRuns; i++) {
      full.push(cli(["check", "--quiet", "full", "--out", "out-full"], { cwd }).ms);
      based.push(cli(["check", "--quiet", "based", "--out", "out-based"], { cwd }).ms);
    }
    console.log(`5. check of ${size} profiles written out in full and with a shared base (extends), paired`);
    console.log(`  in full:     ${stats(full)}`);
    console.log(`  with a base: ${stats(based)}; ${(median(based) / median(full)).toFixed(2)}x`);
    console.log("");
  }
  if (only.has("tests")) {
    // the default suite as npm test runs it after its build (dist/ is built already: the bench needs it), in
    // this checkout; every run is counted (a warm file cache is what a developer re-running the suite has)
    const samples = [];
    for (let i = 0; i < testRuns; i++) samples.push(measure([process.execPath, resolve("node_modules/vitest/vitest.mjs"), "run", "--reporter=dot"]));
    console.log(`6. npm test's suite (vitest run, slow suites apart), ${testRuns} run${testRuns === 1 ? "" : "s"}`);
    const wall = samples.map((x) => x.ms);
    console.log(`    ${stats(wall)}${cpuText(samples.map((x) => x.cpu))}`);
    console.log(`    goal ≤ 60000 ms: ${ratio(median(wall), 60000)}`);
    console.log("");
  }
  if (only.has("removed")) {
    // Not in the default set, and after every other section: its deletions slow each file creation after it for a
    // minute or more on an ext4 file system without a journal (README: A fleet into an empty out/). Each run first
    // removes the folder the run before wrote (not timed), as a user who runs rm -rf out before render does.
    const { repo, args } = fleetRepo(renderSize, false);
    const removedOut = join(repo, "removed-out");
    console.log(`7. render ${renderSize} profiles into out/ just removed (rm -rf of the previous run's out/, then render)`);
    const removed = series(fleetRuns, () => {
      rmSync(removedOut, { recursive: true, force: true });
      return cli(["render", "--quiet", ...args, "--out", "removed-out"], { cwd: repo });
    });
    row("into out/ just removed:", removed, "", true);
    rmSync(removedOut, { recursive: true, force: true });
    console.log("");
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(`load average (1, 5, 15 min) at end: ${load()}; bench took ${(Number(process.hrtime.bigint() - began) / 1e9).toFixed(0)} s`);
