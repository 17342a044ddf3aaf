import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { ClusterState } from "./cluster.js";
import { answerCall } from "./fake.js";

/**
 * The fake clusters of one test file behind one loopback TCP port. The kubectl and helm shims are bash
 * scripts that send their arguments over /dev/tcp and run the answer, so a call costs a connection, not a
 * Node.js start (a script makes dozens). Each cluster is known by an id and backed by its state file, read
 * and written back on every call.
 */
const clusters = new Map<string, string>();
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
        const statePath = clusters.get(id);
        let answer = { code: 98, stdout: "", stderr: `no fake cluster ${id}\n` };
        if (statePath) {
          const state = JSON.parse(readFileSync(statePath, "utf8")) as ClusterState;
          answer = answerCall(state, tool, argv, cwd);
          writeFileSync(statePath, JSON.stringify(state, null, 1));
        }
        socket.end(`printf '%s' ${quote(answer.stdout)}\nprintf '%s' ${quote(answer.stderr)} >&2\nexit ${answer.code}\n`);
      });
    });
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server!.address() as { port: number }).port));
  });
  return listening;
}

export function registerCluster(id: string, statePath: string): void {
  clusters.set(id, statePath);
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
