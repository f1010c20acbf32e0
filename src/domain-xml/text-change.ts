/**
 * Where an edited text differs from the text it was made from, as the editor knows it: `from[start, end)`
 * replaced by `length` characters. A list of them is in order of `start` and does not overlap (one may end
 * where the next starts); everything between them is the original text, only moved.
 */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly length: number;
}

/**
 * Whether `changes` turn `from` into `to`: in order, inside `from`, adding up to `to`'s length, and every
 * stretch between them the same in both (compared, not assumed: a wrong list would print a wrong diff).
 */
export function describesEdit(from: string, to: string, changes: readonly TextChange[]): boolean {
  let at = 0;
  let delta = 0;
  for (const c of changes) {
    if (c.start < at || c.end < c.start || c.end > from.length || c.length < 0) return false;
    if (!to.startsWith(from.slice(at, c.start), at + delta)) return false;
    delta += c.length - (c.end - c.start);
    at = c.end;
  }
  return from.length + delta === to.length && to.endsWith(from.slice(at));
}
