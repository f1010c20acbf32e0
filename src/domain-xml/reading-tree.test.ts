/**
 * The tree applyEditsForReading builds from what the edits did (reading-tree.ts) must read like a parse of the
 * edited text: the same elements, attributes, texts, comments and paths, node for node, and so the same facts.
 * Held over the corpus with every goal's plan, generated domains, and random edits on devices of every layout
 * (with an edit outside <devices> and an added device, the shape that gets a tree); an edit that would make the
 * text ill-formed gets no tree, so the text is parsed and refused as before. Where applyEditsForReading says the
 * text changed (for the diff) is held to the texts too.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECURE_TYPES } from '../contracts/facts';
import type { Edit } from '../contracts/findings';
import { planFor } from '../engine';
import { bigDomainXml } from '../../bench/big-domain';
import { corpusXmlFiles } from '../../test/corpus-files';
import { deviceEditScenario } from '../../test/device-layouts';
import { domainSpec, domainXml } from '../../test/domain-generator';
import { CAPABLE_HOST, LINUX_GUEST, input } from '../../test/engine-facts';
import { missingParts } from '../../test/real-parts';
import { applyEdits, applyEditsForReading, EditError, parseDomainXml, parseXml, readDomainFacts, XmlInputError } from './index';
import type { XmlDocument, XmlElement } from './index';
import { describesEdit } from './text-change';

/** Everything a reader can get from an element, offsets aside. */
interface Reading {
  readonly name: string;
  readonly path: string;
  readonly attributes: readonly string[];
  readonly nodes: readonly (Reading | string)[];
}

function reading(el: XmlElement): Reading {
  return {
    name: el.name,
    path: el.xpath,
    attributes: el.attributes.map((a) => `${a.name}=${a.quote}${a.raw}${a.quote} (${a.value})`),
    nodes: el.nodes.map((n) => (n.kind === 'element' ? reading(n) : `${n.kind}: ${n.kind === 'pi' ? `${n.target} ${n.data}` : n.value}`)),
  };
}

/**
 * Applies `edits` both ways and, when a tree comes back, holds it to a parse of the text; true when it did. The
 * text must be applyEdits' (or both must refuse the edits).
 */
function readsLikeParse(doc: XmlDocument, edits: readonly Edit[], label: string): boolean {
  let expected: string;
  try {
    expected = applyEdits(doc, edits);
  } catch (e) {
    if (!(e instanceof EditError)) throw e;
    expect(() => applyEditsForReading(doc, edits), label).toThrow(EditError);
    return false;
  }
  const { text, tree, changes } = applyEditsForReading(doc, edits);
  expect(text, label).toBe(expected);
  // Where it says the text changed (for the diff), it says so truly; it knows whenever it built a tree.
  if (changes) expect(describesEdit(doc.text, text, changes), label).toBe(true);
  if (!tree) return false;
  expect(changes, label).not.toBeNull();
  const parsed = parseXml(text);
  expect(reading(tree.root), label).toEqual(reading(parsed.root));
  expect(readDomainFacts(tree), label).toEqual(readDomainFacts(parsed));
  return true;
}

const planEdits = (doc: XmlDocument, secure: (typeof SECURE_TYPES)[number]): readonly Edit[] | null => {
  const plan = planFor(input({ domain: readDomainFacts(doc), host: CAPABLE_HOST, guest: LINUX_GUEST, goals: { secure } }));
  return plan.impossible.length > 0 ? null : plan.edits;
};

describe('the reading tree of an edited domain', () => {
  it('reads like a parse of the text for every goal’s plan of generated domains', () => {
    let trees = 0;
    fc.assert(
      fc.property(domainSpec, fc.constantFrom(...SECURE_TYPES), (spec, secure) => {
        const doc = parseDomainXml(domainXml(spec));
        const edits = planEdits(doc, secure);
        if (edits && readsLikeParse(doc, edits, secure)) trees++;
      }),
      { numRuns: 300 },
    );
    expect(trees).toBeGreaterThan(15);
  });

  it('reads like a parse of the text after random edits on devices of every layout, an edit outside and an added device', () => {
    const outside: Edit = { op: 'set-attribute', target: '/domain/clock', name: 'offset', value: 'utc' };
    const balloon: Edit = { op: 'add-element', parent: '/domain/devices', xml: "<memballoon model='none'/>", replace: true };
    let trees = 0;
    fc.assert(
      fc.property(deviceEditScenario, fc.boolean(), ([xml, edits], add) => {
        const all = [outside, ...edits, ...(add ? [balloon] : [])];
        if (readsLikeParse(parseXml(xml), all, JSON.stringify(all))) trees++;
      }),
      { numRuns: 1000 },
    );
    expect(trees).toBeGreaterThan(300);
  }, 120_000);

  it('is built for a big domain’s plan, which edits every device and adds a balloon', () => {
    const doc = parseDomainXml(bigDomainXml(64));
    expect(readsLikeParse(doc, planEdits(doc, 'sev')!, 'sev')).toBe(true);
  });

  it('is not built when an edit would make the text ill-formed, so parsing the text refuses it', () => {
    const doc = parseDomainXml(bigDomainXml(4));
    const edits: Edit[] = [
      { op: 'set-attribute', target: '/domain/os', name: 'firmware', value: 'efi' },
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/disk[2]/driver', name: 'iommu', value: 'o\u0001n' },
    ];
    const { text, tree } = applyEditsForReading(doc, edits);
    expect(tree).toBeNull();
    expect(() => parseXml(text)).toThrow(XmlInputError);
  });
});

const noCorpus = missingParts('corpus');
describe.skipIf(noCorpus)(`the reading tree on the corpus ${noCorpus ? `(skipped: ${noCorpus})` : ''}`, () => {
  it('reads like a parse of the text for every domain and every goal’s plan', () => {
    let trees = 0;
    for (const file of corpusXmlFiles().filter((f) => f.kind !== 'domaincaps')) {
      let doc: XmlDocument;
      try {
        doc = parseDomainXml(readFileSync(file.abs, 'utf8'));
      } catch {
        continue; // negative inputs and other roots
      }
      for (const secure of SECURE_TYPES) {
        const edits = planEdits(doc, secure);
        if (edits && readsLikeParse(doc, edits, `${file.rel} --secure ${secure}`)) trees++;
      }
    }
    expect(trees).toBeGreaterThan(100);
  }, 120_000);
});
