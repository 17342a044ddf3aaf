import type { ChildProcessByStdio } from "node:child_process";
import type { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { childProcess } from "./lazy-builtins.js";

/**
 * One `git cat-file --batch-command` process (git 2.36 and later) that answers every object look-up of a run:
 * `info NAME` (object id, type, size) and `contents ID` (the bytes too), each a line written to it, each answer
 * read back in order. Starting a git process costs a few milliseconds; check --staged asked for about ten
 * pairs of `cat-file --batch-check` / `--batch` before this one process served them.
 *
 * Requests are written as they come (Node.js queues what the pipe cannot take yet) while the answers are read
 * as they arrive, so a large blob never stalls either side. The process is started with its handles unreferenced:
 * it keeps the event loop alive only while an answer is awaited, and closing stdin (close(), or the run's
 * end) ends it; a process exit kills any still running. When git cannot serve the requests (an older git
 * refuses the option, or git is gone), every pending and later request fails with BatchUnavailable, and the
 * caller asks git the older way, one process per request batch.
 */
export class BatchUnavailable extends Error {}

/** An object's id, type and size as git names them; null: no such object (or not one name). */
export type ObjectInfo = { oid: string; type: string; size: number } | null;

interface Request {
  name: string;
  contents: boolean;
  header?: NonNullable<ObjectInfo>;
  resolve(value: { info: ObjectInfo; bytes?: Buffer }): void;
  reject(error: Error): void;
}

const live = new Set<ChildProcessByStdio<Writable, Readable, null>>();
/** The batch processes not yet closed (the tests hold a run to closing every one it starts). */
export const liveBatches: ReadonlySet<unknown> = live;
/** The batch processes that have not exited yet, closed or not: a process exit kills them. */
const running = new Set<ChildProcessByStdio<Writable, Readable, null>>();
let exitHook = false;

/** A child's output pipe as the socket it is (which can be referenced and unreferenced). */
const socket = (stream: Readable) => stream as unknown as Socket;

/** "<id> <type> <size>": an object git found; anything else ("<name> missing", "ambiguous"): none. */
const HEADER = /^([0-9a-f]{40,64}) (\S+) (\d+)$/;

export class ObjectBatch {
  private child: ChildProcessByStdio<Writable, Readable, null> | null;
  private readonly queue: Request[] = [];
  private chunks: Buffer[] = [];
  private have = 0;
  private dead = false;

  constructor(root: string) {
    let child: ChildProcessByStdio<Writable, Readable, null> | null = null;
    try {
      child = childProcess().spawn("git", ["cat-file", "--batch-command"], { cwd: root, stdio: ["pipe", "pipe", "ignore"] });
    } catch {
      child = null;
    }
    this.child = child;
    if (child === null) {
      this.dead = true;
      return;
    }
    live.add(child);
    running.add(child);
    child.once("exit", () => running.delete(child));
    if (!exitHook) {
      exitHook = true;
      process.on("exit", () => {
        for (const c of running) c.kill();
      });
    }
    child.unref();
    socket(child.stdout).unref();
    child.stdout.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.have += chunk.length;
      this.pump();
    });
    // a write to a process that has exited (an old git refusing the option) is an error event, not a crash
    child.stdin.on("error", () => this.fail());
    child.on("error", () => this.fail());
    // git has exited (its output read to the end): what is still asked for is not answered
    child.stdout.on("close", () => this.fail());
  }

  /** The id, type and size of the object `name` names (an id, or HEAD:path). */
  info(name: string): Promise<ObjectInfo> {
    return this.ask(name, false).then((a) => a.info);
  }

  /** The object's id, type and size and its bytes; null when there is no such object. */
  contents(oid: string): Promise<{ info: ObjectInfo; bytes?: Buffer }> {
    return this.ask(oid, true);
  }

  /** Ends the process (git exits when its input ends); pending requests fail. */
  close(): void {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    child.stdin.end();
    live.delete(child);
    this.fail();
  }

  private ask(name: string, contents: boolean): Promise<{ info: ObjectInfo; bytes?: Buffer }> {
    // one request a line: a name with a line break cannot be one (the callers never ask for such)
    if (this.dead || this.child === null || /[\n\r]/.test(name)) return Promise.reject(new BatchUnavailable(name));
    const child = this.child;
    return new Promise((resolve, reject) => {
      this.queue.push({ name, contents, resolve, reject });
      if (this.queue.length === 1) socket(child.stdout).ref();
      child.stdin.write(`${contents ? "contents" : "info"} ${name}\n`);
    });
  }

  private fail(): void {
    this.dead = true;
    const pending = this.queue.splice(0);
    for (const r of pending) r.reject(new BatchUnavailable(r.name));
    if (this.child !== null) {
      live.delete(this.child);
      socket(this.child.stdout).unref();
    }
    this.chunks = [];
    this.have = 0;
  }

  /** The first `n` bytes of what was read, taken off. */
  private take(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0];
    const taken = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.have -= n;
    return taken;
  }

  /** Where the first line break of what was read is, or -1. */
  private lineEnd(): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      const at = chunk.indexOf(10);
      if (at >= 0) return offset + at;
      offset += chunk.length;
    }
    return -1;
  }

  /** Answers the requests whose whole answer has been read, in order. */
  private pump(): void {
    while (this.queue.length > 0) {
      const request = this.queue[0];
      if (request.header === undefined) {
        const end = this.lineEnd();
        if (end < 0) return;
        const line = this.take(end + 1).subarray(0, end).toString("utf8");
        const found = HEADER.exec(line);
        const info = found === null ? null : { oid: found[1], type: found[2], size: Number(found[3]) };
        if (info === null || !request.contents) {
          this.queue.shift();
          request.resolve({ info });
          continue;
        }
        request.header = info;
      }
      // the bytes and the line break after them
      if (this.have < request.header.size + 1) return;
      const bytes = Buffer.from(this.take(request.header.size + 1).subarray(0, request.header.size));
      this.queue.shift();
      request.resolve({ info: request.header, bytes });
    }
    if (this.child !== null) socket(this.child.stdout).unref();
  }
}
