/**
 * Text from the disk or a profile, made safe for a terminal: control characters (escape sequences!), line and
 * paragraph separators, bidirectional overrides and non-characters are written as \\xNN or \\uXXXX, so a
 * hostile file name or file cannot rewrite the screen, forge a line or reorder one. Newlines are kept only
 * where the caller says the text is multi-line.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const escapeChar = (c: string) => {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/** One line of text: newlines and tabs escaped too. */
export function terminalLine(text: string): string {
  return text.replace(/[\t\n]/g, escapeChar).replace(UNSAFE, escapeChar);
}

/** Multi-line text (a diff): newlines and tabs kept, everything else unsafe escaped. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}
