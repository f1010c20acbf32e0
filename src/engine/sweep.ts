/**
 * The whole configuration space the engine reasons about, decided once per point (hasError: every rule, no
 * finding texts): arch/machine × transport × device model × confidential type × backend × vIOMMU × guest class ×
 * QEMU version band × iommu attribute.
 * The benchmark times it; the share of configurations with errors shows how much of the space is a trap.
 */
import type { EngineInput } from '../contracts/engine';
import type {
  Arch,
  Backend,
  DeviceFacts,
  DomainFacts,
  GuestFacts,
  HostFacts,
  MachineFamily,
  OnOffAbsent,
  SecureType,
  SlotKind,
  Transport,
  VersionFact,
  ViommuModel,
  VirtioModel,
} from '../contracts/facts';
import { DEFAULT_GOALS, NO_HOST_FACTS, NO_VIOMMU, SECURE_TYPES, UEFI_PICKED_BY_LIBVIRT } from '../contracts/facts';
import { hasError } from './interpreter';

interface Placement {
  readonly transport: Transport;
  readonly slot: SlotKind | 'unknown';
}
const PCIE: Placement = { transport: 'pci', slot: 'pcie' };
const PCIE_ROOT: Placement = { transport: 'pci', slot: 'pcie-root' };
const PCI: Placement = { transport: 'pci', slot: 'pci' };
const CCW: Placement = { transport: 'ccw', slot: 'unknown' };
const MMIO: Placement = { transport: 'mmio', slot: 'unknown' };

/** Platforms with the transports libvirt can give a virtio device there. */
const PLATFORMS: readonly { arch: Arch; family: MachineFamily; transports: readonly Placement[] }[] = [
  { arch: 'x86_64', family: 'q35', transports: [PCIE, PCIE_ROOT, PCI] },
  { arch: 'x86_64', family: 'pc', transports: [PCI] },
  { arch: 'x86_64', family: 'microvm', transports: [MMIO] },
  { arch: 's390x', family: 's390-ccw-virtio', transports: [CCW] },
  { arch: 'aarch64', family: 'virt', transports: [PCIE, PCIE_ROOT, MMIO] },
  { arch: 'ppc64le', family: 'pseries', transports: [PCI] },
];
const MODELS: readonly VirtioModel[] = ['virtio', 'virtio-transitional', 'virtio-non-transitional'];
const BACKENDS: readonly Backend[] = ['qemu', 'vhost-kernel', 'vhost-user', 'vdpa'];
const VIOMMUS: readonly ViommuModel[] = ['none', 'intel', 'smmuv3', 'virtio'];
const GUESTS: readonly GuestFacts[] = [
  {
    osinfoId: 'http://debian.org/debian/12',
    name: 'Debian 12',
    family: 'linux',
    virtio1: 'yes',
    kernelVersion: { major: 6, minor: 1, micro: 0 },
  },
  {
    osinfoId: 'http://redhat.com/rhel/5.11',
    name: 'RHEL 5.11',
    family: 'linux',
    virtio1: 'no',
    kernelVersion: { major: 2, minor: 6, micro: 18 },
  },
  { osinfoId: 'http://microsoft.com/win/10', name: 'Windows 10', family: 'windows', virtio1: 'yes', kernelVersion: 'unknown' },
  { osinfoId: 'unknown', name: 'unknown', family: 'unknown', virtio1: 'unknown', kernelVersion: 'unknown' },
];
const QEMU_BANDS: readonly VersionFact[] = [
  ...[
    [5, 2],
    [6, 2],
    [9, 1],
    [10, 1],
  ].map(([major, minor]): VersionFact => ({ kind: 'exact', version: { major: major!, minor: minor!, micro: 0 }, source: 'sweep' })),
  { kind: 'unknown' },
];
const IOMMU: readonly OnOffAbsent[] = ['absent', 'on', 'off'];

export interface SweepResult {
  readonly count: number;
  readonly withErrors: number;
}

