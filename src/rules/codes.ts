import { CAPABILITIES } from "../capabilities/index.js";
import { CATALOGUE, type CatalogueCode } from "./catalogue.js";
import type { CodeEntry } from "./code-entry.js";

/**
 * Every diagnostic code tke-cilium reports: the catalogue's (reading, schema, the pipeline's rules) and each
 * capability's own. The union is closed: a Diagnostic cannot carry a code that is not listed.
 */
export type Code = CatalogueCode | (typeof CAPABILITIES)[number]["codes"][number]["code"];

/** Every code's entry: the catalogue's, then each capability's in registry order. */
export const ALL_CODES: readonly CodeEntry<Code>[] = [...CATALOGUE, ...CAPABILITIES.flatMap((c) => c.codes as readonly CodeEntry<Code>[])];

const BY_CODE: ReadonlyMap<string, CodeEntry<Code>> = new Map(ALL_CODES.map((e) => [e.code, e]));

/** The entry of a code; undefined for a string that is not a code. */
export function findCode(code: string): CodeEntry<Code> | undefined {
  return BY_CODE.get(code);
}

/** A code's entry, for a code known to be one (rule tables). */
export function entryOf(code: Code): CodeEntry<Code> {
  return BY_CODE.get(code)!;
}
