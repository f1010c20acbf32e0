/** R-MIG-01: comparing two definitions' virtio options and queue counts the way libvirt's ABI check does. */
import { describe, expect, it } from 'vitest';
import { NO_VIOMMU, type DeviceFacts, type DomainFacts, type VersionFact, type ViommuFacts } from '../contracts/facts';
import { device, domain } from '../../test/engine-facts';
import { compareForMigration as compareWith } from './migration';
import { v } from './verdict';

const UNKNOWN_LIBVIRT: VersionFact = { kind: 'unknown' };
const libvirt = (major: number, minor: number): VersionFact => ({ kind: 'exact', version: v(major, minor), source: 'test' });
/** The comparisons that do not depend on the libvirt release. */
const compareForMigration = (a: DomainFacts, b: DomainFacts) => compareWith(a, b, UNKNOWN_LIBVIRT);

describe('compareForMigration', () => {
  it('names both values and gives libvirt’s message when both sides have virtio options', () => {
    const source = domain({ devices: [device({ driver: { iommu: 'on' } })] });
    const destination = domain({ devices: [device({ driver: { iommu: 'off' } })] });
    const [f, ...rest] = compareForMigration(source, destination);
    expect(rest).toEqual([]);
    expect(f?.rule).toBe('R-MIG-01');
    expect(f?.severity).toBe('error');
    expect(f?.title).toBe("disk vda: iommu is 'on' on the source and 'off' on the destination");
    expect(f?.messages).toEqual(["Target device iommu option 'off' does not match source 'on'"]);
    expect(f?.fix.edits).toEqual([{ op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' }]);
  });

  it("refuses a changed virtio model in libvirt's words, both of a disk's when the source may hold 'default'", () => {
    const rng = (virtioModel: 'virtio' | 'virtio-transitional') =>
      domain({ devices: [device({ kind: 'rng', function: 'rng', label: 'rng 1', target: '/domain/devices/rng[1]', virtioModel })] });
    const [f, ...rest] = compareForMigration(rng('virtio'), rng('virtio-transitional'));
    expect(rest).toEqual([]);
    expect([f?.severity, f?.title]).toEqual([
      'error',
      "rng 1: the model is 'virtio' on the source and 'virtio-transitional' on the destination",
    ]);
    expect(f?.messages).toEqual(["Target RNG model 'virtio-transitional' does not match source 'virtio'"]);
    const disk = compareForMigration(domain(), domain({ devices: [device({ virtioModel: 'virtio-non-transitional' })] }));
    expect(disk.map((x) => x.messages)).toEqual([
      [
        'Target disk model virtio-non-transitional does not match source default',
        'Target disk model virtio-non-transitional does not match source virtio',
      ],
    ]);
  });

  it("refuses a virtio balloon on one side only, in libvirt's words, the one libvirt adds included", () => {
    const balloon = (p: Partial<DeviceFacts>) =>
      domain({
        devices: [device({ kind: 'memballoon', function: 'balloon', label: 'memballoon', target: '/domain/devices/memballoon[1]', ...p })],
      });
    const none = balloon({ virtio: false, modelAttr: 'none', virtioModel: 'unknown' });
    expect(compareForMigration(balloon({ implicit: true, modelAttr: 'virtio' }), none).map((f) => f.messages)).toEqual([
      ['Target balloon model none does not match source virtio'],
    ]);
    expect(compareForMigration(none, balloon({ modelAttr: 'virtio' })).map((f) => f.messages)).toEqual([
      ['Target balloon model virtio does not match source none'],
    ]);
    expect(compareForMigration(none, none)).toEqual([]);
  });

  it('reports ats, packed and page_per_vq one by one too', () => {
    const source = domain({ devices: [device({ driver: { iommu: 'on' } })] });
    const destination = domain({ devices: [device({ driver: { iommu: 'on', ats: 'on', packed: 'on', pagePerVq: 'off' } })] });
    expect(compareForMigration(source, destination).map((f) => f.messages?.[0])).toEqual([
      "Target device ats option 'on' does not match source 'default'",
      "Target device packed option 'on' does not match source 'default'",
      "Target device page_per_vq option 'off' does not match source 'default'",
    ]);
  });

  const rng = (p: Parameters<typeof device>[0] = {}) =>
    device({ kind: 'rng', function: 'rng', label: 'rng', target: '/domain/devices/rng[1]', ...p });

  it('gives one finding with libvirt’s summary when only one side has virtio options, and a fix for each', () => {
    const source = domain({ devices: [rng()] });
    const destination = domain({ devices: [rng({ driver: { ats: 'on', packed: 'on' } })] });
    const [f, ...rest] = compareForMigration(source, destination);
    expect(rest).toEqual([]);
    expect(f?.title).toBe('rng: virtio options are set on the destination only (ats, packed)');
    expect(f?.messages).toEqual(["Target device virtio options don't match the source"]);
    expect(f?.fix.edits).toEqual([
      { op: 'remove-attribute', target: '/domain/devices/rng[1]/driver', name: 'ats' },
      { op: 'remove-attribute', target: '/domain/devices/rng[1]/driver', name: 'packed' },
    ]);
  });

  it('compares one by one where libvirt holds options on both sides, as for any disk libvirt wrote out; an empty <driver/> holds none', () => {
    // libvirt writes <driver name='qemu' type='…'/> for every disk it defines, so the source always has one.
    const disk = compareForMigration(domain({ devices: [device()] }), domain({ devices: [device({ driver: { iommu: 'on' } })] }));
    expect(disk.map((f) => f.messages?.[0])).toEqual(["Target device iommu option 'on' does not match source 'default'"]);
    // An empty <driver/> is not written out again, so it holds nothing.
    const empty = compareForMigration(
      domain({ devices: [rng({ driver: { iommu: 'on' } })] }),
      domain({ devices: [rng({ driverElement: 'empty' })] }),
    );
    expect(empty.map((f) => f.messages?.[0])).toEqual(["Target device virtio options don't match the source"]);
  });

  it('refuses <driver> settings on one side only even when no virtio option differs', () => {
    // A NIC's <driver txmode=…> or a controller's <driver queues=…> is written back, with an options object.
    const controller = (p: Parameters<typeof device>[0] = {}) =>
      device({ kind: 'controller', function: 'scsi', label: 'controller scsi 0', target: '/domain/devices/controller[1]', ...p });
    const [f, ...rest] = compareForMigration(
      domain({ devices: [controller()] }),
      domain({ devices: [controller({ driverElement: 'set' })] }),
    );
    expect(rest).toEqual([]);
    expect([f?.title, f?.messages]).toEqual([
      'controller scsi 0: only the destination has <driver> settings, so libvirt holds virtio options on one side only',
      ["Target device virtio options don't match the source"],
    ]);
    expect(compareForMigration(domain({ devices: [rng()] }), domain({ devices: [rng({ driverElement: 'empty' })] }))).toEqual([]);
  });

  it('holds no options for an rng, memballoon, input or vsock whose <driver> has no virtio option: libvirt writes nothing else there', () => {
    // <rng><driver name='qemu'/>: libvirt reads only the virtio options of that <driver> and writes none back.
    const named = rng({ driverElement: 'set' });
    expect(compareForMigration(domain({ devices: [rng()] }), domain({ devices: [named] }))).toEqual([]);
    const balloon = (p: Parameters<typeof device>[0] = {}) =>
      device({ kind: 'memballoon', function: 'balloon', label: 'memballoon', target: '/domain/devices/memballoon[1]', ...p });
    expect(compareForMigration(domain({ devices: [balloon({ driverElement: 'set' })] }), domain({ devices: [balloon()] }))).toEqual([]);
    // An explicit default is an option all the same: one side holds options, the other none.
    const [f, ...rest] = compareForMigration(
      domain({ devices: [rng()] }),
      domain({ devices: [rng({ driverElement: 'set', driver: { ats: 'off' } })] }),
    );
    expect(rest).toEqual([]);
    expect(f?.messages).toEqual(["Target device virtio options don't match the source"]);
  });

  it('is silent for devices whose virtio options libvirt does not compare (virtio-mem, sound, the virtio vIOMMU)', () => {
    const mem = (iommu: 'on' | 'absent') =>
      domain({ devices: [device({ kind: 'memory', function: 'mem', target: '/domain/devices/memory[1]', driver: { iommu } })] });
    expect(compareForMigration(mem('on'), mem('absent'))).toEqual([]);
  });

  it('is silent when the options match or the device is not shared', () => {
    const same = domain({ devices: [device({ driver: { iommu: 'on', ats: 'on' } })] });
    expect(compareForMigration(same, same)).toEqual([]);
    expect(compareForMigration(same, domain({ devices: [] }))).toEqual([]);
  });

  const nic = (p: Parameters<typeof device>[0] = {}) =>
    device({ kind: 'interface', function: 'net', label: 'interface 1', target: '/domain/devices/interface[1]', ...p });

  it("compares a virtio disk's queues and queue_size first, quoting libvirt's queue size message with the counts it prints", () => {
    const source = domain({ devices: [device({ queues: 2, io: { queueSize: 256 } })] });
    const destination = domain({ devices: [device({ queues: 4, io: { queueSize: 512 } })] });
    const findings = compareForMigration(source, destination);
    expect(findings.map((f) => [f.title, f.messages])).toEqual([
      ['disk vda: queues is 2 on the source and 4 on the destination', ['Target disk queue count 4 does not match source 2']],
      ['disk vda: queue_size is 256 on the source and 512 on the destination', ['Target disk queue size 4 does not match source 2']],
    ]);
    expect(findings.flatMap((f) => f.fix.edits)).toEqual([
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'queues', value: '2' },
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'queue_size', value: '256' },
    ]);
    // A count the source leaves unset is 0 to libvirt: the fix removes the destination's.
    const [unset] = compareForMigration(domain({ devices: [device()] }), domain({ devices: [device({ queues: 1 })] }));
    expect(unset?.messages).toEqual(['Target disk queue count 1 does not match source 0']);
    expect(unset?.fix.edits).toEqual([{ op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'queues' }]);
  });

  it("names who refuses a virtio NIC's queue pairs by the comparing libvirt's release: libvirt from 11.4, QEMU's state check before", () => {
    const source = domain({ devices: [nic({ queues: 2 })] });
    const destination = domain({ devices: [nic({ queues: 4 })] });
    const messages = (l: VersionFact) => compareWith(source, destination, l).map((f) => [f.severity, f.messages]);
    const LIBVIRT = "Target virtio network queue count '4' does not match source '2'";
    const QEMU = ['get_pci_config_device: Bad config data', 'load of migration failed: Invalid argument'];
    expect(messages(libvirt(12, 8))).toEqual([['error', [LIBVIRT]]]);
    expect(messages(libvirt(11, 4))).toEqual([['error', [LIBVIRT]]]);
    expect(messages(libvirt(11, 3))).toEqual([['error', QEMU]]);
    expect(messages(UNKNOWN_LIBVIRT)).toEqual([['error', [LIBVIRT, ...QEMU]]]);
  });

  it("takes a NIC's queues='1' for no count, as libvirt does, but not a disk's", () => {
    const one = compareWith(domain({ devices: [nic({ queues: 1 })] }), domain({ devices: [nic()] }), libvirt(12, 8));
    expect(one).toEqual([]);
    const [pairs] = compareWith(domain({ devices: [nic({ queues: 2 })] }), domain({ devices: [nic({ queues: 1 })] }), libvirt(12, 8));
    expect(pairs?.messages).toEqual(["Target virtio network queue count '0' does not match source '2'"]);
    expect(compareForMigration(domain({ devices: [device({ queues: 1 })] }), domain({ devices: [device()] }))).toHaveLength(1);
  });

  it("warns, not errs, for a NIC's queues off PCI under a libvirt older than 11.4, where QEMU's refusal was not seen", () => {
    const ccw = (queues: number) => domain({ devices: [nic({ queues, transport: 'ccw' })] });
    const [f, ...rest] = compareWith(ccw(2), ccw(4), libvirt(9, 0));
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('warning');
    expect(f?.explanation).toMatch(/on this transport it was not seen/);
    expect(compareWith(ccw(2), ccw(4), libvirt(11, 4))[0]?.severity).toBe('error');
  });

  describe('the vIOMMU', () => {
    const intel = (p: Partial<ViommuFacts> = {}): ViommuFacts => ({
      ...NO_VIOMMU,
      model: 'intel',
      target: '/domain/devices/iommu[1]',
      ...p,
    });
    const withViommu = (viommu: ViommuFacts, vcpus = 2) => domain({ viommu, vcpus: { max: vcpus, current: vcpus } });

    it("refuses an <iommu> on one side only, in libvirt's words of the release (counts from 12.8), and adds or removes it", () => {
      const source = withViommu(intel({ iotlb: 'on', awBits: 48 }));
      const destination = withViommu(NO_VIOMMU);
      const messages = (l: VersionFact) => compareWith(source, destination, l).map((f) => f.messages);
      const BARE = 'Target domain IOMMU device count does not match source';
      const COUNTED = 'Target domain IOMMU device count 0 does not match source 1';
      expect(messages(libvirt(9, 0))).toEqual([[BARE]]);
      expect(messages(libvirt(11, 3))).toEqual([[BARE]]);
      expect(messages(libvirt(12, 8))).toEqual([[COUNTED]]);
      expect(messages(UNKNOWN_LIBVIRT)).toEqual([[BARE, COUNTED]]);
      const [f] = compareWith(source, destination, libvirt(12, 8));
      expect([f?.rule, f?.severity, f?.target, f?.title]).toEqual([
        'R-MIG-01',
        'error',
        '/domain/devices/iommu[1]',
        "vIOMMU: the destination has no <iommu> (the source's is intel)",
      ]);
      expect(f?.fix.edits).toEqual([
        { op: 'add-element', parent: '/domain/devices', xml: "<iommu model='intel'>\n  <driver iotlb='on' aw_bits='48'/>\n</iommu>" },
      ]);
      const [added] = compareWith(destination, source, libvirt(12, 8));
      expect(added?.messages).toEqual(['Target domain IOMMU device count 1 does not match source 0']);
      expect(added?.fix.edits).toEqual([{ op: 'remove-element', target: '/domain/devices/iommu[1]' }]);
    });

    it("names each differing switch and aw_bits with libvirt's message ('default' and 0 for what is not written)", () => {
      const source = withViommu(intel({ iotlb: 'on', cachingMode: 'on' }));
      const destination = withViommu(intel({ iotlb: 'off', awBits: 48, intremap: 'on', eim: 'off' }));
      const findings = compareForMigration(source, destination);
      expect(findings.map((f) => f.messages?.[0])).toEqual([
        "Target domain IOMMU device intremap value 'on' does not match source 'default'",
        "Target domain IOMMU device caching mode 'default' does not match source 'on'",
        "Target domain IOMMU device eim value 'off' does not match source 'default'",
        "Target domain IOMMU device iotlb value 'off' does not match source 'on'",
        "Target domain IOMMU device aw_bits value '48' does not match source '0'",
      ]);
      expect(findings[3]?.title).toBe("vIOMMU: iotlb is 'on' on the source and 'off' on the destination");
      expect(findings.flatMap((f) => f.fix.edits)).toEqual([
        { op: 'remove-attribute', target: '/domain/devices/iommu[1]/driver', name: 'intremap' },
        { op: 'set-attribute', target: '/domain/devices/iommu[1]/driver', name: 'caching_mode', value: 'on' },
        { op: 'remove-attribute', target: '/domain/devices/iommu[1]/driver', name: 'eim' },
        { op: 'set-attribute', target: '/domain/devices/iommu[1]/driver', name: 'iotlb', value: 'on' },
        { op: 'remove-attribute', target: '/domain/devices/iommu[1]/driver', name: 'aw_bits' },
      ]);
      expect(compareForMigration(source, source)).toEqual([]);
    });

    it('stops at a different model, as libvirt does', () => {
      const findings = compareForMigration(withViommu(intel({ iotlb: 'on' })), withViommu(intel({ model: 'virtio' })));
      expect(findings.map((f) => f.messages)).toEqual([["Target domain IOMMU device model 'virtio' does not match source 'intel'"]]);
      expect(findings[0]?.fix.edits).toEqual([{ op: 'set-attribute', target: '/domain/devices/iommu[1]', name: 'model', value: 'intel' }]);
    });

    it('compares xtsup only where libvirt knows it (11.5.0 and later, with the amd vIOMMU)', () => {
      const amd = (xtsup: 'on' | 'absent') => withViommu(intel({ model: 'amd', xtsup }));
      expect(compareWith(amd('on'), amd('absent'), libvirt(12, 8)).map((f) => f.messages)).toEqual([
        ["Target domain IOMMU device xtsup 'default' does not match source 'on'"],
      ]);
      expect(compareWith(amd('on'), amd('absent'), libvirt(11, 3))).toEqual([]);
    });

    it("compares the newer settings in libvirt 12.8's order and words, each from the release that reads it", () => {
      const smmu = (p: Partial<ViommuFacts>) => withViommu(intel({ model: 'smmuv3', ...p }));
      const source = smmu({ accel: 'on', pciBus: 0 });
      const destination = smmu({ accel: 'off', ats: 'on', ssidsize: 20 });
      expect(compareWith(source, destination, libvirt(12, 8)).map((f) => f.messages?.[0])).toEqual([
        "Target domain IOMMU device pci_bus value '-1' does not match source '0'",
        "Target domain IOMMU device accel value '2' does not match source '1'",
        "Target domain IOMMU device ATS value '1' does not match source '0'",
        "Target domain IOMMU device ssid_size value '20' does not match source '-1'",
      ]);
      expect(compareWith(source, destination, libvirt(12, 8)).flatMap((f) => f.fix.edits)).toEqual([
        { op: 'set-attribute', target: '/domain/devices/iommu[1]/driver', name: 'pciBus', value: '0' },
        { op: 'set-attribute', target: '/domain/devices/iommu[1]/driver', name: 'accel', value: 'on' },
        { op: 'remove-attribute', target: '/domain/devices/iommu[1]/driver', name: 'ats' },
        { op: 'remove-attribute', target: '/domain/devices/iommu[1]/driver', name: 'ssidsize' },
      ]);
      // A release that does not read them ignores them.
      expect(compareWith(source, destination, libvirt(11, 3))).toEqual([]);
      const dma = (dmaTranslation: 'off' | 'absent') => withViommu(intel({ dmaTranslation }));
      expect(compareWith(dma('absent'), dma('off'), libvirt(11, 3)).map((f) => f.messages)).toEqual([
        ["Target domain IOMMU device dma translation 'off' does not match source 'default'"],
      ]);
      expect(compareWith(dma('absent'), dma('off'), libvirt(10, 6))).toEqual([]);
      const virtio = (granule: string) => withViommu(intel({ model: 'virtio', granule }));
      const [g] = compareWith(virtio('absent'), virtio('host'), libvirt(12, 8));
      expect(g?.messages).toEqual(["Target domain IOMMU device granule 'host' does not match source '0KiB'"]);
      expect(g?.fix.edits).toEqual([{ op: 'remove-element', target: '/domain/devices/iommu[1]/driver/granule' }]);
      // libvirt compares sizes in KiB: 4096 bytes is 4 KiB (seen on 12.8), as the facts hold it.
      expect(compareWith(virtio('4KiB'), virtio('4KiB'), libvirt(12, 8))).toEqual([]);
      expect(compareWith(virtio('64KiB'), virtio('4KiB'), libvirt(12, 8))[0]?.fix.edits).toEqual([
        { op: 'add-element', parent: '/domain/devices/iommu[1]/driver', xml: "<granule size='64' unit='KiB'/>", replace: true },
      ]);
    });

    it('holds the amd vIOMMU of more than 255 vCPUs with XTSup on from libvirt 12.2 (NEWS 12.2.0), not before', () => {
      const amd = (xtsup: 'on' | 'absent') => withViommu(intel({ model: 'amd', xtsup }), 288);
      expect(compareWith(amd('on'), amd('absent'), libvirt(12, 8))).toEqual([]);
      expect(compareWith(amd('on'), amd('absent'), libvirt(12, 1))).toHaveLength(1);
    });

    it('compares the vIOMMU libvirt 10.10 and later hold for more than 255 vCPUs on q35: added, intremap and eim turned on', () => {
      const written = withViommu(intel({ intremap: 'on', eim: 'on' }), 288);
      const none = withViommu(NO_VIOMMU, 288);
      expect(compareWith(written, none, libvirt(11, 3))).toEqual([]);
      expect(compareWith(written, withViommu(intel(), 288), libvirt(12, 8))).toEqual([]);
      expect(compareWith(written, none, libvirt(9, 0)).map((f) => f.messages)).toEqual([
        ['Target domain IOMMU device count does not match source'],
      ]);
      // Written values are compared where the release is not known.
      expect(compareForMigration(written, none)).toHaveLength(1);
    });
  });
});
