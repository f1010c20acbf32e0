/**
 * What the CLI prints for people goes through `terminalSafe`: a domain name, a file name or a snippet of a
 * document can hold control characters (ESC starts a terminal escape sequence; `<name>x\e[8m</name>` once hid
 * the ERROR lines after it), C1 controls (U+009B is CSI to some terminals), a lone CR (overwrites the line) or
 * bidirectional overrides (reorder what is shown). Each is written as a visible escape instead. Newlines and tabs
 * stay. Data outputs (the planned document, --diff, --json) are written as they are.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every unsafe character replaced by a visible escape (`\x1b`, `\r`, `\u202e`). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
