/**
 * A small, fast, lossless XML parser for libvirt documents. No DOM library: a single scan that records the
 * offsets of every node and attribute. Documents with a DOCTYPE or entity declarations are refused before
 * anything is expanded, so a "billion laughs" file fails at its first `<!`.
 *
 * It refuses every document libxml2 2.9 (libvirt's parser, run as libvirt runs it: no XML_PARSE_HUGE) reports an
 * error for: characters outside XML's Char class, names outside the fifth edition's Name class, the XML
 * declaration's syntax and an encoding declaration that does not describe UTF-8 text, comments with "--", markup
 * or text outside the root, nesting deeper than libxml2's 257 levels, and namespace errors. The differential
 * test (parse-xml.differential.test.ts) holds it to that against xmllint over mutated corpus documents.
 */
import { codePointLabel, INVALID_CHAR, isXmlChar, MAX_NAME_LENGTH, NAME } from './xml-chars';
import { checkDeclaredEncoding, parseXmlDeclaration, startsXmlDeclaration } from './xml-declaration';
import { lineColumn, XmlInputError } from './xml-input-error';
import { checkNamespaces, ROOT_SCOPE, type NamespaceScope } from './xml-namespaces';
import { XmlElement, type XmlAttribute, type XmlDocument, type XmlNode } from './xml-tree';

/** libxml2 refuses an element with more open ancestors than this (xmlParserMaxDepth without XML_PARSE_HUGE). */
export const MAX_XML_DEPTH = 257;

/**
 * libxml2 refuses a text node, comment, CDATA section or processing instruction over 10,000,000 bytes
 * (XML_MAX_TEXT_LENGTH) and a start tag somewhat shorter (its input lookup limit, which depends on its buffering);
 * anything longer than this is refused here, a little before either.
 */
const MAX_TOKEN_BYTES = 9_990_000;

/**
 * A UTF-16 code unit is at most 3 bytes of UTF-8: a token of at most this many code units needs no count. Tested
 * before calling checkTokenLength for text and start tags, whose calls were a few percent of a parse on V8's
 * baseline tier, where every call costs.
 */
const UNCOUNTED_TOKEN = Math.floor(MAX_TOKEN_BYTES / 3);

/**
 * Refuses `text[start, end)` when it is longer than libxml2 reads in one piece. `what` names it, followed by
 * `<element>` when given (composed only on failure: this runs for every start tag).
 */
function checkTokenLength(s: Scanner, start: number, end: number, what: string, element?: string): void {
  if (end - start <= UNCOUNTED_TOKEN) return;
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const c = s.text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  if (bytes > MAX_TOKEN_BYTES)
    s.fail(
      `${element === undefined ? what : `${what} <${element}>`} longer than libxml2 reads in one piece (${bytes} bytes)`,
      start,
      'No libvirt domain has one; check where it came from.',
    );
}

/**
 * The end of the Name at `at` when it is all ASCII and followed by an ASCII character (or the end): exactly what
 * NAME matches there, since no other ASCII character is a name character. -1 when NAME must decide (a character
 * beyond ASCII, or no name start).
 */
function asciiNameEnd(text: string, at: number): number {
  const first = text.charCodeAt(at);
  const start = (first >= 97 && first <= 122) || (first >= 65 && first <= 90) || first === 95 || first === 58;
  if (!start) return -1;
  let i = at + 1;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const nameChar = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 95 || c === 45 || c === 46;
    if (!nameChar) return c < 0x80 ? i : -1;
  }
  return i;
}

/**
 * The offset after the white space (space, tab, newline, carriage return) at `at`. A loop rather than a sticky
 * regex: it runs a few times per attribute, and most often skips one space.
 */
function spaceEnd(text: string, at: number): number {
  for (let c = text.charCodeAt(at); c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d; c = text.charCodeAt(++at));
  return at;
}

/** Any character other than tab, line break and printable ASCII (where INVALID_CHAR must look). */
const BEYOND_PLAIN_ASCII = /[^\t\n\r\x20-\x7e]/;

