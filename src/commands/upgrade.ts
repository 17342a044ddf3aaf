import type { TreeFile } from "../diff.js";
import type { ChartCatalog } from "../knowledge/chart.js";
import { resolveProfile } from "../extends.js";
import { UnsafeOutputError } from "../store-errors.js";
import { toDiagnostic, type CheckedProfile } from "../pipeline.js";
import type { CheckedSettings } from "../settings.js";
import { factsOfSettings, factsOfTree, upgradeFindings } from "../rules/upgrade-rules.js";

/**
 * The upgrade rules on one checked profile: its bundle against the one it replaces. An error makes the
 * profile fail like any other (render writes nothing, check --staged refuses the commit).
 */
export function checkUpgrade(r: CheckedProfile, settings: CheckedSettings | null, previousOf: (name: string) => Map<string, TreeFile> | null, charts: ChartCatalog): void {
  if (settings === null || r.name === null) return;
  let previous: Map<string, TreeFile> | null;
  try {
    previous = previousOf(r.name);
  } catch (error) {
    // a folder that cannot be read safely (a link, a huge file) is refused by the write or compare that follows
    if (error instanceof UnsafeOutputError) return;
    throw error;
  }
  const before = factsOfTree(previous);
  if (before === null) return;
  const findings = upgradeFindings(before, factsOfSettings(settings), settings.upgrade.allow, charts.versions());
  if (findings.length === 0) return;
  // the profile as merged: a YAML profile's lines, and a version a base sets blamed on the base
  const { locate } = resolveProfile(r.source);
  // an error here makes the profile unrenderable (isRenderable reads its diagnostics)
  r.diagnostics.push(...findings.map((f) => toDiagnostic(f.code, f, r.source.path, locate)));
}
