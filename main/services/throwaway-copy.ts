/**
 * The throwaway copy `verify` starts instead of the user's domain: the same devices, buses, models and driver
 * options, but nothing of the user's that a start could touch. New name and UUID; new MACs and no fixed tap
 * names; every disk an empty image of the same format and bus (cdroms and floppies empty); shared folders an
 * empty folder; no NVRAM file of the user's (libvirt makes a fresh one from the template); graphics on free
 * ports; character devices as ptys; no fixed vsock CID. Devices that would take something that belongs to the
 * host or to a running guest (PCI/USB passthrough, vhost-user sockets, a host TPM, NVDIMM/pmem files, SCSI LUNs)
 * are left out, and the report says they were not tested.
 * Pure text in, text out: the caller creates the images and folders this names.
 */
import type { VerifyChange } from '../../src/contracts/verify';
import { applyEdits, escapeAttribute, parseDomainXml, type XmlElement } from '../../src/domain-xml';
import type { Edit } from '../../src/contracts/findings';

/** Formats `qemu-img create` and libvirt's `vol-create-as` both make empty images of. */
const CREATABLE_FORMATS = new Set(['raw', 'qcow2', 'qed', 'vmdk', 'vdi', 'vpc', 'vhdx']);

export interface CopyOptions {
  readonly name: string;
  readonly uuid: string;
  /** The folder the empty disk images go in (on the host of the connection). */
  readonly imageDir: string;
  /** An empty folder on that host for shared filesystems. */
  readonly sharedDir: string;
  /** A new MAC address for each interface that has one. */
  readonly newMac: () => string;
}

export interface ThrowawayCopy {
  readonly xml: string;
  readonly changes: readonly VerifyChange[];
  /** Empty images to create before the copy is defined: file name inside `imageDir` and format. */
  readonly images: readonly { readonly file: string; readonly format: string }[];
  /** Devices left out, in words for the report. */
  readonly notTested: readonly string[];
  /** Whether a shared filesystem points at `sharedDir`. */
  readonly usesSharedDir: boolean;
}

const CHARDEVS = new Set(['serial', 'console', 'parallel', 'channel']);
/** Character device types that touch nothing of the host's but a new pty or the display. */
const HARMLESS_CHARDEV = new Set(['pty', 'null', 'vc', 'stdio', 'spicevmc', 'spiceport', 'qemu-vdagent', 'dbus']);

function labelOf(el: XmlElement): string {
  const target = el.child('target');
  const what = target?.attr('dev') ?? el.child('mac')?.attr('address') ?? el.child('source')?.attr('path') ?? el.attr('type') ?? '';
  return `${el.name}${what ? ` ${what}` : ''} (${el.xpath})`;
}

