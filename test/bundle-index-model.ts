// The bundle index's property (test/bundle-index.test.ts with a few cases, test/slow/bundle-index.test.ts
// with 1,000): two copies of one repository receive the same random edits; one runs with the index, one
// without (TKE_CILIUM_NO_CACHE), and every run must print the same, exit the same and write the same files.
import fc from "fast-check";
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli.js";
import { ROOT } from "./helpers.js";

/** A repository: a profile that extends a base, and two Cluster Mesh members (each one's bundle reads the other). */
const PROFILES = ["profiles/dev.json", "profiles/mesh-a.json", "profiles/mesh-b.json", "profiles/base.json"] as const;

const dev = (maxNodes: number, extra = "") => {
  const p = JSON.parse(readFileSync(join(ROOT, "presets/dev.json"), "utf8"));
  delete p.$schema;
  delete p.features;
  p.cluster.maxNodes = maxNodes;
  return JSON.stringify({ extends: "base.json", ...p }, null, 2).replace('"region"', `${extra}"region"`) + "\n";
};
const mesh = (file: string, clusterId: number, hubble: boolean) => {
  const p = JSON.parse(readFileSync(join(ROOT, "presets/mesh", file), "utf8"));
  delete p.$schema;
  p.clusterMesh.clusterId = clusterId;
  p.features.hubble = hubble;
  return JSON.stringify(p, null, 2) + "\n";
};
const base = (masquerade: boolean) => JSON.stringify({ features: { masquerade } }, null, 2) + "\n";

/** The texts each file can take: the first is the start; some are the same size (a one-character edit), one is broken. */
const VARIANTS: Record<(typeof PROFILES)[number], () => string[]> = {
  "profiles/dev.json": () => [dev(10), dev(20), dev(500), dev(10, '"name": "dev-renamed",\n  '), dev(10).slice(0, 40)],
  "profiles/mesh-a.json": () => [mesh("gz-east.json", 1, true), mesh("gz-east.json", 3, true), mesh("gz-east.json", 1, false), mesh("gz-east.json", 2, true)],
  "profiles/mesh-b.json": () => [mesh("gz-west.json", 2, true), mesh("gz-west.json", 4, true), mesh("gz-west.json", 2, false)],
  "profiles/base.json": () => [base(false), base(true), "{ not json"],
};

type Step =
  | { op: "check" | "check-json" | "render" | "render-json" | "settle" }
  | { op: "profile"; file: number; variant: number; keepMtime: boolean }
  | { op: "flip"; file: number; at: number; keepMtime: boolean }
  | { op: "delete" | "touch"; file: number }
  | { op: "extra"; file: number; generated: boolean }
  | { op: "cache"; how: "delete" | "truncate" | "garbage" | "other-build" | "swap" | "link" | "empty-entries" };

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom<Step>({ op: "check" }, { op: "check-json" }, { op: "render" }, { op: "render-json" }) },
  { weight: 3, arbitrary: fc.constant<Step>({ op: "settle" }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("profile" as const), file: fc.nat(), variant: fc.nat(), keepMtime: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("flip" as const), file: fc.nat(), at: fc.nat(), keepMtime: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("delete" as const, "touch" as const), file: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("extra" as const), file: fc.nat(), generated: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("cache" as const), how: fc.constantFrom("delete" as const, "truncate" as const, "garbage" as const, "other-build" as const, "swap" as const, "link" as const, "empty-entries" as const) }) },
);

/** Every file under `dir` (sorted, relative), the index's own folder left out. */
export function filesUnder(dir: string, sub = ""): string[] {
  if (!existsSync(join(dir, sub))) return [];
  return readdirSync(join(dir, sub), { withFileTypes: true })
    .flatMap((e) => {
      const rel = sub === "" ? e.name : `${sub}/${e.name}`;
      if (rel === ".tke-cilium") return [];
      return e.isDirectory() ? filesUnder(dir, rel) : [rel];
    })
    .sort();
}

/** The out folder as bytes and executable bits: what a render leaves. */
function outState(cwd: string): string[] {
  return filesUnder(join(cwd, "out")).map((f) => `${f} ${statSync(join(cwd, "out", f)).mode & 0o111} ${readFileSync(join(cwd, "out", f)).toString("base64")}`);
}

/** The index file of a repository (there is one out folder), or null. */
export function indexFile(cwd: string): string | null {
  const dir = join(cwd, ".tke-cilium/cache");
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  return found.length === 1 ? join(dir, found[0]) : null;
}

/** Set every file's modification time well in the past: old enough for the index to record it (not racily clean). */
export function settle(cwd: string): void {
  const old = Date.now() / 1000 - 600;
  for (const dir of ["profiles", "out"]) {
    const files = filesUnder(join(cwd, dir));
    // the folders too: a folder's mtime tells the index that an entry was added or removed
    const folders = new Set(files.flatMap((f) => f.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));
    for (const f of [...files, ...folders, ""]) if (existsSync(join(cwd, dir, f))) utimesSync(join(cwd, dir, f), old, old);
  }
}

/** Change one byte of a file in place (same size); with keepMtime, its modification time is put back as it was. */
export function flipByte(path: string, at: number, keepMtime: boolean): void {
  const before = statSync(path);
  const bytes = readFileSync(path);
  if (bytes.length === 0) return;
  const i = at % bytes.length;
  bytes[i] = bytes[i] === 0x78 ? 0x79 : 0x78;
  const fd = openSync(path, "r+");
  writeSync(fd, bytes, i, 1, i);
  closeSync(fd);
  if (keepMtime) utimesSync(path, before.atime, before.mtime);
}

interface Run {
  exit: number;
  stdout: string;
  stderr: string;
}