/** Texts up to this long are shared between equal occurrences (Scanner.shared); V8 copies slices this short anyway. */
const SHARED_TEXT = 12;

/**
 * Documents at least this long share their short texts and read ASCII names with a loop. Both pay where a parse
 * runs long enough for V8 to optimise them and keeps enough nodes for garbage collection to matter (a 20,000-line
 * domain: 8.4 instead of 13.5 MB kept, 68 instead of 109 ms); on a small document, parsed once on V8's baseline
 * tier as the CLI does, they cost more than they save (the 366 corpus domains: 500 instead of 346 M instructions).
 */
export const FRUGAL_FROM_LENGTH = 200_000;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/y;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const FIX_SYNTAX = 'Fix the XML at that position (for example with `virsh edit` or an XML-aware editor) and try again.';
const NO_DTD =
  'libvirt domain XML never needs a DOCTYPE or entities; remove the <!DOCTYPE ...> block. Entity expansion is refused so a hostile file cannot exhaust memory.';

/**
 * What a parse keeps. 'lossless': every node, so that edits can splice the text and an unedited tree gives back its
 * bytes. 'facts': no text node that is only white space and lays out child elements (followed by a child's start
 * tag, or by the parent's end tag right after a child element): the indentation of a pretty-printed domain, four
 * of every five text nodes of the corpus, which nothing that reads facts or locates schema errors looks at. An
 * element's own text stays, blank or not (a `<cmdline> </cmdline>`), as does white space before a comment or a
 * processing instruction; offsets are the same, and a document is refused exactly as in 'lossless' mode. An
 * element with child elements may then lack white space in `text()`.
 */
export type XmlParseMode = 'lossless' | 'facts';

class Scanner {
  pos = 0;
  /** Offset of the last problem reported. */
  failedAt = -1;
  /** Offset just after the root element, once it is closed. */
  rootEnd = -1;
  /** Whether short texts are shared and ASCII names read by a loop (FRUGAL_FROM_LENGTH). */
  readonly frugal: boolean;
  /**
   * The attributes of the start tag being read: the first `attributeCount` (copied out exactly sized). Counted
   * rather than emptied by `length = 0`, which lets V8 drop the array's storage, grown again for every start tag
   * (1.6 of the 42 MB a check of the corpus allocates).
   */
  readonly attributes: XmlAttribute[] = [];
  attributeCount = 0;
  /** Whether an attribute of the start tag being read is `xmlns` or prefixed (plain attributes never are). */
  namespaced = false;
  constructor(
    readonly text: string,
    readonly file: string,
    readonly mode: XmlParseMode,
  ) {
    this.frugal = text.length >= FRUGAL_FROM_LENGTH;
  }

  fail(problem: string, at = this.pos, hint = FIX_SYNTAX): never {
    this.failedAt = at;
    const { line, column } = lineColumn(this.text, at);
    throw new XmlInputError(this.file, line, column, problem, hint);
  }

  skipSpace(): number {
    const from = this.pos;
    this.pos = spaceEnd(this.text, from);
    return this.pos - from;
  }

  name(what: string): string {
    const ascii = this.frugal ? asciiNameEnd(this.text, this.pos) : -1;
    if (ascii !== -1 && ascii - this.pos <= MAX_NAME_LENGTH) {
      const name = this.shared(this.pos, ascii);
      this.pos = ascii;
      return name;
    }
    // test(), not exec(): a match's array is garbage the name does not need.
    NAME.lastIndex = this.pos;
    if (!NAME.test(this.text)) this.fail(`expected ${what} but found ${this.describeHere()}`);
    const end = NAME.lastIndex;
    if (end - this.pos > MAX_NAME_LENGTH) this.fail(`a name longer than ${MAX_NAME_LENGTH} characters`);
    const name = this.text.slice(this.pos, end);
    this.pos = end;
    return name;
  }

