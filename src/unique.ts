/**
 * Hexadecimal strings that tell this run's temporary files and lock ownership apart from another run's.
 * They need to differ, not to be secret: a writer who can forge them can already write the folder they
 * guard. Drawn from Math.random (V8 seeds it per process from the system's entropy) so that a cold start
 * does not load node:crypto, which with the stream modules it pulls in is a fifth of a `render`'s start.
 */
export function uniqueHex(chars: number): string {
  let text = "";
  while (text.length < chars) text += Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, "0");
  return text.slice(0, chars);
}
