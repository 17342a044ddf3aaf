// Profile and base files, JSON or YAML by name: the one place that picks the reader.
import { parseProfileText, type ParsedProfile } from "./parse.js";

/** A base file's text as the command layer read it, or why it could not be read. */
export type BaseRead = { text: string } | { problem: string };

/** What the pipeline reads: a profile's path and text, and the texts of the bases of the run. */
export interface SourceWithBases {
  path: string;
  text: string;
  bases?: ReadonlyMap<string, BaseRead>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A profile is YAML when its file name says so; everything else is JSON. */
export const isYamlPath = (path: string): boolean => /\.ya?ml$/i.test(path);

/**
 * The YAML reader (and the yaml library under it) is loaded only by a run that has a YAML file: a JSON
 * fleet's cold start does not pay for it. The command layer awaits loadYamlSupport() before checking.
 */
let yamlParser: ((text: string, path: string) => ParsedProfile) | undefined;
let yamlField: ((text: string, key: string) => { value: unknown } | undefined) | undefined;

export async function loadYamlSupport(): Promise<void> {
  const loaded = await import("./parse-yaml.js");
  yamlParser ??= loaded.parseYamlProfileText;
  yamlField ??= loaded.quickYamlField;
}

/** A top-level field of a profile file, read cheaply where the file allows it (JSON.parse; a YAML field's own lines), else by a full parse. */
export function topLevelField(path: string, text: string, key: string): unknown {
  if (isYamlPath(path)) {
    const quick = yamlField?.(text, key);
    if (quick !== undefined) return quick.value;
    const value = parseProfileFile(text, path).value;
    return isRecord(value) ? value[key] : undefined;
  }
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ""));
    return isRecord(value) ? value[key] : undefined;
  } catch {
    return undefined;
  }
}

/** Whether any of these files is YAML (so loadYamlSupport() is needed). */
export const anyYaml = (sources: readonly SourceWithBases[]): boolean => sources.some((s) => isYamlPath(s.path) || [...(s.bases?.keys() ?? [])].some(isYamlPath));

/** A profile or base file's text → value and places: YAML for .yaml/.yml, JSON otherwise. */
export function parseProfileFile(text: string, path: string): ParsedProfile {
  if (!isYamlPath(path)) return parseProfileText(text, path);
  if (yamlParser === undefined) throw new Error(`bug: ${path} is YAML and loadYamlSupport() was not awaited`);
  return yamlParser(text, path);
}