async function run(cwd: string, cached: boolean, argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const was = process.env.TKE_CILIUM_NO_CACHE;
  if (cached) delete process.env.TKE_CILIUM_NO_CACHE;
  else process.env.TKE_CILIUM_NO_CACHE = "1";
  try {
    const exit = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd });
    const clean = (s: string) => s.split(cwd).join("<repository>");
    return { exit, stdout: clean(out.join("")), stderr: clean(err.join("")) };
  } finally {
    if (was === undefined) delete process.env.TKE_CILIUM_NO_CACHE;
    else process.env.TKE_CILIUM_NO_CACHE = was;
  }
}

/** A new repository with every profile at its first variant, rendered and settled. */
export async function newRepository(): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "tke-cilium-index-"));
  mkdirSync(join(cwd, "profiles"));
  for (const p of PROFILES) writeFileSync(join(cwd, p), VARIANTS[p]()[0]);
  const r = await run(cwd, false, ["render", "--quiet", "profiles"]);
  if (r.exit !== 0) throw new Error(`the model repository does not render: ${r.stderr}`);
  settle(cwd);
  return cwd;
}

/** Apply one step to a repository; the result of a run, or null for an edit. */
async function apply(cwd: string, cached: boolean, step: Step): Promise<Run | null> {
  const outFiles = () => filesUnder(join(cwd, "out"));
  const pick = (n: number) => {
    const files = outFiles();
    return files.length === 0 ? null : join(cwd, "out", files[n % files.length]);
  };
  switch (step.op) {
    case "check":
      return run(cwd, cached, ["check", "profiles"]);
    case "check-json":
      return run(cwd, cached, ["check", "--json", "profiles"]);
    case "render":
      return run(cwd, cached, ["render", "profiles"]);
    case "render-json":
      return run(cwd, cached, ["render", "--json", "profiles"]);
    case "settle":
      settle(cwd);
      return null;
    case "profile": {
      const path = PROFILES[step.file % PROFILES.length];
      const variants = VARIANTS[path]();
      const before = statSync(join(cwd, path));
      writeFileSync(join(cwd, path), variants[step.variant % variants.length]);
      if (step.keepMtime) utimesSync(join(cwd, path), before.atime, before.mtime);
      return null;
    }
    case "flip": {
      const path = pick(step.file);
      if (path !== null) flipByte(path, step.at, step.keepMtime);
      return null;
    }
    case "delete": {
      const path = pick(step.file);
      if (path !== null) unlinkSync(path);
      return null;
    }
    case "touch": {
      const path = pick(step.file);
      if (path !== null) utimesSync(path, new Date(), new Date());
      return null;
    }
    case "extra": {
      const bundles = existsSync(join(cwd, "out")) ? readdirSync(join(cwd, "out")).sort() : [];
      if (bundles.length === 0) return null;
      const text = step.generated ? "# Generated by tke-cilium from profiles/old.json. Do not edit.\nx: 1\n" : "notes\n";
      writeFileSync(join(cwd, "out", bundles[step.file % bundles.length], "extra.yaml"), text);
      return null;
    }
    case "cache": {
      if (!cached) return null;
      corruptIndex(cwd, step.how);
      return null;
    }
  }
}

/** Damage the repository's index file in one of the ways a crash, a bug or a hand could. */
export function corruptIndex(cwd: string, how: Extract<Step, { op: "cache" }>["how"]): void {
  const path = indexFile(cwd);
  if (path === null) return;
  const text = readFileSync(path, "utf8");
  let index: { format: number; entries: Record<string, unknown> } | null = null;
  try {
    index = JSON.parse(text);
  } catch {
    // damaged by an earlier step already
  }
  if (index?.entries === undefined && !["delete", "truncate", "garbage", "link"].includes(how)) how = "garbage";
  switch (how) {
    case "delete":
      rmSync(path);
      break;
    case "truncate":
      writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
      break;
    case "garbage":
      writeFileSync(path, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256)));
      break;
    case "other-build": {
      writeFileSync(path, JSON.stringify({ ...index, build: "another-build", format: index!.format + 1 }));
      break;
    }
    case "swap": {
      // every entry under another bundle's name: each points at another folder's files
      const names = Object.keys(index!.entries);
      const entries = Object.fromEntries(names.map((n, i) => [n, index!.entries[names[(i + 1) % names.length]]]));
      writeFileSync(path, JSON.stringify({ ...index, entries }));
      break;
    }
    case "link":
      // the index replaced by a link to a file elsewhere: not followed
      rmSync(path);
      cpSync(join(ROOT, "package.json"), `${path}.elsewhere`);
      symlinkSync(`${path}.elsewhere`, path);
      break;
    case "empty-entries": {
      writeFileSync(path, JSON.stringify({ ...index, entries: { dev: { k: 1, s: null, d: "x", f: "y" } } }));
      break;
    }
  }
}

/** The property: both repositories print, exit and write the same after every step. */
export async function sameWithAndWithoutIndex(steps: Step[]): Promise<void> {
  const withIndex = await newRepository();
  const without = await newRepository();
  try {
    for (const [i, step] of steps.entries()) {
      const a = await apply(withIndex, true, step);
      const b = await apply(without, false, step);
      const where = `after step ${i} (${JSON.stringify(step)}) of ${JSON.stringify(steps)}`;
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${where}: with the index ${JSON.stringify(a)}, without ${JSON.stringify(b)}`);
      const [outA, outB] = [outState(withIndex), outState(without)];
      if (JSON.stringify(outA) !== JSON.stringify(outB)) throw new Error(`${where}: out/ differs with the index`);
    }
  } finally {
    rmSync(withIndex, { recursive: true, force: true });
    rmSync(without, { recursive: true, force: true });
  }
}
