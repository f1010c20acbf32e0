/**
 * vhost-scsi (<hostdev type='scsi_host'>) is a virtio device that libvirt gives no <driver> options: the engine
 * must count it as virtio (QEMU's confidential default and R-XML-05 reach it) but never plan an iommu edit on it.
 */
import { describe, expect, it } from 'vitest';
import { applyEdits, parseDomainXml, readDomainFacts } from '../domain-xml';
import { CAPABLE_HOST, exact, input } from '../../test/engine-facts';
import { evaluate } from './interpreter';
import { planFor } from './plan';

const xml = (model: string) => `<domain type='kvm'>
  <name>vs</name>
  <memory unit='GiB'>2</memory>
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <devices>
    <hostdev mode='subsystem' type='scsi_host' model='${model}'>
      <source protocol='vhost' wwpn='naa.5123456789abcde0'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/>
      </source>
    </hostdev>
    <memballoon model='none'/>
  </devices>
</domain>
`;

const facts = (model: string) => readDomainFacts(parseDomainXml(xml(model)));

describe('vhost-scsi hostdev', () => {
  it('is a virtio scsi device served by vhost, and not counted as a passthrough hostdev', () => {
    const f = facts('virtio-transitional');
    expect(
      f.devices.filter((d) => d.kind === 'hostdev').map((d) => [d.target, d.label, d.virtio, d.function, d.virtioModel, d.backend]),
    ).toEqual([
      ['/domain/devices/hostdev[1]', 'hostdev vhost-scsi naa.5123456789abcde0', true, 'scsi', 'virtio-transitional', 'vhost-kernel'],
    ]);
    expect(f.hostdevCount).toBe(1);
  });

  it('in an SEV plan becomes non-transitional and gets no <driver> edit (libvirt has none for it)', () => {
    const plan = planFor(input({ domain: facts('virtio-transitional'), goals: { secure: 'sev' } }));
    expect(plan.impossible).toEqual([]);
    const onHostdev = plan.edits.filter((e) => ('target' in e ? e.target : e.parent).startsWith('/domain/devices/hostdev[1]'));
    expect(onHostdev).toEqual([
      { op: 'set-attribute', target: '/domain/devices/hostdev[1]', name: 'model', value: 'virtio-non-transitional' },
    ]);
    expect(applyEdits(xml('virtio-transitional'), plan.edits)).toContain(
      "<hostdev mode='subsystem' type='scsi_host' model='virtio-non-transitional'>",
    );
  });

  it("relies on QEMU's confidential default; before QEMU 6.0 the goal is impossible and the fix says why", () => {
    const old = input({
      domain: facts('virtio-non-transitional'),
      host: { ...CAPABLE_HOST, qemuVersion: exact(5, 2) },
      goals: { secure: 'sev' },
    });
    const plan = planFor(old);
    const blocking = plan.impossible.find((f) => f.target === '/domain/devices/hostdev[1]');
    expect(blocking?.rule).toBe('R-SEV-02');
    expect(blocking?.fix.text).toMatch(/libvirt has no <driver iommu> option for hostdev vhost-scsi .*run QEMU 6\.0 or later/);
    const current = evaluate(input({ domain: facts('virtio-non-transitional'), goals: { secure: 'sev' } })).find(
      (f) => f.target === '/domain/devices/hostdev[1]' && f.rule === 'R-QEMU-01',
    );
    expect(current?.fix.edits).toEqual([]);
  });
});
