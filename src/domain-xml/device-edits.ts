/**
 * A device's set-attribute edits written straight into the loaded text, without a parse per edit: the common
 * shape of a plan (an attribute on the device or on a child, the child created when missing, like
 * `<driver iommu='on'/>`). It writes the bytes applyEdits' one-by-one path writes (the same layout rules,
 * edit-layout.ts) and declines (null) any shape where that is not plain, which then takes the one-by-one path:
 * another operation, a path through an element it creates, a missing element deeper than one level, the same
 * attribute set twice, a parent written as `<x/>` or without an indented child to take the indentation from.
 */
import type { Edit } from '../contracts/findings';
import { childRank, dominantQuote, escapeAttribute, lineIndent } from './edit-layout';
import { elementShell, type ElementSource } from './reading-tree';
import { parsePathSteps, XmlElement, type PathStep, type XmlAttribute, type XmlNode } from './xml-tree';

/** A child element an edit creates, `<name a='v'/>`, written at `at` after a sibling or before the first child. */
interface Created {
  readonly kind: 'created';
  readonly name: string;
  readonly attributes: { readonly name: string; value: string }[];
  readonly at: number;
  readonly indent: string;
  /** Written before the parent's first child (a line break follows it), not after a sibling (one precedes it). */
  readonly leading: boolean;
}

/** A parent's child as the edits leave it: a parsed one, or one created (their lists are in document order). */
type Child = XmlElement | Created;

/**
 * The text of `device` (an element of the parse of `text`, the document applyEdits edits) with `edits` applied,
 * each edit's target starting with `anchor` (the device's path), as pieces to join: slices of `text` and what is
 * written, so that joining a whole document's devices copies each byte once. Null when the edits are not of the
 * plain shape. `device` must start a line of its own (so its layout is the one applyEdits' small per-device
 * document has).
 */
export function editDeviceInPlace(
  text: string,
  device: XmlElement,
  anchor: string,
  edits: readonly Edit[],
  docQuote: '"' | "'",
  nl: string,
): EditedDevice | null {
  const editor = new DeviceEditor(text, docQuote, device, nl);
  for (const edit of edits) if (!editor.apply(anchor, edit)) return null;
  return { pieces: editor.write(), reading: editor };
}

/** A device edited in place: its text, and its element as a parse of that text reads (offsets aside). */
export interface EditedDevice {
  /** The device's text with the edits applied, as pieces to join. */
  readonly pieces: string[];
  /** The edited device for a reading tree (reading-tree.ts): names, attributes, texts and paths. */
  readonly reading: ElementSource;
}

/** What the edits did to one parsed element of the device. */
interface Touched {
  readonly el: XmlElement;
  /** Its children as the edits leave them, once an edit looked at them. */
  list: Child[] | undefined;
  /** Its attributes as the edits leave them, once an edit wrote to one. */
  attributes: XmlAttribute[] | undefined;
  /** The names of the attributes an edit set. */
  written: string[] | undefined;
  /** The element touched next, and the next whose children an edit looked at. */
  next: Touched | undefined;
  nextListed: Touched | undefined;
  /** An edit wrote to it or created a child in it, or in one of its descendants. */
  changed: boolean;
}

/**
 * The edits of one device so far: attribute writes on parsed elements, and the children lists it changed. What
 * they did to each element is kept in a list, not in maps and sets: a device has a few elements, and a big plan
 * edits thousands of devices, each with its own editor.
 */
class DeviceEditor implements ElementSource {
  // Chains and arrays made at their first entry: an empty array grows to 17 slots at its first push, and a device
  // has a few of each.
  #writes: { start: number; end: number; text: string; order: number }[] | undefined;
  /** The elements the edits touched, in the order they were first touched. */
  #touched: Touched | undefined;
  #lastTouched: Touched | undefined;
  /** The elements whose children an edit looked at, in that order. */
  #listed: Touched | undefined;
  #lastListed: Touched | undefined;

