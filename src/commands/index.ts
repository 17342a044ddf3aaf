import { checkCommand, renderCommand, validateCommand } from "./bundles.js";
import { chartCommand } from "./chart.js";
import { explainCommand, rulesCommand } from "./codes.js";
import type { CommandSpec } from "./command.js";
import { initCommand } from "./init.js";
import { explainProfileCommand, withExplainFlag } from "./explain-profile.js";
import { diffCommand } from "./diff.js";

/** Every command, in the order --help lists them. Adding a command is one declaration plus one entry here. */
export const COMMAND_TABLE: readonly CommandSpec[] = [withExplainFlag(renderCommand), checkCommand, validateCommand, diffCommand, initCommand, chartCommand, rulesCommand, explainCommand, explainProfileCommand];
