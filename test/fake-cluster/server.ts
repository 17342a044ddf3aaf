import { createServer, type Server } from "node:net";
import type { ClusterState } from "./cluster.js";
import { answerCall } from "./fake.js";

/**
 * The fake clusters of one test file behind one loopback TCP port. The kubectl and helm shims are bash
 * scripts that send their arguments over /dev/tcp and run the answer, so a call costs a connection, not a
 * Node.js start (a script makes dozens). Each cluster is known by an id; its state is kept here as JSON text
 * (a copy for every reader, as a file would give), parsed and written back on every call. Kept in memory, not
 * in a file: a script's 40 calls wrote 40 files, and on a busy disk that was most of a lifecycle test's time.
 */
const clusters = new Map<string, string>();

/** The cluster's state as it is now (a fresh copy). */
export function readClusterState(id: string): ClusterState {
  const text = clusters.get(id);
  if (text === undefined) throw new Error(`no fake cluster ${id}`);
  return JSON.parse(text) as ClusterState;
}

/** Replaces the cluster's state (registers it on first use). */
export function writeClusterState(id: string, state: ClusterState): void {
  clusters.set(id, JSON.stringify(state));
}
/** Drops a cluster's state (the cluster is removed). */
export function forgetClusterState(id: string): void {
  clusters.delete(id);
}
let listening: Promise<number> | undefined;
let server: Server | undefined;

/** The port of this process's fake-cluster server (started on first use, closed when the process ends). */
export function fakeClusterPort(): Promise<number> {
  listening ??= new Promise((resolve, reject) => {
    server = createServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on("data", (chunk) => {
        chunks.push(chunk);
        const words = Buffer.concat(chunks).toString("utf8").split("\0");
        // the request: a word count, then that many NUL-terminated words (id, tool, cwd, arguments...)
        const count = Number(words[0]);
        if (!(words.length - 2 >= count)) return;
        const [id, tool, cwd, ...argv] = words.slice(1, 1 + count);
        let answer = { code: 98, stdout: "", stderr: `no fake cluster ${id}\n` };
        if (clusters.has(id)) {
          const state = readClusterState(id);
          answer = answerCall(state, tool, argv, cwd);
          writeClusterState(id, state);
        }
        // run by the shim's function (exported, or called by an executable shim): `return` gives the exit code
        socket.end(`printf '%s' ${quote(answer.stdout)}\nprintf '%s' ${quote(answer.stderr)} >&2\nreturn ${answer.code}\n`);
      });
    });
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server!.address() as { port: number }).port));
  });
  return listening;
}


const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
