import { compareVersions } from "../text/version.js";

/**
 * Cilium release lines as the guide knows them. A fact that holds for a range of releases is a row with
 * `since` (inclusive) and `until` (exclusive), so adding a release is data here, not code elsewhere.
 */

/** The default cilium.version: the release the newest guide verified end to end (Cilium 1.19.5, 2026-08). */
export const DEFAULT_CILIUM_VERSION = "1.19.5";

export interface ReleaseRow {
  /** First release the row holds for (inclusive); undefined: from the first supported. */
  since?: string;
  /** First release it no longer holds for (exclusive); undefined: still holds. */
  until?: string;
}

/** The minor lines the guide has verified on TKE (the 1.18.3 edition of 2025-11 and the 1.19.5 edition of 2026-08). */
export const GUIDE_VERIFIED: readonly (ReleaseRow & { edition: string })[] = [
  { since: "1.18.0", until: "1.19.0", edition: "the guide's Cilium 1.18.3 edition (2025-11)" },
  { since: "1.19.0", until: "1.20.0", edition: "the guide's Cilium 1.19.5 edition (2026-08)" },
];

/** Releases in release order: 1.9.0 < 1.10.0 < 1.19.6 < 1.20.0. */
export const compareReleases = compareVersions;

/** Does the row hold for `version`? */
export function inRelease(row: ReleaseRow, version: string): boolean {
  return (row.since === undefined || compareReleases(version, row.since) >= 0) && (row.until === undefined || compareReleases(version, row.until) < 0);
}
