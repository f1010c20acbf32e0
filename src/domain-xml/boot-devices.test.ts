import { describe, expect, it } from 'vitest';
import { parseDomainXml, readDomainFacts } from '.';

const disk = (dev: string, bus?: string, device = 'disk', boot = '') =>
  `<disk type='file' device='${device}'><source file='/i/${dev}'/><target dev='${dev}'${bus ? ` bus='${bus}'` : ''}/>${boot}</disk>`;

const bootOf = (devices: string, os = '') =>
  readDomainFacts(
    parseDomainXml(`<domain type='kvm'><name>t</name><memory unit='GiB'>1</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type>${os}</os><devices>${devices}</devices></domain>`),
  ).bootDevices.map((d) => `${d.label}:${d.bus}`);

describe('the devices the firmware is asked to boot from', () => {
  it("gives <os><boot dev='hd'/> (also the default) to the first disk in libvirt's order: grouped by the bus written, by name within it", () => {
    // sdb, then vda on another bus (appended), then sda before sdb on the scsi bus: sda, sdb, vda.
    const scsiFirst = disk('sdb', 'scsi') + disk('vda', 'virtio') + disk('sda', 'scsi');
    expect(bootOf(scsiFirst, "<boot dev='hd'/>")).toEqual(['disk sda:scsi']);
    expect(bootOf(scsiFirst)).toEqual(['disk sda:scsi']);
    expect(bootOf(disk('vda', 'virtio') + disk('sda', 'scsi'))).toEqual(['disk vda:virtio']);
    // Without a bus written, both are one group ordered by name index (vda = 0 before sdb = 1); the buses come from the names.
    expect(bootOf(disk('sdb') + disk('vda'))).toEqual(['disk vda:virtio']);
  });

  it('follows <os><boot dev> in its order, each to the first device of its kind; a kind with no device is passed over', () => {
    const devices = `${disk('vda', 'virtio')}${disk('sdc', 'sata', 'cdrom')}<interface type='network'><source network='default'/></interface>`;
    expect(bootOf(devices, "<boot dev='cdrom'/><boot dev='hd'/><boot dev='network'/>")).toEqual([
      'cdrom sdc:sata',
      'disk vda:virtio',
      'interface 1:interface',
    ]);
    expect(bootOf(disk('vda', 'virtio'), "<boot dev='cdrom'/><boot dev='fd'/>")).toEqual([]);
    expect(bootOf(disk('sda', 'scsi', 'lun'), "<boot dev='hd'/>")).toEqual(['lun sda:scsi']);
  });

  it('takes <boot order> on devices, by number, instead; a SCSI or USB hostdev and a redirdev by their bus', () => {
    const devices =
      disk('vda', 'virtio', 'disk', "<boot order='3'/>") +
      disk('sda', 'scsi', 'disk', "<boot order='1'/>") +
      "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/><address bus='0' target='0' unit='0'/></source><boot order='2'/></hostdev>" +
      "<redirdev bus='usb' type='spicevmc'><boot order='4'/></redirdev>";
    expect(bootOf(devices)).toEqual(['disk sda:scsi', 'hostdev 1:scsi', 'disk vda:virtio', 'redirdev 1:usb']);
  });
});
