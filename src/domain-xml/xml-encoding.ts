/**
 * Which encoding libxml2 reads a document's bytes in, decided as its `xmlDetectCharEncoding` (encoding.c, 2.9)
 * decides from the first four bytes (XML 1.0 appendix F, plus its own guess at UTF-16 without a byte order mark).
 * libvirt reads domain XML as UTF-8, and so does this tool: any other answer refuses the document before
 * anything parses it, so libxml2 (xmllint, libvirt) never reads a document in another encoding than this parser
 * did (a UTF-16LE file without a BOM is valid UTF-8, full of NULs, and once slipped past a text-level screen).
 */

/** What libxml2 would decide; `utf-8` covers its "no signature" answer, which it then reads as UTF-8. */
export type DetectedEncoding =
  'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'ucs-4le' | 'ucs-4be' | 'ucs-4-2143' | 'ucs-4-3412' | 'ebcdic';

const SIGNATURES: readonly (readonly [DetectedEncoding, readonly number[]])[] = [
  ['ucs-4be', [0x00, 0x00, 0x00, 0x3c]],
  ['ucs-4le', [0x3c, 0x00, 0x00, 0x00]],
  ['ucs-4-2143', [0x00, 0x00, 0x3c, 0x00]],
  ['ucs-4-3412', [0x00, 0x3c, 0x00, 0x00]],
  ['ebcdic', [0x4c, 0x6f, 0xa7, 0x94]],
  ['utf-8', [0x3c, 0x3f, 0x78, 0x6d]],
  ['utf-16le', [0x3c, 0x00, 0x3f, 0x00]],
  ['utf-16be', [0x00, 0x3c, 0x00, 0x3f]],
  ['utf-8-bom', [0xef, 0xbb, 0xbf]],
  ['utf-16be', [0xfe, 0xff]],
  ['utf-16le', [0xff, 0xfe]],
];

/**
 * libxml2's reading of the first bytes. A document that starts with `<` and then anything but a NUL, as almost
 * every domain does, is UTF-8 at once: the only signature it can match is `<?xm`, which says UTF-8 too. Indexed
 * loops, as this runs for every file a check reads (for-of and every() cost iterators and closures on V8's
 * baseline tier).
 */
export function detectXmlEncoding(bytes: Uint8Array): DetectedEncoding {
  if (bytes[0] === 0x3c && bytes.length > 1 && bytes[1] !== 0x00) return 'utf-8';
  for (let k = 0; k < SIGNATURES.length; k++) {
    const [encoding, signature] = SIGNATURES[k]!;
    if (bytes.length < signature.length) continue;
    let i = 0;
    while (i < signature.length && bytes[i] === signature[i]) i++;
    if (i === signature.length) return encoding;
  }
  return 'utf-8';
}

const NAMES: Readonly<Record<DetectedEncoding, string>> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'ucs-4le': 'UTF-32LE',
  'ucs-4be': 'UTF-32BE',
  'ucs-4-2143': 'UCS-4 (2143 byte order)',
  'ucs-4-3412': 'UCS-4 (3412 byte order)',
  ebcdic: 'EBCDIC',
};

/** Null when the bytes are read as UTF-8; otherwise the problem and what to do, for an XmlInputError. */
export function nonUtf8Encoding(bytes: Uint8Array): { problem: string; hint: string } | null {
  const detected = detectXmlEncoding(bytes);
  if (detected === 'utf-8' || detected === 'utf-8-bom') return null;
  const name = NAMES[detected];
  const iconv = detected === 'ebcdic' ? 'EBCDIC-US' : detected.startsWith('ucs-4-') ? 'UCS-4' : name;
  return {
    problem: `is encoded in ${name} (libxml2 reads its first bytes so), not UTF-8`,
    hint: `Convert it to UTF-8 (for example \`iconv -f ${iconv} -t UTF-8\`) and declare encoding="UTF-8" if it has a declaration; libvirt writes UTF-8.`,
  };
}
