import { writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { COMMAND_TABLE } from "./commands/index.js";
import type { FlagSpec, FlagValues } from "./commands/command.js";
import { EXIT, type Io } from "./io.js";
import { VERSION, usageText } from "./usage.js";
import { fileSystemError, UnsafeOutputError } from "./store-errors.js";
import { terminalLine } from "./text/terminal.js";

export { EXIT, type Io };

/** Every flag of every command, for one parseArgs call; help and version go with all of them. */
const ALL_FLAGS: Record<string, FlagSpec> = Object.assign(
  { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
  ...COMMAND_TABLE.map((c) => c.flags),
);

/** The whole CLI: parse argv, run a command from the table, return the exit code. Never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: ALL_FLAGS });
  } catch (error) {
    io.stderr(`tke-cilium: ${(error as Error).message}\nRun tke-cilium --help for usage.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const [commandArg, ...args] = positionals;
  if (commandArg === undefined || commandArg === "help") {
    if (values.help || commandArg === "help") {
      const topic = COMMAND_TABLE.find((c) => c.name === args[0]);
      io.stdout(topic ? topic.help + "\n" : usageText());
      return EXIT.ok;
    }
    io.stderr(usageText());
    return EXIT.usage;
  }
  const command = COMMAND_TABLE.find((c) => c.name === commandArg);
  if (!command) {
    io.stderr(`tke-cilium: unknown command "${commandArg}" (expected ${COMMAND_TABLE.map((c) => c.name).join(", ")})\nRun tke-cilium --help for usage.\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(command.help + "\n");
    return EXIT.ok;
  }
  const misplaced = Object.keys(values).filter((flag) => values[flag] !== undefined && !(flag in command.flags));
  if (misplaced.length > 0) {
    io.stderr(`tke-cilium: --${misplaced[0]} does not apply to ${command.name}\n${command.help}\n`);
    return EXIT.usage;
  }
  if (values["no-color"] || values.color) io = withColor(io, values["no-color"] !== true);
  try {
    return await command.run(args, values as FlagValues, io);
  } catch (error) {
    // a refusal or a file-system failure is the user's to fix: one line, exit 1; anything else is a bug (exit 70)
    const failure = error instanceof UnsafeOutputError ? error : systemError(error);
    if (failure === null) throw error;
    io.stderr(`tke-cilium: error: ${terminalLine(failure.message)}\n`);
    return EXIT.failed;
  }
}

/**
 * A failure of the system call itself (a folder made unreadable, a file removed by another run between a
 * listing and a read): the environment's, not a bug, told in one line with its path and code.
 */
function systemError(error: unknown): Error | null {
  const e = error as NodeJS.ErrnoException | undefined;
  if (!(e instanceof Error) || typeof e.code !== "string" || typeof e.syscall !== "string") return null;
  const described = fileSystemError(e, e.syscall, e.path ?? "a file");
  return described instanceof UnsafeOutputError ? described : new Error(`${e.syscall} ${e.path ?? ""} failed: ${e.code}`);
}

/** The process entry point: the only place that reads process state or sets the exit code. */
export async function run(): Promise<void> {
  // process.stdout and process.stdin are streams whose first use loads Node's stream, net or tty modules, a
  // few milliseconds of a cold start: output goes straight to the file descriptors, and the getters read the
  // streams only when a diff is coloured or init asks a question.
  const io: Io = {
    stdout: (text) => writeAll(1, text),
    stderr: (text) => writeAll(2, text),
    cwd: process.cwd(),
    // https://no-color.org: any non-empty NO_COLOR turns colour off
    get color() {
      return process.stdout.isTTY === true && !process.env.NO_COLOR;
    },
    get ask() {
      return process.stdin.isTTY === true && process.stdout.isTTY === true ? askOnTerminal : undefined;
    },
  };
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (error) {
    writeAll(2, `tke-cilium: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  } finally {
    terminal?.close();
  }
}

const closedFds = new Set<number>();

/**
 * All of `text` to a file descriptor, synchronously (as Node writes to terminals, files and pipes on Linux).
 * A descriptor left non-blocking by the parent is waited on; a reader that went away (`| head`) ends the
 * output quietly, as it would for any Unix tool.
 */
function writeAll(fd: number, text: string): void {
  if (closedFds.has(fd)) return;
  let bytes = Buffer.from(text, "utf8");
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      else if (code === "EPIPE") {
        closedFds.add(fd);
        return;
      } else throw error;
    }
  }
}

/** `io` with colour forced on or off; its other getters stay unread (a spread would call them all). */
function withColor(io: Io, color: boolean): Io {
  return Object.defineProperty(Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)), "color", { value: color, enumerable: true }) as Io;
}

/**
 * init's questions on the terminal: one readline interface for the whole run, so answers typed (or pasted)
 * ahead of their questions are kept, not lost with a closed interface. The end of input (Ctrl-D) is a usage
 * error, not a crash.
 */
let terminal: { close(): void; next(): Promise<string | null> } | undefined;

async function askOnTerminal(question: string): Promise<string> {
  if (!terminal) {
    const { createInterface } = await import("node:readline");
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const lines: string[] = [];
    const waiting: ((line: string | null) => void)[] = [];
    let ended = false;
    rl.on("line", (line) => (waiting.length > 0 ? waiting.shift()!(line) : lines.push(line)));
    rl.on("close", () => {
      ended = true;
      for (const w of waiting.splice(0)) w(null);
    });
    terminal = {
      close: () => rl.close(),
      next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : ended ? Promise.resolve(null) : new Promise((resolve) => waiting.push(resolve))),
    };
  }
  process.stdout.write(question);
  const answer = await terminal.next();
  if (answer === null) throw new UnsafeOutputError("no answer: the input ended (Ctrl-D); nothing was written");
  return answer.trim();
}
