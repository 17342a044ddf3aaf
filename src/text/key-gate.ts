/**
 * Whether a profile's text may hold `key`: its letters as written, or any backslash, since an escape in a quoted
 * key (JSON's "ext\\u0065nds", YAML's "ext\\x65nds") spells the key without them. A cheap gate before a parse,
 * false only when the text surely lacks the key; the parse then decides.
 */
export const mayHoldKey = (text: string, key: string): boolean => text.includes(key) || text.includes("\\");
