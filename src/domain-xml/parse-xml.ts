/**
 * A small, fast, lossless XML parser for libvirt documents. No DOM library: a single scan that records the
 * offsets of every node and attribute. Documents with a DOCTYPE or entity declarations are refused before
 * anything is expanded, so a "billion laughs" file fails at its first `<!`.
 */
import { lineColumn, XmlInputError } from './xml-input-error';
import { XmlElement, type XmlAttribute, type XmlDocument, type XmlNode } from './xml-tree';

const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_.:\u00B7\u00C0-\uFFFF]*/y;
const REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/y;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const FIX_SYNTAX = 'Fix the XML at that position (for example with `virsh edit` or an XML-aware editor) and try again.';
const NO_DTD =
  'libvirt domain XML never needs a DOCTYPE or entities; remove the <!DOCTYPE ...> block. Entity expansion is refused so a hostile file cannot exhaust memory.';

class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  fail(problem: string, at = this.pos, hint = FIX_SYNTAX): never {
    const { line, column } = lineColumn(this.text, at);
    throw new XmlInputError(this.file, line, column, problem, hint);
  }

  skipSpace(): number {
    const from = this.pos;
    let c = this.text.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) c = this.text.charCodeAt(++this.pos);
    return this.pos - from;
  }

  name(what: string): string {
    // ASCII names (all of libvirt's) are scanned by hand: a regex match per name is the parser's largest cost.
    const from = this.pos;
    const text = this.text;
    let c = text.charCodeAt(from);
    if (isAsciiNameStart(c)) {
      let end = from + 1;
      for (c = text.charCodeAt(end); isAsciiNameChar(c); c = text.charCodeAt(++end));
      if (c < 0x80 || Number.isNaN(c)) {
        this.pos = end;
        return text.slice(from, end);
      }
    }
    NAME.lastIndex = from;
    const m = NAME.exec(text);
    if (!m) this.fail(`expected ${what} but found ${this.describeHere()}`);
    this.pos = NAME.lastIndex;
    return m[0];
  }

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

/** A-Z a-z _ : (NAME's first character, ASCII part). */
function isAsciiNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

/** A-Z a-z 0-9 _ : - . (NAME's other characters, ASCII part). */
function isAsciiNameChar(c: number): boolean {
  return isAsciiNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff)
  );
}

function parseAttributes(s: Scanner, el: XmlElement): void {
  const text = s.text;
  for (;;) {
    const spaced = s.skipSpace() > 0;
    const c = text[s.pos];
    if (c === '>' || c === '/' || c === undefined) return;
    if (!spaced) s.fail(`expected whitespace, ">" or "/>" in the start tag of <${el.name}> but found ${s.describeHere()}`);
    const start = s.pos;
    const name = s.name('an attribute name');
    s.skipSpace();
    s.expect('=', `"=" after attribute ${name}`);
    s.skipSpace();
    const quote = text[s.pos];
    if (quote !== '"' && quote !== "'") s.fail(`the value of attribute ${name} must be quoted`);
    const valueStart = s.pos + 1;
    const valueEnd = text.indexOf(quote, valueStart);
    if (valueEnd === -1) s.fail(`the value of attribute ${name} is never closed (missing ${quote})`, start);
    const raw = text.slice(valueStart, valueEnd);
    const lt = raw.indexOf('<');
    if (lt !== -1) s.fail(`"<" is not allowed in the value of attribute ${name}; write "&lt;"`, valueStart + lt);
    if (el.attributes.some((a) => a.name === name)) s.fail(`attribute ${name} appears twice on <${el.name}>`, start);
    const normalised = /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw;
    const value = s.decode(normalised, valueStart);
    s.pos = valueEnd + 1;
    const attr: XmlAttribute = { name, value, raw, quote, start, end: s.pos, valueStart, valueEnd };
    el.attributes.push(attr);
  }
}

function parseMarkupDeclaration(s: Scanner, nodes: XmlNode[], start: number): void {
  const text = s.text;
  if (text.startsWith('<!--', start)) {
    s.pos = start + 4;
    const value = s.until('-->', 'a comment', start);
    if (value.includes('--')) s.fail('"--" is not allowed inside a comment', start);
    nodes.push({ kind: 'comment', start, end: s.pos, value });
    return;
  }
  if (text.startsWith('<![CDATA[', start)) {
    s.pos = start + 9;
    const value = s.until(']]>', 'a CDATA section', start);
    nodes.push({ kind: 'cdata', start, end: s.pos, value });
    return;
  }
  if (text.startsWith('<!DOCTYPE', start) || text.startsWith('<!ENTITY', start)) {
    s.fail('a DOCTYPE or entity declaration is not accepted', start, NO_DTD);
  }
  s.fail(`unexpected markup declaration ${s.describeHere()}`, start);
}

