/**
 * Fuzzing with mutated corpus documents: the parser never crashes (it either parses losslessly or throws an
 * XmlInputError with a real position), facts never throw, and an edit changes only what it says.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusXmlFiles } from '../../test/corpus-files';
import { missingParts } from '../../test/real-parts';
import { mutate, mutation } from '../../test/xml-mutants';
import { applyEdits, parseXml, readDomainFacts, resolvePath, serialise, XmlInputError, type XmlDocument } from './index';

const missing = missingParts('corpus');

describe.skipIf(missing)(`fuzzing mutated corpus documents ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const texts = missing
    ? []
    : corpusXmlFiles()
        .filter((f) => f.kind !== 'domaincaps')
        .map((f) => readFileSync(f.abs, 'utf8'));

  it('parses losslessly or fails with a located XmlInputError', () => {
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (index, mutations) => {
        let text = texts[index] ?? '';
        for (const m of mutations) text = mutate(text, m);
        let doc: XmlDocument;
        try {
          doc = parseXml(text, 'fuzz.xml');
        } catch (e) {
          expect(e).toBeInstanceOf(XmlInputError);
          const err = e as XmlInputError;
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.line).toBeLessThanOrEqual(text.split(/\r\n|\r|\n/).length);
          expect(err.column).toBeGreaterThanOrEqual(1);
          return;
        }
        expect(serialise(doc)).toBe(text);
        if (doc.root.name === 'domain') readDomainFacts(doc);
      }),
      { numRuns: 400, seed: 20261124 },
    );
  });

  it("parses in 'facts' mode exactly what it parses losslessly: the same refusal, or the same elements, facts and edits", () => {
    const outcome = (text: string, mode: 'lossless' | 'facts') => {
      try {
        return parseXml(text, 'fuzz.xml', mode);
      } catch (e) {
        if (!(e instanceof XmlInputError)) throw e;
        return `${e.line}:${e.column}: ${e.problem}`;
      }
    };
    let parsed = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (index, mutations) => {
        let text = texts[index] ?? '';
        for (const m of mutations) text = mutate(text, m);
        const lossless = outcome(text, 'lossless');
        const facts = outcome(text, 'facts');
        if (typeof lossless === 'string' || typeof facts === 'string') {
          expect(facts).toEqual(lossless);
          refused++;
          return;
        }
        parsed++;
        expect(facts.root.xpath).toBe(lossless.root.xpath);
        if (lossless.root.name !== 'domain') return;
        expect(readDomainFacts(facts)).toEqual(readDomainFacts(lossless));
        const edit = [{ op: 'set-attribute', target: '/domain', name: 'type', value: 'kvm' }] as const;
        expect(applyEdits(facts, edit)).toBe(applyEdits(lossless, edit));
      }),
      { numRuns: 400, seed: 20261205 },
    );
    // Most mutants are refused (the mutations aim at what libxml2 refuses); both outcomes are compared many times.
    expect(Math.min(parsed, refused)).toBeGreaterThan(50);
  });

  it('an iommu edit on a parsed document inserts exactly one attribute and nothing else', () => {
    // Every run edits a real device: the candidates (a virtio device whose <driver> has no iommu yet) are found
    // first, so no run returns before its assertions.
    const candidates = texts.flatMap((text) => {
      const doc = parseXml(text);
      if (doc.root.name !== 'domain') return [];
      return readDomainFacts(doc)
        .devices.filter((d) => d.virtio && !d.implicit)
        .map((d) => `${d.target}/driver`)
        .filter((target) => {
          const driver = resolvePath(doc, target);
          return driver !== undefined && !driver.attribute('iommu');
        })
        .map((target) => ({ text, doc, target }));
    });
    expect(candidates.length).toBeGreaterThan(50);
    let checked = 0;
    fc.assert(
      fc.property(fc.nat({ max: candidates.length - 1 }), (pick) => {
        const { text, doc, target } = candidates[pick]!;
        const after = applyEdits(doc, [{ op: 'set-attribute', target, name: 'iommu', value: 'on' }]);
        // One insertion of ` iommu='on'`: where exactly is ambiguous when it repeats the text next to it
        // (appended before " />"), so every position from the first difference back is tried.
        let first = 0;
        while (first < text.length && text[first] === after[first]) first++;
        const length = after.length - text.length;
        const at = [...Array(length + 1).keys()]
          .map((k) => first - k)
          .find(
            (k) =>
              k >= 0 &&
              after.slice(0, k) === text.slice(0, k) &&
              after.slice(k + length) === text.slice(k) &&
              /^ iommu=(['"])on\1$/.test(after.slice(k, k + length)),
          );
        expect(at, `one insertion of iommu='on' in ${target}`).toBeDefined();
        expect(resolvePath(parseXml(after), target)?.attr('iommu')).toBe('on');
        checked++;
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(checked).toBe(300);
  });
});
