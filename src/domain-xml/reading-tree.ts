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
export function elementShell(el: XmlElement, parent: XmlElement | null, attributes: XmlAttribute[] = el.attributes): XmlElement {
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
 * What applyEdits did to the children of the loaded <devices>: the devices it edited (each with how to build
 * its element in the new tree) and the one element it added. Failed when the edits took any other way, which
 * leaves no tree (the result is parsed instead).
 */
export class DevicesRecord {
  #failed = false;
  readonly #edited = new Map<XmlElement, ElementSource>();
  #addition: Splice | null = null;

  fail(): void {
    this.#failed = true;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** `device` (a child of the loaded <devices>) was edited; `source` makes its element under a new parent. */
  edited(device: XmlElement, source: ElementSource): void {
    this.#edited.set(device, source);
  }

  /** The text of an added element (with the line break and indentation around it) went in at `splice`. */
  added(splice: Splice): void {
    if (this.#addition) this.fail();
    this.#addition = splice;
  }

  /**
   * The tree of the edited document whose skeleton is `skeleton` (its <devices> holding only the comment
   * `<!--cut-->`), with the loaded devices `loaded` (a <devices> element) as edited. Null when the record failed,
   * or the skeleton or the added element does not parse on its own (the whole text must then be parsed, and
   * fails the same way if it is not well-formed).
   */
  tree(skeleton: string, cut: string, loaded: XmlElement): ReadingTree | null {
    if (this.#failed) return null;
    try {
      const root = parseXml(skeleton).root;
      const added = this.#addition ? parseXml(`<x>${this.#addition.text}</x>`).root.nodes : [];
      const cutDevices = root.name === 'domain' ? root.child('devices') : undefined;
      const only = cutDevices?.nodes.length === 1 ? cutDevices.nodes[0] : undefined;
      if (!cutDevices || only?.kind !== 'comment' || `<!--${only.value}-->` !== cut) return null;
      const devices = elementShell(cutDevices, root);
      devices.nodes = this.#devicesNodes(loaded, devices, added);
      root.nodes = root.nodes.map((n) => (n === cutDevices ? devices : n));
      return { root };
    } catch (e) {
      if (e instanceof XmlInputError) return null;
      throw e;
    }
  }

  /** The children of the new <devices>: the loaded ones, each edited one as built, and the addition where it went. */
  #devicesNodes(loaded: XmlElement, devices: XmlElement, added: readonly XmlNode[]): XmlNode[] {
    const addition = this.#addition;
    const out: XmlNode[] = [];
    let pending = addition !== null;
    for (const node of loaded.nodes) {
      if (pending && node.start >= addition!.start) {
        for (const n of added) out.push(n.kind === 'element' ? copyElement(n, devices) : n);
        pending = false;
      }
      // What the addition's splice put its text in place of (an element it replaces) is gone.
      if (addition && node.start >= addition.start && node.end <= addition.end && addition.end > addition.start) continue;
      if (node.kind !== 'element') out.push(node);
      else out.push(this.#edited.get(node)?.element(devices) ?? copyElement(node, devices));
    }
    if (pending) for (const n of added) out.push(n.kind === 'element' ? copyElement(n, devices) : n);
    return out;
  }
}