  constructor(
    readonly text: string,
    readonly docQuote: '"' | "'",
    readonly device: XmlElement,
    readonly nl: string,
  ) {}

  /** Applies one edit; false when it is not of the plain shape. */
  apply(anchor: string, edit: Edit): boolean {
    const device = this.device;
    if (edit.op !== 'set-attribute' || !edit.target.startsWith(anchor)) return false;
    const steps = stepsAfter(edit.target, anchor.length);
    if (!steps) return false;
    let el = device;
    let created: Created | undefined;
    // Indexed loops, no closures: this runs for every edit of a big plan (and tsx wraps each closure it makes).
    for (let k = 0; k < steps.length; k++) {
      const step = steps[k]!;
      if (created) return false;
      const list = this.#childrenOf(el);
      let same = 0;
      let found: Child | undefined;
      for (let i = 0; i < list.length && !found; i++) if (list[i]!.name === step.name && ++same === step.index) found = list[i];
      if (found?.kind === 'element') el = found;
      else if (found) created = found;
      else if (k === steps.length - 1 && step.index === same + 1) created = this.#create(el, step.name);
      if (!found && !created) return false;
    }
    if (created) {
      const existing = created.attributes.find((a) => a.name === edit.name);
      if (existing) existing.value = edit.value;
      else created.attributes.push({ name: edit.name, value: edit.value });
      return true;
    }
    const touched = this.#touch(el);
    if (touched.written?.includes(edit.name)) return false;
    if (touched.written) touched.written.push(edit.name);
    else touched.written = [edit.name];
    const existing = el.attribute(edit.name);
    if (existing) {
      if (existing.value !== edit.value) {
        const raw = escapeAttribute(edit.value, existing.quote);
        this.#write({ start: existing.valueStart, end: existing.valueEnd, text: raw, order: 0 });
        const attributes = this.#attributesOf(el);
        attributes[attributes.indexOf(existing)] = { ...existing, value: edit.value, raw };
      }
      return true;
    }
    // The element's quote, which the attributes added here do not change (each is written with it).
    const quote = dominantQuote(el, this.docQuote);
    const at = el.attributes.at(-1)?.end ?? el.start + 1 + el.name.length;
    const raw = escapeAttribute(edit.value, quote);
    this.#write({ start: at, end: at, text: ` ${edit.name}=${quote}${raw}${quote}`, order: this.#writes?.length ?? 0 });
    this.#attributesOf(el).push(attributeAt(edit.name, edit.value, raw, quote, at + 1));
    return true;
  }

  /**
   * The device as the edits leave it, under `parent`: each element the edits changed (or changed something in)
   * copied, with the attributes written and the children created, each with the line break and indentation
   * written before or after it. The others are the parsed ones, whose paths stay what they were: the device
   * keeps its index, and an element is copied when a child created beside it takes its name. Offsets are the
   * loaded text's, not the edited one's.
   */
  element(parent: XmlElement): XmlElement {
    return this.#copy(this.device, parent);
  }

