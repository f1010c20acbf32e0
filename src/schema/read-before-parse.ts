/**
 * Whether xmllint may read a copy of a text before this program's parser has accepted it. A copy is the text
 * written as UTF-8. libxml2 opens something beyond that copy only through a document type declaration (its
 * external subset and entities); it finds one only where its reading of the bytes gives `<!DOCTYPE`, which it
 * matches case for case (parser.c, xmlParseDocument: CMP9). Its reading is the text itself when it decodes the copy
 * as UTF-8: nothing in the first four bytes points elsewhere (xmlDetectCharEncoding: only a NUL among them can, in
 * UTF-8 written from text; EBCDIC's and UTF-16's byte-order marks never occur there) and the XML declaration
 * names no other encoding (UTF-7, for one, spells `<` as `+ADw-`). When both hold and the text has no `<!DOCTYPE`,
 * libxml2 reads nothing but the copy, whatever else is wrong with it.
 */

/** `encoding` naming UTF-8, as the parser accepts it (xml-declaration.ts, checkDeclaredEncoding). */
const UTF8_DECLARED = /encoding\s*=\s*(["'])utf-?8\1/iy;

export function xmllintMayReadUnparsed(text: string): boolean {
  for (let i = 0; i < 4 && i < text.length; i++) if (text.charCodeAt(i) === 0) return false;
  // The declaration counts only at the very start (after a byte-order mark); anything like one before the first
  // "?>" is held to it, so no leading character or misplaced declaration can slip an encoding by.
  const end = text.indexOf('?>');
  const head = end === -1 ? text : text.slice(0, end);
  if (head.includes('<?xml')) {
    // Every mention of an encoding must name UTF-8; any other, however malformed, leaves the text to the parser.
    for (let at = head.indexOf('encoding'); at !== -1; at = head.indexOf('encoding', at + 1)) {
      UTF8_DECLARED.lastIndex = at;
      if (!UTF8_DECLARED.test(head)) return false;
    }
  }
  return !text.includes('<!DOCTYPE');
}
