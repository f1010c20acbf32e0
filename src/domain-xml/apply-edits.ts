/**
 * Applies plan edits as minimal splices into the original text: every byte outside the edited spots is kept,
 * attributes keep their order, spacing and quotes, and new elements go where libvirt's formatter puts them,
 * indented like their siblings. A plan that changes one attribute yields a one-line diff.
 */
import type { Edit } from '../contracts/findings';
import { childRank, documentQuote, dominantQuote, escapeAttribute, indentStart, lineIndent, newline } from './edit-layout';
import { editDeviceInPlace } from './device-edits';
import { parseXml } from './parse-xml';
import { copyElement, DevicesRecord, writesPlainXml, type ReadingTree } from './reading-tree';
export { escapeAttribute } from './edit-layout';
import type { TextChange } from './text-change';
import { parsePathSteps, resolvePath, type XmlDocument, type XmlElement, type XmlNode } from './xml-tree';

/** An edit that cannot be applied to this document (its target does not exist or is malformed). */
export class EditError extends Error {
  override readonly name = 'EditError';
  constructor(
    readonly edit: Edit,
    problem: string,
  ) {
    super(`cannot apply ${edit.op} to ${'target' in edit ? edit.target : edit.parent}: ${problem}`);
  }
}

function escapeText(value: string): string {
  return value.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function childIndent(parent: XmlElement, text: string): string {
  for (const c of parent.children()) {
    const indent = lineIndent(text, c.start);
    if (indent !== undefined) return indent;
  }
  const own = lineIndent(text, parent.start) ?? '';
  const grand = parent.parent ? (lineIndent(text, parent.parent.start) ?? '') : '';
  const unit = own.length > grand.length ? own.slice(grand.length) : '  ';
  return own + unit;
}

/**
 * Indents a serialised element (written with 2-space steps, like libvirt) for its place: every line after the
 * first gets `indent`, and each 2-space step becomes the document's own step (`unit`, e.g. a tab).
 */
function indentLines(xml: string, indent: string, nl: string, unit = '  '): string {
  return xml.replace(
    /\r?\n( *)/g,
    (_m, spaces: string) => `${nl}${indent}${unit.repeat(Math.floor(spaces.length / 2))}${' '.repeat(spaces.length % 2)}`,
  );
}

/** Text to put in place of `text[start, end)`. */
interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Where and what to write to insert `xml` as a child of `parent` at libvirt's position for its name. */
function childInsertion(text: string, parent: XmlElement, name: string, xml: string): Splice {
  const nl = newline(text);
  const indent = childIndent(parent, text);
  const parentIndent = lineIndent(text, parent.start) ?? '';
  const unit = indent.startsWith(parentIndent) && indent.length > parentIndent.length ? indent.slice(parentIndent.length) : '  ';
  const block = indentLines(xml, indent, nl, unit);
  if (parent.selfClosing) {
    const tagEnd = text.slice(parent.start, parent.end - 2).trimEnd().length + parent.start;
    return { start: tagEnd, end: parent.end, text: `>${nl}${indent}${block}${nl}${parentIndent}</${parent.name}>` };
  }
  const children = parent.children();
  const rank = childRank(parent);
  const mine = rank(name);
  // After the last child that libvirt writes no later than this one; else before the first child.
  let after: XmlElement | undefined;
  for (const c of children) if (rank(c.name) <= mine) after = c;
  if (after) return { start: after.end, end: after.end, text: `${nl}${indent}${block}` };
  const first = children[0];
  if (first && lineIndent(text, first.start) !== undefined) return { start: first.start, end: first.start, text: `${block}${nl}${indent}` };
  if (first) return { start: first.start, end: first.start, text: block };
  const onOwnLine = /[\r\n][ \t]*$/.test(text.slice(parent.startTagEnd, parent.endTagStart));
  const at = parent.startTagEnd;
  return { start: at, end: at, text: onOwnLine ? `${nl}${indent}${block}` : `${nl}${indent}${block}${nl}${parentIndent}` };
}

/** The splice that adds `xml` (an element named `name`) under `parent`, or puts it in place of the first such child. */
function elementAddition(text: string, parent: XmlElement, name: string, xml: string, replace: boolean | undefined): Splice {
  const existing = replace ? parent.child(name) : undefined;
  if (!existing) return childInsertion(text, parent, name, xml);
  const indent = lineIndent(text, existing.start) ?? '';
  return { start: existing.start, end: existing.end, text: indentLines(xml, indent, newline(text)) };
}

function applySplice(text: string, s: Splice): string {
  return splice(text, s.start, s.end, s.text);
}

/** Inserts `xml` as a child of `parent` at libvirt's position for its name. */
function insertChild(doc: XmlDocument, parent: XmlElement, name: string, xml: string): string {
  return applySplice(doc.text, childInsertion(doc.text, parent, name, xml));
}

/** Removes an element, with its line when it stands on a line of its own. */
function removeElement(text: string, el: XmlElement): string {
  const indent = lineIndent(text, el.start);
  const lineEnd = /^(?:\r\n?|\n)/.exec(text.slice(el.end, el.end + 2))?.[0].length ?? -1;
  if (indent !== undefined && lineEnd !== -1) return splice(text, el.start - indent.length, el.end + lineEnd, '');
  return splice(text, el.start, el.end, '');
}

/** The outermost element that would be left empty (no attributes, no content) once `el` is gone. */
function emptiedAncestor(el: XmlElement): XmlElement {
  let gone = el;
  for (let up = el.parent; up?.parent && up.attributes.length === 0 && up.nodes.every((n) => n === gone || isBlank(n)); up = up.parent)
    gone = up;
  return gone;
}

const isBlank = (n: XmlNode): boolean => n.kind === 'text' && /^[ \t\r\n]*$/.test(n.value);

/** Creates the missing elements on `path` (each new one as `<name/>`) and returns the text and element. */
function ensureElement(text: string, path: string, edit: Edit): { text: string; doc: XmlDocument; el: XmlElement } {
  const steps = parsePathSteps(path);
  if (!steps) throw new EditError(edit, `"${path}" is not an absolute path like /domain/devices/disk[2]`);
  for (let guard = 0; guard <= steps.length; guard++) {
    const doc = parseXml(text);
    const el = resolvePath(doc, path);
    if (el) return { text, doc, el };
    let parent: XmlElement = doc.root;
    let depth = 1;
    for (; depth < steps.length; depth++) {
      const step = steps[depth];
      const next = step && parent.children(step.name)[step.index - 1];
      if (!next) break;
      parent = next;
    }
    const missing = steps[depth];
    if (!missing || depth === 0) throw new EditError(edit, 'the root element does not match');
    if (missing.index !== parent.children(missing.name).length + 1) {
      throw new EditError(edit, `${parent.xpath} has ${parent.children(missing.name).length} <${missing.name}> children`);
    }
    text = insertChild(doc, parent, missing.name, `<${missing.name}/>`);
  }
  throw new EditError(edit, 'could not create the element');
}

/** The name of the element `xml` starts with, as written; null when it does not start like an element. */
function leadingElementName(xml: string): string | null {
  return /^\s*<([^\s/>]+)/.exec(xml)?.[1] ?? null;
}

function elementName(xml: string, edit: Edit): string {
  const name = leadingElementName(xml);
  if (!name) throw new EditError(edit, 'the new element is not XML');
  parseXml(xml, '<edit>');
  return name;
}

function applyOne(text: string, edit: Edit, docQuote: '"' | "'" = documentQuote(text)): string {
  switch (edit.op) {
    case 'set-attribute': {
      const { text: t, el } = ensureElement(text, edit.target, edit);
      const existing = el.attribute(edit.name);
      if (existing) {
        if (existing.value === edit.value) return t;
        return splice(t, existing.valueStart, existing.valueEnd, escapeAttribute(edit.value, existing.quote));
      }
      const quote = dominantQuote(el, docQuote);
      const at = el.attributes.at(-1)?.end ?? el.start + 1 + el.name.length;
      return splice(t, at, at, ` ${edit.name}=${quote}${escapeAttribute(edit.value, quote)}${quote}`);
    }
    case 'remove-attribute': {
      const doc = parseXml(text);
      const el = resolvePath(doc, edit.target);
      const attr = el?.attribute(edit.name);
      if (!el || !attr) return text;
      // An element left with no attributes and no content is removed, and so on up, as virt-install does
      // (virtinst/xmlapi.py `_node_remove_empty`): libvirt drops an empty <driver/> when it formats the domain, so
      // keeping it would make the next read differ from what was written.
      if (el.attributes.length === 1 && el.nodes.length === 0 && el.parent) return removeElement(text, emptiedAncestor(el));
      let from = attr.start;
      while (from > 0 && /[ \t\r\n]/.test(text[from - 1] ?? '')) from--;
      return splice(text, from, attr.end, '');
    }
    case 'add-element': {
      const name = elementName(edit.xml, edit);
      const { doc, el: parent } = ensureElement(text, edit.parent, edit);
      return applySplice(doc.text, elementAddition(doc.text, parent, name, edit.xml.trim(), edit.replace));
    }
    case 'remove-element': {
      const doc = parseXml(text);
      const el = resolvePath(doc, edit.target);
      if (!el) return text;
      if (!el.parent) throw new EditError(edit, 'the root element cannot be removed');
      return removeElement(text, el);
    }
    case 'set-text': {
      const { text: t, el } = ensureElement(text, edit.target, edit);
      if (el.children().length > 0) throw new EditError(edit, 'the element has child elements');
      if (el.text() === edit.text) return t;
      if (el.selfClosing) {
        const tagEnd = t.slice(el.start, el.end - 2).trimEnd().length + el.start;
        return splice(t, tagEnd, el.end, `>${escapeText(edit.text)}</${el.name}>`);
      }
      return splice(t, el.startTagEnd, el.endTagStart, escapeText(edit.text));
    }
  }
}

/**
 * Applies `edits` in order and returns the new text. Throws `EditError` when an edit's target cannot be found
 * or created; the input is never changed in place.
 */
export function applyEdits(input: string | XmlDocument, edits: readonly Edit[]): string {
  const text = typeof input === 'string' ? input : input.text;
  return applyInsideAndOutsideDevices(text, edits, losslessOrNothing(input))?.text ?? applyInOrder(text, edits);
}

/** The caller's parse when edits can use it: a tree read for facts alone lacks the white space they splice around. */
function losslessOrNothing(input: string | XmlDocument): XmlDocument | undefined {
  return typeof input === 'string' || !input.lossless ? undefined : input;
}

/**
 * What applyEdits gives, and a tree to read the result's facts from and where the text changed, when the edits
 * took the way that lets them be known without parsing or diffing the whole result (reading-tree.ts; a plan's
 * usual shape: device edits and a few outside <devices>); null otherwise.
 */
export function applyEditsForReading(doc: XmlDocument, edits: readonly Edit[]): AppliedForReading {
  const applied = applyInsideAndOutsideDevices(doc.text, edits, doc.lossless ? doc : parseXml(doc.text, doc.fileName), true);
  return applied ?? { text: applyInOrder(doc.text, edits), tree: null, changes: null };
}

/** The edited text, a tree to read it (reading-tree.ts) and where it differs from the loaded text (text-change.ts), when known. */
export interface AppliedForReading {
  readonly text: string;
  readonly tree: ReadingTree | null;
  readonly changes: readonly TextChange[] | null;
}

/**
 * The edits one after another, runs of device edits sharing one parse (`parsed`: of `text`, if at hand): the
 * edits local to a device, and at most one that adds an element to <devices> (a plan's <memballoon model='none'/>)
 * when no edit of the run is local to a device of that name, whose indexes it could shift.
 */
function applyInOrder(text: string, edits: readonly Edit[], parsed?: XmlDocument, record?: DevicesRecord): string {
  let run = new DeviceRun();
  let doc = parsed;
  for (const edit of edits) {
    const anchor = deviceAnchor(edit);
    const device = anchor !== null ? 'local' : addsDevice(edit) ? 'addition' : null;
    if (device && !run.takes(edit, anchor)) {
      // Only a single run is recorded: the next one edits a text the loaded parse is not of.
      record?.fail();
      text = applyDeviceRun(text, run, doc);
      run = new DeviceRun();
      doc = undefined;
    }
    if (device) {
      run.add(edit, anchor);
      continue;
    }
    record?.fail();
    text = applyDeviceRun(text, run, doc);
    run = new DeviceRun();
    text = applyOne(text, edit);
    doc = undefined;
  }
  return applyDeviceRun(text, run, doc, record);
}

/** An edit that adds an element (a device) to /domain/devices. */
function addsDevice(edit: Edit): edit is Extract<Edit, { op: 'add-element' }> {
  return edit.op === 'add-element' && edit.parent === '/domain/devices';
}

/**
 * A run of device edits being collected, with the device names its local edits reach and the name it adds, and
 * each local edit's anchor (deviceAnchor, worked out once per edit: a big plan has one or two edits per device).
 */
class DeviceRun implements RunEdits {
  readonly edits: Edit[] = [];
  /** The anchor of each edit of `edits`; null for the addition. */
  readonly anchors: (string | null)[] = [];
  readonly #localNames = new Set<string>();
  #added: string | null | undefined;

  /** Whether the run takes `edit`: device-local with `anchor`, or the addition to <devices> when `anchor` is null. */
  takes(edit: Edit, anchor: string | null): boolean {
    if (anchor !== null) return this.#added === undefined || this.#added !== anchorName(anchor);
    const name = addsDevice(edit) ? leadingElementName(edit.xml) : null;
    return this.#added === undefined && name !== null && !this.#localNames.has(name);
  }

  add(edit: Edit, anchor: string | null): void {
    this.edits.push(edit);
    this.anchors.push(anchor);
    if (anchor === null && addsDevice(edit)) this.#added = leadingElementName(edit.xml);
    else if (anchor !== null) this.#localNames.add(anchorName(anchor));
  }
}

/** Device edits and the anchor of each (null for an addition to <devices>). */
interface RunEdits {
  readonly edits: readonly Edit[];
  readonly anchors: readonly (string | null)[];
}

/** The edits of `run` from `from` to `to` (exclusive), with their anchors. */
function part(run: RunEdits, from: number, to = run.edits.length): RunEdits {
  return { edits: run.edits.slice(from, to), anchors: run.anchors.slice(from, to) };
}

/** The element name of the device an anchor names (`disk` for /domain/devices/disk[2]). */
const DEVICES_PREFIX = '/domain/devices/';

function anchorName(anchor: string): string {
  return anchor.slice(DEVICES_PREFIX.length, anchor.indexOf('[', DEVICES_PREFIX.length));
}

/** Where an edit works: strictly inside /domain/devices, outside it, or on the element itself (neither). */
function side(edit: Edit): 'inside' | 'outside' | null {
  const path = edit.op === 'add-element' ? edit.parent : edit.target;
  if (path.startsWith('/domain/devices/') || (edit.op === 'add-element' && path === '/domain/devices')) return 'inside';
  if (path === '/domain/devices' || path.startsWith('/domain/devices[')) return null;
  return path === '/domain' || path.startsWith('/domain/') ? 'outside' : null;
}

/**
 * A plan edits devices and a few elements outside <devices> (launchSecurity, memoryBacking, os); applied in
 * order, each outside edit parses the whole document again, devices and all. They never touch the same text
 * nor change each other's paths, so: the inside edits are applied to the document (reusing its one parse for
 * the device runs), the outside ones to the document with the devices' content cut out (a few hundred lines
 * however many devices), and the two are joined. Null (apply in order instead) when that does not hold
 * plainly: edits on <devices> itself, no <devices>, <devices> not on a line of its own, or the inside edits
 * reaching outside its content.
 */
function applyInsideAndOutsideDevices(
  text: string,
  edits: readonly Edit[],
  parsed?: XmlDocument,
  reading = false,
): AppliedForReading | null {
  if (edits.length < 2) return null;
  const sides = edits.map(side);
  const outside = edits.filter((_, i) => sides[i] === 'outside');
  if (outside.length === 0 || sides.includes(null)) return null;
  const doc = parsed ?? parseXml(text);
  const devices = doc.root.name === 'domain' ? doc.root.child('devices') : undefined;
  if (!devices || devices.selfClosing || lineIndent(text, devices.start) === undefined) return null;
  const before = text.slice(0, devices.startTagEnd);
  const after = text.slice(devices.endTagStart);
  const inside = edits.filter((_, i) => sides[i] === 'inside');
  const record = reading ? new DevicesRecord(devices) : undefined;
  const edited = inside.length > 0 ? applyInOrder(text, inside, doc, record) : text;
  if (!edited.startsWith(before) || !edited.endsWith(after)) return null;
  // The cut content is a comment (with the document's line break, which insertions copy), unique to this call.
  const cut = `<!--vaw-devices-${Math.random().toString(36).slice(2)}${newline(text) === '\r\n' ? '\r\n' : ''}-->`;
  const quote = documentQuote(text);
  const outer = outside.reduce((t, e) => applyOne(t, e, quote), `${before}${cut}${after}`);
  const at = outer.indexOf(cut);
  if (at === -1 || outer.indexOf(cut, at + 1) !== -1) return null;
  const head = outer.slice(0, at);
  const tail = outer.slice(at + cut.length);
  const inner = record?.changes;
  return {
    text: head + edited.slice(before.length, edited.length - after.length) + tail,
    // `outer` is the result's skeleton: the result with the devices' content cut out.
    tree: record ? record.tree(outer, cut) : null,
    changes: inner ? [...changeBetween(before, head, 0), ...inner, ...changeBetween(after, tail, devices.endTagStart)] : null,
  };
}

/** `from` (which starts at `offset` of the loaded text) made into `to`, as one change; none when they are equal. */
function changeBetween(from: string, to: string, offset: number): TextChange[] {
  if (from === to) return [];
  const most = Math.min(from.length, to.length);
  let same = 0;
  while (same < most && from.charCodeAt(same) === to.charCodeAt(same)) same++;
  let sameEnd = 0;
  while (sameEnd < most - same && from.charCodeAt(from.length - 1 - sameEnd) === to.charCodeAt(to.length - 1 - sameEnd)) sameEnd++;
  return [{ start: offset + same, end: offset + from.length - sameEnd, length: to.length - same - sameEnd }];
}

/**
 * `/domain/devices/disk[2]` when the edit changes only inside that device (not the device's own existence,
 * which would shift its siblings' indexes); null otherwise.
 */
function deviceAnchor(edit: Edit): string | null {
  const m = /^(\/domain\/devices\/[^/[\]]+\[\d+\])(\/.*)?$/.exec(edit.op === 'add-element' ? edit.parent : edit.target);
  if (!m?.[1] || (edit.op === 'remove-element' && m[2] === undefined)) return null;
  return m[1];
}

/**
 * Applies a run of device edits (see applyInOrder) with one parse of the document. The addition, if any, is
 * written where it goes in that parse: the local edits change neither the devices' names, order and line starts
 * nor the document's line break, which are all it depends on. Any EditError sends the run the plain way, in
 * order, so the error is the one applying the edits one by one gives.
 */
function applyDeviceRun(text: string, run: RunEdits, parsed?: XmlDocument, record?: DevicesRecord): string {
  const at = run.edits.findIndex(addsDevice);
  const addition = run.edits[at];
  if (!addition || !addsDevice(addition)) return applyLocalRun(text, run, parsed, record);
  if (run.edits.length === 1) {
    record?.fail();
    return applyOne(text, addition);
  }
  const doc = parsed ?? parseXml(text);
  const devices = resolvePath(doc, addition.parent);
  if (devices) {
    try {
      const added = elementAddition(text, devices, elementName(addition.xml, addition), addition.xml.trim(), addition.replace);
      const others = part(run, 0, at);
      const after = part(run, at + 1);
      const joined = spliceDevices(text, [...others.edits, ...after.edits], [...others.anchors, ...after.anchors], doc, added, record);
      if (joined !== null) return joined;
    } catch (e) {
      if (!(e instanceof EditError)) throw e;
    }
  }
  record?.fail();
  return applyLocalRun(applyOne(applyLocalRun(text, part(run, 0, at), doc), addition), part(run, at + 1));
}

/**
 * Applies a run of device-local edits with one parse of the document instead of one per edit (spliceDevices),
 * recording what it did to each device when that is the way it took.
 */
function applyLocalRun(text: string, run: RunEdits, parsed?: XmlDocument, record?: DevicesRecord): string {
  const { edits, anchors } = run;
  const inOrder = (): string => {
    if (edits.length > 0) record?.fail();
    return edits.reduce((t, e) => applyOne(t, e), text);
  };
  return edits.length <= 1 ? inOrder() : (spliceDevices(text, edits, anchors, parsed ?? parseXml(text), undefined, record) ?? inOrder());
}

/**
 * The device-local edits of `run` applied to the parse `doc` of `text`, with `extra` (a splice outside every
 * device of the run). The set-attribute edits of most devices are written in place (device-edits.ts); the
 * others' edits are applied to a small document holding just that device (inside its <devices> line, so
 * indentation and libvirt's child order come out as in the whole document), and the devices are spliced back.
 * Devices are disjoint, so the result is what applying the edits one by one gives. Null when a device is
 * missing (applying one by one may create it).
 */
function spliceDevices(
  text: string,
  run: readonly Edit[],
  anchors: readonly (string | null)[],
  doc: XmlDocument,
  extra?: Splice,
  record?: DevicesRecord,
): string | null {
  const docQuote = documentQuote(text);
  const nl = newline(text);
  const groups = new Map<string, Edit[]>();
  for (let i = 0; i < run.length; i++) {
    const e = run[i]!;
    const anchor = anchors[i]!;
    const group = groups.get(anchor);
    if (group) group.push(e);
    else groups.set(anchor, [e]);
  }
  const devicesEl = doc.root.name === 'domain' ? doc.root.child('devices') : undefined;
  // Every device by name, in document order, in one pass (resolving each anchor would scan the devices once per device).
  const byName = new Map<string, XmlElement[]>();
  for (const device of devicesEl?.children() ?? []) {
    const same = byName.get(device.name);
    if (same) same.push(device);
    else byName.set(device.name, [device]);
  }
  const splices: { readonly start: number; readonly end: number; readonly text: string | readonly string[] }[] = extra ? [extra] : [];
  for (const [anchor, edits] of groups) {
    const device = deviceAt(byName, anchor);
    const devices = device?.parent;
    if (!device || !devices) return null;
    const ownLine = indentStart(text, device.start) !== -1;
    const inPlace = ownLine ? editDeviceInPlace(text, device, anchor, edits, docQuote, nl) : null;
    if (inPlace !== null) {
      splices.push({ start: device.start, end: device.end, text: inPlace.pieces });
      // Read from the edits only when they cannot make the text ill-formed; otherwise the parse says whether it is.
      if (record && edits.every(writesPlainXml)) record.edited(device, inPlace.reading);
      else record?.fail();
      continue;
    }
    const prefix = `${lineIndent(text, devices.start) ?? ''}<${devices.name}>${nl}${lineIndent(text, device.start) ?? ''}`;
    const suffix = `${nl}</${devices.name}>`;
    let mini = `${prefix}${text.slice(device.start, device.end)}${suffix}`;
    const local = anchor.replace(/^\/domain\/devices\/[^/[\]]+\[\d+\]/, `/${devices.name}/${device.name}[1]`);
    for (const e of edits) {
      mini = applyOne(mini, relocate(e, anchor, local), docQuote);
      // A device an edit emptied is pruned, and an edit after that creates it again where applying them one by
      // one puts a new device, among its siblings, not where it stood: such a run goes the plain way.
      if (e.op === 'remove-attribute' && parseXml(mini).root.children().length === 0) return null;
    }
    // Edits inside the device leave what surrounds it as it was; only otherwise is the small document parsed.
    let edited: string;
    if (mini.startsWith(prefix) && mini.endsWith(suffix)) edited = mini.slice(prefix.length, mini.length - suffix.length);
    else {
      const el = parseXml(mini).root.children()[0];
      if (!el) return null;
      edited = mini.slice(el.start, el.end);
    }
    splices.push({ start: device.start, end: device.end, text: edited });
    record?.edited(device, { element: (parent) => copyElement(parseXml(edited).root, parent) });
  }
  if (extra) record?.added(extra);
  // Joined in one pass: splicing one by one would copy the whole text once per device. An insertion at a
  // device's start (the extra splice, before the first child) goes before the device.
  // The parts' array is made at its size: grown push by push it was copied a dozen times.
  let count = 1;
  for (const sp of splices) count += 1 + (typeof sp.text === 'string' ? 1 : sp.text.length);
  const parts = new Array<string>(count);
  let k = 0;
  let at = 0;
  for (const sp of splices.sort((a, b) => a.start - b.start || a.end - b.end)) {
    parts[k++] = text.slice(at, sp.start);
    let length = 0;
    if (typeof sp.text === 'string') length = (parts[k++] = sp.text).length;
    else for (let i = 0; i < sp.text.length; i++) length += (parts[k++] = sp.text[i]!).length;
    record?.changed(sp.start, sp.end, length);
    at = sp.end;
  }
  parts[k] = text.slice(at);
  return parts.join('');
}

/** The device an anchor (`/domain/devices/disk[2]`, as deviceAnchor gives it) names, among the devices by name. */
function deviceAt(byName: ReadonlyMap<string, readonly XmlElement[]>, anchor: string): XmlElement | undefined {
  const open = anchor.lastIndexOf('[');
  const index = anchor.slice(open + 1, -1);
  // Written as the device's xpath writes it (no leading zero), or it names no device.
  if (String(Number(index)) !== index) return undefined;
  return byName.get(anchor.slice('/domain/devices/'.length, open))?.[Number(index) - 1];
}

function relocate(edit: Edit, from: string, to: string): Edit {
  const move = (p: string): string => to + p.slice(from.length);
  return edit.op === 'add-element' ? { ...edit, parent: move(edit.parent) } : { ...edit, target: move(edit.target) };
}
