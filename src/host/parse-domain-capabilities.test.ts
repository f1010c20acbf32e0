import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, missingParts } from '../../test/real-parts';
import { XmlInputError } from '../domain-xml';
import { mergeHostFacts } from './merge-host-facts';
import { parseDomainCapabilities, summariseDomainCapabilities } from './parse-domain-capabilities';

const capsDir = path.join(corpusDir, 'libvirt/domaincaps');
const corpusMissing = missingParts('corpus');
const read = (name: string): string => readFileSync(path.join(capsDir, name), 'utf8');

describe.skipIf(corpusMissing)(`domcapabilities from the corpus ${corpusMissing ? '(skipped: ' + corpusMissing + ')' : ''}`, () => {
  it('reads SEV with cbitpos, reducedPhysBits and guest limits, and SEV-SNP from the sectype enum', () => {
    const facts = mergeHostFacts(parseDomainCapabilities(read('qemu_10.0.0-q35.x86_64+amdsev.xml')));
    expect(facts.sev).toEqual({ supported: 'yes', cbitpos: 51, reducedPhysBits: 1, maxGuests: 59, maxESGuests: 450 });
    expect(facts.sevSnp).toBe('yes');
    expect(facts.tdx).toBe('no');
    expect(facts.s390pv).toBe('no');
    expect(facts.machines).toEqual(['pc-q35-10.0']);
    expect(facts.qemuVersion).toMatchObject({ kind: 'at-least', version: { major: 10, minor: 0, micro: 0 } });
  });

  it('reads TDX and no SEV (so no SEV-SNP)', () => {
    const facts = mergeHostFacts(parseDomainCapabilities(read('qemu_10.1.0-q35.x86_64+inteltdx.xml')));
    expect(facts.tdx).toBe('yes');
    expect(facts.sev.supported).toBe('no');
    expect(facts.sev.cbitpos).toBe('unknown');
    expect(facts.sevSnp).toBe('no');
  });

  it('reads s390 protected virtualization', () => {
    const summary = summariseDomainCapabilities(read('qemu_8.2.0.s390x.xml'));
    expect(summary.facts.s390pv).toBe('yes');
    expect(summary.launchSecurityTypes).toContain('s390-pv');
    expect(summary.arch).toBe('s390x');
    expect(summary.machine).toBe('s390-ccw-virtio-8.2');
  });

  it('leaves a feature unknown when the libvirt of that capture did not report it', () => {
    // QEMU 4.2-era captures predate the <s390-pv> and <tdx> feature elements.
    const facts = parseDomainCapabilities(read('qemu_4.2.0-q35.x86_64.xml'));
    expect(facts.tdx).toBe('unknown');
    expect(facts.s390pv).toBe('unknown');
  });

  it('parses every capture: arch and machine always present, SEV numbers only when SEV is supported', () => {
    const files = readdirSync(capsDir).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const text = read(f);
      const s = summariseDomainCapabilities(text, f);
      expect(s.arch, f).toBe(/<arch>([^<]+)<\/arch>/.exec(text)?.[1]);
      expect(s.machine, f).toBe(/<machine>([^<]+)<\/machine>/.exec(text)?.[1]);
      if (s.facts.sev?.supported !== 'yes') expect(s.facts.sev?.cbitpos, f).toBe('unknown');
      expect(s.facts.sev?.supported, f).toBe(
        /<sev supported='yes'/.test(text) ? 'yes' : /<sev supported='no'/.test(text) ? 'no' : 'unknown',
      );
    }
  });
});

describe('domcapabilities input errors', () => {
  it('names the source and the line of malformed XML', () => {
    expect(() => parseDomainCapabilities('<domainCapabilities>\n<arch>x86_64</domainCapabilities>', 'caps.xml')).toThrow(XmlInputError);
    expect(() => parseDomainCapabilities('<domainCapabilities>\n<arch>x86_64</domainCapabilities>', 'caps.xml')).toThrow(/caps\.xml/);
  });

  it('refuses a document that is not domcapabilities (swapped arguments) as an input error that says what to pass', () => {
    let e: unknown;
    try {
      parseDomainCapabilities("<?xml version='1.0'?>\n<domain type='kvm'/>", 'vm.xml');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(XmlInputError);
    expect(e).toMatchObject({ file: 'vm.xml', line: 2, column: 1, problem: 'the root element is <domain>, not <domainCapabilities>' });
    expect((e as XmlInputError).hint).toContain('virsh domcapabilities');
  });
});

describe('mergeHostFacts', () => {
  it('prefers an exact version to an implied one and keeps known answers over unknown', () => {
    const merged = mergeHostFacts(
      { qemuVersion: { kind: 'at-least', version: { major: 7, minor: 2, micro: 0 }, source: 'machine' }, tdx: 'no' },
      { qemuVersion: { kind: 'exact', version: { major: 7, minor: 2, micro: 22 }, source: 'virsh version' }, tdx: 'unknown' },
    );
    expect(merged.qemuVersion).toMatchObject({ kind: 'exact', version: { micro: 22 } });
    expect(merged.tdx).toBe('no');
  });

  it('unions machine lists and concatenates evidence', () => {
    const merged = mergeHostFacts(
      { machines: ['pc-q35-7.2'], evidence: [{ fact: 'a', value: '1', source: 's' }] },
      { machines: ['pc-i440fx-7.2', 'pc-q35-7.2'], evidence: [{ fact: 'b', value: '2', source: 't' }] },
    );
    expect(merged.machines).toEqual(['pc-q35-7.2', 'pc-i440fx-7.2']);
    expect(merged.evidence.map((e) => e.fact)).toEqual(['a', 'b']);
  });
});

const virshMissing = missingParts('libvirtd');
describe.skipIf(virshMissing)(`domcapabilities from the live daemon ${virshMissing ? '(skipped: ' + virshMissing + ')' : ''}`, () => {
  it('parses what qemu:///system reports for TCG q35', () => {
    const xml = execFileSync(
      'virsh',
      ['-c', 'qemu:///system', 'domcapabilities', '--virttype', 'qemu', '--arch', 'x86_64', '--machine', 'q35'],
      {
        encoding: 'utf8',
      },
    );
    const s = summariseDomainCapabilities(xml);
    expect(s.arch).toBe('x86_64');
    expect(s.virttype).toBe('qemu');
    expect(s.machine).toMatch(/^pc-q35-\d+\.\d+$/);
    expect(s.facts.sev?.supported).toBe(/<sev supported='yes'/.test(xml) ? 'yes' : 'no');
  });
});
