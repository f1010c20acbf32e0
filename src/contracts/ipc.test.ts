import { describe, expect, it } from 'vitest';
import { parseIpcRequest } from './ipc';
import { MAX_DOMAIN_XML_BYTES as MAX_XML_BYTES } from './limits';

describe('the IPC contract', () => {
  it('limits domain XML to 10 MB of UTF-8, as the file reader does, however few characters that is', () => {
    const fits = 'é'.repeat(MAX_XML_BYTES / 2);
    expect(parseIpcRequest('schema.validate', { xml: fits }).ok).toBe(true);
    // 6 Mi characters, 12 MB once encoded: an upload that open-by-path would refuse.
    const over = 'é'.repeat(6 * 1024 * 1024);
    expect(over.length).toBeLessThan(MAX_XML_BYTES);
    const r = parseIpcRequest('schema.validate', { xml: over });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: 'schema.validate: xml: is over the 10 MB limit for a domain XML document' },
    });
    expect(
      parseIpcRequest('file.save', {
        path: '/x.xml',
        text: '\u{1F600}'.repeat(MAX_XML_BYTES / 4 + 1),
        expectedFingerprint: null,
        validate: false,
      }).ok,
    ).toBe(false);
  });
});
