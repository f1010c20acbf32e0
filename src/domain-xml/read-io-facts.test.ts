import { describe, expect, it } from 'vitest';
import { parseDomainXml, readDomainFacts } from '.';

const facts = (inner: string, head = "<vcpu current='2'>4</vcpu>") =>
  readDomainFacts(
    parseDomainXml(`<domain type='kvm'><name>t</name><memory unit='GiB'>4</memory>${head}
  <os><type arch='x86_64' machine='q35'>hvm</type><kernel>/boot/vmlinuz</kernel></os>
  <devices>${inner}</devices></domain>`),
  );

describe('ring and request limits for SWIOTLB sizing', () => {
  it('reads queue_size of a disk and the rx/tx ring sizes of an interface; unset stays unknown', () => {
    const d =
      facts(`<disk type='file' device='disk'><driver name='qemu' type='raw' queues='4' queue_size='512'/><source file='/a'/><target dev='vda' bus='virtio'/></disk>
      <interface type='network'><source network='default'/><model type='virtio'/><driver queues='2' rx_queue_size='1024' tx_queue_size='512'/></interface>
      <interface type='network'><source network='default'/><model type='virtio'/></interface>`).devices;
    expect([d[0]!.queues, d[0]!.io.queueSize]).toEqual([4, 512]);
    expect([d[1]!.queues, d[1]!.io.rxQueueSize, d[1]!.io.txQueueSize]).toEqual([2, 1024, 512]);
    expect([d[2]!.io.rxQueueSize, d[2]!.io.txQueueSize, d[2]!.io.queueSize]).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it("reads an interface's <host mrg_rxbuf>; not written, it is QEMU's default (on)", () => {
    const d =
      facts(`<interface type='network'><source network='default'/><model type='virtio'/><driver><host mrg_rxbuf='off'/></driver></interface>
      <interface type='network'><source network='default'/><model type='virtio'/></interface>`).devices;
    expect(d.filter((x) => x.kind === 'interface').map((x) => x.io.mergeableRxBuffers)).toEqual(['off', 'absent']);
  });

  it('counts the disks on each SCSI controller (no address: controller 0) and reads its driver limits', () => {
    const d =
      facts(`<controller type='scsi' index='0' model='virtio-scsi'><driver queues='2' cmd_per_lun='32' max_sectors='1024'/></controller>
      <controller type='scsi' index='1' model='virtio-scsi'/>
      <disk type='file' device='disk'><source file='/a'/><target dev='sda' bus='scsi'/></disk>
      <disk type='file' device='disk'><source file='/b'/><target dev='sdb' bus='scsi'/><address type='drive' controller='0' bus='0' target='0' unit='1'/></disk>
      <disk type='file' device='disk'><source file='/c'/><target dev='sdc' bus='scsi'/><address type='drive' controller='1' bus='0' target='0' unit='0'/></disk>
      <disk type='file' device='disk'><source file='/d'/><target dev='vda' bus='virtio'/></disk>`).devices;
    const scsi = d.filter((x) => x.function === 'scsi' && x.kind === 'controller');
    expect(scsi.map((c) => [c.io.scsiDisks, c.io.cmdPerLun, c.io.maxSectors, c.queues])).toEqual([
      [2, 32, 1024, 2],
      [1, 'unknown', 'unknown', 'unknown'],
    ]);
  });

  it('reads the possible and current vCPUs, 1 when <vcpu> is missing (libvirt fills that in), and direct kernel boot', () => {
    expect(facts('').vcpus).toEqual({ max: 4, current: 2 });
    expect(facts('', '<vcpu>8</vcpu>').vcpus).toEqual({ max: 8, current: 8 });
    expect(facts('', '').vcpus).toEqual({ max: 1, current: 1 });
    expect(facts('').directKernelBoot).toBe(true);
  });
});
