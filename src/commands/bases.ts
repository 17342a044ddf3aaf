import { anyYaml, baseRefsOf, isYamlPath, loadYamlSupport, type BaseRead } from "../extends.js";
import type { ProfileSource } from "../pipeline.js";

/**
 * The bases the profiles of a run extend, read once each (transitively) with `read`, shared by every
 * profile of the run: the working tree's reader for render and check, the git index's for check --staged.
 */
export async function withBases(sources: readonly ProfileSource[], read: (path: string, from: string) => BaseRead | Promise<BaseRead>): Promise<ProfileSource[]> {
  if (anyYaml(sources)) await loadYamlSupport();
  const bases = new Map<string, BaseRead>();
  const pending = sources.map((s) => ({ path: s.path, refs: baseRefsOf(s.path, s.text) }));
  const usesBases = pending.map((p) => p.refs.length > 0);
  if (!usesBases.includes(true)) return [...sources];
  while (pending.length > 0) {
    const next = pending.pop()!;
    for (const path of next.refs) {
      if (bases.has(path)) continue;
      const got = await read(path, next.path);
      bases.set(path, got);
      if ("text" in got) {
        if (isYamlPath(path)) await loadYamlSupport();
        pending.push({ path, refs: baseRefsOf(path, got.text) });
      }
    }
  }
  return sources.map((s, i) => (usesBases[i] ? { ...s, bases } : s));
}

/** The profiles among `sources` that extend (directly or through other bases) one of `changed`. */
export function extendsAny(source: ProfileSource, changed: ReadonlySet<string>): boolean {
  const seen = new Set<string>();
  const walk = (path: string, text: string): boolean =>
    baseRefsOf(path, text).some((base) => {
      if (changed.has(base)) return true;
      if (seen.has(base)) return false;
      seen.add(base);
      const read = source.bases?.get(base);
      return read !== undefined && "text" in read && walk(base, read.text);
    });
  return walk(source.path, source.text);
}
