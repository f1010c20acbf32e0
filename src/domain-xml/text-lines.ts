/**
 * How the diff sees a text's lines, in one place: each line without its `\n`, except an unterminated last line,
 * which gets a `\n` appended (no other line holds one, so it differs from the same line with its newline, as it
 * must). The unified diff splits whole texts (`lines`); the line diff cuts single lines out (`lineAt`) of a text
 * whose line starts it knows (`lineStarts`).
 */

/** The lines of a text. */
export function lines(text: string): string[] {
  const parts = text.split('\n');
  const last = parts.pop()!;
  if (last !== '') parts.push(`${last}\n`);
  return parts;
}

/** How many lines `lines` splits `text` into, without splitting it. */
export function lineCount(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}

/** Where each of the `count` lines of `text` starts, and after them the text's length plus one. */
export function lineStarts(text: string, count: number): Int32Array {
  const starts = new Int32Array(count + 1);
  let at = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    at = text.indexOf('\n', at) + 1 || text.length + 1;
  }
  starts[count] = at;
  return starts;
}

/** Line `i` of `text` (whose lines start at `starts`), as `lines` gives it. */
export function lineAt(text: string, starts: Int32Array, i: number): string {
  const next = starts[i + 1]!;
  return next > text.length ? `${text.slice(starts[i]!)}\n` : text.slice(starts[i]!, next - 1);
}
