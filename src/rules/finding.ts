import type { Severity } from "./code-entry.js";
import { escapePointerToken } from "../text/pointer.js";

/** What a rule reports: where (a JSON pointer into the profile) and what; the pipeline adds the code, file and place. */
export interface Finding {
  pointer: string;
  message: string;
  /** Point at the member's key rather than its value (unknown keys). */
  atKey?: boolean;
  /** Overrides the rule's severity for this finding (e.g. too old is an error, old a warning). */
  severity?: Severity;
  /** What to write instead, when the rule knows (a key name, a version): --json carries it. */
  suggestion?: string;
}

/** The profile pointer of a cilium.extraValues path. */
export const extraPointer = (path: readonly string[]) => `/cilium/extraValues/${path.map(escapePointerToken).join("/")}`;