  /**
   * `text[from, to)`, short: one string for the occurrences of the same text in this document (names,
   * indentation, values like 'virtio'). A big domain repeats a few dozen of them tens of thousands of times; each
   * slice of a short text is a copy the parsed tree would keep. A small table by length and a few characters
   * remembers the last one of each slot, found again by comparing characters, without a slice or a hash. Only
   * for a frugal parse: the callers test `frugal` themselves, since on the baseline tier the call alone cost a
   * small document's parse more than the slice (7 % of the corpus's parse).
   */
  shared(from: number, to: number): string {
    const text = this.text;
    const length = to - from;
    if (length === 0) return '';
    const slot = (length * 31 + text.charCodeAt(from) * 7 + text.charCodeAt(from + (length >> 1)) * 3 + text.charCodeAt(to - 1)) & 1023;
    const table = (this.#shared ??= new Array<string | undefined>(1024).fill(undefined));
    const known = table[slot];
    if (known !== undefined && known.length === length && text.startsWith(known, from)) return known;
    const s = text.slice(from, to);
    table[slot] = s;
    return s;
  }

  /** Made on first use: only a frugal parse shares, and a small document is parsed in less time than filling it takes. */
  #shared: (string | undefined)[] | undefined;

  expect(s: string, what: string): void {
    if (!this.text.startsWith(s, this.pos)) this.fail(`expected ${what} but found ${this.describeHere()}`);
    this.pos += s.length;
  }

  /** Moves to the end of `terminator` and returns the text before it. */
  until(terminator: string, what: string, from: number): string {
    const i = this.text.indexOf(terminator, this.pos);
    if (i === -1) this.fail(`${what} is never closed (missing "${terminator}")`, from);
    const body = this.text.slice(this.pos, i);
    this.pos = i + terminator.length;
    return body;
  }

  describeHere(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    const ch = this.text.slice(this.pos, this.pos + 12).split('\n')[0] ?? '';
    return `"${ch}"`;
  }

  /** Decodes character and predefined entity references; any other `&` is not well-formed. */
  decode(raw: string, offset: number): string {
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
    let out = '';
    let last = 0;
    while (amp !== -1) {
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(raw);
      if (!m) {
        const name = /^&([A-Za-z_][-\w.]*);/.exec(raw.slice(amp, amp + 64));
        this.fail(
          name ? `undefined entity "&${name[1]};"` : 'a bare "&" must be written as "&amp;"',
          offset + amp,
          name
            ? 'Only &amp; &lt; &gt; &quot; &apos; and numeric references like &#10; are allowed; write the character itself.'
            : FIX_SYNTAX,
        );
      }
      out += raw.slice(last, amp);
      if (m[3] !== undefined) out += PREDEFINED[m[3]];
      else {
        const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
        if (!isXmlChar(code)) this.fail(`character reference "${m[0]}" is not a legal XML character`, offset + amp);
        out += String.fromCodePoint(code);
      }
      last = REFERENCE.lastIndex;
      amp = raw.indexOf('&', last);
    }
    return out + raw.slice(last);
  }
}

/**
 * An attribute none of the checks below can refuse or change: spaces before it, an ASCII name (followed by
 * `=`, so it cannot go on with a non-ASCII name character) that is neither prefixed nor `xmlns` (so it has nothing
 * to do with namespaces), and a quoted value without `<`, `&`, tab, newline or carriage return — almost every
 * attribute of a libvirt domain. One native match instead of a dozen steps of the careful way, which any other
 * attribute takes (and which gives the same result for these, and notes one that is prefixed or `xmlns`).
 */
const PLAIN_ATTRIBUTE = /[ \t\r\n]+(?!xmlns[ \t\r\n]*=)[A-Za-z_][-\w.]*[ \t\r\n]*=[ \t\r\n]*(?:"[^"<&\t\n\r]*"|'[^'<&\t\n\r]*')/y;

/**
 * Reads a plain attribute (see PLAIN_ATTRIBUTE) at `s.pos` onto `s.attributes`; false when there is none to read so.
 * Matched with test(), not exec(): exec's array and its strings were a tenth of what a check of the corpus
 * allocates. The match's parts are found again from its known shape: the name starts after the spaces and ends
 * at the first `=` (less any spaces), the value starts after the first quote after it and ends before the last.
 */
function plainAttribute(s: Scanner): boolean {
  const text = s.text;
  const pos = s.pos;
  PLAIN_ATTRIBUTE.lastIndex = pos;
  if (!PLAIN_ATTRIBUTE.test(text)) return false;
  const end = PLAIN_ATTRIBUTE.lastIndex;
  // spaceEnd's loop, written out: the match starts with a space, and the call cost more than the loop.
  let start = pos + 1;
  for (let c = text.charCodeAt(start); c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d; c = text.charCodeAt(++start));
  const eq = text.indexOf('=', start);
  let nameEnd = eq;
  for (let c = text.charCodeAt(nameEnd - 1); c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d; c = text.charCodeAt(--nameEnd - 1));
  if (nameEnd - start > MAX_NAME_LENGTH) return false;
  const name = s.frugal ? s.shared(start, nameEnd) : text.slice(start, nameEnd);
  const attributes = s.attributes;
  const count = s.attributeCount;
  for (let i = 0; i < count; i++) if (attributes[i]!.name === name) return false;
  const valueEnd = end - 1;
  const quote = text[valueEnd] === '"' ? '"' : "'";
  const valueStart = text.indexOf(quote, eq + 1) + 1;
  const raw = s.frugal && valueEnd - valueStart <= SHARED_TEXT ? s.shared(valueStart, valueEnd) : text.slice(valueStart, valueEnd);
  attributes[count] = { name, value: raw, raw, quote, start, end, valueStart, valueEnd };
  s.attributeCount = count + 1;
  s.pos = end;
  return true;
}

/** The attributes of an element without any: one shared array, never written to (XmlElement.attributes is readonly). */
const NO_ATTRIBUTES: readonly XmlAttribute[] = [];

/**
 * The attributes of the start tag of `<elementName>`, as an array of exactly their number. Sets `s.namespaced` when
 * one declares or uses a namespace prefix.
 */
function parseAttributes(s: Scanner, elementName: string): readonly XmlAttribute[] {
  const text = s.text;
  const attributes = s.attributes;
  s.attributeCount = 0;
  s.namespaced = false;
  for (;;) {
    // Most start tags end right after their name or last attribute: nothing more to try to read.
    const next = text.charCodeAt(s.pos);
    if (next === GT || next === SLASH) return s.attributeCount === 0 ? NO_ATTRIBUTES : attributes.slice(0, s.attributeCount);
    if (plainAttribute(s)) continue;
    const spaced = s.skipSpace() > 0;
    const c = text[s.pos];
    if (c === '>' || c === '/' || c === undefined) return s.attributeCount === 0 ? NO_ATTRIBUTES : attributes.slice(0, s.attributeCount);
    if (!spaced) s.fail(`expected whitespace, ">" or "/>" in the start tag of <${elementName}> but found ${s.describeHere()}`);
    const start = s.pos;
    const name = s.name('an attribute name');
    if (name === 'xmlns' || name.indexOf(':') !== -1) s.namespaced = true;
    s.skipSpace();
    s.expect('=', `"=" after attribute ${name}`);
    s.skipSpace();
    const quote = text[s.pos];
    if (quote !== '"' && quote !== "'") s.fail(`the value of attribute ${name} must be quoted`);
    const valueStart = s.pos + 1;
    const valueEnd = text.indexOf(quote, valueStart);
    if (valueEnd === -1) s.fail(`the value of attribute ${name} is never closed (missing ${quote})`, start);
    const raw = s.frugal && valueEnd - valueStart <= SHARED_TEXT ? s.shared(valueStart, valueEnd) : text.slice(valueStart, valueEnd);
    const lt = raw.indexOf('<');
    if (lt !== -1) s.fail(`"<" is not allowed in the value of attribute ${name}; write "&lt;"`, valueStart + lt);
    for (let i = 0; i < s.attributeCount; i++)
      if (attributes[i]!.name === name) s.fail(`attribute ${name} appears twice on <${elementName}>`, start);
    const normalised = /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw;
    const value = s.decode(normalised, valueStart);
    s.pos = valueEnd + 1;
    const attr: XmlAttribute = { name, value, raw, quote, start, end: s.pos, valueStart, valueEnd };
    attributes[s.attributeCount++] = attr;
  }
}

const OUTSIDE_ROOT = 'Only comments, processing instructions and whitespace may surround the root element.';

function parseMarkupDeclaration(s: Scanner, nodes: XmlNode[], start: number, inContent: boolean): void {
  const text = s.text;
  if (text.startsWith('<!--', start)) {
    // The first "--" ends the comment and must be followed by ">" ("--->" too is refused, as libxml2 does).
    const dashes = text.indexOf('--', start + 4);
    if (dashes === -1) s.fail('a comment is never closed (missing "-->")', start);
    if (text[dashes + 2] !== '>') s.fail('"--" is not allowed inside a comment', dashes);
    s.pos = dashes + 3;
    nodes.push({ kind: 'comment', start, end: s.pos, value: text.slice(start + 4, dashes) });
    return;
  }
  if (text.startsWith('<!DOCTYPE', start) || text.startsWith('<!ENTITY', start)) {
    s.fail('a DOCTYPE or entity declaration is not accepted', start, NO_DTD);
  }
  if (!inContent) s.fail('markup other than comments and processing instructions outside the root element', start, OUTSIDE_ROOT);
  if (text.startsWith('<![CDATA[', start)) {
    s.pos = start + 9;
    const value = s.until(']]>', 'a CDATA section', start);
    nodes.push({ kind: 'cdata', start, end: s.pos, value });
    return;
  }
  s.fail(`unexpected markup declaration ${s.describeHere()}`, start);
}

function parseProcessingInstruction(s: Scanner, nodes: XmlNode[], start: number): void {
  s.pos = start + 2;
  const target = s.name('a processing instruction target');
  if (target === 'xml') s.fail('the XML declaration <?xml ...?> may only appear at the very start of the file', start);
  if (target.toLowerCase() === 'xml') s.fail(`"${target}" is reserved and cannot name a processing instruction`, start);
  if (target.includes(':')) s.fail(`a processing instruction target cannot contain ":" (${target})`, start);
  if (!s.text.startsWith('?>', s.pos) && s.skipSpace() === 0)
    s.fail(`expected a space or "?>" after the processing instruction target ${target}`);
  const data = s.until('?>', `the processing instruction <?${target}`, start);
  nodes.push({ kind: 'pi', start, end: s.pos, target, data });
}

/** The XML declaration at the start of the file (after a byte order mark), as a `pi` node. */
function parseDeclaration(s: Scanner, nodes: XmlNode[], start: number): void {
  const fail = (problem: string, at: number, hint?: string): never => s.fail(problem, at, hint);
  const decl = parseXmlDeclaration(s.text, start, fail);
  checkDeclaredEncoding(decl.encoding, s.text.slice(start), start, fail);
  s.pos = decl.end;
  const data = s.text.slice(start + 5, decl.end - 2).replace(/^[ \t\r\n]+/, '');
  nodes.push({ kind: 'pi', start, end: decl.end, target: 'xml', data });
}

/**
 * Parses `text` into a tree, lossless unless `mode` is 'facts' (see XmlParseMode). Throws `XmlInputError` (file,
 * line, column, problem, hint) for anything not well-formed, and for a DOCTYPE or entity declaration, before any
 * expansion.
 */
export function parseXml(text: string, fileName = '<input>', mode: XmlParseMode = 'lossless'): XmlDocument {
  const s = new Scanner(text, fileName, mode);
  // Tabs, line breaks and printable ASCII are all allowed: most documents are that, and this scan is quicker.
  const bad = BEYOND_PLAIN_ASCII.test(text) ? INVALID_CHAR.exec(text) : null;
  if (!bad) return parseDocument(s);
  // The first problem in the text is reported: a structural one before the bad character, else the character.
  try {
    parseDocument(s);
  } catch (e) {
    if (!(e instanceof XmlInputError) || s.failedAt < bad.index) throw e;
  }
  if (bad[0] === '\0' && s.rootEnd !== -1 && bad.index >= s.rootEnd) {
    // libxml2 takes a NUL there for the end of its input and ignores the rest; a file is refused for it here.
    return s.fail(
      'character U+0000 (NUL) after the root element',
      bad.index,
      'Remove it and anything after it: nothing may follow the root element but comments, processing instructions and whitespace.',
    );
  }
  return s.fail(
    `character ${codePointLabel(bad[0])} is not allowed in XML`,
    bad.index,
    'Remove the control character (an editor or a copy from a terminal may have added it); XML allows only tab, newline and carriage return below U+0020.',
  );
}

/**
 * Whether the text `text[start, end)` inside the open element only lays out child elements (XmlParseMode 'facts'):
 * white space, followed by a child's start tag, or by the element's end tag right after a child element. Not a text
 * too long for libxml2, which must still be refused. `pending` and `opened` are parseDocument's.
 */
function layoutSpace(s: Scanner, start: number, end: number, pending: readonly XmlNode[], opened: readonly number[]): boolean {
  const text = s.text;
  if (end === text.length || end - start > UNCOUNTED_TOKEN) return false;
  // What follows first (it decides most texts), then spaceEnd's loop written out (it runs for every text).
  const next = text.charCodeAt(end + 1);
  if (
    next === SLASH
      ? !(pending.length > opened[opened.length - 1]! && pending[pending.length - 1]!.kind === 'element')
      : next === BANG || next === QUESTION
  )
    return false;
  let at = start;
  for (let c = text.charCodeAt(at); c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d; c = text.charCodeAt(++at));
  return at === end;
}

function parseDocument(s: Scanner): XmlDocument {
  const text = s.text;
  const topNodes: XmlNode[] = [];
  let root: XmlElement | null = null;
  let current: XmlElement | null = null;
  // The nodes of the open elements, innermost last; each element's own start at `opened[depth - 1]`.
  const pending: XmlNode[] = [];
  const opened: number[] = [];
  let nodes: XmlNode[] = topNodes;
  let depth = 0;
  const scopes: NamespaceScope[] = [ROOT_SCOPE];
  const failNs = (problem: string, at: number, hint: string): never => s.fail(problem, at, hint);
  if (text.charCodeAt(0) === 0xfeff) s.pos = 1;
  if (startsXmlDeclaration(text, s.pos)) parseDeclaration(s, topNodes, s.pos);

  while (s.pos < text.length) {
    const lt = text.indexOf('<', s.pos);
    const textEnd = lt === -1 ? text.length : lt;
    const start = s.pos;
    if (s.mode === 'facts' && current !== null && textEnd > start && layoutSpace(s, start, textEnd, pending, opened)) {
      // Left out (XmlParseMode 'facts'): nothing in it can be refused, and nothing that reads facts looks at it.
    } else if (textEnd > start) {
      const raw = s.frugal && textEnd - start <= SHARED_TEXT ? s.shared(start, textEnd) : text.slice(start, textEnd);
      if (current === null) {
        const at = raw.search(/[^ \t\r\n]/);
        if (at !== -1) {
          s.fail(
            root ? 'text after the root element' : 'text before the root element',
            start + at,
            root ? 'Remove everything after the closing tag of the root element.' : FIX_SYNTAX,
          );
        }
        nodes.push({ kind: 'text', start, end: textEnd, value: raw });
      } else {
        if (textEnd - start > UNCOUNTED_TOKEN) checkTokenLength(s, start, textEnd, 'a text');
        const gt = raw.indexOf(']]>');
        if (gt !== -1) s.fail('"]]>" is not allowed in text; write "]]&gt;"', start + gt);
        // decode's own first test, made here: most texts (indentation) have no reference, and the call costs.
        nodes.push({ kind: 'text', start, end: textEnd, value: raw.indexOf('&') === -1 ? raw : s.decode(raw, start) });
      }
    }
    if (lt === -1) break;
    s.pos = lt;
    const next = text[lt + 1];
    if (next === '!') {
      parseMarkupDeclaration(s, nodes, lt, current !== null);
      checkTokenLength(s, lt, s.pos, 'a comment or CDATA section');
    } else if (next === '?') {
      parseProcessingInstruction(s, nodes, lt);
      checkTokenLength(s, lt, s.pos, 'a processing instruction');
    } else if (next === '/') {
      s.pos = lt + 2;
      // `</name>` closing the open element, as nearly every end tag is, needs no name scan: '>' ends any name.
      if (current !== null && text.startsWith(current.name, s.pos) && text.charCodeAt(s.pos + current.name.length) === GT) {
        s.pos += current.name.length + 1;
      } else {
        const name = s.name('an element name after "</"');
        if (current === null) s.fail(`closing tag </${name}> without a matching start tag`, lt);
        if (name !== current.name) {
          const { line } = lineColumn(text, current.start);
          s.fail(`closing tag </${name}> does not match <${current.name}> opened on line ${line}`, lt);
        }
        s.skipSpace();
        s.expect('>', `">" to end </${name}`);
      }
      current.endTagStart = lt;
      current.end = s.pos;
      const first = opened.pop()!;
      current.nodes = pending.slice(first);
      pending.length = first;
      if (current === root) s.rootEnd = s.pos;
      current = current.parent;
      nodes = current ? pending : topNodes;
      depth--;
      scopes.pop();
    } else {
      if (current === null && root !== null) s.fail('a second root element; a document has exactly one', lt, 'Put one domain per file.');
      if (depth >= MAX_XML_DEPTH)
        s.fail(
          `elements nested deeper than ${MAX_XML_DEPTH} levels`,
          lt,
          'libvirt (libxml2) refuses such documents too; no domain definition nests this deep.',
        );
      s.pos = lt + 1;
      const name = s.name('an element name after "<"');
      const el: XmlElement = new XmlElement(name, lt, current, parseAttributes(s, name));
      if (s.pos - lt > UNCOUNTED_TOKEN) checkTokenLength(s, lt, s.pos, 'the start tag of', el.name);
      // Only an element with a prefix, or an attribute read the careful way that declares or uses one, has
      // anything to check: most have not, and skipping the call is a few percent of a parse on the baseline tier.
      const parentScope = scopes[scopes.length - 1]!;
      const scope = s.namespaced || name.indexOf(':') !== -1 ? checkNamespaces(el, parentScope, failNs) : parentScope;
      nodes.push(el);
      if (root === null) root = el;
      if (text.startsWith('/>', s.pos)) {
        s.pos += 2;
        el.selfClosing = true;
        el.startTagEnd = el.endTagStart = el.end = s.pos;
        if (el === root) s.rootEnd = s.pos;
      } else {
        // Not expect(): its message would be composed for every element.
        if (text.charCodeAt(s.pos) !== GT) s.fail(`expected ">" to end the start tag of <${el.name}> but found ${s.describeHere()}`);
        s.pos++;
        el.startTagEnd = s.pos;
        current = el;
        opened.push(pending.length);
        nodes = pending;
        depth++;
        scopes.push(scope);
      }
    }
  }
  if (current !== null) s.fail(`<${current.name}> is never closed (missing </${current.name}>)`, current.start);
  if (root === null)
    s.fail('no root element: the file contains no XML element', text.length, 'Give a libvirt domain XML file (virsh dumpxml NAME).');
  return { text, fileName: s.file, nodes: topNodes, root, lossless: s.mode === 'lossless' };
}