  // Loops, not closures: this runs for every element of every device of a big plan.
  #copy(el: XmlElement, parent: XmlElement): XmlElement {
    const touched = this.#find(el);
    const copy = elementShell(el, parent, touched?.attributes);
    const list = touched?.list;
    const from = el.nodes;
    // The arrays made at their size: pushed into, an empty array takes 17 slots at once.
    let createdCount = 0;
    for (let k = 0; list && k < list.length; k++) if (list[k]!.kind === 'created') createdCount++;
    const nodes = new Array<XmlNode>(from.length + 2 * createdCount);
    let n = 0;
    const created = createdCount > 0 ? new Array<string>(createdCount) : undefined;
    for (let k = 0, c = 0; created && list && k < list.length; k++) {
      const child = list[k]!;
      if (child.kind === 'created') created[c++] = child.name;
    }
    let next = 0;
    for (let k = 0; list && k < list.length; k++) {
      const child = list[k]!;
      const made = child.kind === 'created' ? child : undefined;
      // A parsed child, or a child written before the first one, comes after the parsed nodes that lead to it.
      if (!made || made.leading) while (next < from.length && from[next]!.kind !== 'element') nodes[n++] = from[next++]!;
      if (!made) {
        nodes[n++] = this.#keep(from[next++] as XmlElement, copy, created);
        continue;
      }
      const q = this.docQuote;
      // Mapped, not pushed: an array grows to 17 slots at its first push, for the one attribute a created child has.
      const attributes = made.attributes.map((a) => attributeAt(a.name, a.value, escapeAttribute(a.value, q), q, made.at));
      const element = new XmlElement(made.name, made.at, copy, attributes);
      element.selfClosing = true;
      const space: XmlNode = { kind: 'text', start: made.at, end: made.at, value: `${this.nl}${made.indent}` };
      nodes[n++] = made.leading ? element : space;
      nodes[n++] = made.leading ? space : element;
    }
    for (; next < from.length; next++) {
      const node = from[next]!;
      nodes[n++] = node.kind === 'element' ? this.#keep(node, copy, created) : node;
    }
    copy.nodes = nodes;
    return copy;
  }

  /** A child of `copy`: the parsed one, unless the edits changed it or a created sibling takes its name. */
  #keep(child: XmlElement, copy: XmlElement, created: readonly string[] | undefined): XmlElement {
    return this.#find(child)?.changed || created?.includes(child.name) ? this.#copy(child, copy) : child;
  }

  /** What the edits did to `el`, if they touched it. */
  #find(el: XmlElement): Touched | undefined {
    for (let t = this.#touched; t; t = t.next) if (t.el === el) return t;
    return undefined;
  }

  /** What the edits did to `el`, touching it. */
  #touch(el: XmlElement): Touched {
    let touched = this.#find(el);
    if (touched) return touched;
    // Every field set from the start: one object shape, its fields inside it.
    touched = { el, list: undefined, attributes: undefined, written: undefined, changed: false, next: undefined, nextListed: undefined };
    if (this.#lastTouched) this.#lastTouched.next = touched;
    else this.#touched = touched;
    this.#lastTouched = touched;
    return touched;
  }

  #attributesOf(el: XmlElement): XmlAttribute[] {
    const touched = this.#touch(el);
    const attributes = (touched.attributes ??= [...el.attributes]);
    this.#change(el);
    return attributes;
  }

  /** Marks `el` and its ancestors up to the device as changed. */
  #change(el: XmlElement): void {
    for (let e: XmlElement | null = el; e; e = e === this.device ? null : e.parent) {
      const touched = this.#touch(e);
      if (touched.changed) break;
      touched.changed = true;
    }
  }

  /** The device's text with the edits applied, in pieces. */
  write(): string[] {
    const { device, nl } = this;
    const writes = (this.#writes ??= []);
    const q = this.docQuote;
    // Created elements: an attribute added to an element without any takes the document's quote, and so do the next.
    for (let listed = this.#listed; listed; listed = listed.nextListed)
      for (let order = 0, list = listed.list; list && order < list.length; order++) {
        const made = list[order]!;
        if (made.kind !== 'created') continue;
        let attributes = '';
        for (const a of made.attributes) attributes += ` ${a.name}=${q}${escapeAttribute(a.value, q)}${q}`;
        const block = `<${made.name}${attributes}/>`;
        writes.push({
          start: made.at,
          end: made.at,
          text: made.leading ? `${block}${nl}${made.indent}` : `${nl}${made.indent}${block}`,
          order,
        });
      }
    // Writes at one offset are all attributes of one element (in edit order) or children of one parent (in order).
    // Most devices have one write, which V8's sort would still copy into a work array.
    if (writes.length > 1) writes.sort(byOffsetThenOrder);
    // Made at its size: pushed into, an empty array takes 17 slots at once.
    const out = new Array<string>(2 * writes.length + 1);
    let at = device.start;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      out[2 * i] = this.text.slice(at, w.start);
      out[2 * i + 1] = w.text;
      at = w.end;
    }
    out[2 * writes.length] = this.text.slice(at, device.end);
    return out;
  }

  #write(w: { start: number; end: number; text: string; order: number }): void {
    if (this.#writes) this.#writes.push(w);
    else this.#writes = [w];
  }

  #childrenOf(el: XmlElement): Child[] {
    const touched = this.#touch(el);
    let list = touched.list;
    if (!list) {
      // Made at its size (counted first): pushed into, an empty array takes 17 slots at once.
      const nodes = el.nodes;
      let count = 0;
      for (let i = 0; i < nodes.length; i++) if (nodes[i]!.kind === 'element') count++;
      list = touched.list = new Array<Child>(count);
      for (let i = 0, k = 0; i < nodes.length; i++) {
        const node = nodes[i]!;
        if (node.kind === 'element') list[k++] = node;
      }
      if (this.#lastListed) this.#lastListed.nextListed = touched;
      else this.#listed = touched;
      this.#lastListed = touched;
    }
    return list;
  }

  #indentOf(c: Child): string | undefined {
    return c.kind === 'element' ? lineIndent(this.text, c.start) : c.indent;
  }

  /** Creates `<name/>` under `parent` where applyEdits' insertion would put it; undefined when that is not plain. */
  #create(parent: XmlElement, name: string): Created | undefined {
    if (parent.selfClosing) return undefined;
    const children = this.#childrenOf(parent);
    let indent: string | undefined;
    for (const c of children) if ((indent = this.#indentOf(c)) !== undefined) break;
    if (indent === undefined) return undefined;
    const rank = childRank(parent);
    const mine = rank(name);
    let after = -1;
    for (let i = 0; i < children.length; i++) if (rank(children[i]!.name) <= mine) after = i;
    const next = after === -1 ? children[0] : children[after];
    if (!next) return undefined;
    let made: Created;
    if (after !== -1) {
      if (next.kind === 'created' && next.leading) return undefined;
      made = { kind: 'created', name, attributes: [], at: next.kind === 'element' ? next.end : next.at, indent, leading: false };
    } else {
      if (this.#indentOf(next) === undefined) return undefined;
      made = { kind: 'created', name, attributes: [], at: next.kind === 'element' ? next.start : next.at, indent, leading: true };
    }
    children.splice(after + 1, 0, made);
    this.#change(parent);
    return made;
  }
}

const NO_STEPS: readonly PathStep[] = [];
/** `/name` to the end: one step, the first child of that name (what parsePathSteps reads it as). */
const ONE_NAME = /\/[^[\]/\s]+$/y;
/** The steps of one-name rests met so far, by name: a plan names a few children (`driver`) thousands of times. */
const ONE_STEP = new Map<string, readonly PathStep[]>();

/**
 * The steps of `target` after its first `from` characters (the anchor): none, or a relative path after a `/`;
 * null when malformed. The usual one-name rest (`/driver`) is read without parsePathSteps' split and matches.
 */
function stepsAfter(target: string, from: number): readonly PathStep[] | null {
  if (target.length === from) return NO_STEPS;
  ONE_NAME.lastIndex = from;
  if (ONE_NAME.test(target)) {
    const name = target.slice(from + 1);
    const known = ONE_STEP.get(name);
    if (known) return known;
    const steps = [{ name, index: 1 }];
    // Bounded, should edits ever name children without end.
    if (ONE_STEP.size < 64) ONE_STEP.set(name, steps);
    return steps;
  }
  return target.startsWith('/', from) ? parsePathSteps(target.slice(from + 1)) : null;
}

function byOffsetThenOrder(a: { start: number; order: number }, b: { start: number; order: number }): number {
  return a.start - b.start || a.order - b.order;
}

/** An attribute `name=quote raw quote` written at `at` (its name's first character). */
function attributeAt(name: string, value: string, raw: string, quote: '"' | "'", at: number): XmlAttribute {
  const valueStart = at + name.length + 2;
  return { name, value, raw, quote, start: at, end: valueStart + raw.length + 1, valueStart, valueEnd: valueStart + raw.length };
}
