/** One shell word, single-quoted: nothing inside single quotes is special to bash except the quote itself. */
export function sh(word: string | number): string {
  return "'" + String(word).replace(/'/g, `'\\''`) + "'";
}
