/**
 * Which devices libvirt asks the firmware to boot from (R-TDX-01/boot-device reads them from the XML): on every
 * generation of the version lab, `virsh domxml-to-native` turns each domain below into QEMU's command line, and the
 * devices with a bootindex there, in its order, must be exactly the engine's boot devices. The cases cover what is
 * easy to get wrong: libvirt's disk order (grouped by the bus as written, so a vda written between two SCSI disks
 * is not the first disk, and disks written without a bus form one group ordered by name), <os><boot dev> in its
 * order, the default hd, and <boot order> on devices.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVirsh } from '../../main/services/virsh';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-boot-order-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const disk = (dev: string, bus: string | null, device = 'disk', boot = '') =>
  `<disk type='file' device='${device}'><driver name='qemu' type='raw'/><source file='/var/lib/vaw-boot/${dev}.img'/><target dev='${dev}'${bus ? ` bus='${bus}'` : ''}/>${boot}</disk>`;
const nic = `<interface type='user'><model type='virtio'/></interface>`;

const CASES: readonly { readonly what: string; readonly os: string; readonly devices: string }[] = [
  {
    what: 'a vda written between two SCSI disks',
    os: "<boot dev='hd'/>",
    devices: disk('sdb', 'scsi') + disk('vda', 'virtio') + disk('sda', 'scsi'),
  },
  { what: 'the default hd, virtio first', os: '', devices: disk('vda', 'virtio') + disk('sda', 'scsi') },
  { what: 'disks without a bus', os: '', devices: disk('sdb', null) + disk('vda', null) },
  { what: 'a USB disk first', os: '', devices: disk('sdd', 'usb') + disk('vda', 'virtio') },
  {
    what: 'cdrom, hd and network in that order',
    os: "<boot dev='cdrom'/><boot dev='hd'/><boot dev='network'/>",
    devices: disk('vda', 'virtio') + disk('sdc', 'sata', 'cdrom') + disk('sde', 'scsi', 'cdrom') + nic,
  },
  {
    // Disks only: domxml-to-native rebuilds each interface for its command line and loses an interface's <boot order>.
    what: '<boot order> on devices',
    os: '',
    devices:
      disk('vda', 'virtio', 'disk', "<boot order='3'/>") +
      disk('sda', 'scsi', 'disk', "<boot order='1'/>") +
      disk('sdc', 'sata', 'cdrom', "<boot order='2'/>"),
  },
];

const domainXml = (name: string, c: (typeof CASES)[number]) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type>${c.os}</os>
  <devices>
    ${c.devices}
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <memballoon model='none'/>
  </devices>
</domain>
`;

/**
 * The devices with a bootindex in QEMU's command line, in bootindex order, named as the engine names them: a disk
 * by the image its drive reads (the -blockdev chain from the device's drive to its file), a NIC as `interface N`.
 */
function bootIndexed(argv: string, labelOfImage: (file: string) => string): string[] {
  const objects = [...argv.matchAll(/'(\{[^']*\})'/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
  const nodes = new Map(objects.filter((o) => typeof o['node-name'] === 'string').map((o) => [o['node-name'] as string, o]));
  const fileOf = (node: string): string => {
    const o = nodes.get(node);
    if (!o) throw new Error(`no -blockdev ${node} in ${argv}`);
    return typeof o.filename === 'string' ? o.filename : fileOf(String(o.file));
  };
  return objects
    .filter((o) => typeof o.bootindex === 'number')
    .sort((a, b) => (a.bootindex as number) - (b.bootindex as number))
    .map((o) => {
      if (typeof o.drive === 'string') return labelOfImage(fileOf(o.drive));
      const net = /^net(\d+)$/.exec(String(o.id));
      if (!net) throw new Error(`a bootindex on a device that is neither a disk nor a NIC: ${JSON.stringify(o)}`);
      return `interface ${Number(net[1]) + 1}`;
    });
}

describe.skipIf(missing)(`the devices libvirt asks the firmware to boot ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const [i, c] of CASES.entries()) {
      it(`${g.name} (libvirt ${g.libvirt}): ${c.what}: the engine's boot devices are the ones QEMU gets a bootindex for, in order`, async () => {
        const xml = domainXml(`vaw-boot-${i}`, c);
        const file = path.join(work, `${g.name}-${i}.xml`);
        writeFileSync(file, xml);
        const argv = await runVirsh(g.uri, ['domxml-to-native', 'qemu-argv', file]);
        const ours = readDomainFacts(parseDomainXml(xml)).bootDevices;
        const labelOfImage = (image: string) => {
          const dev = /\/([a-z]+)\.img$/.exec(image)?.[1];
          return ours.find((d) => d.label.endsWith(` ${dev}`))?.label ?? `the disk reading ${image}, which the engine does not boot`;
        };
        expect(bootIndexed(argv, labelOfImage)).toEqual(ours.map((d) => d.label));
        expect(ours.length).toBeGreaterThan(0);
      });
    }
  }
});
