import { closeSync, constants as fsConstants, fstatSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync, type Stats } from "node:fs";
import { join } from "node:path";
import { crypto } from "./lazy-builtins.js";
import { writeFileAtomic } from "./store.js";
import type { Diagnostic } from "./diagnostics.js";
import { isUserFile } from "./knowledge/bundle.js";
import type { CheckedProfile, ProfileSource } from "./pipeline.js";
import { NAME_PATTERN } from "./pipeline.js";
import { lstatOrNull } from "./fs-stat.js";

/**
 * The bundle index: what `check` and `render` learnt about each profile the last time its bundle was found
 * identical to its render, as git's index records what it last hashed. An entry holds the hash of everything
 * the profile's result depends on (the tool's build, the profile's bytes and path, the run's bases, mesh
 * members, tke-cilium.json and added charts, the working and out folders) and the state of its bundle folder
 * then: every entry's name, type, mode, size, mtime and ctime (to a fraction of a microsecond), inode and device (a folder's
 * mtime changes when an entry is added or removed, so a check stats the recorded entries and reads no folder). A profile whose
 * inputs hash the same and whose folder stats the same is reported as the index says (its diagnostics, a clean
 * bundle) without derive, emit or reading a bundle file.
 *
 * An optimisation only: a cache that is missing, unreadable, truncated, of another format or build, or
 * written by a concurrent run is a miss; nothing in it can make a drifted bundle look clean, because an entry
 * is trusted only while every file of the folder has the inode, ctime and mtime recorded (a checkout, a copy,
 * an edit, even one whose mtime is put back, changes ctime). A folder with a file modified within
 * RACY_MARGIN_MS of when its state was taken is not recorded (racily clean, as git says): its next run reads it.
 */

/** Bumped when the file's layout or what a key covers changes. */
const FORMAT = 3;
/** A file modified this close to the moment its folder was stat'ed may change again within the same timestamp tick. */
const RACY_MARGIN_MS = 2000;
/** Far more than a 10,000-profile fleet's index; a larger file is not read. */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;
const MAX_DEPTH = 16;
const MAX_ENTRIES = 4096;

declare const __TKE_CILIUM_BUILD__: string | undefined;
/** The build (a hash of the sources, set by scripts/build.mjs); a run from the sources (the tests) says so. */
export const BUILD = typeof __TKE_CILIUM_BUILD__ === "string" ? __TKE_CILIUM_BUILD__ : "source";

/**
 * check --staged's side files in the index folder (profile-facts.json, staged-related.json): a header line (their
 * format, the build, the body's checksum), then one JSON object. Reading gives null for a file missing, torn,
 * corrupt, of another format or of another build; writing replaces the file whole and never throws (what cannot
 * be kept is worked out again next time).
 */
const checksum = (body: string) => crypto().createHash("sha256").update(body).digest("hex").slice(0, 32);

