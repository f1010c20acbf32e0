/**
 * Which devices the firmware is asked to boot from, as libvirt works it out: `<boot order>` on devices, else
 * `<os><boot dev>` (hd when neither is written), which libvirt turns into a bootindex on the first disk, cdrom,
 * floppy or interface of its own disk order (qemu_process.c qemuProcessPrepareDeviceBootorder, 11.3).
 */
import type { BootDevice } from '../contracts/facts';
import type { XmlElement } from './xml-tree';

/**
 * A disk name's index as libvirt reads it (virDiskNameToIndex): the letters after the prefix in base 26, sda = 0,
 * sdz = 25, sdaa = 26; null when the name is not one.
 */
export function diskNameIndex(dev: string): number | null {
  const m = /^(?:sd|hd|vd|xvd|ubd|fd)([a-z]+)\d*$/.exec(dev);
  if (!m) return null;
  let index = 0;
  for (const ch of m[1]!) index = index * 26 + (ch.charCodeAt(0) - 96);
  return index - 1;
}

/** The bus libvirt derives from a disk name's prefix when none is written; ide for any other name. */
const BUS_OF_PREFIX: readonly (readonly [string, string])[] = [
  ['hd', 'ide'],
  ['sd', 'scsi'],
  ['vd', 'virtio'],
  ['xvd', 'xen'],
  ['ubd', 'uml'],
];

/** The bus libvirt gives a disk without one, from its device and name (domain_postparse.c virDomainDiskDefPostParse). */
function diskBus(disk: XmlElement): string {
  const target = disk.child('target');
  const written = target?.attr('bus');
  if (written !== undefined) return written;
  if (disk.attr('device') === 'floppy') return 'fdc';
  const dev = target?.attr('dev') ?? '';
  return BUS_OF_PREFIX.find(([prefix]) => dev.startsWith(prefix))?.[1] ?? 'ide';
}

/**
 * The disks in libvirt's order, which is not the document's: each disk read goes after the last one on the same bus
 * as written (a bus left out counts as one bus of its own: it is filled in later), before any of them with a higher
 * name index, or at the end when none is on its bus (domain_conf.c virDomainDiskInsert). Each bus's disks thus stay
 * together, the buses in the order they first appear, each sorted by name index (stably); so a vda written between
 * sda and sdb comes after both. `virsh dumpxml` writes them in this order.
 */
export function libvirtDiskOrder(disks: readonly XmlElement[]): XmlElement[] {
  const byBus = new Map<string, { disk: XmlElement; index: number }[]>();
  for (const disk of disks) {
    const target = disk.child('target');
    const bus = target?.attr('bus') ?? '';
    const group = byBus.get(bus) ?? [];
    byBus.set(bus, group);
    group.push({ disk, index: diskNameIndex(target?.attr('dev') ?? '') ?? -1 });
  }
  return [...byBus.values()].flatMap((group) => group.sort((a, b) => a.index - b.index).map((g) => g.disk));
}

function bootDevice(el: XmlElement, label: string): BootDevice {
  let bus = el.name;
  if (el.name === 'disk') bus = diskBus(el);
  else if (el.name === 'hostdev' && (el.attr('type') === 'scsi' || el.attr('type') === 'usb')) bus = el.attr('type')!;
  else if (el.name === 'redirdev') bus = 'usb';
  return { target: el.xpath, label, bus };
}

/** A device's name for messages: a disk by its kind and target name, others by their position among their kind. */
function labelOf(el: XmlElement, devices: readonly XmlElement[]): string {
  if (el.name === 'disk') {
    const dev = el.child('target')?.attr('dev');
    if (dev !== undefined) return `${el.attr('device') ?? 'disk'} ${dev}`;
  }
  let index = 0;
  for (let i = 0; i < devices.length && devices[i] !== el; i++) if (devices[i]!.name === el.name) index++;
  return el.name === 'disk' ? `${el.attr('device') ?? 'disk'} ${index + 1}` : `${el.name} ${index + 1}`;
}

/** `<os><boot dev>` values in their order; hd when there is none and no device has `<boot order>` (virDomainDefBootOrderPostParse). */
function osBootDevs(os: XmlElement | undefined): string[] {
  const devs = (os?.children('boot') ?? []).map((b) => b.attr('dev') ?? '');
  return devs.length > 0 ? devs : ['hd'];
}

/**
 * The devices booted from, in order. Every domain's facts are read with them (a check of many domains reads
 * them all), so the devices are walked once without per-device objects, and only the chosen ones are labelled.
 */
export function bootDevices(os: XmlElement | undefined, devicesEl: XmlElement | undefined): BootDevice[] {
  const devices = devicesEl?.children() ?? [];
  const ordered: { readonly el: XmlElement; readonly order: number }[] = [];
  for (let i = 0; i < devices.length; i++) {
    const boot = devices[i]!.child('boot');
    if (boot === undefined) continue;
    const order = Number(boot.attr('order'));
    if (Number.isInteger(order) && order > 0) ordered.push({ el: devices[i]!, order });
  }
  // libvirt refuses <boot order> beside <os><boot>: where both are written, the per-device orders are what is meant.
  if (ordered.length > 0) return ordered.sort((a, b) => a.order - b.order).map((d) => bootDevice(d.el, labelOf(d.el, devices)));

  const disks = libvirtDiskOrder(devices.filter((el) => el.name === 'disk'));
  const firstDisk = (kinds: readonly string[]) => disks.find((d) => kinds.includes(d.attr('device') ?? 'disk'));
  const chosen: XmlElement[] = [];
  for (const dev of osBootDevs(os)) {
    const el =
      dev === 'hd'
        ? firstDisk(['disk', 'lun'])
        : dev === 'cdrom'
          ? firstDisk(['cdrom'])
          : dev === 'fd'
            ? firstDisk(['floppy'])
            : dev === 'network'
              ? devices.find((d) => d.name === 'interface')
              : undefined;
    if (el && !chosen.includes(el)) chosen.push(el);
  }
  return chosen.map((el) => bootDevice(el, labelOf(el, devices)));
}
