/**
 * The settings that bound how much DMA a guest can have in flight (SWIOTLB sizing, R-LNX-03/04): vCPUs, ring sizes
 * and request limits of the virtio devices, as written; whatever the XML leaves out is QEMU's default, which the
 * engine knows (src/engine/swiotlb-demand.ts), so it stays 'unknown' here.
 */
import type { DeviceIoFacts, DeviceKind, Maybe, OnOffAbsent } from '../contracts/facts';
import type { XmlElement } from './xml-tree';

/** libvirt's unsignedInt attributes (queue_size, cmd_per_lun ...): a decimal count, anything else is unknown. */
function count(text: string | undefined): Maybe<number> {
  const t = text?.trim();
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : 'unknown';
}

/** An on/off switch as written; anything but on or off (libvirt refuses it) counts as not written. */
function onOff(text: string | undefined): OnOffAbsent {
  return text === 'on' || text === 'off' ? text : 'absent';
}

/** SCSI disks addressed to controller `index`; libvirt puts a disk without an address on controller 0. */
function scsiDisksOn(devices: XmlElement | undefined, index: string): number {
  return (devices?.children('disk') ?? []).filter(
    (d) =>
      d.child('target')?.attr('bus') === 'scsi' &&
      (d
        .children('address')
        .find((a) => a.attr('type') === 'drive')
        ?.attr('controller') ?? '0') === index,
  ).length;
}

/** The ring and request limits of one device element (null for a device libvirt adds itself). */
export function deviceIoFacts(el: XmlElement | null, kind: DeviceKind, devices: XmlElement | undefined): DeviceIoFacts {
  const driver = el?.child('driver');
  const scsi = kind === 'controller' && el?.attr('type') === 'scsi';
  return {
    queueSize: kind === 'disk' ? count(driver?.attr('queue_size')) : 'unknown',
    rxQueueSize: kind === 'interface' ? count(driver?.attr('rx_queue_size')) : 'unknown',
    txQueueSize: kind === 'interface' ? count(driver?.attr('tx_queue_size')) : 'unknown',
    mergeableRxBuffers: kind === 'interface' ? onOff(driver?.child('host')?.attr('mrg_rxbuf')) : 'absent',
    cmdPerLun: scsi ? count(driver?.attr('cmd_per_lun')) : 'unknown',
    maxSectors: scsi ? count(driver?.attr('max_sectors')) : 'unknown',
    scsiDisks: scsi ? scsiDisksOn(devices, el.attr('index') ?? '0') : 0,
  };
}

/** `<vcpu current='N'>M</vcpu>`; libvirt fills in 1 when the element is missing (`virsh define` then `dumpxml`). */
export function vcpuFacts(domain: XmlElement): { readonly max: Maybe<number>; readonly current: Maybe<number> } {
  const vcpu = domain.child('vcpu');
  if (!vcpu) return { max: 1, current: 1 };
  const max = count(vcpu.text());
  const current = vcpu.attr('current');
  return { max, current: current === undefined ? max : count(current) };
}