export function readSideFile(root: string, file: string, format: number): Record<string, unknown> | null {
  const folder = indexFolder(root, false);
  if (folder === null) return null;
  try {
    const text = readIndexBytes(join(folder, file))?.toString("utf8") ?? "";
    const eol = text.indexOf("\n");
    const header = eol < 0 ? null : JSON.parse(text.slice(0, eol));
    const body = text.slice(eol + 1);
    if (header?.format !== format || header.build !== BUILD || header.sum !== checksum(body)) return null;
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function writeSideFile(root: string, file: string, format: number, value: object): void {
  const dir = indexFolder(root, true);
  if (dir === null) return;
  const body = JSON.stringify(value);
  try {
    writeFileAtomic(join(dir, file), `${JSON.stringify({ format, build: BUILD, sum: checksum(body) })}\n${body}`);
  } catch {
    // kept nowhere: read from git again next time
  }
}

/**
 * A diagnostic as stored: [its shape (the diagnostic as JSON with file "", line, col and length 0: a fleet's
 * warnings share a few), file, line, col, length], or the diagnostic itself when it does not fit that form.
 */
type StoredDiagnostic = [number, string, number, number, number] | Diagnostic;

interface Entry {
  /** Hash of the profile's inputs. */
  k: string;
  /** Hash of its bundle folder's state. */
  s: string;
  /** Its diagnostics as the full path gave them (before the run-wide ones: duplicate names, a base's reported once). */
  d: Compact[];
  /** Number of bundle files. */
  f: number;
  /** The folder's entries as walked ("" is the folder itself): stat'ed again, in this order, to check it. */
  l: string[];
}

/** A stored diagnostic with its shape resolved: decoded only for a profile the index answers. */
type Compact = [string, string, number, number, number] | Diagnostic;

interface StoredEntry {
  k: string;
  s: string;
  d: StoredDiagnostic[];
  f: number;
  /** Index in the file's listings (a fleet's bundles share a few). */
  l: number;
}

interface IndexFile {
  format: number;
  build: string;
  place: string;
  /** Folder listings, each once. */
  listings: string[][];
  /** Diagnostic shapes, each once. */
  shapes: string[];
  entries: Record<string, StoredEntry>;
}

const PLACED = ["file", "line", "col", "length"] as const;

/** A diagnostic from its compact form (a new object each time: a caller may add to it). */
function expand(c: Compact): Diagnostic {
  if (!Array.isArray(c)) return structuredClone(c);
  // the shape holds every key in its place: assigning keeps the order the full path gave them
  const d = JSON.parse(c[0]) as Diagnostic;
  d.file = c[1];
  d.line = c[2];
  d.col = c[3];
  d.length = c[4];
  return d;
}

/** The compact form of `d`, kept only when it expands to exactly `d` (else `d` itself). */
function compact(d: Diagnostic): Compact {
  if (!PLACED.every((key) => Object.hasOwn(d, key))) return d;
  const c: Compact = [JSON.stringify({ ...d, file: "", line: 0, col: 0, length: 0 }), d.file, d.line, d.col, d.length];
  return JSON.stringify(expand(c)) === JSON.stringify(d) ? c : d;
}

const isPlaced = (x: unknown): x is [number, string, number, number, number] =>
  Array.isArray(x) && x.length === 5 && Number.isInteger(x[0]) && typeof x[1] === "string" && Number.isInteger(x[2]) && Number.isInteger(x[3]) && Number.isInteger(x[4]);

/** A stored entry resolved against the file's tables, or null when it does not fit them. */
function resolveEntry(e: unknown, listings: unknown[], shapes: unknown[]): Entry | null {
  const x = e as StoredEntry;
  if (x === null || typeof x !== "object" || typeof x.k !== "string" || typeof x.s !== "string" || !Array.isArray(x.d) || !Number.isInteger(x.f) || !Number.isInteger(x.l)) return null;
  const l = listings[x.l];
  if (!Array.isArray(l) || l[0] !== "") return null;
  const d: Compact[] = [];
  for (const stored of x.d) {
    if (isPlaced(stored)) {
      const shape = shapes[stored[0]];
      if (typeof shape !== "string") return null;
      d.push([shape, stored[1], stored[2], stored[3], stored[4]]);
    } else if (stored !== null && typeof stored === "object" && !Array.isArray(stored)) d.push(stored);
    else return null;
  }
  return { k: x.k, s: x.s, d, f: x.f, l: l as string[] };
}

/** What a profile's check depends on beyond its own path and bytes: the same for every profile of a run. */
export interface RunInputs {
  cwd: string;
  outDir: string;
  bases: ReadonlyMap<string, unknown> | undefined;
  mesh: unknown;
  gitops: unknown;
  charts: unknown;
}

/** A folder's state when it was stat'ed before being read, or null when it cannot be recorded. */
interface Taken {
  state: string;
  listing: string[];
}

export interface BundleIndex {
  /** The profile's checked result as recorded, when its inputs and its folder are as recorded; else null. */
  lookup(source: ProfileSource): CheckedProfile | null;
  /** Bundle files of a profile lookup answered (render's table counts them). */
  filesOf(checked: CheckedProfile): number | undefined;
  /** Stat a profile's folder before its bundle is read (for the upgrade rules, the comparison, or the write). */
  take(checked: CheckedProfile): void;
  /** The profile's diagnostics are complete (the upgrade rules included; the run-wide ones not yet): keep a copy. */
  diagnosed(checked: CheckedProfile): void;
  /** The profile's bundle was read and found identical to its render: record it. */
  clean(checked: CheckedProfile, files: number): void;
  /** Write the index when it changed (atomically; a failure is ignored). */
  save(): void;
}

const hash = (...parts: string[]) => {
  const h = crypto().createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 40);
};

/** A file name for a place: FNV-1a, 64 bits in hex (a name, not a check: the file records its place). */
function nameHash(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0");
}


/** Where the index lives (repository-relative): the first when the repository has a node_modules folder. */
export const INDEX_FOLDERS = ["node_modules/.cache/tke-cilium", ".tke-cilium/cache"] as const;

/**
 * The index's folder: node_modules/.cache/tke-cilium/ of the repository when it has a node_modules folder,
 * else .tke-cilium/cache/ (which holds a .gitignore of `*`). Each part must be a real folder of the repository
 * (a link is not followed: no write lands outside it); null when one is not, or cannot be made.
 */
export function indexFolder(root: string, create: boolean): string | null {
  const modules = lstatOrNull(join(root, "node_modules"));
  const parts = (modules?.isDirectory() ? INDEX_FOLDERS[0] : INDEX_FOLDERS[1]).split("/");
  let dir = root;
  for (const part of parts) {
    dir = join(dir, part);
    const found = lstatOrNull(dir);
    if (found === null) {
      if (!create) return null;
      try {
        mkdirSync(dir);
      } catch {
        return null;
      }
      if (part === "cache") writeFileSync(join(dir, ".gitignore"), "# tke-cilium's bundle index (README: How check works); never committed\n*\n", { flag: "wx" });
    } else if (!found.isDirectory()) return null;
  }
  return dir;
}

/** The index file's bytes: a regular file (no link followed, no FIFO opened) of at most MAX_INDEX_BYTES; else null. */
export function readIndexBytes(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > MAX_INDEX_BYTES) return null;
    const bytes = Buffer.alloc(info.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) return null;
      at += n;
    }
    return bytes;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * One entry's part of a folder's state: path, mode, size, inode, device, mtime and ctime (ms with their
 * fractions: a double keeps a present-day time to a fraction of a microsecond); null when modified too recently.
 */
