import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../domain-xml/parse-xml';
import { errorLocator, lineStartsOf, parseXmllintOutput } from './xmllint-output';

describe('parseXmllintOutput', () => {
  it('assigns located and unlocated errors to their file and reads verdicts', () => {
    const out = [
      '/t/f0.xml validates',
      'Relax-NG validity error : Extra element devices in interleave',
      '/t/f1.xml:5: element devices: Relax-NG validity error : Element domain failed to validate content',
      '/t/f1.xml fails to validate',
    ].join('\n');
    expect(parseXmllintOutput(out, ['/t/f0.xml', '/t/f1.xml'])).toEqual({
      valid: [true, false],
      errors: [
        [],
        [
          { line: 5, element: 'devices', message: 'Extra element devices in interleave' },
          { line: 5, element: 'devices', message: 'Element domain failed to validate content' },
        ],
      ],
    });
  });

  it('finds files whose paths contain colons and spaces', () => {
    const files = ['/v/a:1: b.xml', '/v/c.xml'];
    const out = [
      '/v/a:1: b.xml:7: element disk: Relax-NG validity error : Invalid attribute x',
      '/v/a:1: b.xml fails to validate',
      '/v/c.xml:3: parser error : Opening and ending tag mismatch',
      '/v/c.xml fails to validate',
    ].join('\n');
    expect(parseXmllintOutput(out, files)).toEqual({
      valid: [false, false],
      errors: [
        [{ line: 7, element: 'disk', message: 'Invalid attribute x' }],
        [{ line: 3, element: null, message: 'libxml2 cannot parse the document: Opening and ending tag mismatch' }],
      ],
    });
  });
});

describe('lineStartsOf', () => {
  it('starts a line after every LF, CRLF and lone CR, as libxml2 counts lines, with or without a CR in the text', () => {
    // Each start worked out by walking the text: a break is CR LF, CR or LF, and the next line starts after it.
    const walked = (text: string): number[] => {
      const starts = [0];
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '\r' && text[i + 1] === '\n') i++;
        if (text[i] === '\r' || text[i] === '\n') starts.push(i + 1);
      }
      return starts;
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '<', '\n', '\r', '\r\n') }), (text) => {
        expect(lineStartsOf(text)).toEqual(walked(text));
      }),
      { numRuns: 2000 },
    );
    expect(lineStartsOf('a\nb\n')).toEqual([0, 2, 4]);
    expect(lineStartsOf('a\r\nb\rc')).toEqual([0, 3, 5]);
  });
});

describe('errorLocator', () => {
  it('finds the element libxml2 names at its line, counting CR-only lines as libxml2 does', () => {
    const text = "<domain>\r  <devices>\r    <disk>\r      <driver iommu='maybe'/>\r    </disk>\r  </devices>\r</domain>\r";
    const locate = errorLocator(text);
    expect(locate(4, 'driver')).toBe('/domain/devices/disk[1]/driver');
    expect(locate(2, 'devices')).toBe('/domain/devices');
    expect(locate(0, 'driver')).toBe('/domain');
    expect(errorLocator('<domain><a></domain>')(1, 'a')).toBe('/domain');
  });

  it("locates in the caller's parse of the same text, and ignores a parse of another text", () => {
    const text = '<domain>\n  <devices>\n    <disk/>\n    <disk>\n      <driver/>\n    </disk>\n  </devices>\n</domain>\n';
    const other = '<domain>\n  <devices>\n    <disk>\n      <x/>\n      <driver/>\n    </disk>\n  </devices>\n</domain>\n';
    expect(errorLocator(text, parseXml(text))(5, 'driver')).toBe('/domain/devices/disk[2]/driver');
    expect(errorLocator(text, parseXml(other))(5, 'driver')).toBe('/domain/devices/disk[2]/driver');
    expect(errorLocator(other, parseXml(text))(5, 'driver')).toBe('/domain/devices/disk[1]/driver');
  });
});
