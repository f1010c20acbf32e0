/**
 * Plans for the other architectures, started for real under QEMU TCG by the real libvirtd: the devices of an
 * s390 Protected Virtualization plan on virtio-ccw, and a POWER PEF plan on pseries, where conventional PCI makes
 * model='virtio' transitional (R-XML-05) unless QEMU's confidential default turns the legacy interface off. PV and
 * PEF themselves need their hardware, so the launchSecurity element and the pef-guest object are left out and the
 * domain type is 'qemu' for the start; every device edit of the plan is kept.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SecureType } from '../../src/contracts/facts';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate, planFor } from '../../src/engine';
import { CAPABLE_HOST } from '../../test/engine-facts';
import { missingParts } from '../../test/real-parts';
import { defineXml, removeDomains, stateWhenStartedPaused } from '../../test/libvirt-domains';
import { VirshError } from './virsh';

const prefix = `vaw-arch-${process.pid}-`;

const domain = (name: string, arch: string, machine: string, emulator: string, memoryMiB: number) => `<domain type='kvm'>
  <name>${name}</name>
  <memory unit='MiB'>${memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='${arch}' machine='${machine}'>hvm</type>
  </os>
  <devices>
    <emulator>${emulator}</emulator>
    <interface type='user'>
      <model type='virtio'/>
    </interface>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>
`;

function plan(xml: string, secure: SecureType): string {
  const input = {
    domain: readDomainFacts(parseDomainXml(xml)),
    host: CAPABLE_HOST,
    guest: NO_GUEST_FACTS,
    goals: { ...DEFAULT_GOALS, secure },
  };
  const p = planFor(input);
  expect(p.impossible).toEqual([]);
  return applyEdits(xml, p.edits);
}

/** What TCG can run of a planned confidential domain: no launchSecurity or confidential object, type qemu; the device edits stay. */
const forTcg = (xml: string) =>
  xml
    .replace(/\s*<launchSecurity[^>]*\/>|\s*<launchSecurity[\s\S]*?<\/launchSecurity>/, '')
    .replace(/\s*<qemu:commandline>[\s\S]*?<\/qemu:commandline>/, '')
    .replace(/<domain type='kvm'[^>]*>/, "<domain type='qemu'>");

/** The domain with QEMU's pef-guest object on <qemu:commandline>: POWER PEF has no libvirt element (R-PEF-01). */
const withPefObject = (xml: string) =>
  xml
    .replace("<domain type='kvm'>", "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>")
    .replace(
      '</domain>',
      "  <qemu:commandline>\n    <qemu:arg value='-object'/>\n    <qemu:arg value='pef-guest,id=pef0'/>\n    <qemu:arg value='-machine'/>\n    <qemu:arg value='confidential-guest-support=pef0'/>\n  </qemu:commandline>\n</domain>",
    );

const missing = missingParts('libvirtd', 'qemu-s390x', 'qemu-ppc64');
describe.skipIf(missing)(`plans for s390x and ppc64 under TCG ${missing ? `(skipped: ${missing})` : ''}`, { timeout: 120_000 }, () => {
  afterAll(() => removeDomains(prefix));

  /** Defines the XML under its name and reports the state QEMU reaches when started paused. */
  async function startPaused(name: string, xml: string): Promise<string> {
    defineXml(xml);
    return stateWhenStartedPaused(name);
  }

  it('s390 PV plan: iommu on every virtio-ccw device and no balloon; QEMU s390x starts those devices', async () => {
    const name = `${prefix}s390`;
    const planned = plan(domain(name, 's390x', 's390-ccw-virtio', '/usr/bin/qemu-system-s390x', 256), 's390-pv');
    const facts = readDomainFacts(parseDomainXml(planned));
    expect(facts.launchSecurity.type).toBe('s390-pv');
    expect(facts.devices.filter((d) => d.virtio).map((d) => [d.transport, d.driver.iommu])).toEqual([
      ['ccw', 'on'],
      ['ccw', 'on'],
    ]);
    expect(planned).toContain("<memballoon model='none'/>");
    expect(await startPaused(name, forTcg(planned))).toBe('paused');
  });

  it('pseries: the engine flags iommu on model virtio (conventional PCI) as R-XML-05, and QEMU refuses it with that message', async () => {
    const name = `${prefix}ppc-bad`;
    const xml = forTcg(domain(name, 'ppc64', 'pseries', '/usr/bin/qemu-system-ppc64', 512)).replace(
      "<model type='virtio'/>",
      "<model type='virtio'/>\n      <driver iommu='on'/>",
    );
    const f = evaluate({
      domain: readDomainFacts(parseDomainXml(xml)),
      host: CAPABLE_HOST,
      guest: NO_GUEST_FACTS,
      goals: DEFAULT_GOALS,
    }).find((x) => x.rule === 'R-XML-05');
    expect(f?.target).toBe('/domain/devices/interface[1]');
    const e = await startPaused(name, xml).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(VirshError);
    expect((e as VirshError).stderr).toContain(f?.messages?.[0]);
  });

  it("PEF plan on pseries: impossible without the pef-guest object; with it, iommu on and model virtio, which QEMU's confidential default makes modern: QEMU ppc64 starts them so", async () => {
    const name = `${prefix}ppc-pef`;
    const plain = domain(name, 'ppc64', 'pseries', '/usr/bin/qemu-system-ppc64', 512);
    const without = planFor({
      domain: readDomainFacts(parseDomainXml(plain)),
      host: CAPABLE_HOST,
      guest: NO_GUEST_FACTS,
      goals: { ...DEFAULT_GOALS, secure: 'pef' },
    });
    expect(without.impossible.map((f) => f.rule)).toContain('R-PEF-01');
    const planned = plan(withPefObject(plain), 'pef');
    const facts = readDomainFacts(parseDomainXml(planned));
    expect(facts.devices.filter((d) => d.virtio && !d.implicit).map((d) => [d.virtioModel, d.driver.iommu])).toEqual([
      ['virtio', 'on'],
      ['virtio', 'on'],
    ]);
    // TCG cannot make a PEF guest: the object gives way to what its default does to every virtio-pci device
    // (disable-legacy=on, R-QEMU-01), given by hand.
    const tcg = forTcg(planned)
      .replace(
        '</domain>',
        "  <qemu:commandline>\n    <qemu:arg value='-global'/>\n    <qemu:arg value='virtio-pci.disable-legacy=on'/>\n  </qemu:commandline>\n</domain>",
      )
      .replace("<domain type='qemu'>", "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>");
    expect(await startPaused(name, tcg)).toBe('paused');
  });
});
