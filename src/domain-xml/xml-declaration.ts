/**
 * The XML declaration `<?xml version="1.0" encoding="..." standalone="..."?>`, parsed as libxml2 2.9 parses it
 * (parser.c `xmlParseXMLDecl`, `xmlParseVersionNum`, `xmlParseEncodingDecl`, `xmlParseSDDecl`), and the one
 * encoding rule this tool adds: the text is read as UTF-8, so a document may declare another encoding only when
 * that encoding reads its bytes the same way (an ASCII-compatible one, and the text is plain ASCII).
 */

/** What the declaration says. */
export interface XmlDeclaration {
  readonly version: string;
  readonly encoding: string | null;
  readonly standalone: 'yes' | 'no' | null;
  /** Offset just after `?>`. */
  readonly end: number;
}

/** Reports a problem at an offset; never returns. */
export type Fail = (problem: string, at: number, hint?: string) => never;

const BLANK = /[ \t\r\n]*/y;
const VERSION_NUM = /[0-9]\.[0-9]*/y;
const ENCODING_NAME = /[A-Za-z][A-Za-z0-9._-]*/y;
const DECLARATION_HINT = 'Write the declaration as <?xml version="1.0" encoding="UTF-8"?> (or remove it: libvirt does not need one).';

/** Encodings that read ASCII bytes as ASCII (each accepted by libxml2 here, checked with xmllint). */
const ASCII_COMPATIBLE = /^(?:us-ascii|ascii|iso-8859-(?:[1-9]|1[013-6])|iso-latin-1|latin1|windows-125[0-8])$/i;

function skipBlanks(text: string, at: number): number {
  BLANK.lastIndex = at;
  BLANK.test(text);
  return BLANK.lastIndex;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Whether the text at `at` is an XML declaration (libxml2: `<?xml` followed by a blank). */
export function startsXmlDeclaration(text: string, at: number): boolean {
  return text.startsWith('<?xml', at) && isBlank(text[at + 5]);
}

/** A quoted value after `keyword` S? '=' S?; returns the value and the offset after its closing quote. */
function quoted(text: string, at: number, keyword: string, value: RegExp, fail: Fail): { value: string; end: number } {
  let p = skipBlanks(text, at + keyword.length);
  if (text[p] !== '=') fail(`expected "=" after ${keyword} in the XML declaration`, p, DECLARATION_HINT);
  p = skipBlanks(text, p + 1);
  const quote = text[p];
  if (quote !== '"' && quote !== "'") fail(`the ${keyword} in the XML declaration must be quoted`, p, DECLARATION_HINT);
  value.lastIndex = p + 1;
  const m = value.exec(text);
  const end = value.lastIndex;
  if (!m || text[end] !== quote) fail(`the ${keyword} in the XML declaration is not a valid value`, p + 1, DECLARATION_HINT);
  return { value: m[0], end: end + 1 };
}

/** Parses the declaration starting at `start` (where `startsXmlDeclaration` holds). */
export function parseXmlDeclaration(text: string, start: number, fail: Fail): XmlDeclaration {
  let p = skipBlanks(text, start + 5);
  if (!text.startsWith('version', p)) fail('the XML declaration must begin with version="1.0"', p, DECLARATION_HINT);
  const version = quoted(text, p, 'version', VERSION_NUM, fail);
  // libxml2 warns about other 1.x versions and reads them as 1.0; anything else is fatal.
  if (!version.value.startsWith('1.')) fail(`XML version ${version.value} is not supported`, p, DECLARATION_HINT);
  p = version.end;
  let encoding: string | null = null;
  let standalone: 'yes' | 'no' | null = null;
  if (!text.startsWith('?>', p)) {
    if (!isBlank(text[p])) fail('expected a space or "?>" in the XML declaration', p, DECLARATION_HINT);
    p = skipBlanks(text, p);
    if (text.startsWith('encoding', p)) {
      const e = quoted(text, p, 'encoding', ENCODING_NAME, fail);
      encoding = e.value;
      p = e.end;
      if (!text.startsWith('?>', p) && !isBlank(text[p])) fail('expected a space or "?>" in the XML declaration', p, DECLARATION_HINT);
      p = skipBlanks(text, p);
    }
    if (text.startsWith('standalone', p)) {
      const s = quoted(text, p, 'standalone', /yes|no/y, fail);
      standalone = s.value as 'yes' | 'no';
      p = skipBlanks(text, s.end);
    }
    if (!text.startsWith('?>', p)) fail('the XML declaration is not closed where expected (missing "?>")', p, DECLARATION_HINT);
  }
  return { version: version.value, encoding, standalone, end: p + 2 };
}

/**
 * Refuses a declared encoding that would make libxml2 (and so libvirt) read other characters than this parser,
 * which reads the text as UTF-8. `body` is the text without a leading byte order mark.
 */
export function checkDeclaredEncoding(encoding: string | null, body: string, at: number, fail: Fail): void {
  if (encoding === null || /^utf-?8$/i.test(encoding)) return;
  const convert = `Convert the file to UTF-8 (for example \`iconv -f ${encoding} -t UTF-8\`) and declare encoding="UTF-8"; libvirt writes UTF-8.`;
  if (/^utf-?16$/i.test(encoding)) fail('the XML declaration says UTF-16, but the file is UTF-8', at, convert);
  if (!ASCII_COMPATIBLE.test(encoding))
    fail(`the XML declaration says encoding="${encoding}", which this tool cannot read as libvirt would`, at, convert);
  // eslint-disable-next-line no-control-regex -- the ASCII range itself
  const nonAscii = body.search(/[^\x00-\x7F]/);
  if (nonAscii !== -1) fail(`the XML declaration says encoding="${encoding}", but the text is not plain ASCII`, at, convert);
}