/** The copy of domain `text` (already a plan's output), with the edits that make it harmless listed. */
export function throwawayCopy(text: string, options: CopyOptions): ThrowawayCopy {
  const root = parseDomainXml(text, 'planned domain').root;
  const edits: Edit[] = [];
  const removals: XmlElement[] = [];
  const changes: VerifyChange[] = [];
  const images: { file: string; format: string }[] = [];
  const notTested: string[] = [];
  let usesSharedDir = false;
  const change = (target: string, what: string): void => void changes.push({ target, what });
  const leaveOut = (el: XmlElement, why: string): void => {
    removals.push(el);
    notTested.push(`${labelOf(el)}: left out, ${why}`);
    change(el.xpath, `left out (${why})`);
  };

  edits.push(
    root.child('name')
      ? { op: 'set-text', target: '/domain/name', text: options.name }
      : { op: 'add-element', parent: '/domain', xml: `<name>${options.name}</name>` },
  );
  edits.push(
    root.child('uuid')
      ? { op: 'set-text', target: '/domain/uuid', text: options.uuid }
      : { op: 'add-element', parent: '/domain', xml: `<uuid>${options.uuid}</uuid>` },
  );
  change('/domain/name', `named ${options.name}, UUID ${options.uuid}`);

  const nvram = root.child('os')?.child('nvram');
  if (nvram) {
    removals.push(nvram);
    change(nvram.xpath, "no NVRAM file of the domain's: libvirt makes a fresh one from the firmware's template");
  }

  for (const el of root.child('devices')?.children() ?? []) {
    const type = el.attr('type');
    switch (el.name) {
      case 'disk': {
        const device = el.attr('device') ?? 'disk';
        if (type === 'vhostuser') {
          leaveOut(el, 'it would connect to the vhost-user disk server of the running guest');
          break;
        }
        if (device === 'lun') {
          leaveOut(el, 'a SCSI LUN passes a host device through');
          break;
        }
        if (device === 'cdrom' || device === 'floppy') {
          if (el.child('source')) {
            edits.push({ op: 'remove-element', target: `${el.xpath}/source` });
            if (type !== 'file') edits.push({ op: 'set-attribute', target: el.xpath, name: 'type', value: 'file' });
            change(el.xpath, `an empty ${device} drive`);
          }
          break;
        }
        const written = el.child('driver')?.attr('type') ?? 'raw';
        const format = CREATABLE_FORMATS.has(written) ? written : 'raw';
        const file = `disk${images.length + 1}.${format}`;
        images.push({ file, format });
        const imagePath = `${options.imageDir}/${file}`;
        if (type !== 'file') edits.push({ op: 'set-attribute', target: el.xpath, name: 'type', value: 'file' });
        edits.push({ op: 'add-element', parent: el.xpath, xml: `<source file='${escapeAttribute(imagePath, "'")}'/>`, replace: true });
        for (const child of ['backingStore', 'encryption', 'auth']) {
          if (el.child(child)) edits.push({ op: 'remove-element', target: `${el.xpath}/${child}` });
        }
        if (format !== written) edits.push({ op: 'set-attribute', target: `${el.xpath}/driver`, name: 'type', value: format });
        change(
          el.xpath,
          `an empty ${format} image ${imagePath} on the same bus${format !== written ? ` (no empty ${written} image can be made)` : ''}`,
        );
        break;
      }
      case 'filesystem': {
        const source = el.child('source');
        if (source?.attr('socket') !== undefined) {
          leaveOut(el, 'it would connect to a virtiofsd that serves a running guest');
        } else if (source?.attr('dir') !== undefined) {
          edits.push({ op: 'set-attribute', target: `${el.xpath}/source`, name: 'dir', value: options.sharedDir });
          usesSharedDir = true;
          change(el.xpath, `shares the empty folder ${options.sharedDir}`);
        }
        break;
      }
      case 'interface': {
        if (type === 'hostdev' || type === 'vdpa' || type === 'vhostuser') {
          leaveOut(el, `a ${type} interface takes a host device or a running backend`);
          break;
        }
        const mac = el.child('mac');
        const address = options.newMac();
        if (mac) edits.push({ op: 'set-attribute', target: `${el.xpath}/mac`, name: 'address', value: address });
        else edits.push({ op: 'add-element', parent: el.xpath, xml: `<mac address='${address}'/>` });
        if (el.child('target')) edits.push({ op: 'remove-element', target: `${el.xpath}/target` });
        change(el.xpath, `new MAC ${address}${el.child('target') ? ', no fixed tap name' : ''}`);
        break;
      }
      case 'hostdev':
        leaveOut(el, 'passthrough would take the device from the host or a running guest');
        break;
      case 'tpm':
        if (el.child('backend')?.attr('type') === 'passthrough') leaveOut(el, "it would take the host's TPM");
        break;
      case 'memory':
        if (el.child('source')?.child('path')) leaveOut(el, "its backing file is the guest's persistent memory");
        break;
      case 'graphics':
        for (const attr of ['port', 'tlsPort', 'websocket', 'socket']) {
          if (el.attr(attr) !== undefined) edits.push({ op: 'remove-attribute', target: el.xpath, name: attr });
        }
        if (['vnc', 'spice'].includes(type ?? '')) {
          edits.push({ op: 'set-attribute', target: el.xpath, name: 'autoport', value: 'yes' });
          change(el.xpath, 'on a free port');
        }
        break;
      case 'vsock':
        if (el.child('cid')) {
          edits.push({ op: 'add-element', parent: el.xpath, xml: "<cid auto='yes'/>", replace: true });
          change(el.xpath, 'a free CID');
        }
        break;
      default:
        if (CHARDEVS.has(el.name) && !HARMLESS_CHARDEV.has(type ?? 'pty')) {
          if (el.name === 'channel' && type === 'unix' && el.child('target')?.attr('type') === 'virtio') {
            // libvirt gives a virtio channel's socket a path of the copy's own when none is written.
            if (el.child('source')?.attr('path') !== undefined)
              edits.push({ op: 'remove-attribute', target: `${el.xpath}/source`, name: 'path' });
          } else {
            edits.push({ op: 'set-attribute', target: el.xpath, name: 'type', value: 'pty' });
            for (const child of ['source', 'protocol', 'reconnect']) {
              if (el.child(child)) edits.push({ op: 'remove-element', target: `${el.xpath}/${child}` });
            }
          }
          change(el.xpath, `a ${el.name} of its own instead of ${type}`);
        }
        if (CHARDEVS.has(el.name) && el.child('log')) edits.push({ op: 'remove-element', target: `${el.xpath}/log` });
    }
  }

  // Removals last, the highest index first, so earlier removals never shift a later target.
  const order = removals.sort((a, b) => b.start - a.start);
  const xml = applyEdits(text, [...edits, ...order.map((el): Edit => ({ op: 'remove-element', target: el.xpath }))]);
  return { xml, changes, images, notTested, usesSharedDir };
}
