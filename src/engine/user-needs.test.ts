/**
 * What users of virt-manager, cockpit, vagrant-libvirt, KubeVirt and AMD's SEV tooling asked for
 * (../shared/docs/anchors-survey.md §3), each as a check on the engine with real libvirt XML. The survey item
 * and the thread it comes from are named in each test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS, type GuestFacts, type HostFacts } from '../contracts/facts';
import type { Finding } from '../contracts/findings';
import { applyEdits, parseDomainXml, readDomainFacts } from '../domain-xml';
import { mergeHostFacts, parseDomainCapabilities } from '../host';
import { CAPABLE_HOST, exact } from '../../test/engine-facts';
import { explainRule, ruleIds } from './explain';
import { evaluate } from './interpreter';
import { planFor } from './plan';
import type { SecureType } from '../contracts/facts';

const root = path.resolve(__dirname, '../..');
const fixture = (f: string) => readFileSync(path.join(root, 'test/fixtures/domains', f), 'utf8');
const sevHost: HostFacts = mergeHostFacts(
  parseDomainCapabilities(readFileSync(path.join(root, 'test/fixtures/domcaps/q35-sev.xml'), 'utf8')),
);

function run(xml: string, secure: SecureType | 'keep', host: HostFacts = CAPABLE_HOST, guest: GuestFacts = NO_GUEST_FACTS) {
  const input = { domain: readDomainFacts(parseDomainXml(xml)), host, guest, goals: { ...DEFAULT_GOALS, secure } };
  return { findings: evaluate(input), plan: planFor(input) };
}
const rules = (fs: readonly Finding[], severity?: string) => fs.filter((f) => !severity || f.severity === severity).map((f) => f.rule);

/** A q35 domain with the devices of a typical guest plus the ones users trip over. */
const domain = (devices: string, extra = '', machine = 'q35', os = "<os firmware='efi'>") => `<domain type='kvm'>
  <name>need</name>
  <memory unit='GiB'>2</memory>
  ${os}
    <type arch='x86_64' machine='${machine}'>hvm</type>
  </os>
  ${extra}
  <devices>
${devices}
  </devices>
</domain>
`;
const VIRTIO_DISK = "    <disk type='file' device='disk'><source file='/i/a.qcow2'/><target dev='vda' bus='virtio'/></disk>";

