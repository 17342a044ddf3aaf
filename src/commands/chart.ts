import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT, type Io } from "../io.js";
import { BUILTIN_CHARTS, withAddedCharts } from "../knowledge/chart.js";
import { writeFileAtomic } from "../store.js";
import { ADDED_CHARTS_DIR, displayPath, findRepositoryRoot, readAddedCharts } from "../workspace.js";
import { defineCommand } from "./command.js";
import { terminalLine } from "../text/terminal.js";

const CHART_HELP = `Usage: tke-cilium chart add CILIUM_TGZ...
       tke-cilium chart list

Cilium releases newer than this tke-cilium, without waiting for a tool release.

chart add reads a released Cilium chart tarball (helm pull cilium/cilium --version X.Y.Z saves
cilium-X.Y.Z.tgz) and stores what the renderer needs from it (the images of its default values,
every value key and the types of its values schema) in .tke-cilium/charts/X.Y.Z.json at the root
of the repository (the nearest folder holding tke-cilium.json, .tke-cilium/ or .git). Commit that
file: profiles at X.Y.Z then render, and have cilium.extraValues checked, like built-in releases.
The tarball is read, never unpacked to disk; links, absolute or ".." paths and oversized members
make it refused whole.

chart list prints every release known here: built in, or added to this repository.`;

export const chartCommand = defineCommand({
  name: "chart",
  flags: {},
  help: CHART_HELP,
  run: async (args, _flags, io) => {
    const [action, ...files] = args;
    if (action === "list" && files.length === 0) return listCharts(io);
    if (action === "add" && files.length > 0) return addCharts(files, io);
    io.stderr(`${CHART_HELP}\n`);
    return EXIT.usage;
  },
});

function listCharts(io: Io): number {
  const root = findRepositoryRoot(io.cwd);
  const { charts, problems } = readAddedCharts(root, io.cwd);
  for (const p of problems) io.stderr(`tke-cilium: ${terminalLine(p)}\n`);
  const added = new Map(charts.map((c) => [c.version, c.origin]));
  for (const version of withAddedCharts(BUILTIN_CHARTS, charts).versions()) {
    io.stdout(`${version}  ${BUILTIN_CHARTS.has(version) ? "built in" : `added: ${added.get(version)}`}\n`);
  }
  return problems.length > 0 ? EXIT.failed : EXIT.ok;
}

async function addCharts(files: readonly string[], io: Io): Promise<number> {
  // the tarball reader (a YAML parser, a tar reader) is a file of its own in dist/, loaded only here
  const { readChartTarball, MAX_TARBALL_BYTES, ChartFormatError } = await import("../chart-tarball.js");
  const root = findRepositoryRoot(io.cwd);
  let failed = false;
  for (const file of files) {
    const path = resolve(io.cwd, file);
    let bytes: Buffer;
    try {
      const info = statSync(path);
      if (!info.isFile()) throw new Error("not a regular file");
      if (info.size > MAX_TARBALL_BYTES) throw new ChartFormatError(`${info.size} bytes; a Cilium chart is well under ${MAX_TARBALL_BYTES / 1024 / 1024} MiB`);
      bytes = readFileSync(path);
    } catch (error) {
      io.stderr(`tke-cilium: ${terminalLine(file)}: ${terminalLine((error as Error).message)}\n`);
      failed = true;
      continue;
    }
    let facts;
    try {
      facts = await readChartTarball(bytes);
    } catch (error) {
      if (!(error instanceof ChartFormatError)) throw error;
      io.stderr(`tke-cilium: ${terminalLine(file)}: ${terminalLine(error.message)}\n`);
      failed = true;
      continue;
    }
    if (BUILTIN_CHARTS.has(facts.version)) {
      io.stdout(`Cilium ${facts.version} is built into this tke-cilium; nothing to add\n`);
      continue;
    }
    const target = join(root, ADDED_CHARTS_DIR, `${facts.version}.json`);
    const { createHash } = await import("node:crypto");
    const record = {
      comment: "Written by tke-cilium chart add from the released Cilium chart; commit it. Do not edit.",
      version: facts.version,
      chart: { file: file.split(/[\\/]/).pop(), sha256: createHash("sha256").update(bytes).digest("hex") },
      images: facts.images,
      keys: facts.keys,
      types: facts.types,
    };
    writeFileAtomic(target, JSON.stringify(record, null, 1) + "\n");
    io.stdout(`added Cilium ${facts.version}: ${displayPath(target, io.cwd)} (${facts.images.length} images, ${facts.keys.length} value keys)\n`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
