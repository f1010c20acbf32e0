/**
 * A parse's elements in a few flat arrays, in document order: what it takes to name (by XPath) the element a
 * line-numbered message points at, once the tree itself is let go. The CLI's batch validation keeps one per
 * document until xmllint's verdicts come in, instead of parsing again every document with schema errors (a
 * hundred of the corpus's 366), which was most of what a corpus check did after its last document.
 */
import { xpathStep, type XmlDocument, type XmlElement } from './xml-tree';

export interface ElementIndex {
  /** The text that was parsed. */
  readonly text: string;
  readonly names: readonly string[];
  /** Offset of each element's `<`. */
  readonly starts: readonly number[];
  /** Offset just after each element's start tag. */
  readonly tagEnds: readonly number[];
  /** Position of each element's parent in these arrays; -1 for the root. */
  readonly parents: readonly number[];
}

/** The index of a parse: a walk of its elements, nothing copied but their names (which the parse shares). */
export function elementIndexOf(doc: XmlDocument): ElementIndex {
  const names: string[] = [];
  const starts: number[] = [];
  const tagEnds: number[] = [];
  const parents: number[] = [];
  // Iterative, so that a deeply nested document cannot overflow the stack: each element with its parent's position.
  const stack: XmlElement[] = [doc.root];
  const parentOf: number[] = [-1];
  for (let el = stack.pop(); el; el = stack.pop()) {
    const at = names.length;
    names.push(el.name);
    starts.push(el.start);
    tagEnds.push(el.startTagEnd);
    parents.push(parentOf.pop()!);
    const nodes = el.nodes;
    for (let k = nodes.length - 1; k >= 0; k--) {
      const node = nodes[k]!;
      if (node.kind === 'element') {
        stack.push(node);
        parentOf.push(at);
      }
    }
  }
  return { text: doc.text, names, starts, tagEnds, parents };
}

function isDescendant(index: ElementIndex, i: number, of: number): boolean {
  for (let p = index.parents[i]!; p !== -1; p = index.parents[p]!) if (p === of) return true;
  return false;
}

/**
 * The element named `name` whose start tag overlaps `text[from, to)`; -1 when none. When several do, the innermost
 * of nested ones, else the first (the elements' order in a walk that visits children last to first).
 */
export function elementOverlapping(index: ElementIndex, name: string, from: number, to: number): number {
  let best = -1;
  for (let i = 0; i < index.names.length; i++) {
    if (index.names[i] !== name || index.starts[i]! >= to || index.tagEnds[i]! <= from) continue;
    if (best === -1 || isDescendant(index, i, best)) best = i;
  }
  return best;
}

/** The absolute XPath of element `i`, as XmlElement.xpath writes it. */
export function indexedXpath(index: ElementIndex, i: number): string {
  const { names, parents } = index;
  const parent = parents[i]!;
  if (parent === -1) return `/${names[i]}`;
  let position = 0;
  let count = 0;
  for (let k = parent + 1; k < names.length; k++) {
    if (parents[k] !== parent || names[k] !== names[i]) continue;
    count++;
    if (k <= i) position++;
  }
  const grandparent = parents[parent]!;
  const device = names[parent] === 'devices' && grandparent !== -1 && parents[grandparent] === -1;
  const step = xpathStep(names[i]!, position, count, device);
  return `${indexedXpath(index, parent)}/${step}`;
}
