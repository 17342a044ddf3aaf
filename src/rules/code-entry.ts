/** How severe a diagnostic is by default. */
export type Severity = "error" | "warning";

/** Where a code is found: reading the file, the JSON Schema, a rule on the profile, a rule on the derived bundle, across the profiles of one run, or against the bundle it replaces (HEAD or disk). */
export type Stage = "read" | "schema" | "profile" | "bundle" | "fleet" | "upgrade";

/** One diagnostic code: where it is found, its default severity, and the text of `tke-cilium explain`. */
export interface CodeEntry<C extends string = string> {
  code: C;
  stage: Stage;
  severity: Severity;
  title: string;
  /** Why the rule exists and what to do, for `tke-cilium explain CODE`. */
  explanation: string;
  /** Where the knowledge comes from. */
  source: string;
}