describe("users' needs (anchors survey §3)", () => {
  it('1: a confidential-VM definition can be produced offline, from domcapabilities, with no SEV hardware (cockpit-machines #2333)', () => {
    const { plan } = run(fixture('sev-q35.xml'), 'sev', sevHost);
    expect(plan.impossible).toEqual([]);
    const out = applyEdits(fixture('sev-q35.xml'), plan.edits);
    expect(out).toContain('<cbitpos>51</cbitpos>');
    expect(rules(run(out, 'keep', sevHost).findings, 'error')).toEqual([]);
  });

  it('2: the whole dependent set comes in one plan, not a single toggle (SUSE doc-sle #1531)', () => {
    const out = applyEdits(fixture('sev-q35.xml'), run(fixture('sev-q35.xml'), 'sev', sevHost).plan.edits);
    const facts = readDomainFacts(parseDomainXml(out));
    expect(facts.launchSecurity.type).toBe('sev');
    expect(facts.memoryBacking.locked).toBe(true);
    expect(facts.devices.filter((d) => d.virtio && d.function !== 'balloon').every((d) => d.driver.iommu === 'on')).toBe(true);
    expect(facts.devices.find((d) => d.kind === 'interface')?.rom).toBe('off');
    expect(facts.devices.some((d) => d.function === 'balloon' && d.virtio)).toBe(false);
    // What a plan cannot change by itself is named, not skipped: BIOS firmware on an i440fx machine.
    const old = run(domain(VIRTIO_DISK, '', 'pc', '<os>'), 'sev', sevHost).findings;
    expect(rules(old)).toEqual(expect.arrayContaining(['R-SEV-04']));
    expect(
      old
        .filter((f) => f.rule === 'R-SEV-04')
        .map((f) => f.title)
        .join(' '),
    ).toMatch(/q35|UEFI|firmware/);
  });

  it("6: iommu never lands on an emulated device, and one written there is an error with libvirt's words (vagrant-libvirt #1688)", () => {
    const devices = `${VIRTIO_DISK}
    <disk type='file' device='cdrom'><source file='/i/x.iso'/><target dev='sda' bus='sata'/></disk>
    <interface type='network'><source network='default'/><model type='e1000e'/></interface>`;
    const out = applyEdits(domain(devices), run(domain(devices), 'sev', sevHost).plan.edits);
    const facts = readDomainFacts(parseDomainXml(out));
    const emulated = facts.devices.filter((d) => !d.virtio);
    expect(emulated.map((d) => d.label)).toEqual(expect.arrayContaining(['disk sda', expect.stringMatching(/^interface/)]));
    expect(new Set(emulated.map((d) => d.driver.iommu))).toEqual(new Set(['absent']));
    const wrong = domain(`    <interface type='network'><source network='default'/><model type='e1000e'/><driver iommu='on'/></interface>`);
    const f = run(wrong, 'keep').findings.find((x) => x.rule === 'R-XML-01');
    expect(f?.severity).toBe('error');
    expect(f?.messages).toContain('iommu driver option is only supported for virtio devices');
  });

  it('8: SWIOTLB bounce buffering is named, with the knob that sizes it (AMDESE/AMDSEV #281)', () => {
    const f = run(fixture('sev-q35.xml'), 'sev', sevHost, { ...NO_GUEST_FACTS, family: 'linux' }).findings.find(
      (x) => x.rule === 'R-LNX-03',
    );
    expect(f?.explanation).toMatch(/SWIOTLB/);
    expect(`${f?.explanation} ${f?.fix.text}`).toMatch(/swiotlb=/);
  });

  it('9: virtiofs under SEV-SNP gets a verdict before start: an error, as QEMU refuses it (AMDESE/AMDSEV #269, fact sheet §7.2 item 11)', () => {
    const fs = `    <filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/srv'/><target dir='srv'/></filesystem>`;
    const shared = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>";
    expect(rules(run(domain(`${VIRTIO_DISK}\n${fs}`, shared), 'sev-snp', CAPABLE_HOST).findings, 'error')).toContain('R-SNP-03');
  });

  it('10: a vhost-user backend must offer ACCESS_PLATFORM, and the user is told before QEMU refuses (rust-vmm/vhost #312)', () => {
    const f = run(fixture('vhost-user.xml'), 'sev', sevHost).findings;
    expect(rules(f)).toEqual(expect.arrayContaining(['R-QEMU-02']));
    expect(f.find((x) => x.rule === 'R-QEMU-02')?.messages).toContain('iommu_platform=true is not supported by the device');
  });

  it('11: a Windows guest in a confidential VM is warned about its drivers (virtio-win #483)', () => {
    const windows: GuestFacts = { ...NO_GUEST_FACTS, osinfoId: 'http://microsoft.com/win/11', family: 'windows', virtio1: 'yes' };
    expect(rules(run(fixture('sev-q35.xml'), 'sev', sevHost, windows).findings)).toContain('R-WIN-02');
  });

  it('12: "why must every device have iommu=on?" has an answer in words, with sources (kubevirt #14040)', () => {
    const e = explainRule('R-PV-02');
    expect(e).not.toBeNull();
    const text = JSON.stringify(e);
    expect(text).toMatch(/ACCESS_PLATFORM/);
    expect(text).toMatch(/https:\/\//);
  });

  it('13: the verdict depends on the QEMU version, not on "QEMU does it now" (os-autoinst-distri-opensuse #20717)', () => {
    // An unversioned machine type, so the machine gives no lower bound for the QEMU version.
    const at = (v: HostFacts['qemuVersion']) =>
      run(domain(VIRTIO_DISK), 'sev', { ...sevHost, qemuVersion: v }).findings.filter((f) => f.target === '/domain/devices/disk[1]');
    expect(at(exact(5, 2)).map((f) => [f.rule, f.severity])).toContainEqual(['R-SEV-02', 'error']);
    expect(at(exact(7, 2)).map((f) => [f.rule, f.severity])).toContainEqual(['R-QEMU-01', 'info']);
    const unknown = at({ kind: 'unknown' }).find((f) => f.rule === 'R-SEV-02');
    expect(unknown?.severity).toBe('warning');
    expect(unknown?.unknowns?.join(' ')).toMatch(/QEMU version/);
  });

  it("14: no rule describes iommu='on' as turning on an IOMMU (AMDESE/AMDSEV #113: host IOMMU, vIOMMU and the flag kept apart)", () => {
    for (const id of ruleIds()) {
      // Sources are quoted as their authors wrote them (QEMU's own doc says "Enable the IOMMU"); our words are checked.
      const text = JSON.stringify(explainRule(id)!.checks.map(({ sources: _quoted, ...ours }) => ours));
      expect(text, id).not.toMatch(/enables? (an |the )?(emulated |virtual )?IOMMU/i);
    }
  });

  it('16: the wrong firmware for SEV is an error before the guest fails to boot (kubevirt/enhancements #242)', () => {
    const bios = run(domain(VIRTIO_DISK, '', 'q35', '<os>\n    <loader>/usr/share/seabios/bios.bin</loader>'), 'sev', sevHost).findings;
    expect(
      bios
        .filter((f) => f.rule === 'R-SEV-04' && f.severity === 'error')
        .map((f) => f.title)
        .join(' '),
    ).toMatch(/firmware|UEFI|BIOS/i);
  });
});
