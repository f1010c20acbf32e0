/**
 * The lossless XML tree: every node records where it sits in the original text, so edits can be minimal
 * splices and an unedited document serialises to the identical bytes.
 */

/** One attribute as written: decoded value plus the offsets of its name, quotes and raw value. */
export interface XmlAttribute {
  /** Qualified name as written (`xmlns:libosinfo`, `iommu`). */
  readonly name: string;
  /** Value after attribute-value normalisation and entity decoding. */
  readonly value: string;
  /** Value exactly as written between the quotes. */
  readonly raw: string;
  readonly quote: '"' | "'";
  /** Offset of the first character of the name. */
  readonly start: number;
  /** Offset just after the closing quote. */
  readonly end: number;
  /** Offset just after the opening quote. */
  readonly valueStart: number;
  /** Offset of the closing quote. */
  readonly valueEnd: number;
}

/** Character data; `value` is decoded. */
export interface XmlText {
  readonly kind: 'text';
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/** `<![CDATA[...]]>`; `value` is the content. */
export interface XmlCData {
  readonly kind: 'cdata';
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/** `<!-- ... -->`; `value` is the content. */
export interface XmlComment {
  readonly kind: 'comment';
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/** `<?target data?>`, including the XML declaration (target `xml`). */
export interface XmlProcessingInstruction {
  readonly kind: 'pi';
  readonly start: number;
  readonly end: number;
  readonly target: string;
  readonly data: string;
}

export type XmlNode = XmlElement | XmlText | XmlCData | XmlComment | XmlProcessingInstruction;

/** Steps of a parsed path: element name plus 1-based index among same-named siblings (1 when omitted). */
export interface PathStep {
  readonly name: string;
  readonly index: number;
}

/** Parses `a/b[2]/c` (relative) or `/domain/devices/disk[2]` (absolute); null when malformed. */
export function parsePathSteps(path: string): PathStep[] | null {
  const steps: PathStep[] = [];
  for (const part of path.replace(/^\//, '').split('/')) {
    const m = /^([^[\]/\s]+)(?:\[(\d+)\])?$/.exec(part);
    if (!m?.[1]) return null;
    const index = m[2] === undefined ? 1 : Number(m[2]);
    if (index < 1) return null;
    steps.push({ name: m[1], index });
  }
  return steps;
}

/**
 * The children of an element without any: one shared array, never written to (`nodes` is readonly), instead of one
 * per element (a parse makes thousands of elements; the parser gives each element with content its own array).
 * Not frozen: a frozen array would give the loops over children a second array shape to handle.
 */
const NO_NODES: readonly XmlNode[] = [];

/**
 * One element with its attributes, child nodes and source offsets.
 *
 * Its fields are declared (`declare`: no code of their own) and set in the constructor, and the sibling numbers
 * and XPath cache are TypeScript-private rather than `#private`: field initialisers, parameter properties and `#`
 * fields make V8 call a separate initialiser that defines each field before the constructor sets it, for every
 * element a parse makes, and a one-shot CLI run pays for every call on V8's baseline tier.
 */
export class XmlElement {
  declare readonly kind: 'element';
  /** Qualified name as written, e.g. `libosinfo:os`. */
  declare readonly name: string;
  /** Offset of the `<` of the start tag. */
  declare readonly start: number;
  declare readonly parent: XmlElement | null;
  declare readonly attributes: readonly XmlAttribute[];
  /**
   * Child nodes in order. The parser sets them once, when the element closes, as an array of exactly their
   * number: grown one push at a time each element's array held room for 16 or more, a third of a big parse.
   */
  declare nodes: readonly XmlNode[];
  /** Offset just after the start tag's `>` (for a self-closing tag, equal to `end`). */
  declare startTagEnd: number;
  /** Offset of `</` of the end tag; equal to `end` for a self-closing element. */
  declare endTagStart: number;
  /** Offset just after the element (after `/>` or the end tag's `>`). */
  declare end: number;
  declare selfClosing: boolean;
  /** Set for every child of a parent at once, the first time one of them is asked (see numberSiblings). */
  declare private sameNameIndex: number;
  declare private sameNameCount: number;
  declare private cachedXpath: string | undefined;

  constructor(name: string, start: number, parent: XmlElement | null, attributes: readonly XmlAttribute[]) {
    this.kind = 'element';
    this.name = name;
    this.start = start;
    this.parent = parent;
    this.attributes = attributes;
    this.nodes = NO_NODES;
    this.startTagEnd = 0;
    this.endTagStart = 0;
    this.end = 0;
    this.selfClosing = false;
    this.sameNameIndex = 0;
    this.sameNameCount = 0;
    this.cachedXpath = undefined;
  }

  /** The name without its namespace prefix. */
  get localName(): string {
    const colon = this.name.indexOf(':');
    return colon === -1 ? this.name : this.name.slice(colon + 1);
  }

  // children, child and attr are what every fact is read through: indexed loops, since a one-shot CLI run stays
  // on V8's baseline tier, where for-of over an array costs an iterator per call (4% of a corpus check).

  /** Child elements, optionally only those with the given qualified name. */
  children(name?: string): XmlElement[] {
    const out: XmlElement[] = [];
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.kind === 'element' && (name === undefined || node.name === name)) out.push(node);
    }
    return out;
  }

