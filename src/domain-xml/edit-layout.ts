/**
 * How an edit writes what it adds so it looks like the document around it: the line break, the indentation
 * of a line, the quote attributes use, attribute escaping, and where libvirt's formatter puts a child. Shared
 * by applyEdits (apply-edits.ts) and its in-place device path (device-edits.ts), which must write the same bytes.
 */
import { lastOf } from '../last-result';
import { childOrder } from './libvirt-order';
import type { XmlElement } from './xml-tree';

const NEEDS_ESCAPE = /[&<"'\t\n\r]/;

/** Escapes text for an attribute value written with `quote`. */
export function escapeAttribute(value: string, quote: '"' | "'"): string {
  // Most values ('on', 'virtio') have nothing to escape: a test is cheaper than a replace with a callback.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[&<"'\t\n\r]/g, (c) => {
    if (c === '&') return '&amp;';
    if (c === '<') return '&lt;';
    if (c === quote) return quote === '"' ? '&quot;' : '&apos;';
    if (c === '"' || c === "'") return c;
    return `&#${c.charCodeAt(0)};`;
  });
}

function occurrences(text: string, s: string): number {
  let n = 0;
  for (let at = text.indexOf(s); at !== -1; at = text.indexOf(s, at + s.length)) n++;
  return n;
}

/** The quote most attributes of a text use (the last text's kept: each goal the user tries applies a plan to the loaded text). */
export const documentQuote = lastOf((text: string): '"' | "'" => (occurrences(text, '="') > occurrences(text, "='") ? '"' : "'"));

/** The quote an element's attributes mostly use; the document's when it has none. */
export function dominantQuote(el: XmlElement, docQuote: '"' | "'"): '"' | "'" {
  let single = 0;
  for (const a of el.attributes) single += a.quote === "'" ? 1 : -1;
  if (single !== 0) return single > 0 ? "'" : '"';
  return docQuote;
}

/** Where the line an offset sits on starts, when only whitespace precedes the offset there; -1 otherwise. */
export function indentStart(text: string, offset: number): number {
  // Back to the line's start, over blanks only: lastIndexOf('\r') would scan the whole text of an LF file for
  // every element asked (quadratic over a 20,000-line domain's devices).
  let i = offset;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c === 0x0a || c === 0x0d) break;
    if (c !== 0x20 && c !== 0x09) return -1;
    i--;
  }
  return i;
}

/** The whitespace at the start of the line an offset sits on, when only whitespace precedes it there. */
export function lineIndent(text: string, offset: number): string | undefined {
  const start = indentStart(text, offset);
  return start === -1 ? undefined : text.slice(start, offset);
}

/** The document's line break (its first: LF, CRLF, or CR alone as in old Mac files), so added lines match the rest. */
export function newline(text: string): string {
  return /\r\n?|\n/.exec(text)?.[0] ?? '\n';
}

/** Where libvirt writes a child named `name` of `parent`, as a rank among its children (unknown names last). */
export function childRank(parent: XmlElement): (name: string) => number {
  const order = childOrder(parent.name, parent.parent?.name);
  return (name) => {
    const i = order?.indexOf(name) ?? -1;
    return i === -1 ? Number.MAX_SAFE_INTEGER - 1 : i;
  };
}
