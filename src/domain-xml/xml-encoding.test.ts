import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectXmlEncoding, type DetectedEncoding } from './xml-encoding';

/**
 * libxml2 2.9's xmlDetectCharEncoding (encoding.c), written out as it reads: the four-byte signatures of XML 1.0
 * appendix F and its own, then the byte order marks; no signature means UTF-8.
 */
function libxml2Reading(b: Uint8Array): DetectedEncoding {
  const starts = (...sig: number[]) => b.length >= sig.length && sig.every((x, i) => b[i] === x);
  if (starts(0x00, 0x00, 0x00, 0x3c)) return 'ucs-4be';
  if (starts(0x3c, 0x00, 0x00, 0x00)) return 'ucs-4le';
  if (starts(0x00, 0x00, 0x3c, 0x00)) return 'ucs-4-2143';
  if (starts(0x00, 0x3c, 0x00, 0x00)) return 'ucs-4-3412';
  if (starts(0x4c, 0x6f, 0xa7, 0x94)) return 'ebcdic';
  if (starts(0x3c, 0x3f, 0x78, 0x6d)) return 'utf-8';
  if (starts(0x3c, 0x00, 0x3f, 0x00)) return 'utf-16le';
  if (starts(0x00, 0x3c, 0x00, 0x3f)) return 'utf-16be';
  if (starts(0xef, 0xbb, 0xbf)) return 'utf-8-bom';
  if (starts(0xfe, 0xff)) return 'utf-16be';
  if (starts(0xff, 0xfe)) return 'utf-16le';
  return 'utf-8';
}

describe('detectXmlEncoding', () => {
  it("reads every start of a document as libxml2 does (signatures' bytes and a few others, up to six)", () => {
    const byte = fc.constantFrom(0x00, 0x3c, 0x3f, 0x78, 0x6d, 0x4c, 0x6f, 0xa7, 0x94, 0xef, 0xbb, 0xbf, 0xfe, 0xff, 0x61, 0x20);
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 6 }), (bytes) => {
        const b = Uint8Array.from(bytes);
        expect(detectXmlEncoding(b)).toBe(libxml2Reading(b));
      }),
      { numRuns: 5000 },
    );
  });
  it('takes "<" and then anything but a NUL for UTF-8, and "<" then NULs for UCS-4 or UTF-16', () => {
    expect(detectXmlEncoding(Buffer.from('<domain/>'))).toBe('utf-8');
    expect(detectXmlEncoding(Buffer.from('<'))).toBe('utf-8');
    expect(detectXmlEncoding(Uint8Array.from([0x3c, 0x00, 0x00, 0x00]))).toBe('ucs-4le');
    expect(detectXmlEncoding(Uint8Array.from([0x3c, 0x00, 0x3f, 0x00]))).toBe('utf-16le');
  });
});
