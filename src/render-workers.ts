import type * as WorkerThreads from "node:worker_threads";
import { existsSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { os, workerThreads } from "./lazy-builtins.js";
import { deriveSettings } from "./derive.js";
import { emitBundle, type OutputFile } from "./emit/index.js";
import { BUILTIN_CHARTS, withAddedCharts, type AddedChart } from "./knowledge/chart.js";
import { isUserFile } from "./knowledge/bundle.js";
import type { MeshDirectory } from "./mesh.js";
import { checkOne, emitProfile, isRenderable, type CheckedProfile, type ProfileSource } from "./pipeline.js";
import { anyYaml, loadYamlSupport, type BaseRead } from "./profile-file.js";
import type { GitopsContext } from "./settings.js";
import type { FilledProfile } from "./profile.js";
import type { ChartCatalog } from "./knowledge/chart.js";
import { FileSystemError, UnsafeOutputError } from "./store-errors.js";
import { checkUpgrade } from "./commands/upgrade.js";
import { readTree } from "./workspace.js";

/**
 * A fleet's render on more than one core. Worker threads (each runs the same bundle, dist/cli.cjs) check the
 * profiles (parse → validate → rules → derive → bundle rules, and the upgrade rules against the bundle on
 * disk) in chunks, each keeping only what derive takes for the profiles it checked (a few KiB each); once
 * every profile is valid, the main thread writes the bundles one at a time, in order, as without workers,
 * while the workers derive and emit the bundles a little ahead of it. The main thread alone holds the lock,
 * the bundle index, the writes and every word printed, so output, order, exit codes and the store's safety are
 * those of the one-thread path; a worker only computes and reads.
 */

/** Set in a worker's environment: bin.ts runs the worker loop, not the CLI. */
export const WORKER_ENV = "TKE_CILIUM_RENDER_WORKER";
/** Fleets smaller than this render on one thread: starting a worker costs about what 100 profiles do. */
const DEFAULT_MIN_PROFILES = 200;
/** Profiles per check message: enough to make messaging cheap, few enough to share the work evenly. */
const CHUNK = 16;
/** Requests a worker holds at once; and how far ahead of the writer a worker may emit. */
const AHEAD = 3;
const WINDOW = 32;

/** What every worker is told once. */
interface Setup {
  outDir: string;
  gitops: GitopsContext | null;
  mesh: MeshDirectory;
  added: AddedChart[];
  bases: [string, BaseRead][];
  yaml: boolean;
}

/** What derive takes, less what every profile of the run shares (the charts, the GitOps context, the mesh). */
interface Emittable {
  profile: FilledProfile;
  name: string;
  path: string;
}
type Request = { kind: "check"; items: { at: number; path: string; text: string }[] } | { kind: "emit"; at: number; input: Emittable };
interface CheckedReply {
  at: number;
  name: string | null;
  diagnostics: Diagnostic[];
  /** The profile as derive takes it, when it has no error. */
  profile: FilledProfile | null;
}
type Reply = { kind: "checked"; results: CheckedReply[] } | { kind: "files"; at: number; files: OutputFile[] } | { kind: "failed"; error: SentError };

/** An error crossing threads: its class (a refusal, a file-system failure, a system call's, or a bug) and fields. */
interface SentError {
  kind: "unsafe" | "fs" | "other";
  message: string;
  stack?: string;
  code?: string;
  syscall?: string;
  path?: string;
}

const sendError = (error: unknown): SentError => {
  const e = error as NodeJS.ErrnoException;
  const kind = error instanceof FileSystemError ? "fs" : error instanceof UnsafeOutputError ? "unsafe" : "other";
  return { kind, message: String(e?.message ?? error), stack: e?.stack, code: e?.code, syscall: e?.syscall, path: e?.path };
};

const receiveError = (sent: SentError): Error => {
  if (sent.kind === "fs") return new FileSystemError(sent.message);
  if (sent.kind === "unsafe") return new UnsafeOutputError(sent.message);
  const error = new Error(sent.message) as NodeJS.ErrnoException;
  if (sent.stack !== undefined) error.stack = sent.stack;
  if (sent.code !== undefined) error.code = sent.code;
  if (sent.syscall !== undefined) error.syscall = sent.syscall;
  if (sent.path !== undefined) error.path = sent.path;
  return error;
};

/** Is this thread a render worker (bin.ts asks before it runs the CLI)? */
export const isRenderWorker = (): boolean => process.env[WORKER_ENV] === "1" && !workerThreads().isMainThread;

/** The worker's side: check what it is sent, and emit the bundles it is asked for. */
export function runRenderWorker(): void {
  const { parentPort, workerData } = workerThreads();
  if (parentPort === null) throw new Error("bug: a render worker without a parent");
  const setup = workerData as Setup;
  const charts = withAddedCharts(BUILTIN_CHARTS, setup.added);
  const bases = setup.bases.length > 0 ? new Map(setup.bases) : undefined;
  const readBundle = (name: string) => readTree(join(setup.outDir, name), isUserFile);
  const post = (reply: Reply) => parentPort.postMessage(reply);
  const handle = (m: Request) => {
    try {
      if (m.kind === "check") {
        const results = m.items.map(({ at, path, text }): CheckedReply => {
          const source: ProfileSource = bases === undefined ? { path, text } : { path, text, bases };
          const { checked, settings } = checkOne(source, charts, setup.gitops, setup.mesh);
          // the upgrade rules read the bundle on disk, as the one-thread path's onChecked does
          checkUpgrade(checked, settings, readBundle, charts);
          const profile = checked.input !== null && isRenderable(checked) ? checked.input.profile : null;
          return { at, name: checked.name, diagnostics: checked.diagnostics, profile };
        });
        post({ kind: "checked", results });
      } else {
        const { profile, name, path } = m.input;
        post({ kind: "files", at: m.at, files: emitBundle(deriveSettings({ profile, name, profilePath: path, charts, gitops: setup.gitops, mesh: setup.mesh })) });
      }
    } catch (error) {
      post({ kind: "failed", error: sendError(error) });
    }
  };
  // YAML profiles need the yaml library's reader, loaded (once) before the first message is handled
  const ready = setup.yaml ? loadYamlSupport() : Promise.resolve();
  parentPort.on("message", (m: Request) => void ready.then(() => handle(m), (error: unknown) => post({ kind: "failed", error: sendError(error) })));
}

/** How many workers a render of `profiles` profiles uses: none below the threshold, on one core, or from source. */
export function renderWorkerCount(profiles: number, env: NodeJS.ProcessEnv = process.env): number {
  const asked = env.TKE_CILIUM_RENDER_WORKERS;
  const min = Number(env.TKE_CILIUM_RENDER_WORKERS_MIN ?? DEFAULT_MIN_PROFILES);
  if (!existsSync(workerScript())) return 0;
  if (asked !== undefined && asked !== "") {
    const n = Number(asked);
    return Number.isInteger(n) && n > 0 ? Math.min(n, 16) : 0;
  }
  if (profiles < (Number.isFinite(min) ? min : DEFAULT_MIN_PROFILES)) return 0;
  // the main thread works beside them; each worker costs about 55 MiB (its own heap, code and chart data)
  return Math.max(0, Math.min(os().availableParallelism() - 1, 2));
}

/** The launcher beside the bundle; absent when the code runs from source (tests), which renders on one thread. */
const workerScript = () => join(import.meta.dirname, "cli.cjs");

/** Give the event loop a turn: the workers' replies are received, the next requests sent. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The main thread's side: the workers of one render, and the main thread working beside them. The main
 * thread checks chunks of profiles too, and emits a bundle itself whenever no worker was free to take it.
 */
export class RenderWorkers {
  private readonly workers: WorkerThreads.Worker[];
  private failure: Error | null = null;
  private closed = false;
  private onChecked: ((k: number, results: CheckedReply[]) => void) | null = null;
  private onFiles: ((k: number, at: number, files: OutputFile[]) => void) | null = null;
  /** Something arrived (or failed): whoever waits for a reply looks again. */
  private wake: (() => void) | null = null;
  private readonly counts = { checkedHere: 0, checkedThere: 0, emittedHere: 0, emittedThere: 0 };

  constructor(
    count: number,
    private readonly run: { outDir: string; charts: ChartCatalog; gitops: GitopsContext | null; mesh: MeshDirectory; added: readonly AddedChart[]; sources: readonly ProfileSource[] },
  ) {
    const { Worker } = workerThreads();
    const bases = run.sources.find((s) => s.bases)?.bases;
    const data: Setup = { outDir: run.outDir, gitops: run.gitops, mesh: run.mesh, added: [...run.added], bases: bases === undefined ? [] : [...bases], yaml: anyYaml(run.sources) };
    this.workers = Array.from({ length: count }, () => new Worker(workerScript(), { workerData: data, env: { ...process.env, [WORKER_ENV]: "1" }, stdout: true, stderr: true }));
    this.workers.forEach((w, k) => {
      w.on("message", (reply: Reply) => this.receive(k, reply));
      w.on("error", (error) => this.fail(error));
      w.on("exit", (code) => {
        if (!this.closed) this.fail(new Error(`bug: a render worker exited (code ${code}) before the render ended`));
      });
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  private receive(k: number, reply: Reply): void {
    if (reply.kind === "failed") this.fail(receiveError(reply.error));
    else if (reply.kind === "checked") this.onChecked?.(k, reply.results);
    else this.onFiles?.(k, reply.at, reply.files);
    this.wake?.();
  }

  /** Wait for a reply (or a failure), then rethrow a failure. */
  private async waitForReply(): Promise<void> {
    if (this.failure === null) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Check `items` (each a source with its place in the run), in chunks: two waiting at each worker, the rest
   * checked here by `here` (the one-thread path's check, with its onChecked). A worker's result is finished
   * by `received` (what onChecked does on the main thread). The results come back in the order given.
   */
  async check(items: readonly { at: number; source: ProfileSource }[], here: (source: ProfileSource) => CheckedProfile, received: (r: CheckedProfile) => void): Promise<CheckedProfile[]> {
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += CHUNK) chunks.push(items.slice(i, i + CHUNK));
    const sourceAt = new Map(items.map((item) => [item.at, item.source]));
    const results = new Map<number, CheckedProfile>();
    const waiting = this.workers.map(() => 0);
    let next = 0;
    this.onChecked = (k, replies) => {
      waiting[k]--;
      for (const r of replies) {
        const source = sourceAt.get(r.at);
        if (source === undefined) return this.fail(new Error(`bug: a render worker checked profile ${r.at} unasked`));
        const input = r.profile === null || r.name === null ? null : { profile: r.profile, name: r.name, profilePath: source.path, charts: this.run.charts, gitops: this.run.gitops, mesh: this.run.mesh };
        const checked: CheckedProfile = { source, name: r.name, diagnostics: r.diagnostics, input };
        received(checked);
        results.set(r.at, checked);
        this.counts.checkedThere++;
      }
    };
    try {
      while (results.size < items.length) {
        if (this.failure !== null) throw this.failure;
        this.workers.forEach((w, k) => {
          while (waiting[k] < 2 && next < chunks.length) {
            w.postMessage({ kind: "check", items: chunks[next++].map(({ at, source }) => ({ at, path: source.path, text: source.text })) } satisfies Request);
            waiting[k]++;
          }
        });
        if (next < chunks.length) {
          for (const { at, source } of chunks[next++]) {
            results.set(at, here(source));
            this.counts.checkedHere++;
          }
          await turn();
        } else await this.waitForReply();
      }
    } finally {
      this.onChecked = null;
    }
    return items.map(({ at }) => results.get(at)!);
  }

  /**
   * Emit the bundles of `order` (valid profiles, each with its place in the run) for the writer, in that
   * order: each worker holds up to AHEAD requests, taken from the front, never more than WINDOW bundles
   * ahead of the writer; a bundle no worker has taken when the writer reaches it is emitted here.
   */
  bundles(order: readonly { at: number; checked: CheckedProfile }[]): (at: number) => Promise<OutputFile[]> {
    const arrived = new Map<number, OutputFile[]>();
    const inFlight = this.workers.map(() => 0);
    let position = 0;
    let nextToGive = 0;
    this.onFiles = (k, at, files) => {
      inFlight[k]--;
      this.counts.emittedThere++;
      arrived.set(at, files);
    };
    const give = () => {
      this.workers.forEach((w, k) => {
        while (inFlight[k] < AHEAD && nextToGive < order.length && nextToGive < position + WINDOW) {
          const { at, checked } = order[nextToGive++];
          const input = checked.input;
          if (input === null) throw new Error(`bug: ${checked.source.path} has errors; nothing to emit`);
          w.postMessage({ kind: "emit", at, input: { profile: input.profile, name: input.name, path: input.profilePath } } satisfies Request);
          inFlight[k]++;
        }
      });
    };
    return async (at) => {
      if (this.failure !== null) throw this.failure;
      const { at: expected, checked } = order[position] ?? { at: -1 };
      if (expected !== at || checked === undefined) throw new Error(`bug: profile ${at}'s bundle asked out of order`);
      position++;
      if (nextToGive < position) {
        // nobody has taken it: emit it here
        nextToGive = position;
        give();
        this.counts.emittedHere++;
        return emitProfile(checked);
      }
      give();
      let files: OutputFile[] | undefined;
      while ((files = arrived.get(at)) === undefined) {
        if (nextToGive < order.length && nextToGive < position + WINDOW) {
          // rather than wait, emit a later bundle here, kept until the writer reaches it
          const later = order[nextToGive++];
          this.counts.emittedHere++;
          arrived.set(later.at, emitProfile(later.checked));
          await turn();
        } else {
          await this.waitForReply();
        }
        give();
      }
      arrived.delete(at);
      return files;
    };
  }

  /** Stop the workers (they hold nothing to save). */
  close(): void {
    // TKE_CILIUM_RENDER_WORKERS_TRACE=1: how the work was shared (the tests make sure the workers did some)
    if (process.env.TKE_CILIUM_RENDER_WORKERS_TRACE === "1") {
      const c = this.counts;
      writeSync(2, `tke-cilium: render workers: ${this.workers.length}; checked ${c.checkedThere} there, ${c.checkedHere} here; emitted ${c.emittedThere} there, ${c.emittedHere} here\n`);
    }
    this.closed = true;
    this.onChecked = null;
    this.onFiles = null;
    for (const w of this.workers) void w.terminate();
  }
}
