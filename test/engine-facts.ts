/**
 * Builders for engine inputs in tests: an ordinary q35 KVM domain on a known QEMU, changed only where a test
 * says so, so each rule test states exactly the facts it is about.
 */
import type { EngineInput } from '../src/contracts/engine';
import type {
  DeviceFacts,
  DeviceIoFacts,
  DomainFacts,
  Goals,
  GuestFacts,
  HostFacts,
  VirtioDriverOptions,
  VersionFact,
} from '../src/contracts/facts';
import {
  DEFAULT_GOALS,
  NO_GUEST_FACTS,
  NO_HOST_FACTS,
  NO_LAUNCH_SECURITY,
  NO_VIOMMU,
  UEFI_PICKED_BY_LIBVIRT,
} from '../src/contracts/facts';

export type DevicePatch = Partial<Omit<DeviceFacts, 'driver' | 'io'>> & {
  readonly driver?: Partial<VirtioDriverOptions>;
  readonly io?: Partial<DeviceIoFacts>;
};

/** A device whose XML sets no ring or request limits (QEMU's defaults apply). */
export const NO_IO_SETTINGS: DeviceIoFacts = {
  queueSize: 'unknown',
  rxQueueSize: 'unknown',
  txQueueSize: 'unknown',
  cmdPerLun: 'unknown',
  maxSectors: 'unknown',
  mergeableRxBuffers: 'absent',
  scsiDisks: 0,
};

export function device(p: DevicePatch = {}): DeviceFacts {
  const { driver, io, ...rest } = p;
  return {
    target: '/domain/devices/disk[1]',
    implicit: false,
    label: 'disk vda',
    kind: 'disk',
    virtio: true,
    function: 'blk',
    modelAttr: 'virtio',
    virtioModel: 'virtio',
    transport: 'pci',
    slot: 'pcie',
    backend: 'qemu',
    rom: 'absent',
    fsDriver: 'unknown',
    queues: 'unknown',
    driverElement: driver && Object.keys(driver).length > 0 ? 'set' : 'absent',
    ...rest,
    driver: { iommu: 'absent', ats: 'absent', packed: 'absent', pagePerVq: 'absent', ...driver },
    io: { ...NO_IO_SETTINGS, ...io },
  };
}

export function domain(p: Partial<DomainFacts> = {}): DomainFacts {
  return {
    name: 'test',
    virtType: 'kvm',
    arch: 'x86_64',
    machine: { raw: 'pc-q35-7.2', family: 'q35', version: { major: 7, minor: 2, micro: 0 } },
    memoryKiB: 4 * 1024 * 1024,
    vcpus: { max: 2, current: 2 },
    launchSecurity: NO_LAUNCH_SECURITY,
    firmware: UEFI_PICKED_BY_LIBVIRT,
    memoryBacking: { locked: false, hugepages: false, sourceType: 'absent', accessMode: 'absent', numaCells: [] },
    memtuneHardLimitKiB: 'absent',
    viommu: NO_VIOMMU,
    smm: 'absent',
    pmu: 'absent',
    tscFrequencyHz: 'absent',
    hyperv: false,
    maxPhysAddr: null,
    ioapicDriver: 'absent',
    cpuMode: 'host-passthrough',
    kernelCmdline: 'absent',
    directKernelBoot: false,
    shim: false,
    bootDevices: [],
    hostdevCount: 0,
    vfioDeviceCount: 0,
    osinfoId: 'unknown',
    devices: [device()],
    invalidSwitches: [],
    ...p,
  };
}

export const s390Domain = (p: Partial<DomainFacts> = {}): DomainFacts =>
  domain({
    arch: 's390x',
    machine: { raw: 's390-ccw-virtio-7.2', family: 's390-ccw-virtio', version: { major: 7, minor: 2, micro: 0 } },
    firmware: { ...UEFI_PICKED_BY_LIBVIRT, kind: 'unknown' },
    cpuMode: 'host-model',
    devices: [device({ transport: 'ccw', slot: 'unknown' })],
    ...p,
  });

export const exact = (major: number, minor: number): VersionFact => ({
  kind: 'exact',
  version: { major, minor, micro: 0 },
  source: 'test',
});

/** A host that can run everything, with current versions (libvirt 12.8, QEMU 11.1, as Debian sid in the version lab). */
export const CAPABLE_HOST: HostFacts = {
  ...NO_HOST_FACTS,
  libvirtVersion: exact(12, 8),
  qemuVersion: exact(11, 1),
  sev: { supported: 'yes', cbitpos: 51, reducedPhysBits: 1, maxGuests: 'unknown', maxESGuests: 'unknown' },
  sevSnp: 'yes',
  // libvirt lists sev-snp without asking KVM; KVM's own parameter confirms it (technologies.ts snpReportUnconfirmed).
  evidence: [{ fact: 'kvm_amd.sev_snp', value: 'Y', source: '/sys/module/kvm_amd/parameters/sev_snp' }],
  tdx: 'yes',
  s390pv: 'yes',
};

export const LINUX_GUEST: GuestFacts = {
  osinfoId: 'http://debian.org/debian/12',
  name: 'Debian 12',
  family: 'linux',
  virtio1: 'yes',
  kernelVersion: { major: 6, minor: 1, micro: 0 },
};

export function input(p: { domain?: DomainFacts; host?: HostFacts; guest?: GuestFacts; goals?: Partial<Goals> } = {}): EngineInput {
  return {
    domain: p.domain ?? domain(),
    host: p.host ?? CAPABLE_HOST,
    guest: p.guest ?? NO_GUEST_FACTS,
    goals: { ...DEFAULT_GOALS, ...p.goals },
  };
}
