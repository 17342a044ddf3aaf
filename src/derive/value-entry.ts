import { WHY } from "../knowledge/why.js";
import type { ValueEntry } from "../settings.js";

/** Each dotted path split once: a fleet sets the same few dozen paths thousands of times (entries never change their path). */
const PATHS = new Map<string, readonly string[]>();

/** One Helm value the bundle sets, with the one-line reason knowledge/why.ts gives for it (or the one given). */
export function valueEntry(path: string, value: unknown, why = WHY[path]): ValueEntry {
  if (why === undefined) throw new Error(`bug: no explanation for Helm value ${path} in knowledge/why.ts`);
  let split = PATHS.get(path);
  if (split === undefined) PATHS.set(path, (split = path.split(".")));
  return { path: split, value, why, origin: "bundle", overrides: [] };
}
