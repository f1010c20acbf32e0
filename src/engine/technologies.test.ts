import { describe, expect, it } from 'vitest';
import { NO_HOST_FACTS } from '../contracts/facts';
import { CAPABLE_HOST, domain, exact, s390Domain } from '../../test/engine-facts';
import { availability, effectiveLibvirt, snpReportUnconfirmed, TECHNOLOGIES, tdxReportUntrusted, technology } from './technologies';

describe('technology table', () => {
  it('has one entry per secure type, each with a rule id, and sources for every real technology', () => {
    expect(TECHNOLOGIES.map((t) => t.type)).toEqual(['none', 'sev', 'sev-es', 'sev-snp', 'tdx', 's390-pv', 'pef', 'cca']);
    for (const t of TECHNOLOGIES.filter((x) => x.type !== 'none')) expect(t.sources.length, t.type).toBeGreaterThan(0);
  });
  it('states the versions of the fact sheet (§3, §7.3 item 19)', () => {
    expect(technology('sev-snp')).toMatchObject({ libvirt: { major: 10, minor: 5 }, qemu: { major: 9, minor: 1 } });
    expect(technology('tdx')).toMatchObject({ libvirt: { major: 11, minor: 6 }, qemu: { major: 10, minor: 1 } });
    expect(technology('s390-pv')).toMatchObject({ libvirt: { major: 7, minor: 6 }, qemu: { major: 6, minor: 0 } });
  });
});

describe('availability', () => {
  it('rules a technology out by the guest architecture or machine', () => {
    expect(availability('sev', s390Domain(), CAPABLE_HOST)).toEqual({
      status: 'unavailable',
      reasons: ['needs a x86_64 guest; this one is s390x'],
    });
    expect(availability('s390-pv', domain(), CAPABLE_HOST).reasons).toEqual([
      'needs a s390x guest; this one is x86_64',
      'needs machine s390-ccw-virtio; this one is pc-q35-7.2',
    ]);
  });
  it("names this host's libvirt and QEMU when they are too old", () => {
    const host = { ...CAPABLE_HOST, libvirtVersion: exact(9, 0), qemuVersion: exact(7, 2) };
    expect(availability('sev-snp', domain(), host).reasons).toEqual([
      'libvirt 9.0.0 here; AMD SEV-SNP needs 10.5.0',
      'QEMU 7.2.0 here; AMD SEV-SNP needs 9.1.0',
    ]);
  });
  it('says what is unknown rather than guessing, and what the host reports when it says no', () => {
    expect(availability('tdx', domain(), NO_HOST_FACTS)).toEqual({
      status: 'unknown',
      reasons: ['whether this host supports Intel TDX is not known', 'Intel TDX needs libvirt 11.6.0', 'Intel TDX needs QEMU 10.1.0'],
    });
    expect(availability('tdx', domain(), { ...CAPABLE_HOST, tdx: 'no' }).reasons).toEqual([
      'this host reports no Intel TDX support (virsh domcapabilities)',
    ]);
    expect(availability('tdx', domain(), CAPABLE_HOST)).toEqual({ status: 'available', reasons: [] });
  });
  it("takes libvirt's sev-snp report as SNP support only with KVM's sev_snp parameter saying so", () => {
    const param = (value: string) => [{ fact: 'kvm_amd.sev_snp', value, source: '/sys/module/kvm_amd/parameters/sev_snp' }];
    const listed = { ...CAPABLE_HOST, sevSnp: 'yes' as const };
    expect(snpReportUnconfirmed({ ...listed, evidence: [] })).toBe(true);
    expect(availability('sev-snp', domain(), { ...listed, evidence: [] })).toEqual({
      status: 'unknown',
      reasons: ['whether this host supports AMD SEV-SNP is not known'],
    });
    expect(availability('sev-snp', domain(), { ...listed, evidence: param('Y') })).toEqual({ status: 'available', reasons: [] });
    // KVM's "no" wins over libvirt's list, and is named as KVM's.
    expect(availability('sev-snp', domain(), { ...listed, evidence: param('N') }).reasons).toEqual([
      "this host's KVM does not run AMD SEV-SNP guests (/sys/module/kvm_amd/parameters/sev_snp)",
    ]);
    // KVM saying yes does not make up for libvirt or QEMU not listing it.
    expect(availability('sev-snp', domain(), { ...listed, sevSnp: 'unknown', evidence: param('Y') }).status).toBe('unknown');
  });
  it('never offers Arm CCA', () => {
    expect(availability('cca', domain({ arch: 'aarch64' }), CAPABLE_HOST).status).toBe('unavailable');
  });
});

describe('host reports of libvirt release unknown', () => {
  const listing = (...types: string[]) => ({
    ...NO_HOST_FACTS,
    tdx: 'yes' as const,
    evidence: types.map((value) => ({ fact: 'launchSecurity sectype', value, source: 'virsh domcapabilities' })),
  });

  it('a domain capabilities report listing a <launchSecurity> type bounds libvirt from below by the release that brought it', () => {
    expect(effectiveLibvirt(listing('sev', 'sev-snp'))).toMatchObject({ kind: 'at-least', version: { major: 10, minor: 5 } });
    expect(effectiveLibvirt(listing('sev', 'tdx'))).toMatchObject({ kind: 'at-least', version: { major: 11, minor: 6 } });
    expect(effectiveLibvirt({ ...listing('tdx'), libvirtVersion: exact(12, 8) })).toEqual(exact(12, 8));
    expect(effectiveLibvirt(NO_HOST_FACTS)).toEqual({ kind: 'unknown' });
  });

  it('takes a TDX report as evidence only from a libvirt known to be 11.10 or later, or with kvm_intel.tdx reading Y', () => {
    expect(tdxReportUntrusted(listing('tdx'))).toBe(true);
    expect(tdxReportUntrusted({ ...listing('tdx'), libvirtVersion: exact(11, 9) })).toBe(true);
    expect(tdxReportUntrusted({ ...listing('tdx'), libvirtVersion: exact(11, 10) })).toBe(false);
    const confirmed = listing('tdx');
    expect(
      tdxReportUntrusted({ ...confirmed, evidence: [...confirmed.evidence, { fact: 'kvm_intel.tdx', value: 'Y', source: '/sys' }] }),
    ).toBe(false);
  });
});