function stateLine(rel: string, info: Stats, now: number): string | null {
  if (info.mtimeMs + RACY_MARGIN_MS >= now) return null;
  return `${rel}\0${info.mode}\0${info.isDirectory() ? 0 : info.size}\0${info.ino}\0${info.dev}\0${info.mtimeMs}\0${info.ctimeMs}\0`;
}

/**
 * The state of bundle folder `dir`, walked: one hash of each entry's stateLine (folders included: a folder's
 * mtime changes when an entry is added, removed or renamed in it) in sorted listing order, and that listing.
 * Terraform's working files (isUserFile) are not part of a bundle and not included (their folder's mtime is).
 * Null when the folder is absent, holds anything but files and folders, or an entry was modified within
 * RACY_MARGIN_MS of `now`.
 */
function walkState(dir: string, name: string, now: number): { state: string; listing: string[] } | null {
  // the lines are hashed as one string (the same digest as line by line, without a conversion per line)
  let lines = `${name}\0`;
  const listing: string[] = [];
  const add = (rel: string, info: Stats): boolean => {
    const line = stateLine(rel, info, now);
    if (line === null || listing.length >= MAX_ENTRIES) return false;
    lines += line;
    listing.push(rel);
    return true;
  };
  const walk = (rel: string, depth: number): boolean => {
    const path = rel === "" ? dir : `${dir}/${rel}`;
    const info = lstatOrNull(path);
    if (info === null || !info.isDirectory() || depth > MAX_DEPTH || !add(rel, info)) return false;
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch {
      return false;
    }
    for (const entry of names) {
      const sub = rel === "" ? entry : `${rel}/${entry}`;
      if (isUserFile(sub)) continue;
      const found = lstatOrNull(`${dir}/${sub}`);
      if (found === null) return false;
      if (found.isDirectory()) {
        if (!walk(sub, depth + 1)) return false;
      } else if (!found.isFile() || !add(sub, found)) return false;
    }
    return true;
  };
  return walk("", 0) ? { state: crypto().createHash("sha256").update(lines).digest("hex").slice(0, 40), listing } : null;
}

/**
 * The state of bundle folder `dir` from the listing recorded with it: each entry stat'ed, no folder read. The
 * same hash as walkState's when nothing changed; an added or removed entry changes its folder's mtime.
 */
function listedState(dir: string, name: string, listing: readonly string[], now: number): string | null {
  let lines = `${name}\0`;
  for (const rel of listing) {
    if (typeof rel !== "string" || rel.startsWith("/") || rel === ".." || rel.startsWith("../") || rel.endsWith("/..") || rel.includes("/../")) return null;
    const info = lstatOrNull(rel === "" ? dir : `${dir}/${rel}`);
    if (info === null || !(info.isFile() || info.isDirectory()) || (rel === "" && !info.isDirectory())) return null;
    const line = stateLine(rel, info, now);
    if (line === null) return null;
    lines += line;
  }
  return crypto().createHash("sha256").update(lines).digest("hex").slice(0, 40);
}

/** Profiles answered from an index in this process (the tests read it: a property over runs that never hit proves nothing). */
export const indexHits = { count: 0 };

const nowMs = () => Date.now();

/**
 * The index for one run of check or render over out folder `inputs.outDir`, read from the repository at
 * `root`; null when TKE_CILIUM_NO_CACHE is set.
 */
