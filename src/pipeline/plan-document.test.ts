import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDomainXml } from '../domain-xml';
import { repoRoot } from '../../test/real-parts';
import { DEFAULT_GOALS, NO_GUEST_FACTS, NO_HOST_FACTS } from '../contracts/facts';
import type { Finding } from '../contracts/findings';
import { exact } from '../../test/engine-facts';
import { planDocument, readDocument } from './plan-document';

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

describe('planDocument with an impossible goal', () => {
  it('does not repeat the findings that make the goal impossible among those the domain still has', () => {
    const sev = text.replace('</devices>', '</devices>\n  <launchSecurity type="sev"><policy>0x0003</policy></launchSecurity>');
    const context = {
      host: { ...NO_HOST_FACTS, libvirtVersion: exact(4, 0), qemuVersion: exact(7, 2) },
      guest: NO_GUEST_FACTS,
      goals: DEFAULT_GOALS,
    };
    const planned = planDocument(readDocument(sev), context);
    const key = (f: Finding) => `${f.rule} ${f.target} ${f.title}`;
    expect(planned.plan.impossible.map((f) => f.title)).toContainEqual(expect.stringMatching(/needs libvirt 4\.5\.0 or later/));
    expect(planned.findings.map(key)).toEqual(expect.arrayContaining(planned.plan.impossible.map(key)));
    for (const f of planned.plan.impossible) expect(planned.remaining.map(key)).not.toContain(key(f));
    expect(planned.remaining.length).toBe(planned.findings.length - planned.plan.impossible.length);
  });
});
