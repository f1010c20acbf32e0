/**
 * The character classes of XML 1.0 (fifth edition) and Namespaces in XML 1.0, as libxml2 2.9 applies them
 * (parser.c `xmlIsNameStartChar`/`xmlIsNameChar` without XML_PARSE_OLD10, `IS_CHAR`; uri.c's RFC 3986 parser for
 * namespace names), so this parser refuses exactly what libvirt's parser refuses.
 */

/** Not an XML Char (§2.2 [2]): C0 controls other than tab, LF and CR, surrogates, U+FFFE and U+FFFF. */
export const INVALID_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Whether a code point is an XML Char. */
export function isXmlChar(c: number): boolean {
  return (
    c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff)
  );
}

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F' +
  '\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_REST = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;

/** A Name (§2.3 [5]), sticky: set lastIndex, then exec. */
// eslint-disable-next-line no-misleading-character-class -- the class lists code points one by one, as the XML grammar does (ZWNJ/ZWJ, combining marks)
export const NAME = new RegExp(`[${NAME_START}][${NAME_REST}]*`, 'uy');

/** libxml2 refuses longer names without XML_PARSE_HUGE (XML_MAX_NAME_LENGTH), which libvirt never sets. */
export const MAX_NAME_LENGTH = 50_000;

/** A code point written for messages: `U+001B`. */
export function codePointLabel(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Namespaces in XML §3: a QName is an NCName or NCName ':' NCName (a Name is already known). */
export function splitQName(name: string): { prefix: string; local: string } | null {
  const colon = name.indexOf(':');
  if (colon === -1) return { prefix: '', local: name };
  if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1) return null;
  return { prefix: name.slice(0, colon), local: name.slice(colon + 1) };
}

// RFC 3986 URI-reference, as libxml2's uri.c parses it: a port needs a digit, an IP literal is anything in [...].
const UNRESERVED = 'A-Za-z0-9\\-._~';
const SUB_DELIMS = "!$&'()*+,;=";
const PCT = '%[0-9A-Fa-f]{2}';
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`;
const SEGMENT = `${PCHAR}*`;
const SEGMENT_NZ = `${PCHAR}+`;
const SEGMENT_NZ_NC = `(?:[${UNRESERVED}${SUB_DELIMS}@]|${PCT})+`;
const QUERY = `(?:${PCHAR}|[/?])*`;
const AUTHORITY = `(?:(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*@)?(?:\\[[^\\]]*\\]|(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})*)(?::[0-9]+)?`;
const PATH_ABEMPTY = `(?:/${SEGMENT})*`;
const PATH_ABSOLUTE = `/(?:${SEGMENT_NZ}(?:/${SEGMENT})*)?`;
const TAIL = `(?:\\?${QUERY})?(?:#${QUERY})?`;
const ABSOLUTE_URI = `[A-Za-z][A-Za-z0-9+.-]*:(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${SEGMENT_NZ}(?:/${SEGMENT})*|)${TAIL}`;
const RELATIVE_REF = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${SEGMENT_NZ_NC}(?:/${SEGMENT})*|)${TAIL}`;
const URI_REFERENCE = new RegExp(`^(?:${ABSOLUTE_URI}|${RELATIVE_REF})$`);

/** Whether a namespace name is a URI reference libxml2 accepts (it reports any other as a namespace error). */
export function isUriReference(value: string): boolean {
  return URI_REFERENCE.test(value);
}

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
