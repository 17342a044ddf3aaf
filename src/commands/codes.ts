import { EXIT } from "../io.js";
import { explainText, rulesText } from "../explain.js";
import { ALL_CODES as CATALOGUE } from "../rules/codes.js";
import { nearest } from "../text/nearest.js";
import { defineCommand } from "./command.js";

const RULES_HELP = `Usage: tke-cilium rules

List every diagnostic code tke-cilium can report, with its severity and a one-line summary.`;

export const rulesCommand = defineCommand({
  name: "rules",
  flags: {},
  help: RULES_HELP,
  run: (args, _flags, io) => {
    if (args.length > 0) {
      io.stderr(`tke-cilium: rules takes no arguments\n${RULES_HELP}\n`);
      return EXIT.usage;
    }
    io.stdout(rulesText());
    return EXIT.ok;
  },
});

const EXPLAIN_HELP = `Usage: tke-cilium explain CODE

Explain a diagnostic code: why the rule exists, what to do, and where the knowledge comes from.`;

export const explainCommand = defineCommand({
  name: "explain",
  flags: {},
  help: EXPLAIN_HELP,
  run: (args, _flags, io) => {
    if (args.length !== 1) {
      io.stderr(EXPLAIN_HELP + "\n");
      return EXIT.usage;
    }
    const text = explainText(args[0]);
    if (text === null) {
      const guess = nearest(args[0].toUpperCase(), CATALOGUE.map((r) => r.code));
      io.stderr(`tke-cilium: no such code: ${args[0]}${guess ? ` (did you mean ${guess}?)` : ""}\nRun tke-cilium rules for the list.\n`);
      return EXIT.usage;
    }
    io.stdout(text);
    return EXIT.ok;
  },
});
