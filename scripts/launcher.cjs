#!/usr/bin/env node
// tke-cilium's entry point: runs the bundle (tke-cilium.js) through a V8 code cache made by and for the
// Node.js that runs it, which saves compiling the bundle's code on every cold start (npm run bench measures
// both ways). The cache lives in the nearest node_modules/.cache/tke-cilium/ (the project's own, for an
// installed package), keyed by this build, the Node.js version and the CPU architecture; the first `render`
// or `check` without one writes it whole (a temporary file renamed into place). A cache that is missing,
// stale, rejected by V8 or cannot be written changes nothing but the start-up time, and never the result.
// TKE_CILIUM_CODE_CACHE=0 turns it off.
"use strict";
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { join, sep } = require("node:path");
const vm = require("node:vm");

// check --staged begins by asking git what the commit changes, which in a large repository is git reading its
// whole index (tens of milliseconds at 10,000 bundles): asked here, git reads it while the bundle compiles and
// loads. src/git-index.ts takes this answer only for the repository of this folder (and asks git itself when
// it is missing, failed, or is another repository's); nothing else changes.
if (process.argv[2] === "check" && process.argv.includes("--staged")) {
  const child = require("node:child_process").spawn("git", ["diff", "--cached", "--raw", "--no-renames", "--no-abbrev", "--no-relative", "-z"], { stdio: ["ignore", "pipe", "ignore"] });
  const chunks = [];
  child.stdout.on("data", (chunk) => chunks.push(chunk));
  const done = new Promise((resolve) => {
    child.on("error", () => resolve(null));
    child.on("close", (code) => resolve(code === 0 ? Buffer.concat(chunks) : null));
  });
  globalThis[Symbol.for("tke-cilium.staged-diff")] = { cwd: process.cwd(), done };
}

// written by scripts/build.mjs: a hash of tke-cilium.js, so a rebuilt bundle never meets an older cache
const BUILD = "development";
const bundle = join(__dirname, "tke-cilium.js");

/** The cache folder, or null when there is no node_modules folder to hold it (it is never created here). */
function cacheFolder() {
  if (process.env.TKE_CILIUM_CODE_CACHE === "0") return null;
  const parts = __dirname.split(sep);
  const at = parts.lastIndexOf("node_modules");
  const modules = at > 0 ? parts.slice(0, at + 1).join(sep) : join(__dirname, "..", "node_modules");
  return existsSync(modules) ? join(modules, ".cache", "tke-cilium") : null;
}

const folder = cacheFolder();
const cacheName = `${BUILD}-${process.version}-${process.arch}.v8cache`;
let cachedData;
if (folder !== null) {
  try {
    cachedData = readFileSync(join(folder, cacheName));
  } catch {
    cachedData = undefined;
  }
}
// the bundle is one function expression (scripts/build.mjs wraps it) in ASCII, so latin1 reads it without decoding
const script = new vm.Script(readFileSync(bundle, "latin1"), { filename: bundle, cachedData });

// V8 keeps in the cache the functions compiled when it is made: a render or check that read at least one profile
// (the bundle says so, src/commands/bundles.ts) and succeeded compiled what the next one needs; --help, --version,
// another command, a run stopped by errors or a hook's check of a commit without a profile would leave a thin cache
if (folder !== null && (cachedData === undefined || script.cachedDataRejected)) {
  process.once("exit", (code) => {
    if (code !== 0 || globalThis[Symbol.for("tke-cilium.typical-run")] !== true) return;
    const draft = join(folder, `.${cacheName}.${process.pid}.tmp`);
    try {
      mkdirSync(folder, { recursive: true });
      writeFileSync(draft, script.createCachedData());
      renameSync(draft, join(folder, cacheName));
      // caches of other builds are dead weight; other Node.js versions of this build may still be in use
      for (const name of readdirSync(folder)) if (name.endsWith(".v8cache") && !name.startsWith(`${BUILD}-`)) rmSync(join(folder, name), { force: true });
    } catch {
      try {
        rmSync(draft, { force: true });
      } catch {
        // nothing more to do: the next run tries again
      }
    }
  });
}
script.runInThisContext()(module.exports, require, module, bundle, __dirname);
