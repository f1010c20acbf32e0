/**
 * Fuzzing with mutated corpus documents: the parser never crashes (it either parses losslessly or throws an
 * XmlInputError with a real position), facts never throw, and an edit changes only what it says.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusXmlFiles } from '../../test/corpus-files';
import { missingParts } from '../../test/real-parts';
import { applyEdits, parseXml, readDomainFacts, resolvePath, serialise, XmlInputError, type XmlDocument } from './index';

const missing = missingParts('corpus');

describe.skipIf(missing)(`fuzzing mutated corpus documents ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const texts = missing
    ? []
    : corpusXmlFiles()
        .filter((f) => f.kind !== 'domaincaps')
        .map((f) => readFileSync(f.abs, 'utf8'));

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.stringMatching(/^[<>&"'/=!?\][a-z -]{1,6}$/) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  );

  function mutate(text: string, m: { kind: string; at: number; length?: number; text?: string }): string {
    const at = m.at % (text.length + 1);
    if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + (m.length ?? 1));
    if (m.kind === 'insert') return text.slice(0, at) + (m.text ?? '') + text.slice(at);
    return text.slice(0, at) + text.slice(at, at + (m.length ?? 1)) + text.slice(at);
  }

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
          expect(err.line).toBeLessThanOrEqual(text.split('\n').length);
          expect(err.column).toBeGreaterThanOrEqual(1);
          return;
        }
        expect(serialise(doc)).toBe(text);
        if (doc.root.name === 'domain') readDomainFacts(doc);
      }),
      { numRuns: 400, seed: 20261124 },
    );
  });

  it('an iommu edit on a parsed document inserts exactly one attribute and nothing else', () => {
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.nat(), (index, pick) => {
        const text = texts[index] ?? '';
        let doc: XmlDocument;
        try {
          doc = parseXml(text);
        } catch {
          return;
        }
        if (doc.root.name !== 'domain') return;
        const devices = readDomainFacts(doc).devices.filter((d) => d.virtio && !d.implicit);
        const device = devices[pick % Math.max(1, devices.length)];
        if (!device) return;
        const driver = resolvePath(doc, `${device.target}/driver`);
        if (!driver || driver.attribute('iommu')) return;
        const after = applyEdits(doc, [{ op: 'set-attribute', target: `${device.target}/driver`, name: 'iommu', value: 'on' }]);
        let i = 0;
        while (i < text.length && text[i] === after[i]) i++;
        const inserted = after.length - text.length;
        expect(after.slice(i + inserted)).toBe(text.slice(i));
        expect(after.slice(i, i + inserted)).toMatch(/^ iommu=(['"])on\1$/);
        expect(resolvePath(parseXml(after), `${device.target}/driver`)?.attr('iommu')).toBe('on');
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