function parseProcessingInstruction(s: Scanner, nodes: XmlNode[], start: number): void {
  s.pos = start + 2;
  const target = s.name('a processing instruction target');
  const atFileStart = start === 0 || (start === 1 && s.text.charCodeAt(0) === 0xfeff);
  if (target.toLowerCase() === 'xml' && (!atFileStart || target !== 'xml')) {
    s.fail('the XML declaration <?xml ...?> may only appear at the very start of the file', start);
  }
  const data = s.until('?>', `the processing instruction <?${target}`, start).replace(/^[ \t\r\n]+/, '');
  nodes.push({ kind: 'pi', start, end: s.pos, target, data });
}

/**
 * Parses `text` into a lossless tree. Throws `XmlInputError` (file, line, column, problem, hint) for anything
 * not well-formed, and for a DOCTYPE or entity declaration, before any expansion.
 */
export function parseXml(text: string, fileName = '<input>'): XmlDocument {
  const s: Scanner = new Scanner(text, fileName);
  const topNodes: XmlNode[] = [];
  let root: XmlElement | null = null;
  let current: XmlElement | null = null;
  let nodes: XmlNode[] = topNodes;
  if (text.charCodeAt(0) === 0xfeff) s.pos = 1;

  while (s.pos < text.length) {
    const lt = text.indexOf('<', s.pos);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > s.pos) {
      const raw = text.slice(s.pos, textEnd);
      if (current === null) {
        if (/[^ \t\r\n\ufeff]/.test(raw)) {
          const at = s.pos + raw.search(/[^ \t\r\n\ufeff]/);
          s.fail(
            root ? 'text after the root element' : 'text before the root element',
            at,
            root ? 'Remove everything after the closing tag of the root element.' : FIX_SYNTAX,
          );
        }
        nodes.push({ kind: 'text', start: s.pos, end: textEnd, value: raw });
      } else {
        const gt = raw.indexOf(']]>');
        if (gt !== -1) s.fail('"]]>" is not allowed in text; write "]]&gt;"', s.pos + gt);
        nodes.push({ kind: 'text', start: s.pos, end: textEnd, value: s.decode(raw, s.pos) });
      }
    }
    if (lt === -1) break;
    s.pos = lt;
    const next = text[lt + 1];
    if (next === '!') {
      parseMarkupDeclaration(s, nodes, lt);
    } else if (next === '?') {
      parseProcessingInstruction(s, nodes, lt);
    } else if (next === '/') {
      s.pos = lt + 2;
      const name = s.name('an element name after "</"');
      if (current === null) s.fail(`closing tag </${name}> without a matching start tag`, lt);
      if (name !== current.name) {
        const { line } = lineColumn(text, current.start);
        s.fail(`closing tag </${name}> does not match <${current.name}> opened on line ${line}`, lt);
      }
      s.skipSpace();
      s.expect('>', `">" to end </${name}`);
      current.endTagStart = lt;
      current.end = s.pos;
      current = current.parent;
      nodes = current ? current.nodes : topNodes;
    } else {
      if (current === null && root !== null) s.fail('a second root element; a document has exactly one', lt, 'Put one domain per file.');
      s.pos = lt + 1;
      const el: XmlElement = new XmlElement(s.name('an element name after "<"'), lt, current);
      parseAttributes(s, el);
      nodes.push(el);
      if (root === null) root = el;
      if (text.startsWith('/>', s.pos)) {
        s.pos += 2;
        el.selfClosing = true;
        el.startTagEnd = el.endTagStart = el.end = s.pos;
      } else {
        s.expect('>', `">" to end the start tag of <${el.name}>`);
        el.startTagEnd = s.pos;
        current = el;
        nodes = el.nodes;
      }
    }
  }
  if (current !== null) s.fail(`<${current.name}> is never closed (missing </${current.name}>)`, current.start);
  if (root === null)
    s.fail('no root element: the file contains no XML element', text.length, 'Give a libvirt domain XML file (virsh dumpxml NAME).');
  return { text, fileName, nodes: topNodes, root };
}