  /** The first child element with that name. */
  child(name: string): XmlElement | undefined {
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.kind === 'element' && node.name === name) return node;
    }
    return undefined;
  }

  /** The decoded value of an attribute, undefined when absent. */
  attr(name: string): string | undefined {
    const attributes = this.attributes;
    for (let i = 0; i < attributes.length; i++) if (attributes[i]!.name === name) return attributes[i]!.value;
    return undefined;
  }

  /** The attribute record (offsets, quote), undefined when absent. */
  attribute(name: string): XmlAttribute | undefined {
    const attributes = this.attributes;
    for (let i = 0; i < attributes.length; i++) if (attributes[i]!.name === name) return attributes[i];
    return undefined;
  }

  /** Text content of this element and its descendants (text and CDATA), decoded. */
  text(): string {
    // Iterative so that a hostile, deeply nested document cannot overflow the stack.
    let out = '';
    const stack: XmlNode[] = [...this.nodes].reverse();
    for (let node = stack.pop(); node; node = stack.pop()) {
      if (node.kind === 'text' || node.kind === 'cdata') out += node.value;
      else if (node.kind === 'element') for (let i = node.nodes.length - 1; i >= 0; i--) stack.push(node.nodes[i]!);
    }
    return out;
  }

  /** The first descendant reached by a relative path such as `os/type` or `devices/disk[2]/driver`. */
  find(path: string): XmlElement | undefined {
    const steps = parsePathSteps(path);
    if (!steps) return undefined;
    return descend(this, steps);
  }

  /** All elements reached by a relative path, the last step without an index matching every sibling. */
  findAll(path: string): XmlElement[] {
    const slash = path.lastIndexOf('/');
    const parent = slash === -1 ? this : this.find(path.slice(0, slash));
    return parent ? parent.children(slash === -1 ? path : path.slice(slash + 1)) : [];
  }

  /**
   * Numbers the children of this element's parent by name in one pass, so asking the position of every
   * device of a domain (each finding's xpath) is linear, not quadratic, in their number. The tree is complete
   * by then: the parser never asks.
   */
  private numberSiblings(parent: XmlElement): void {
    // Indexed loops, as in children(): for-of's iterator results were 1.4 of the 42 MB a check of the corpus allocates.
    const nodes = parent.nodes;
    const seen = new Map<string, number>();
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.kind !== 'element') continue;
      const n = (seen.get(node.name) ?? 0) + 1;
      seen.set(node.name, n);
      node.sameNameIndex = n;
    }
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.kind === 'element') node.sameNameCount = seen.get(node.name)!;
    }
  }

  /** 1-based position among siblings with the same name. */
  get indexAmongSameName(): number {
    if (!this.parent) return 1;
    if (this.sameNameIndex === 0) this.numberSiblings(this.parent);
    return this.sameNameIndex;
  }

  /**
   * Absolute XPath with 1-based indexes, e.g. `/domain/devices/disk[2]/driver`. Devices (children of
   * `/domain/devices`) always carry their index so findings name them stably; other steps carry one only
   * when siblings share the name. `resolvePath` reads an omitted index as 1, so both spellings resolve.
   * Computed once per element (the document never changes once parsed).
   */
  get xpath(): string {
    if (this.cachedXpath !== undefined) return this.cachedXpath;
    if (!this.parent) return (this.cachedXpath = `/${this.name}`);
    const index = this.indexAmongSameName;
    const device = this.parent.name === 'devices' && this.parent.parent?.parent === null;
    const step = xpathStep(this.name, index, this.sameNameCount, device);
    return (this.cachedXpath = `${this.parent.xpath}/${step}`);
  }
}

/**
 * One step of an element's XPath: its name, with its position among the `count` siblings of that name when there
 * are several, and always for a device (a child of the root's <devices>), so findings name devices stably.
 */
export function xpathStep(name: string, position: number, count: number, device: boolean): string {
  return device || count > 1 ? `${name}[${position}]` : name;
}

/** A parsed document: the original text plus the tree over it. */
export interface XmlDocument {
  readonly text: string;
  readonly fileName: string;
  /** Top-level nodes: XML declaration, comments, PIs, whitespace and the root element, in order. */
  readonly nodes: readonly XmlNode[];
  readonly root: XmlElement;
  /**
   * Whether the tree holds every node of the text (parseXml's 'lossless' mode), as edits need; false for a tree
   * read in 'facts' mode, without the white space that only lays out child elements.
   */
  readonly lossless: boolean;
}

/** The element at an absolute path (`/domain/devices/disk[2]`), undefined when absent. */
export function resolvePath(doc: XmlDocument, path: string): XmlElement | undefined {
  const steps = parsePathSteps(path);
  const first = steps?.[0];
  if (!steps || !first || first.name !== doc.root.name || first.index !== 1) return undefined;
  return descend(doc.root, steps.slice(1));
}

function descend(from: XmlElement, steps: readonly PathStep[]): XmlElement | undefined {
  let el: XmlElement | undefined = from;
  for (const step of steps) {
    let n = 0;
    let next: XmlElement | undefined;
    for (const node of el.nodes) {
      if (node.kind === 'element' && node.name === step.name && ++n === step.index) {
        next = node;
        break;
      }
    }
    if (!next) return undefined;
    el = next;
  }
  return el;
}
