/**
 * A tree of an edited domain to read its facts from, built from what applyEdits did instead of parsing the
 * whole result again: a parse of its skeleton (the result with the content of <devices> cut out: a few hundred
 * lines however many devices) with the devices put back, each copied from the loaded parse as the edits left it.
 * A plan that edits every device of a 20,000-line domain would otherwise parse 24,000 lines to read them.
 *
 * The tree has the elements, attributes, texts and paths a parse of the result has (reading-tree.test.ts holds
 * it to that over the corpus and every goal); its offsets are not those of the result, so it is for reading
 * facts only, never for editing.
 */
import type { Edit } from '../contracts/findings';
import { parseXml } from './parse-xml';
import type { TextChange } from './text-change';
import { INVALID_CHAR } from './xml-chars';
import { XmlInputError } from './xml-input-error';
import { XmlElement, type XmlAttribute, type XmlNode } from './xml-tree';

/** A name any XML parser takes anywhere, and not one of the reserved `xml...` names (xmlns among them). */
const PLAIN_NAME = /^(?![Xx][Mm][Ll])[A-Za-z_][A-Za-z0-9_.-]*$/;
/** An absolute path of such names, each with an index or not. */
const PLAIN_PATH = /^(?:\/(?![Xx][Mm][Ll])[A-Za-z_][A-Za-z0-9_.-]*(?:\[\d+\])?)+$/;

/**
 * A set-attribute whose names (the attribute's and the elements' on its path, which it may create) and value
 * cannot make a well-formed document ill-formed: the tree then reads what a parse of the result would.
 */
export function writesPlainXml(edit: Edit): boolean {
  return edit.op === 'set-attribute' && PLAIN_NAME.test(edit.name) && !INVALID_CHAR.test(edit.value) && PLAIN_PATH.test(edit.target);
}

/** Something that makes an element for the reading tree under a given parent (an edited device). */
export interface ElementSource {
  element(parent: XmlElement): XmlElement;
}

/** What readDomainFacts reads: the root element. */
export interface ReadingTree {
  readonly root: XmlElement;
}

/** An element like `el` under `parent`, with `attributes` and no nodes yet (the caller sets them). */
export function elementShell(el: XmlElement, parent: XmlElement | null, attributes: readonly XmlAttribute[] = el.attributes): XmlElement {
  const copy = new XmlElement(el.name, el.start, parent, attributes);
  copy.startTagEnd = el.startTagEnd;
  copy.endTagStart = el.endTagStart;
  copy.end = el.end;
  copy.selfClosing = el.selfClosing;
  return copy;
}

/** `el` with its descendant elements copied under `parent`: the copy's paths are computed in the new tree. */
export function copyElement(el: XmlElement, parent: XmlElement): XmlElement {
  const copy = elementShell(el, parent);
  const nodes = el.nodes;
  const out: XmlNode[] = new Array<XmlNode>(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    out[i] = node.kind === 'element' ? copyElement(node, copy) : node;
  }
  copy.nodes = out;
  return copy;
}

/** Text put in place of `text[start, end)` of the loaded document. */
interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The children of the loaded <devices> as applyEdits left them: each device it edited, built as it goes (so what
 * it knew to build one can go at once), and the one element it added; and where it changed the loaded text
 * (for the diff). Failed when the edits took any other way, which leaves neither (the result is parsed and
 * diffed whole instead).
 */
export class DevicesRecord {
  #failed = false;
  readonly #changes: TextChange[] = [];
  /** The new <devices>; put under the root of the skeleton's parse (which comes after the devices) by `tree`. */
  readonly #devices: XmlElement;
  readonly #edited = new Map<XmlElement, XmlElement>();
  #addition: Splice | null = null;

  constructor(readonly loaded: XmlElement) {
    // applyEdits never edits <devices> itself when it records (its start tag is the loaded one).
    this.#devices = elementShell(loaded, null);
  }

  fail(): void {
    this.#failed = true;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** `device` (a child of the loaded <devices>) was edited; `source` makes the edited element. */
  edited(device: XmlElement, source: ElementSource): void {
    if (this.#failed) return;
    try {
      this.#edited.set(device, source.element(this.#devices));
    } catch (e) {
      if (!(e instanceof XmlInputError)) throw e;
      this.fail();
    }
  }

  /** The loaded text's `[start, end)` became `length` characters; called in order of `start`. */
  changed(start: number, end: number, length: number): void {
    this.#changes.push({ start, end, length });
  }

  /** Where the edits inside <devices> changed the loaded text, in order; null when the record failed. */
  get changes(): readonly TextChange[] | null {
    return this.#failed ? null : this.#changes;
  }

  /** The text of an added element (with the line break and indentation around it) went in at `splice`. */
  added(splice: Splice): void {
    if (this.#addition) this.fail();
    this.#addition = splice;
  }

  /**
   * The tree of the edited document whose skeleton is `skeleton` (its <devices> holding only the comment
   * `cut`). Null when the record failed, or the skeleton or the added element does not parse on its own (the
   * whole text must then be parsed, and fails the same way if it is not well-formed).
   */
  tree(skeleton: string, cut: string): ReadingTree | null {
    if (this.#failed) return null;
    try {
      const root = parseXml(skeleton).root;
      const added = this.#addition ? parseXml(`<x>${this.#addition.text}</x>`).root.nodes : [];
      const all = root.name === 'domain' ? root.children('devices') : [];
      const cutDevices = all.length === 1 ? all[0] : undefined;
      const only = cutDevices?.nodes.length === 1 ? cutDevices.nodes[0] : undefined;
      if (!cutDevices || only?.kind !== 'comment' || `<!--${only.value}-->` !== cut) return null;
      const devices = this.#devices;
      // The one element whose parent is set after it was made: no path below it has been asked yet.
      (devices as { parent: XmlElement | null }).parent = root;
      devices.nodes = this.#devicesNodes(added);
      root.nodes = root.nodes.map((n) => (n === cutDevices ? devices : n));
      return { root };
    } catch (e) {
      if (e instanceof XmlInputError) return null;
      throw e;
    }
  }

  /** The children of the new <devices>: the loaded ones, each edited one as built, and the addition where it went. */
  #devicesNodes(added: readonly XmlNode[]): XmlNode[] {
    const devices = this.#devices;
    const addition = this.#addition;
    const out: XmlNode[] = [];
    let pending = addition !== null;
    for (const node of this.loaded.nodes) {
      if (pending && node.start >= addition!.start) {
        for (const n of added) out.push(n.kind === 'element' ? copyElement(n, devices) : n);
        pending = false;
      }
      // What the addition's splice put its text in place of (an element it replaces) is gone.
      if (addition && node.start >= addition.start && node.end <= addition.end && addition.end > addition.start) continue;
      if (node.kind !== 'element') out.push(node);
      else out.push(this.#edited.get(node) ?? unchangedDevice(node, devices));
    }
    if (pending) for (const n of added) out.push(n.kind === 'element' ? copyElement(n, devices) : n);
    return out;
  }
}

/**
 * A device no edit touched, under the new <devices>: its children are the loaded ones, whose paths are what they
 * were (applyEdits, when it records, keeps every device at its index among those of its name).
 */
function unchangedDevice(device: XmlElement, devices: XmlElement): XmlElement {
  const copy = elementShell(device, devices);
  copy.nodes = device.nodes;
  return copy;
}
