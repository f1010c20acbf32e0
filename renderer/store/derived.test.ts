import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_GUEST_FACTS, NO_HOST_FACTS } from '../../src/contracts/facts';
import { mergeHostFacts, parseDomainCapabilities } from '../../src/host';
import { createDerive, derive } from './derived';
import { createWizardStore } from './store';

const sample = (f: string) => readFileSync(path.join(__dirname, '../../assets/samples', f), 'utf8');
const choices = { host: NO_HOST_FACTS, guest: NO_GUEST_FACTS, migration: 'unknown' as const, backends: {}, models: {}, manualXml: null };

describe('derive', () => {
  it('says nothing is loaded before a domain is', () => {
    expect(derive({ ...choices, text: '', secure: 'keep' })).toEqual({ ok: false, problem: 'No domain is loaded yet.' });
  });

  it('reports unreadable XML with its line instead of throwing', () => {
    const d = derive({ ...choices, text: '<domain>\n<devices>\n</domain>', secure: 'keep' });
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.problem).toMatch(/^domain\.xml:3:1: closing tag <\/domain> does not match <devices>/);
  });

  it("for SEV without the host's cbitpos plans the element without it (libvirt fills it in), and is impossible on libvirt before 6.9", () => {
    const d = derive({ ...choices, text: sample('sev-q35.xml'), secure: 'sev' });
    expect(d.ok && d.plan.impossible).toEqual([]);
    expect(d.ok && d.planned).toMatch(/<launchSecurity type='sev'>\s*<policy>0x0003<\/policy>/);
    const old = { ...NO_HOST_FACTS, libvirtVersion: { kind: 'exact' as const, version: { major: 6, minor: 8, micro: 0 }, source: 'test' } };
    const refused = derive({ ...choices, host: old, text: sample('sev-q35.xml'), secure: 'sev' });
    expect(refused.ok && refused.plan.impossible.map((f) => f.rule)).toEqual(['R-SEV-01']);
    expect(refused.ok && refused.planned).toBe(sample('sev-q35.xml'));
  });

  it('for SEV on a host that reports cbitpos it plans iommu on every virtio device and leaves no error after the plan', () => {
    const host = mergeHostFacts(
      parseDomainCapabilities(readFileSync(path.join(__dirname, '../../test/fixtures/domcaps/q35-sev.xml'), 'utf8')),
    );
    const d = derive({ ...choices, host, text: sample('sev-q35.xml'), secure: 'sev' });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.findings.some((f) => f.severity === 'error')).toBe(true);
    expect(d.plan.impossible).toEqual([]);
    expect(d.planned).toContain('<launchSecurity');
    expect(d.diff).toMatch(/^\+.*iommu='on'/m);
    expect(d.remaining.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('keeping the domain as it is plans nothing for a clean domain', () => {
    const d = derive({ ...choices, text: sample('sev-q35.xml'), secure: 'keep' });
    expect(d.ok && [d.planned === sample('sev-q35.xml'), d.diff]).toEqual([true, '']);
  });

  it("applies the user's model choice first and judges the domain as chosen", () => {
    const text = sample('transitional-i440fx.xml');
    const nic = derive({ ...choices, text, secure: 'keep' });
    const target = nic.ok ? nic.facts.devices.find((d) => d.kind === 'interface')!.target : '';
    const chosen = derive({ ...choices, text, secure: 'keep', models: { [target]: 'virtio-non-transitional' } });
    expect(chosen.ok && chosen.facts.devices.find((d) => d.target === target)?.virtioModel).toBe('virtio-non-transitional');
    expect(chosen.ok && chosen.diff).toMatch(/^\+\s*<model type='virtio-non-transitional'\/>$/m);
  });

  it('a transitional choice in a confidential VM is an R-XML-05 error, and the plan undoes it', () => {
    const host = mergeHostFacts(
      parseDomainCapabilities(readFileSync(path.join(__dirname, '../../test/fixtures/domcaps/q35-sev.xml'), 'utf8')),
    );
    const text = sample('sev-q35.xml');
    const d = derive({ ...choices, host, text, secure: 'sev', models: { '/domain/devices/disk[1]': 'virtio-transitional' } });
    expect(d.ok && d.findings.some((f) => f.rule === 'R-XML-05' && f.target === '/domain/devices/disk[1]')).toBe(true);
    expect(d.ok && d.planned).toContain("<disk type='file'   device='disk' model='virtio-non-transitional'>");
  });
});

describe('derive with the planned XML edited by hand', () => {
  const text = sample('transitional-i440fx.xml');
  it('uses the hand-edited text for the diff and judges what it leaves', () => {
    const manualXml = text.replace(/<vcpu([^>]*)>\d+<\/vcpu>/, '<vcpu$1>4</vcpu>');
    const d = derive({ ...choices, text, secure: 'keep', manualXml });
    expect(d.ok && [d.manual, d.planned === manualXml, d.manualProblem]).toEqual([true, true, null]);
    expect(d.ok && d.diff).toMatch(/^\+.*>4<\/vcpu>$/m);
  });

  it('says why hand-edited XML that is not well-formed cannot be used', () => {
    const d = derive({ ...choices, text, secure: 'keep', manualXml: '<domain><name>x</name>' });
    expect(d.ok && d.manualProblem).toMatch(/your XML:1:1: <domain> is never closed/);
  });
});

describe('the memoised derivation the store uses', () => {
  const host = mergeHostFacts(
    parseDomainCapabilities(readFileSync(path.join(__dirname, '../../test/fixtures/domcaps/q35-sev.xml'), 'utf8')),
  );

  it('returns the very same result when only the step (or anything it does not read) changes', () => {
    const store = createWizardStore();
    const select = createDerive();
    store.getState().load({ kind: 'sample', id: 's', title: 'S' }, sample('sev-q35.xml'), { host });
    const first = select(store.getState());
    store.getState().go('review');
    store.getState().setBusy({ label: 'Reading', startedAt: 0, cancel: null });
    expect(select(store.getState())).toBe(first);
  });

  it('a new goal re-plans without parsing again (same facts object); a new text parses again', () => {
    const store = createWizardStore();
    const select = createDerive();
    store.getState().load({ kind: 'sample', id: 's', title: 'S' }, sample('sev-q35.xml'), { host });
    const keep = select(store.getState());
    store.getState().setSecure('sev');
    const sev = select(store.getState());
    expect(sev).not.toBe(keep);
    expect(keep.ok && sev.ok && sev.facts === keep.facts).toBe(true);
    expect(sev.ok && sev.plan.edits.length).toBeGreaterThan(0);
    store.getState().reloaded({ kind: 'sample', id: 's', title: 'S' }, sample('transitional-i440fx.xml'));
    const other = select(store.getState());
    expect(other.ok && sev.ok && other.facts !== sev.facts && other.facts.name).toBe('legacy-pc');
  });

  it('model choices equal in a new object reuse the parse; any other state gives what a fresh derivation gives', () => {
    const text = sample('sev-q35.xml');
    const fresh = derive({ ...choices, host, text, secure: 'keep' });
    const target = fresh.ok ? fresh.facts.devices.find((d) => d.virtio && !d.implicit)?.target : undefined;
    expect(target).toBeDefined();
    const select = createDerive();
    const first = select({ ...choices, host, text, secure: 'sev', models: {} });
    const again = select({ ...choices, host, text, secure: 'sev-es', models: {} });
    expect(first.ok && again.ok && again.facts === first.facts).toBe(true);
    // A walk through states that share the text: every result is the one a derivation without memory gives.
    const states = [
      { models: { [target!]: 'virtio-transitional' as const }, secure: 'sev' as const, manualXml: null },
      { models: {}, secure: 'sev' as const, manualXml: null },
      { models: { [target!]: 'virtio-transitional' as const }, secure: 'keep' as const, manualXml: null },
      { models: { [target!]: 'virtio-non-transitional' as const }, secure: 'keep' as const, manualXml: null },
      {
        models: { [target!]: 'virtio-non-transitional' as const },
        secure: 'keep' as const,
        manualXml: text.replace('</domain>', '<!-- x --></domain>'),
      },
      { models: {}, secure: 'sev-es' as const, manualXml: null },
    ];
    for (const hostFacts of [host, NO_HOST_FACTS])
      for (const st of states) {
        const s = { ...choices, host: hostFacts, text, ...st };
        expect(select(s)).toEqual(derive(s));
      }
  });

  it('reports which findings the plan fixes and which remain', () => {
    const d = derive({ ...choices, host, text: sample('sev-q35.xml'), secure: 'sev' });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const key = (f: { rule: string; target: string }) => `${f.rule} ${f.target}`;
    const errors = d.findings.filter((f) => f.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(d.fixed.map(key)).toContain(key(e));
    for (const f of d.fixed) expect(d.remaining.map(key)).not.toContain(key(f));
  });
});
