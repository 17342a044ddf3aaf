import type { Severity } from "./code-entry.js";
import { escapePointerToken } from "../text/pointer.js";
import { TKE_ONLY_CORE_CODES } from "../knowledge/platforms.js";
import type { FilledProfile } from "../profile.js";

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

/**
 * Core's rules about TKE's own fields and network (TKE_ONLY_CORE_CODES) report nothing on another platform (a
 * kubeadm profile has no apiserverVIP): profile rules and bundle rules alike, `profileOf` finding the profile
 * among a rule's arguments.
 */
export function onTkeOnly<A extends unknown[], R extends { code: string; check: (...args: A) => Finding[] }>(rules: readonly R[], profileOf: (...args: A) => FilledProfile): R[] {
  return rules.map((r) => (TKE_ONLY_CORE_CODES.has(r.code) ? { ...r, check: (...args: A) => (profileOf(...args).platform === "tke" ? r.check(...args) : []) } : r));
}
