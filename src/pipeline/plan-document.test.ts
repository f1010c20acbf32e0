import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDomainXml } from '../domain-xml';
import { repoRoot } from '../../test/real-parts';
import { readDocument } from './plan-document';

const text = readFileSync(path.join(repoRoot, 'test/fixtures/domains/sev-q35.xml'), 'utf8');

describe('readDocument with a parse at hand', () => {
  it('reads the same facts from the caller’s parse of the same text as from its own', () => {
    expect(readDocument(text, { parsed: parseDomainXml(text) })).toEqual(readDocument(text));
  });
  it('parses anew when the parse handed in is of another text, so it never reads facts of the wrong document', () => {
    const other = parseDomainXml(text.replace('<name>sev-q35</name>', '<name>other</name>'));
    expect(readDocument(text, { parsed: other }).facts.name).toBe('sev-q35');
  });
});
