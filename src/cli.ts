import { writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { EXIT, runBundleCommand } from "./cli-bundles.js";
import { runInit } from "./cli-init.js";
import { CATALOGUE as ALL_CODES } from "./rules/catalogue.js";
import { COMMANDS, VERSION, usageText, type Command } from "./usage.js";
import { explainText, rulesText } from "./explain.js";
import { nearest } from "./text/nearest.js";

/** Where the CLI writes, which folder it runs in, and what the terminal can do; the real process in run(), buffers in tests. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Colour the diffs (stdout is a terminal, NO_COLOR unset); --no-color turns it off. */
  color?: boolean;
  /** Ask the user (init on a terminal); absent when there is nobody to ask. */
  ask?: (question: string) => Promise<string>;
}

export { EXIT };

const OUTPUT_FLAGS = ["quiet", "json", "color", "no-color", "strict"];
/** The flags each command takes (help and version go with all of them). */
const FLAGS: Record<Command, string[]> = {
  render: ["out", "check", ...OUTPUT_FLAGS],
  check: ["out", ...OUTPUT_FLAGS],
  validate: OUTPUT_FLAGS,
  init: ["region", "vip", "pool", "name", "subnet", "security-group"],
  rules: [],
  explain: [],
};

/** The whole CLI: parse argv, run a command, return the exit code. Never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string" },
        check: { type: "boolean" },
        strict: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        json: { type: "boolean" },
        color: { type: "boolean" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        region: { type: "string" },
        vip: { type: "string" },
        pool: { type: "string" },
        name: { type: "string" },
        subnet: { type: "string", multiple: true },
        "security-group": { type: "string", multiple: true },
      },
    });
  } catch (error) {
    io.stderr(`tke-cilium: ${(error as Error).message}\nRun tke-cilium --help for usage.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const [commandArg, ...profiles] = positionals;
  if (commandArg === undefined || commandArg === "help") {
    if (values.help || commandArg === "help") {
      io.stdout(usageText(COMMANDS.find((c) => c === profiles[0])));
      return EXIT.ok;
    }
    io.stderr(usageText());
    return EXIT.usage;
  }
  if (!COMMANDS.includes(commandArg as Command)) {
    io.stderr(`tke-cilium: unknown command "${commandArg}" (expected ${COMMANDS.join(", ")})\nRun tke-cilium --help for usage.\n`);
    return EXIT.usage;
  }
  const command = commandArg as Command;
  if (values.help) {
    io.stdout(usageText(command));
    return EXIT.ok;
  }
  const given = Object.keys(values).filter((k) => values[k as keyof typeof values] !== undefined);
  const misplaced = given.filter((flag) => !FLAGS[command].includes(flag));
  if (misplaced.length > 0) {
    io.stderr(`tke-cilium: --${misplaced[0]} does not apply to ${command}\n${usageText(command)}`);
    return EXIT.usage;
  }
  if (command === "rules" || command === "explain") return explainCommand(command, profiles, io);
  if (command === "init") return runInit(profiles, values, io);
  if (values["no-color"] || values.color) io = withColor(io, values["no-color"] !== true);
  if (profiles.length === 0) {
    io.stderr(`tke-cilium: ${command} needs at least one PROFILE\n${usageText(command)}`);
    return EXIT.usage;
  }
  return runBundleCommand(profiles, { command: values.check ? "check" : command, out: values.out ?? "out", strict: values.strict ?? false, quiet: values.quiet ?? false, json: values.json ?? false }, io);
}

function explainCommand(command: "rules" | "explain", args: readonly string[], io: Io): number {
  if (command === "rules") {
    if (args.length > 0) {
      io.stderr(`tke-cilium: rules takes no arguments\n${usageText("rules")}`);
      return EXIT.usage;
    }
    io.stdout(rulesText());
    return EXIT.ok;
  }
  if (args.length !== 1) {
    io.stderr(usageText("explain"));
    return EXIT.usage;
  }
  const text = explainText(args[0]);
  if (text === null) {
    const guess = nearest(args[0].toUpperCase(), ALL_CODES.map((r) => r.code));
    io.stderr(`tke-cilium: no such code: ${args[0]}${guess ? ` (did you mean ${guess}?)` : ""}\nRun tke-cilium rules for the list.\n`);
    return EXIT.usage;
  }
  io.stdout(text);
  return EXIT.ok;
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

/** One line of input from the terminal (init's questions). */
async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
