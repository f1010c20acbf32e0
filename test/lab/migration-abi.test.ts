/**
 * R-MIG-01's queue counts and virtio models against libvirt's and QEMU's own checks, on every generation of the version lab: a
 * domain with a virtio disk (queues, queue_size) and a multiqueue virtio NIC is started paused and saved, then
 * restored with `virsh restore --xml` and a changed definition. The engine's comparison, evaluated with that
 * generation's libvirt release, must find a problem exactly where the restore is refused, and quote what was
 * printed: libvirt's message for the disk everywhere and for the NIC from 11.4, QEMU's before (libvirt then lets
 * the NIC through and QEMU refuses its state).
 */
import type { Generation } from '../lab';
import { restoreSuite, type RestoreCase } from './restore-abi';

/** The domain: a tap NIC (libvirt allows multiqueue only on tap-like types) and a raw disk, nothing else. */
const domainXml = (name: string, dir: string) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' queues='2' queue_size='256'/>
      <source file='${dir}/disk.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='ethernet'>
      <model type='virtio'/>
      <driver queues='2'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
`;

const nicQueues = (saved: string, queues: string) =>
  saved.replace(/(<interface type='ethernet'>[\s\S]*?<driver) queues='2'/, `$1 queues='${queues}'`);
const nicChecked = (g: Generation) => !/^(?:9|10|11\.[0-3])\./.test(g.libvirt);

const CASES: readonly RestoreCase[] = [
  {
    what: "the disk's queues 2 -> 4",
    change: (x) => x.replace("queues='2' queue_size='256'", "queues='4' queue_size='256'"),
    refusal: () => /Target disk queue count 4 does not match source 2/,
  },
  {
    what: "the disk's queue_size 256 -> 512 (libvirt's message shows the queue counts)",
    change: (x) => x.replace("queue_size='256'", "queue_size='512'"),
    refusal: () => /Target disk queue size 2 does not match source 2/,
  },
  {
    what: "the NIC's queues 2 -> 4",
    change: (x) => nicQueues(x, '4'),
    refusal: (g) =>
      nicChecked(g) ? /Target virtio network queue count '4' does not match source '2'/ : /Bad config data|load of migration failed/,
  },
  {
    what: "the NIC's queues 2 -> 1 (libvirt's default, held as 0)",
    change: (x) => nicQueues(x, '1'),
    refusal: (g) =>
      nicChecked(g) ? /Target virtio network queue count '0' does not match source '2'/ : /Bad config data|load of migration failed/,
  },
  {
    what: "the NIC's model virtio -> virtio-non-transitional (the same device on a PCIe port)",
    change: (x) => x.replace("<model type='virtio'/>", "<model type='virtio-non-transitional'/>"),
    refusal: () => /Target network card model virtio-non-transitional does not match source virtio/,
  },
  {
    what: "the disk's model (none written) -> virtio-non-transitional",
    change: (x) => x.replace(/<disk type='file' device='disk'>/, "<disk type='file' device='disk' model='virtio-non-transitional'>"),
    refusal: () => /Target disk model virtio-non-transitional does not match source default/,
  },
  {
    what: "the balloon model='none' -> virtio (what undoing a confidential plan writes)",
    change: (x) => x.replace("<memballoon model='none'/>", "<memballoon model='virtio'/>"),
    refusal: () => /Target balloon model virtio does not match source none/,
  },
  { what: 'nothing changed', change: (x) => x, refusal: () => null },
];

restoreSuite({ title: 'virtio queue counts and models', label: 'queues', domainXml, cases: CASES });
