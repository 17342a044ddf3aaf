import { WHY } from "../knowledge/why.js";
import type { ValueEntry } from "../settings.js";

/** One Helm value the bundle sets, with the one-line reason knowledge/why.ts gives for it (or the one given). */
export function valueEntry(path: string, value: unknown, why = WHY[path]): ValueEntry {
  if (why === undefined) throw new Error(`bug: no explanation for Helm value ${path} in knowledge/why.ts`);
  return { path: path.split("."), value, why, origin: "bundle", overrides: [] };
}