export function openBundleIndex(root: string, inputs: RunInputs): BundleIndex | null {
  if (process.env.TKE_CILIUM_NO_CACHE) return null;
  const place = `${inputs.cwd}\0${inputs.outDir}`;
  // the file's name only spreads places over files (the file says which place it holds); crypto waits until an
  // entry is looked up or recorded, so a run that finds no index loads no hashing code
  const fileName = `${nameHash(place)}.json`;
  let runHash: string | undefined;
  const run = () =>
    (runHash ??= hash(
    String(FORMAT),
    BUILD,
    place,
    JSON.stringify([...(inputs.bases ?? new Map())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    JSON.stringify(inputs.mesh),
    JSON.stringify(inputs.gitops),
    JSON.stringify(inputs.charts),
    ));
  /** The file's entries that fit its tables, by name; `names` holds every name it has. */
  const recorded = new Map<string, Entry>();
  let names: string[] = [];
  const folder = indexFolder(root, false);
  if (folder !== null) {
    const bytes = readIndexBytes(join(folder, fileName));
    try {
      const parsed = bytes === null ? null : (JSON.parse(bytes.toString("utf8")) as IndexFile);
      if (parsed !== null && parsed.format === FORMAT && parsed.build === BUILD && parsed.place === place && parsed.entries !== null && typeof parsed.entries === "object" && Array.isArray(parsed.listings) && Array.isArray(parsed.shapes)) {
        names = Object.keys(parsed.entries);
        for (const name of names) {
          const entry = NAME_PATTERN.test(name) ? resolveEntry(parsed.entries[name], parsed.listings, parsed.shapes) : null;
          if (entry !== null) recorded.set(name, entry);
        }
      }
    } catch {
      // a torn or corrupt index is an empty one
    }
  }
  const byKey = new Map<string, [string, Entry]>();
  for (const [name, entry] of recorded) byKey.set(entry.k, [name, entry]);
  const files = new WeakMap<CheckedProfile, number>();
  const taken = new WeakMap<CheckedProfile, Taken | null>();
  const diagnostics = new WeakMap<CheckedProfile, Diagnostic[]>();
  const next = new Map<string, Entry>();
  /** Names this run checked: their old entries are dropped unless found again. */
  const seen = new Set<string>();
  let changed = false;
  const keyOf = (source: ProfileSource) => hash(run(), source.path, source.text);

  return {
    lookup(source) {
      if (byKey.size === 0) return null;
      const k = keyOf(source);
      const found = byKey.get(k);
      if (found === undefined) return null;
      const [name, entry] = found;
      seen.add(name);
      if (listedState(join(inputs.outDir, name), name, entry.l, nowMs()) !== entry.s) return null;
      const checked: CheckedProfile = { source, name, diagnostics: entry.d.map(expand), input: null };
      next.set(name, entry);
      files.set(checked, entry.f);
      indexHits.count++;
      return checked;
    },
    filesOf: (checked) => files.get(checked),
    take(checked) {
      if (checked.name === null) return;
      seen.add(checked.name);
      taken.set(checked, walkState(join(inputs.outDir, checked.name), checked.name, nowMs()));
    },
    diagnosed(checked) {
      if (taken.get(checked)) diagnostics.set(checked, structuredClone(checked.diagnostics));
    },
    clean(checked, count) {
      const state = taken.get(checked);
      const d = diagnostics.get(checked);
      if (!state || d === undefined || checked.name === null) return;
      const k = keyOf(checked.source);
      next.set(checked.name, { k, s: state.state, d: d.map(compact), f: count, l: state.listing });
      changed = true;
    },
    save() {
      for (const name of names) {
        if (seen.has(name)) {
          if (!next.has(name)) changed = true;
        } else {
          const entry = recorded.get(name);
          if (entry !== undefined && !next.has(name)) next.set(name, entry);
        }
      }
      if (!changed) return;
      const dir = indexFolder(root, true);
      if (dir === null) return;
      // listings and diagnostic shapes are written once each and named by their place in the tables
      const listings: string[][] = [];
      const listingAt = new Map<string, number>();
      const shapes: string[] = [];
      const shapeAt = new Map<string, number>();
      const intern = <T>(table: T[], at: Map<string, number>, key: string, value: T) => {
        let i = at.get(key);
        if (i === undefined) {
          i = table.push(value) - 1;
          at.set(key, i);
        }
        return i;
      };
      const entries: Record<string, StoredEntry> = {};
      for (const [name, e] of [...next].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const d = e.d.map((c): StoredDiagnostic => (Array.isArray(c) ? [intern(shapes, shapeAt, c[0], c[0]), c[1], c[2], c[3], c[4]] : c));
        entries[name] = { k: e.k, s: e.s, d, f: e.f, l: intern(listings, listingAt, JSON.stringify(e.l), e.l) };
      }
      const body: IndexFile = { format: FORMAT, build: BUILD, place, listings, shapes, entries };
      try {
        writeFileAtomic(join(dir, fileName), JSON.stringify(body));
      } catch {
        // an index that cannot be written is no index: the next run takes the full path
      }
    },
  };
}
