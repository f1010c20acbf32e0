/**
 * "Every byte outside the edited elements is kept", checked structurally: the document after `applyEdits` is
 * compared with the one before, element by element. What an edit may change: the attributes it names on its
 * target (or the target itself, when removing its last attribute leaves it empty and it goes); the children of an element that gains (add-element, or set-attribute on a missing element) or loses
 * (remove-element) one, where whitespace between children may change too; nothing else. Everything else
 * (prolog, epilog, attribute spelling and quotes, comments, text, untouched elements) must be the same text.
 */
import type { Edit } from '../src/contracts/findings';
import { resolvePath, type XmlDocument, type XmlElement, type XmlNode } from '../src/domain-xml';

interface Allowance {
  readonly attributes: Set<string>;
  childrenChange: boolean;
  removed: boolean;
  replaced: boolean;
}

function allowances(before: XmlDocument, edits: readonly Edit[]): Map<XmlElement, Allowance> {
  const out = new Map<XmlElement, Allowance>();
  const of = (el: XmlElement): Allowance => {
    let a = out.get(el);
    if (!a) out.set(el, (a = { attributes: new Set(), childrenChange: false, removed: false, replaced: false }));
    return a;
  };
  /** The deepest existing element on `path`; its children change when the rest of the path is created. */
  const existing = (path: string): { el: XmlElement; complete: boolean } | null => {
    const steps = path.split('/').filter(Boolean);
    for (let n = steps.length; n >= 1; n--) {
      const el = resolvePath(before, `/${steps.slice(0, n).join('/')}`);
      if (el) return { el, complete: n === steps.length };
    }
    return null;
  };
  for (const e of edits) {
    if (e.op === 'remove-attribute' && prunes(resolvePath(before, e.target), e.name)) {
      // The element is left empty and goes, with ancestors it leaves empty (apply-edits.ts, as virt-install does).
      let gone = resolvePath(before, e.target)!;
      while (gone.parent?.parent && gone.parent.attributes.length === 0 && gone.parent.nodes.every((n) => n === gone || isBlankNode(n)))
        gone = gone.parent;
      of(gone).removed = true;
      if (gone.parent) of(gone.parent).childrenChange = true;
    } else if (e.op === 'set-attribute' || e.op === 'remove-attribute') {
      const found = existing(e.target);
      if (!found) continue;
      if (found.complete) of(found.el).attributes.add(e.name);
      else of(found.el).childrenChange = true;
    } else if (e.op === 'remove-element') {
      const el = resolvePath(before, e.target);
      if (!el) continue;
      of(el).removed = true;
      if (el.parent) of(el.parent).childrenChange = true;
    } else if (e.op === 'set-text') {
      const found = existing(e.target);
      if (found) of(found.el).childrenChange = true;
    } else {
      const found = existing(e.parent);
      if (!found) continue;
      of(found.el).childrenChange = true;
      const name = /^\s*<([^\s/>]+)/.exec(e.xml)?.[1];
      if (found.complete && e.replace && name) for (const c of found.el.children(name)) of(c).replaced = true;
    }
  }
  return out;
}

/** Whether removing `name` leaves `el` with no attribute and no content (it is then removed). */
function prunes(el: XmlElement | undefined, name: string): boolean {
  return el !== undefined && el.parent !== null && el.nodes.length === 0 && el.attributes.length === 1 && el.attributes[0]!.name === name;
}

const isBlankNode = (n: XmlNode): boolean => n.kind === 'text' && /^[ \t\r\n]*$/.test(n.value);

const raw = (doc: XmlDocument, n: XmlNode): string => doc.text.slice(n.start, n.end);
const isBlankText = (n: XmlNode, doc: XmlDocument): boolean => n.kind === 'text' && /^[ \t\r\n]*$/.test(raw(doc, n));

function compare(
  b: XmlElement,
  a: XmlElement,
  before: XmlDocument,
  after: XmlDocument,
  allowed: Map<XmlElement, Allowance>,
  out: string[],
): void {
  const allow = allowed.get(b);
  const where = b.xpath;
  if (a.name !== b.name) {
    out.push(`${where}: became <${a.name}>`);
    return;
  }
  const attrs = (el: XmlElement) =>
    el.attributes.filter((x) => !allow?.attributes.has(x.name)).map((x) => `${x.name}=${x.quote}${x.raw}${x.quote}`);
  if (attrs(a).join(' ') !== attrs(b).join(' ')) out.push(`${where}: attributes ${attrs(b).join(' ')} became ${attrs(a).join(' ')}`);
  if (!allow?.childrenChange) {
    if (a.nodes.length !== b.nodes.length) {
      out.push(`${where}: ${b.nodes.length} child nodes became ${a.nodes.length}`);
      return;
    }
    b.nodes.forEach((bn, i) => {
      const an = a.nodes[i]!;
      if (bn.kind === 'element' && an.kind === 'element') compare(bn, an, before, after, allowed, out);
      else if (bn.kind !== an.kind || raw(before, bn) !== raw(after, an)) out.push(`${where}: ${JSON.stringify(raw(before, bn))} changed`);
    });
    return;
  }
  // Children may be added and removed; what stays keeps its order and text (text keeps all but the whitespace at
  // its ends, where the new child's line break and indentation go).
  const same = (bn: XmlNode, an: XmlNode): boolean =>
    bn.kind === an.kind && (bn.kind === 'text' ? raw(before, bn).trim() === raw(after, an).trim() : raw(before, bn) === raw(after, an));
  const kept = b.nodes.filter(
    (n) => !isBlankText(n, before) && !(n.kind === 'element' && (allowed.get(n)?.removed || allowed.get(n)?.replaced)),
  );
  const now = a.nodes.filter((n) => !isBlankText(n, after));
  let j = 0;
  for (const bn of kept) {
    // Elements that are new in `a` are skipped over; every other node must come next, in order.
    while (j < now.length && now[j]!.kind === 'element' && (bn.kind !== 'element' || (now[j] as XmlElement).name !== bn.name)) j++;
    const an = now[j++];
    if (!an) {
      out.push(`${where}: ${JSON.stringify(raw(before, bn).slice(0, 60))} is gone`);
      return;
    }
    if (bn.kind === 'element' && an.kind === 'element') compare(bn, an, before, after, allowed, out);
    else if (!same(bn, an))
      out.push(`${where}: ${JSON.stringify(raw(before, bn).slice(0, 60))} became ${JSON.stringify(raw(after, an).slice(0, 60))}`);
  }
  for (; j < now.length; j++) if (now[j]!.kind !== 'element') out.push(`${where}: new ${JSON.stringify(raw(after, now[j]!).slice(0, 60))}`);
}

/** What changed outside what `edits` may change, in words; empty when the edits stayed in their elements. */
export function changesOutsideEdits(before: XmlDocument, after: XmlDocument, edits: readonly Edit[]): string[] {
  const out: string[] = [];
  if (before.text.slice(0, before.root.start) !== after.text.slice(0, after.root.start)) out.push('the text before the root changed');
  if (before.text.slice(before.root.end) !== after.text.slice(after.root.end)) out.push('the text after the root changed');
  compare(before.root, after.root, before, after, allowances(before, edits), out);
  return out;
}
