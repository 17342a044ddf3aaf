/**
 * Levenshtein distance, case-insensitive, computed only up to `limit`: a band of 2·limit+1 cells a row, and
 * an early stop once every cell of a row is past the limit. Returns limit + 1 for anything farther, so a
 * 100 KB key against 1,500 chart keys costs next to nothing.
 */
export function editDistance(a: string, b: string, limit = Math.max(a.length, b.length)): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  const far = limit + 1;
  let previous = new Array<number>(t.length + 1);
  for (let j = 0; j <= t.length; j++) previous[j] = j <= limit ? j : far;
  for (let i = 1; i <= s.length; i++) {
    const current = new Array<number>(t.length + 1).fill(far);
    current[0] = i <= limit ? i : far;
    const from = Math.max(1, i - limit);
    const to = Math.min(t.length, i + limit);
    let best = current[0];
    for (let j = from; j <= to; j++) {
      const cost = s.charCodeAt(i - 1) === t.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost, far);
      if (current[j] < best) best = current[j];
    }
    if (best > limit) return far;
    previous = current;
  }
  return Math.min(previous[t.length], far);
}

/** The longest word a suggestion is looked for: no field or chart key is near this long. */
const MAX_WORD = 200;

/** The candidate closest to `word`, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_WORD) return undefined;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) >= bestDistance) continue;
    const d = editDistance(word, candidate, bestDistance - 1);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