function hostFor(qemu: VersionFact): HostFacts {
  return {
    ...NO_HOST_FACTS,
    qemuVersion: qemu,
    libvirtVersion: { kind: 'exact', version: { major: 11, minor: 6, micro: 0 }, source: 'sweep' },
    sev: { supported: 'yes', cbitpos: 51, reducedPhysBits: 1, maxGuests: 'unknown', maxESGuests: 'unknown' },
    sevSnp: 'yes',
    // libvirt lists sev-snp without asking KVM; KVM's own parameter confirms it (technologies.ts snpReportUnconfirmed).
    evidence: [{ fact: 'kvm_amd.sev_snp', value: 'Y', source: '/sys/module/kvm_amd/parameters/sev_snp' }],
    tdx: 'yes',
    s390pv: 'yes',
  };
}

function deviceFor(t: Placement, model: VirtioModel, backend: Backend, iommu: OnOffAbsent): DeviceFacts {
  return {
    target: '/domain/devices/interface[1]',
    implicit: false,
    label: 'interface 52:54:00:00:00:01',
    kind: 'interface',
    virtio: true,
    function: 'net',
    modelAttr: model,
    virtioModel: model,
    transport: t.transport,
    slot: t.slot,
    driver: { iommu, ats: 'absent', packed: 'absent', pagePerVq: 'absent' },
    driverElement: iommu === 'absent' ? 'absent' : 'set',
    backend,
    rom: 'absent',
    fsDriver: 'unknown',
    queues: 'unknown',
    io: {
      queueSize: 'unknown',
      rxQueueSize: 'unknown',
      txQueueSize: 'unknown',
      mergeableRxBuffers: 'absent',
      cmdPerLun: 'unknown',
      maxSectors: 'unknown',
      scsiDisks: 0,
    },
  };
}

function domainFor(p: (typeof PLATFORMS)[number], secure: SecureType, viommu: ViommuModel, device: DeviceFacts): DomainFacts {
  const lsType = secure === 'pef' || secure === 'cca' ? 'none' : secure;
  return {
    name: 'sweep',
    virtType: 'kvm',
    arch: p.arch,
    machine: { raw: p.family, family: p.family, version: 'unknown' },
    memoryKiB: 4194304,
    vcpus: { max: 2, current: 2 },
    launchSecurity: {
      type: lsType,
      present: lsType !== 'none',
      typeAttribute: lsType === 'none' ? null : lsType,
      cbitpos: 51,
      reducedPhysBits: 1,
      policy: '0x0003',
      kernelHashes: 'absent',
      blobBytes: {},
      commandline: null,
    },
    firmware: UEFI_PICKED_BY_LIBVIRT,
    memoryBacking: { locked: true, hugepages: false, sourceType: 'memfd', accessMode: 'shared', numaCells: [] },
    memtuneHardLimitKiB: 'absent',
    viommu: viommu === 'none' ? NO_VIOMMU : { ...NO_VIOMMU, model: viommu, target: '/domain/devices/iommu[1]' },
    smm: 'absent',
    pmu: 'absent',
    tscFrequencyHz: 'absent',
    hyperv: false,
    maxPhysAddr: null,
    ioapicDriver: 'absent',
    cpuMode: 'host-model',
    kernelCmdline: 'absent',
    directKernelBoot: false,
    shim: false,
    bootDevices: [],
    hostdevCount: 0,
    vfioDeviceCount: 0,
    osinfoId: 'unknown',
    devices: [device],
    invalidSwitches: [],
  };
}

/** Evaluates every point of the space and counts the configurations that end with an error. */
export function sweepConfigurationSpace(): SweepResult {
  let count = 0;
  let withErrors = 0;
  const hosts = QEMU_BANDS.map(hostFor);
  for (const p of PLATFORMS)
    for (const t of p.transports)
      // The (non-)transitional models are PCI-only.
      for (const model of t.transport === 'pci' ? MODELS : MODELS.slice(0, 1))
        for (const backend of BACKENDS)
          for (const iommu of IOMMU) {
            const device = deviceFor(t, model, backend, iommu);
            for (const secure of SECURE_TYPES)
              for (const viommu of VIOMMUS) {
                const domain = domainFor(p, secure, viommu, device);
                for (const guest of GUESTS)
                  for (const host of hosts) {
                    const input: EngineInput = {
                      domain,
                      host,
                      guest,
                      goals: secure === 'pef' || secure === 'cca' ? { ...DEFAULT_GOALS, secure } : DEFAULT_GOALS,
                    };
                    count++;
                    if (hasError(input)) withErrors++;
                  }
              }
          }
  return { count, withErrors };
}
