/**
 * R-VIOMMU-01/eim-for-vcpus: what each libvirt release refuses for more than 255 vCPUs, the message it prints, and
 * the plan's fix (the same domains are defined and started on the version lab in test/lab/many-vcpus.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DomainFacts, VersionFact, ViommuModel } from '../../contracts/facts';
import { NO_VIOMMU } from '../../contracts/facts';
import { CAPABLE_HOST, device, domain, exact, input } from '../../../test/engine-facts';
import { evaluateAndPlan } from '../plan';

const KEY_TITLE = /vCPUs need/;
const many = (p: Partial<DomainFacts> = {}) => domain({ vcpus: { max: 288, current: 1 }, ...p });
const viommu = (model: ViommuModel, p: Partial<DomainFacts['viommu']> = {}) => ({
  ...NO_VIOMMU,
  model,
  target: '/domain/devices/iommu[1]',
  ...p,
});

function judged(d: DomainFacts, libvirt: VersionFact) {
  const { findings, plan } = evaluateAndPlan(input({ domain: d, host: { ...CAPABLE_HOST, libvirtVersion: libvirt } }));
  const finding = findings.find((f) => f.rule === 'R-VIOMMU-01' && KEY_TITLE.test(f.title));
  return { finding, plan };
}

describe('R-VIOMMU-01/eim-for-vcpus', () => {
  it('quotes the check of each release: extended interrupt mode up to 12.1, either it or the split I/O APIC from 12.2', () => {
    const virtioKvmIoapic = many({ viommu: viommu('virtio'), ioapicDriver: 'kvm' });
    expect(judged(virtioKvmIoapic, exact(11, 3)).finding?.messages).toEqual([
      'more than 255 vCPUs require extended interrupt mode enabled on the iommu device',
    ]);
    expect(judged(virtioKvmIoapic, exact(12, 8)).finding?.messages).toEqual([
      'more than 255 vCPUs require either IOAPIC in QEMU or an iommu device with EIM or XTSup mode enabled',
    ]);
    // libvirt 12.8 writes the split I/O APIC itself where <ioapic> names no driver.
    expect(judged(many({ viommu: viommu('virtio') }), exact(12, 8)).finding).toBeUndefined();
  });

  it('takes an intel vIOMMU without eim as libvirt 10.10 and later do (they turn it on), and refuses eim off before 12.2', () => {
    expect(judged(many({ viommu: viommu('intel') }), exact(9, 0)).finding?.severity).toBe('error');
    expect(judged(many({ viommu: viommu('intel') }), exact(10, 10))).toMatchObject({ finding: undefined });
    expect(judged(many({ viommu: viommu('intel', { eim: 'off' }) }), exact(11, 3)).finding?.severity).toBe('error');
    expect(judged(many({ viommu: viommu('intel', { eim: 'off' }), ioapicDriver: 'qemu' }), exact(12, 8)).finding).toBeUndefined();
  });

  it("quotes interrupt remapping's refusal where libvirt adds the intel vIOMMU beside <ioapic driver='kvm'/>", () => {
    const { finding, plan } = judged(many({ ioapicDriver: 'kvm' }), exact(11, 3));
    expect(finding?.messages).toEqual(["IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')"]);
    expect(plan.edits).toContainEqual({ op: 'set-attribute', target: '/domain/features/ioapic', name: 'driver', value: 'qemu' });
  });

  it('plans the intel vIOMMU with eim where libvirt 9.0 adds none, and with caching mode for assigned devices', () => {
    const { plan } = judged(many(), exact(9, 0));
    expect(plan.impossible).toEqual([]);
    expect(plan.edits).toEqual([
      { op: 'add-element', parent: '/domain/devices', xml: "<iommu model='intel'>\n  <driver intremap='on' eim='on'/>\n</iommu>" },
      { op: 'set-attribute', target: '/domain/features/ioapic', name: 'driver', value: 'qemu' },
    ]);
    expect(JSON.stringify(judged(many({ vfioDeviceCount: 1 }), exact(9, 0)).plan.edits)).toContain("caching_mode='on'");
  });

  it('leaves another model to the user: the plan is impossible rather than swapping the vIOMMU', () => {
    const { plan } = judged(many({ viommu: viommu('virtio') }), exact(11, 3));
    expect(plan.impossible.map((f) => f.title)).toEqual([expect.stringMatching(/<iommu model='virtio'> does not have/)]);
  });

  it('says the libvirt version decides where it is not known, and is silent for 255 vCPUs or an i440fx machine', () => {
    const unknown = judged(many({ viommu: viommu('virtio') }), { kind: 'unknown' }).finding;
    expect([unknown?.severity, unknown?.unknowns?.join()]).toEqual(['warning', expect.stringMatching(/libvirt version/)]);
    expect(judged(domain({ vcpus: { max: 255, current: 1 }, viommu: viommu('virtio') }), exact(11, 3)).finding).toBeUndefined();
    const i440fx = many({ viommu: viommu('virtio'), machine: { raw: 'pc', family: 'pc', version: 'unknown' } });
    expect(judged(i440fx, exact(11, 3)).finding).toBeUndefined();
  });
});

describe('R-VIOMMU-03 in a confidential domain with more than 255 vCPUs', () => {
  const sev = (p: Partial<DomainFacts>) =>
    domain({ launchSecurity: { ...domain().launchSecurity, type: 'sev', present: true, policy: '0x0003' }, ...p });
  const advice = (d: DomainFacts) =>
    evaluateAndPlan(input({ domain: d }))
      .findings.filter((f) => f.rule === 'R-VIOMMU-03')
      .map((f) => f.fix.text);

  it('does not advise removing the intel or amd vIOMMU its vCPUs need; it does for a virtio one, or with fewer vCPUs', () => {
    expect(advice(sev({ vcpus: { max: 288, current: 288 }, viommu: viommu('intel', { eim: 'on', intremap: 'on' }) }))).toEqual([]);
    expect(advice(sev({ vcpus: { max: 288, current: 288 }, viommu: viommu('amd') }))).toEqual([]);
    expect(advice(sev({ vcpus: { max: 288, current: 288 }, viommu: viommu('virtio') }))).toHaveLength(1);
    expect(advice(sev({ vcpus: { max: 8, current: 8 }, viommu: viommu('intel') }))).toHaveLength(1);
  });
});

describe('R-BE-02 with the vIOMMU libvirt adds for more than 255 vCPUs', () => {
  const vhostNic = device({
    kind: 'interface',
    function: 'net',
    label: 'interface 1',
    target: '/domain/devices/interface[1]',
    backend: 'vhost-kernel',
    driver: { ...device().driver, iommu: 'on' },
  });
  const slow = (d: DomainFacts, libvirt: VersionFact) =>
    evaluateAndPlan(input({ domain: d, host: { ...CAPABLE_HOST, libvirtVersion: libvirt } })).findings.find((f) => f.rule === 'R-BE-02');

  it('warns of the vhost device IOTLB where libvirt adds the intel vIOMMU (10.10.0 and later), as for one written', () => {
    const d = many({ machine: { raw: 'pc-q35-10.0', family: 'q35', version: { major: 10, minor: 0, micro: 0 } }, devices: [vhostNic] });
    expect(slow(d, exact(11, 3))?.explanation).toMatch(/libvirt adds an intel vIOMMU for this domain's 288 vCPUs/);
    expect(slow(d, exact(10, 9))).toBeUndefined();
    expect(slow({ ...d, vcpus: { max: 8, current: 8 } }, exact(11, 3))).toBeUndefined();
  });
});
