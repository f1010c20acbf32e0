/**
 * One case per rule record: an input on which it must fire and a minimally different one on which it must
 * stay silent. A record without a case fails the last test, so every rule stays tested.
 */
import { describe, expect, it } from 'vitest';
import type { EngineInput } from '../contracts/engine';
import type { DomainFacts, SecureType } from '../contracts/facts';
import { NO_HOST_FACTS, NO_LAUNCH_SECURITY, NO_VIOMMU, SECURE_TYPES, UEFI_PICKED_BY_LIBVIRT } from '../contracts/facts';
import { CAPABLE_HOST, LINUX_GUEST, device, domain, exact, input, s390Domain, type DevicePatch } from '../../test/engine-facts';
import { evaluateRules } from './interpreter';
import { RULES } from './rules';
import { evaluate } from './index';
import { planFor } from './plan';

const SEV_LS = {
  type: 'sev' as const,
  present: true,
  typeAttribute: 'sev',
  cbitpos: 51,
  reducedPhysBits: 1,
  policy: '0x0003',
  kernelHashes: 'absent' as const,
  blobBytes: {},
  commandline: null,
};
const sevDomain = (p: Partial<DomainFacts> = {}): DomainFacts =>
  domain({
    launchSecurity: SEV_LS,
    memoryBacking: { locked: true, hugepages: false, sourceType: 'absent', accessMode: 'absent', numaCells: [] },
    ...p,
  });
const withDevice = (d: DevicePatch, p: Partial<DomainFacts> = {}): DomainFacts => domain({ devices: [device(d)], ...p });
const VHOST_USER_VIDEO: DevicePatch = {
  kind: 'video',
  function: 'gpu',
  backend: 'vhost-user',
  target: '/domain/devices/video[1]',
  driver: { iommu: 'on' },
};
const goal = (secure: SecureType, d: DomainFacts = domain()): EngineInput => input({ domain: d, goals: { secure } });
const pc = { raw: 'pc-i440fx-7.2', family: 'pc' as const, version: { major: 7, minor: 2, micro: 0 } };
const qemu5 = { ...CAPABLE_HOST, qemuVersion: exact(5, 2) };
// libvirt 10.0 says nothing about QEMU >= 6.0 (from 11.2 libvirt itself needs QEMU 6.2).
const noQemu = { ...CAPABLE_HOST, libvirtVersion: exact(10, 0), qemuVersion: { kind: 'unknown' as const } };
const unversioned = { raw: 'q35', family: 'q35' as const, version: 'unknown' as const };
const nic = (p: DevicePatch = {}) =>
  device({
    target: '/domain/devices/interface[1]',
    label: 'interface 52:54:00:00:00:01',
    kind: 'interface',
    function: 'net',
    backend: 'vhost-kernel',
    ...p,
  });
const intel = { ...NO_VIOMMU, model: 'intel' as const, target: '/domain/devices/iommu[1]' };
const RNG = device({ kind: 'rng', function: 'rng', label: 'rng', target: '/domain/devices/rng[1]' });
/** The domain with these base64 values written in its <launchSecurity>, by element name and decoded length. */
const blobs = (d: DomainFacts, blobBytes: Record<string, number>): DomainFacts => ({
  ...d,
  launchSecurity: { ...d.launchSecurity, blobBytes },
});
const VIRTIO_MEM = device({ kind: 'memory', function: 'mem', label: 'memory virtio-mem', target: '/domain/devices/memory[1]' });
/** SeaBIOS: no <loader>, no firmware='efi'. */
const BIOS: DomainFacts['firmware'] = { ...UEFI_PICKED_BY_LIBVIRT, kind: 'bios' };
const shared = { locked: false, hugepages: false, sourceType: 'memfd' as const, accessMode: 'shared' as const, numaCells: [] };
const windows = (id: string) => ({
  osinfoId: id,
  name: id,
  family: 'windows' as const,
  virtio1: 'yes' as const,
  kernelVersion: 'unknown' as const,
});

interface Case {
  readonly key: string;
  readonly fires: EngineInput;
  readonly silent: EngineInput;
  /** Severity expected when it fires (defaults to the record's). */
  readonly severity?: 'error' | 'warning' | 'info';
}

/** Per-technology records (platform, element, versions) share their cases. */
const TECH: readonly { type: SecureType; id: string; ok: () => DomainFacts; wrongArch: DomainFacts; element: boolean; libvirt: boolean }[] =
  [
    { type: 'sev', id: 'R-SEV-01', ok: () => sevDomain(), wrongArch: s390Domain(), element: true, libvirt: true },
    {
      type: 'sev-es',
      id: 'R-SEVES-01',
      ok: () => sevDomain({ launchSecurity: { ...SEV_LS, type: 'sev-es', policy: '0x0007' } }),
      wrongArch: s390Domain(),
      element: true,
      libvirt: true,
    },
    {
      type: 'sev-snp',
      id: 'R-SNP-01',
      ok: () => sevDomain({ launchSecurity: { ...SEV_LS, type: 'sev-snp', policy: '0x30000' } }),
      wrongArch: s390Domain(),
      element: true,
      libvirt: true,
    },
    {
      type: 'tdx',
      id: 'R-TDX-01',
      ok: () => domain({ launchSecurity: { ...SEV_LS, type: 'tdx', cbitpos: 'unknown', reducedPhysBits: 'unknown' } }),
      wrongArch: s390Domain(),
      element: true,
      libvirt: true,
    },
    {
      type: 's390-pv',
      id: 'R-PV-01',
      ok: () => s390Domain({ launchSecurity: { ...SEV_LS, type: 's390-pv', cbitpos: 'unknown', reducedPhysBits: 'unknown' } }),
      wrongArch: domain(),
      element: true,
      libvirt: true,
    },
    {
      type: 'pef',
      id: 'R-PEF-01',
      ok: () => domain({ arch: 'ppc64le', machine: { raw: 'pseries-7.2', family: 'pseries', version: { major: 7, minor: 2, micro: 0 } } }),
      wrongArch: domain(),
      element: false,
      libvirt: false,
    },
  ];

/** TECH[i]'s domain with its technology given to QEMU in <qemu:commandline> instead of <launchSecurity>. */
const viaCommandline = (
  i: number,
  o: { readonly qomType: string; readonly properties?: Record<string, string>; readonly linked?: boolean },
  firmware: Partial<DomainFacts['firmware']> = {},
): DomainFacts => {
  const d = TECH[i]!.ok();
  const linked = o.linked ?? true;
  return {
    ...d,
    launchSecurity: {
      ...NO_LAUNCH_SECURITY,
      type: linked ? TECH[i]!.type : 'none',
      commandline: { qomType: o.qomType, id: 'cgs0', linked, properties: o.properties ?? { cbitpos: '51', 'reduced-phys-bits': '1' } },
    },
    firmware: { ...d.firmware, ...firmware },
  };
};
const AMDSEV_ROM = { kind: 'efi', loaderType: 'rom', loaderPath: '/usr/share/ovmf/OVMF.amdsev.fd' } as const;

/** A vsock device of the given model. */
const vsock = (virtioModel: 'virtio-transitional' | 'virtio-non-transitional') =>
  device({ kind: 'vsock', function: 'vsock', label: 'vsock', target: '/domain/devices/vsock[1]', virtioModel });

/** A technology's ready domain (TECH[i]) with its <policy> written as given. */
const withPolicy = (i: number, policy: string): DomainFacts => {
  const d = TECH[i]!.ok();
  return { ...d, launchSecurity: { ...d.launchSecurity, policy } };
};

const techCases: Case[] = TECH.flatMap((t) => {
  const cases: Case[] = [
    { key: `${t.id}/platform`, fires: goal(t.type, t.wrongArch), silent: goal(t.type, t.ok()) },
    {
      key: `${t.id}/qemu`,
      fires: input({
        domain: { ...t.ok(), machine: { ...t.ok().machine, version: 'unknown' } },
        host: { ...CAPABLE_HOST, qemuVersion: exact(2, 11) },
        goals: { secure: t.type },
      }),
      silent: goal(t.type, t.ok()),
    },
  ];
  if (t.element)
    cases.push({
      key: `${t.id}/element`,
      fires: goal(t.type, t.type === 's390-pv' ? s390Domain() : domain()),
      // s390 PV without the element is a layout of its own: with a libvirt older than 7.6 nothing suggests it.
      silent:
        t.type === 's390-pv'
          ? input({ domain: s390Domain(), host: { ...CAPABLE_HOST, libvirtVersion: exact(7, 5) }, goals: { secure: t.type } })
          : goal(t.type, t.ok()),
    });
  const sevFamily = t.type === 'sev' || t.type === 'sev-es' || t.type === 'sev-snp';
  if (sevFamily) {
    const ls = t.ok().launchSecurity;
    cases.push(
      {
        key: `${t.id}/policy`,
        fires: goal(t.type, { ...t.ok(), launchSecurity: { ...ls, policy: 'unknown' } }),
        silent: goal(t.type, t.ok()),
      },
      {
        key: `${t.id}/host-values`,
        fires: input({
          domain: { ...t.ok(), launchSecurity: { ...ls, cbitpos: 'unknown' } },
          host: { ...CAPABLE_HOST, libvirtVersion: exact(6, 8) },
          goals: { secure: t.type },
        }),
        silent: goal(t.type, { ...t.ok(), launchSecurity: { ...ls, cbitpos: 'unknown' } }),
      },
    );
  }
  if (t.type !== 's390-pv' && t.type !== 'pef')
    cases.push({
      key: `${t.id}/guest-kernel`,
      fires: input({
        domain: t.ok(),
        guest: { ...LINUX_GUEST, kernelVersion: { major: 4, minor: 15, micro: 0 } },
        goals: { secure: t.type },
      }),
      silent: input({
        domain: t.ok(),
        guest: { ...LINUX_GUEST, kernelVersion: { major: 6, minor: 1, micro: 0 } },
        goals: { secure: t.type },
      }),
    });
  if (t.libvirt)
    cases.push({
      key: `${t.id}/libvirt`,
      fires: input({ domain: t.ok(), host: { ...CAPABLE_HOST, libvirtVersion: exact(4, 0) }, goals: { secure: t.type } }),
      silent: goal(t.type, t.ok()),
    });
  return cases;
});

const CASES: readonly Case[] = [
  ...techCases,
  // Access platform
  {
    key: 'R-SEV-02',
    fires: input({ domain: sevDomain(), host: qemu5 }),
    silent: input({ domain: sevDomain({ devices: [device({ driver: { iommu: 'on' } })] }), host: qemu5 }),
  },
  {
    key: 'R-PV-02',
    fires: input({
      domain: s390Domain({
        launchSecurity: { ...SEV_LS, type: 's390-pv' },
        machine: { raw: 's390-ccw-virtio', family: 's390-ccw-virtio', version: 'unknown' },
      }),
      host: qemu5,
    }),
    silent: input({ domain: s390Domain(), host: qemu5 }),
  },
  { key: 'R-CC-01', fires: goal('pef', TECH[5]!.ok()), silent: goal('pef', domain({ devices: [device({ driver: { iommu: 'on' } })] })) },
  { key: 'R-QEMU-01', fires: input({ domain: sevDomain() }), silent: input({ domain: sevDomain(), host: qemu5 }) },
  {
    key: 'R-XML-07',
    fires: input({ domain: sevDomain({ devices: [device({ driver: { iommu: 'off' } })] }) }),
    silent: input({ domain: withDevice({ driver: { iommu: 'off' } }) }),
  },
  {
    key: 'R-XML-01',
    fires: input({ domain: withDevice({ virtio: false, modelAttr: 'ide', driver: { iommu: 'on' } }) }),
    silent: input({ domain: withDevice({ driver: { iommu: 'on' } }) }),
  },
  {
    key: 'R-XML-01/ignored',
    // A non-virtio controller keeps the option unused; a non-virtio disk is refused instead (R-XML-01).
    fires: input({
      domain: withDevice({
        kind: 'controller',
        virtio: false,
        modelAttr: 'lsilogic',
        target: '/domain/devices/controller[1]',
        driver: { iommu: 'on' },
      }),
    }),
    silent: input({ domain: withDevice({ virtio: false, modelAttr: 'ide', driver: { iommu: 'on' } }) }),
  },
  {
    key: 'R-XML-01/not-passed',
    // The primary vhost-user video on x86 (vhost-user-vga) with iommu='on'; the same video as vhost-user-gpu passes it.
    fires: input({ domain: withDevice({ ...VHOST_USER_VIDEO, driverOptionsNotPassed: true }) }),
    silent: input({ domain: withDevice(VHOST_USER_VIDEO) }),
  },
  {
    key: 'R-XML-01/version',
    fires: input({ domain: withDevice({ driver: { iommu: 'on' } }), host: { ...CAPABLE_HOST, libvirtVersion: exact(3, 4) } }),
    silent: input({ domain: withDevice({ driver: { iommu: 'on' } }), host: { ...CAPABLE_HOST, libvirtVersion: exact(3, 5) } }),
  },
  // Transports and models
  {
    key: 'R-XML-05',
    fires: input({ domain: withDevice({ slot: 'pci', driver: { iommu: 'on' } }, { machine: pc }) }),
    silent: input({
      domain: withDevice({ slot: 'pci', virtioModel: 'virtio-non-transitional', driver: { iommu: 'on' } }, { machine: pc }),
    }),
  },
  {
    key: 'R-XML-04',
    fires: input({ domain: s390Domain({ devices: [device({ transport: 'ccw', virtioModel: 'virtio-transitional' })] }) }),
    silent: input({ domain: s390Domain() }),
  },
  {
    key: 'R-XML-04/input',
    fires: input({
      domain: domain({
        devices: [
          device({
            kind: 'input',
            function: 'input',
            label: 'input tablet',
            target: '/domain/devices/input[1]',
            virtioModel: 'virtio-non-transitional',
          }),
        ],
      }),
    }),
    silent: input({
      domain: domain({
        devices: [device({ kind: 'input', function: 'input', label: 'input tablet', target: '/domain/devices/input[1]' })],
      }),
    }),
  },
  {
    // A SCSI controller left to libvirt's default on Arm virt: which one it is depends on an unknown release.
    key: 'R-XML-04/default-model',
    fires: input({
      domain: withDevice({ kind: 'controller', function: 'scsi', virtio: false, virtioFrom: { major: 11, minor: 6, micro: 0 } }),
      host: { ...CAPABLE_HOST, libvirtVersion: { kind: 'unknown' } },
    }),
    silent: input({
      domain: withDevice({ kind: 'controller', function: 'scsi', virtio: false, virtioFrom: { major: 11, minor: 6, micro: 0 } }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(11, 5) },
    }),
  },
  {
    key: 'R-XML-04/version',
    fires: input({
      domain: withDevice({ virtioModel: 'virtio-non-transitional' }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(5, 1) },
    }),
    silent: input({
      domain: withDevice({ virtioModel: 'virtio-non-transitional' }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(5, 2) },
    }),
  },
  {
    key: 'R-QEMU-03',
    fires: input({ domain: sevDomain({ devices: [device({ transport: 'mmio', slot: 'unknown' })] }) }),
    silent: input({ domain: withDevice({ transport: 'mmio', slot: 'unknown' }) }),
  },
  {
    key: 'R-QEMU-03/pointless',
    fires: input({ domain: withDevice({ transport: 'mmio', driver: { iommu: 'on' } }) }),
    silent: input({ domain: withDevice({ transport: 'mmio' }) }),
  },
  {
    key: 'R-XML-02/transport',
    fires: input({ domain: s390Domain({ devices: [device({ transport: 'ccw', driver: { ats: 'on' } })] }) }),
    silent: input({ domain: withDevice({ driver: { ats: 'on' } }) }),
  },
  {
    key: 'R-XML-02/conventional',
    fires: input({ domain: withDevice({ slot: 'pci', driver: { ats: 'on' } }) }),
    silent: input({ domain: withDevice({ slot: 'pcie', driver: { ats: 'on' } }) }),
  },
  {
    key: 'R-XML-02/no-iotlb',
    fires: input({ domain: withDevice({ driver: { ats: 'on' } }) }),
    silent: input({ domain: withDevice({ driver: { ats: 'on' } }, { viommu: { ...intel, iotlb: 'on' } }) }),
  },
  {
    key: 'R-TRN-04',
    fires: input({ domain: withDevice({ transport: 'mmio', driver: { pagePerVq: 'on' } }) }),
    silent: input({ domain: withDevice({ driver: { pagePerVq: 'on' } }) }),
  },
  {
    // libvirt's PV guide: no <launchSecurity>, every virtio device with iommu='on'.
    key: 'R-PV-01/guide-layout',
    fires: input({ domain: s390Domain({ devices: [device({ transport: 'ccw', driver: { iommu: 'on' } })] }) }),
    silent: input({
      domain: s390Domain({
        devices: [
          device({ transport: 'ccw', driver: { iommu: 'on' } }),
          device({ transport: 'ccw', kind: 'interface', function: 'net', target: '/domain/devices/interface[1]' }),
        ],
      }),
    }),
  },
  {
    key: 'R-SEV-04/virtio-mem',
    fires: input({ domain: sevDomain({ devices: [VIRTIO_MEM] }) }),
    // SEV-SNP keeps discarding possible (guest_memfd).
    silent: input({ domain: sevDomain({ devices: [VIRTIO_MEM] }), goals: { secure: 'sev-snp' } }),
  },
  {
    key: 'R-PV-05',
    fires: input({ domain: s390Domain({ devices: [device({ transport: 'ccw', driver: { iommu: 'on' } })] }) }),
    silent: input({
      domain: s390Domain({
        launchSecurity: { ...SEV_LS, type: 's390-pv' },
        devices: [device({ transport: 'ccw', driver: { iommu: 'on' } })],
      }),
    }),
  },
  // Confidential VM domain rules
  {
    key: 'R-SEV-05/host',
    fires: input({ domain: sevDomain(), host: { ...CAPABLE_HOST, sev: { ...CAPABLE_HOST.sev, supported: 'no' } } }),
    silent: input({ domain: sevDomain() }),
  },
  {
    // libvirt's PV guide requires the balloon gone.
    key: 'R-LNX-05/pv',
    fires: input({
      domain: {
        ...TECH[4]!.ok(),
        devices: [
          device({ kind: 'memballoon', function: 'balloon', transport: 'ccw', slot: 'unknown', target: '/domain/devices/memballoon[1]' }),
        ],
      },
    }),
    silent: input({
      domain: sevDomain({
        devices: [device({ kind: 'memballoon', function: 'balloon', implicit: true, target: '/domain/devices/memballoon[1]' })],
      }),
    }),
  },
  {
    key: 'R-SNP-02/host',
    fires: input({ domain: TECH[2]!.ok(), host: { ...CAPABLE_HOST, sevSnp: 'no' } }),
    silent: input({ domain: TECH[2]!.ok() }),
  },
  {
    key: 'R-SNP-01/blob-length',
    fires: input({ domain: blobs(TECH[2]!.ok(), { idBlock: 64 }) }),
    silent: input({ domain: blobs(TECH[2]!.ok(), { idBlock: 96, hostData: 32 }) }),
  },
  {
    key: 'R-TDX-01/tsc-frequency',
    fires: input({ domain: { ...TECH[3]!.ok(), tscFrequencyHz: 2_345_678_900 } }),
    silent: input({ domain: { ...TECH[3]!.ok(), tscFrequencyHz: 2_500_000_000 } }),
  },
  {
    key: 'R-TDX-01/phys-bits',
    fires: input({ domain: { ...TECH[3]!.ok(), maxPhysAddr: { mode: 'emulate', bits: 46, limit: 'absent' } } }),
    // Passthrough without a limit is the host's width.
    silent: input({ domain: { ...TECH[3]!.ok(), maxPhysAddr: { mode: 'passthrough', bits: 'absent', limit: 'absent' } } }),
  },
  {
    key: 'R-TDX-01/digest-length',
    fires: input({ domain: blobs(TECH[3]!.ok(), { mrConfigId: 72 }) }),
    silent: input({ domain: blobs(TECH[3]!.ok(), { mrConfigId: 48 }) }),
  },
  {
    key: 'R-TDX-01/host',
    fires: input({ domain: TECH[3]!.ok(), host: { ...CAPABLE_HOST, tdx: 'no' } }),
    silent: input({ domain: TECH[3]!.ok() }),
  },
  {
    key: 'R-PV-03/host',
    fires: input({ domain: TECH[4]!.ok(), host: { ...CAPABLE_HOST, s390pv: 'no' } }),
    silent: input({ domain: TECH[4]!.ok() }),
  },
  {
    key: 'R-SEV-01/cbitpos',
    fires: input({ domain: sevDomain({ launchSecurity: { ...SEV_LS, cbitpos: 47 } }) }),
    silent: input({ domain: sevDomain() }),
  },
  {
    key: 'R-SEV-03',
    fires: input({ domain: domain({ launchSecurity: SEV_LS }) }),
    silent: input({ domain: domain({ launchSecurity: SEV_LS, memtuneHardLimitKiB: 5 * 1024 * 1024 }) }),
  },
  {
    key: 'R-SEV-03/snp',
    fires: input({ domain: domain({ launchSecurity: { ...SEV_LS, type: 'sev-snp' } }) }),
    silent: input({ domain: domain({ launchSecurity: SEV_LS }) }),
  },
  { key: 'R-SEV-04/machine', fires: input({ domain: sevDomain({ machine: pc }) }), silent: input({ domain: sevDomain() }) },
  {
    key: 'R-SEV-04/firmware',
    fires: input({
      domain: sevDomain({
        firmware: BIOS,
      }),
    }),
    silent: input({ domain: sevDomain() }),
  },
  {
    key: 'R-SEV-06',
    fires: input({ domain: sevDomain(), goals: { migration: true } }),
    silent: input({ domain: sevDomain(), goals: { migration: false } }),
  },
  { key: 'R-SEV-06/note', fires: input({ domain: sevDomain() }), silent: input({ domain: domain() }) },
  { key: 'R-SEVES-01/smm', fires: input({ domain: { ...TECH[1]!.ok(), smm: 'on' } }), silent: input({ domain: TECH[1]!.ok() }) },
  ...(['R-SNP-01', 'R-TDX-01'] as const).flatMap((id): Case[] => {
    const ok = id === 'R-SNP-01' ? TECH[2]!.ok : TECH[3]!.ok;
    const pflash = { ...UEFI_PICKED_BY_LIBVIRT, loaderType: 'pflash' as const, loaderPath: '/usr/share/OVMF/OVMF_CODE_4M.fd', nvram: true };
    return [
      { key: `${id}/smm`, fires: input({ domain: { ...ok(), smm: 'on' } }), silent: input({ domain: { ...ok(), smm: 'off' } }) },
      { key: `${id}/smm-off`, fires: input({ domain: ok() }), silent: input({ domain: { ...ok(), smm: 'off' } }) },
      { key: `${id}/pflash`, fires: input({ domain: { ...ok(), firmware: pflash } }), silent: input({ domain: ok() }) },
    ];
  }),
  {
    key: 'R-SNP-01/vfio',
    fires: input({
      domain: { ...TECH[2]!.ok(), vfioDeviceCount: 1 },
      host: { ...CAPABLE_HOST, libvirtVersion: exact(10, 5), qemuVersion: exact(9, 1) },
    }),
    silent: input({
      domain: { ...TECH[2]!.ok(), vfioDeviceCount: 1 },
      host: { ...CAPABLE_HOST, libvirtVersion: exact(10, 5), qemuVersion: exact(9, 2) },
    }),
  },
  ...['0x10000', '0x70000', '0x4000030000'].map((policy) => ({
    // bit 17 clear, then bit 18 (MIGRATE_MA) and bit 38 set: KVM refuses each; 0x1b0000 (SMT, bit 17, DEBUG,
    // SINGLE_SOCKET) it accepts.
    key: 'R-SNP-01/policy-bits',
    fires: input({ domain: withPolicy(2, policy) }),
    silent: input({ domain: withPolicy(2, '0x1b0000') }),
  })),
  {
    key: 'R-SNP-01/stateless',
    fires: input({ domain: TECH[2]!.ok(), host: { ...CAPABLE_HOST, libvirtVersion: exact(11, 3) } }),
    silent: input({ domain: TECH[2]!.ok() }),
  },
  ...['0x10000001', '0x50000000', '0x1'].map((policy) => ({
    // DEBUG (libvirt's old example), PKS, DEBUG alone: refused by libvirt or by QEMU for KVM; SEPT_VE_DISABLE passes.
    key: 'R-TDX-01/policy-bits',
    fires: input({ domain: withPolicy(3, policy) }),
    silent: input({ domain: withPolicy(3, '0x10000000') }),
  })),
  {
    // No SEPT_VE_DISABLE in a TD that is not a debug TD: the Linux guest stops at boot. A debug TD only warns (and
    // is refused by R-TDX-01/policy-bits instead).
    key: 'R-TDX-01/sept-ve',
    fires: input({ domain: withPolicy(3, '0x0') }),
    silent: input({ domain: withPolicy(3, '0x1') }),
  },
  {
    // QEMU picks the split irqchip for a TD unless the in-kernel one is asked for.
    key: 'R-TDX-01/irqchip',
    fires: input({ domain: { ...TECH[3]!.ok(), ioapicDriver: 'kvm' } }),
    silent: input({ domain: { ...TECH[3]!.ok(), ioapicDriver: 'absent' } }),
  },
  {
    // A named CPU model (custom, host-model, or none at all) makes QEMU exit for a TD; host-passthrough does not.
    key: 'R-TDX-01/cpu-model',
    fires: input({ domain: { ...TECH[3]!.ok(), cpuMode: 'host-model' } }),
    silent: input({ domain: { ...TECH[3]!.ok(), cpuMode: 'host-passthrough' } }),
  },
  {
    key: 'R-TDX-01/pmu',
    fires: input({ domain: { ...TECH[3]!.ok(), pmu: 'on' } }),
    silent: input({ domain: { ...TECH[3]!.ok(), pmu: 'off' } }),
  },
  {
    key: 'R-TDX-01/firmware',
    fires: input({
      domain: {
        ...TECH[3]!.ok(),
        firmware: BIOS,
      },
    }),
    silent: input({ domain: TECH[3]!.ok() }),
  },
  ...(['sev-es', 'sev-snp'] as const).map((type) => {
    const t = TECH.find((x) => x.type === type)!;
    // The firmware libvirt picks (the AmdSev build on Debian) boots no disk; a kernel given directly, or another
    // firmware named, leaves it out.
    return {
      key: `${t.id}/amdsev-boot`,
      fires: input({ domain: t.ok() }),
      silent: input({
        domain: { ...t.ok(), firmware: { ...t.ok().firmware, loaderType: 'rom' as const, loaderPath: '/usr/share/ovmf/OVMF.fd' } },
      }),
    };
  }),
  {
    // A TD boots only from what TDVF loads in it: a SCSI boot disk is out of reach, a virtio one is not.
    key: 'R-TDX-01/boot-device',
    fires: input({ domain: { ...TECH[3]!.ok(), bootDevices: [{ target: '/domain/devices/disk[1]', label: 'disk sda', bus: 'scsi' }] } }),
    silent: input({ domain: { ...TECH[3]!.ok(), bootDevices: [{ target: '/domain/devices/disk[1]', label: 'disk vda', bus: 'virtio' }] } }),
  },
  {
    // For SEV libvirt takes the AmdSev build only once SMM is off (or Secure Boot declined).
    key: 'R-SEV-04/amdsev-boot',
    fires: input({ domain: { ...TECH[0]!.ok(), smm: 'off' } }),
    silent: input({ domain: TECH[0]!.ok() }),
  },
  {
    key: 'R-SEV-04/kernel-secure-boot',
    fires: input({ domain: { ...TECH[0]!.ok(), directKernelBoot: true } }),
    silent: input({ domain: { ...TECH[0]!.ok(), directKernelBoot: true, smm: 'off' } }),
  },
  {
    // A kernel given directly meets Secure Boot in the TDX firmware libvirt picks; a <shim> vouches for it.
    key: 'R-TDX-01/kernel-secure-boot',
    fires: input({ domain: { ...TECH[3]!.ok(), directKernelBoot: true } }),
    silent: input({ domain: { ...TECH[3]!.ok(), directKernelBoot: true, shim: true } }),
  },
  {
    key: 'R-PV-04/hugepages',
    fires: input({ domain: { ...TECH[4]!.ok(), memoryBacking: { ...shared, hugepages: true } } }),
    silent: input({ domain: TECH[4]!.ok() }),
  },
  { key: 'R-PV-04/hostdev', fires: input({ domain: { ...TECH[4]!.ok(), hostdevCount: 1 } }), silent: input({ domain: TECH[4]!.ok() }) },
  { key: 'R-PV-01/cpu', fires: input({ domain: { ...TECH[4]!.ok(), cpuMode: 'absent' } }), silent: input({ domain: TECH[4]!.ok() }) },
  { key: 'R-PEF-01/object', fires: goal('pef', TECH[5]!.ok()), silent: input({ domain: TECH[5]!.ok() }) },
  {
    key: 'R-PEF-01/no-object',
    // A PEF goal without the pef-guest object; with it (on <qemu:commandline>) the guest is PEF already.
    fires: goal('pef', TECH[5]!.ok()),
    silent: input({ domain: viaCommandline(5, { qomType: 'pef-guest', properties: {} }) }),
  },
  {
    key: 'R-SEVES-01/firmware-requests',
    fires: input({ domain: { ...TECH[1]!.ok(), firmware: { ...UEFI_PICKED_BY_LIBVIRT, keysRequested: true } } }),
    silent: input({ domain: { ...TECH[1]!.ok(), firmware: UEFI_PICKED_BY_LIBVIRT } }),
  },
  {
    key: 'R-SNP-01/firmware-requests',
    // On i440fx: Debian's SEV-SNP descriptor names pc-q35-* only (Secure Boot is R-SNP-01/secure-boot's).
    fires: input({ domain: { ...TECH[2]!.ok(), machine: pc, firmware: UEFI_PICKED_BY_LIBVIRT } }),
    // Declining keys agrees with OVMF.amdsev.fd, which has none.
    silent: input({ domain: { ...TECH[2]!.ok(), firmware: { ...UEFI_PICKED_BY_LIBVIRT, keysDeclined: true } } }),
  },
  {
    key: 'R-TDX-01/firmware-requests',
    // On i440fx: Debian's TDX descriptor names pc-q35-* only.
    fires: input({ domain: { ...TECH[3]!.ok(), machine: pc, firmware: UEFI_PICKED_BY_LIBVIRT } }),
    silent: input({ domain: { ...TECH[3]!.ok(), firmware: { ...UEFI_PICKED_BY_LIBVIRT, keysRequested: true } } }),
  },
  {
    key: 'R-SNP-01/secure-boot',
    fires: input({ domain: { ...TECH[2]!.ok(), firmware: { ...UEFI_PICKED_BY_LIBVIRT, keysRequested: true } } }),
    silent: input({ domain: { ...TECH[2]!.ok(), firmware: { ...UEFI_PICKED_BY_LIBVIRT, keysDeclined: true } } }),
  },
  // The firmware is left to libvirt (fires) or named (silent).
  {
    key: 'R-SEVES-01/firmware-descriptor',
    fires: input({ domain: { ...TECH[1]!.ok(), firmware: UEFI_PICKED_BY_LIBVIRT } }),
    silent: input({
      domain: { ...TECH[1]!.ok(), firmware: { ...UEFI_PICKED_BY_LIBVIRT, loaderType: 'rom', loaderPath: '/usr/share/ovmf/OVMF.fd' } },
    }),
  },
  {
    key: 'R-SNP-01/firmware-descriptor',
    fires: input({ domain: { ...TECH[2]!.ok(), firmware: UEFI_PICKED_BY_LIBVIRT } }),
    // A request no descriptor meets is R-SNP-01/firmware-requests alone.
    silent: input({ domain: { ...TECH[2]!.ok(), firmware: { ...UEFI_PICKED_BY_LIBVIRT, loaderSecure: 'on' } } }),
  },
  {
    key: 'R-TDX-01/firmware-descriptor',
    fires: input({ domain: { ...TECH[3]!.ok(), firmware: UEFI_PICKED_BY_LIBVIRT } }),
    silent: input({
      domain: {
        ...TECH[3]!.ok(),
        firmware: { ...UEFI_PICKED_BY_LIBVIRT, loaderType: 'rom', loaderPath: '/usr/share/ovmf/OVMF.inteltdx.fd' },
      },
    }),
  },
  {
    key: 'R-VIOMMU-01/address',
    fires: input({
      domain: domain({
        viommu: {
          ...NO_VIOMMU,
          model: 'virtio',
          target: '/domain/devices/iommu[1]',
          address: { type: 'pci', bus: 1, printed: '0000:01:00.0' },
        },
      }),
    }),
    silent: input({
      domain: domain({
        viommu: {
          ...NO_VIOMMU,
          model: 'virtio',
          target: '/domain/devices/iommu[1]',
          address: { type: 'pci', bus: 0, printed: '0000:00:02.0' },
        },
      }),
    }),
  },
  {
    key: 'R-VIOMMU-01/count',
    fires: input({ domain: domain({ viommu: { ...NO_VIOMMU, model: 'intel', target: '/domain/devices/iommu[1]', count: 2 } }) }),
    silent: input({ domain: domain({ viommu: { ...NO_VIOMMU, model: 'intel', target: '/domain/devices/iommu[1]', count: 1 } }) }),
  },
  {
    key: 'R-VIOMMU-01/virtio-values',
    fires: input({ domain: domain({ viommu: { ...NO_VIOMMU, model: 'virtio', target: '/domain/devices/iommu[1]', granule: '2048KiB' } }) }),
    silent: input({
      domain: domain({ viommu: { ...NO_VIOMMU, model: 'virtio', target: '/domain/devices/iommu[1]', granule: '64KiB', awBits: 48 } }),
    }),
  },
  {
    key: 'R-VIOMMU-01/aw-bits',
    fires: input({ domain: domain({ viommu: { ...NO_VIOMMU, model: 'intel', target: '/domain/devices/iommu[1]', awBits: 52 } }) }),
    silent: input({ domain: domain({ viommu: { ...NO_VIOMMU, model: 'intel', target: '/domain/devices/iommu[1]', awBits: 48 } }) }),
  },
  {
    key: 'R-VIOMMU-01/amd-passthrough',
    fires: input({ domain: domain({ viommu: { ...NO_VIOMMU, model: 'amd', target: '/domain/devices/iommu[1]', passthrough: 'off' } }) }),
    silent: input({ domain: domain({ viommu: { ...NO_VIOMMU, model: 'amd', target: '/domain/devices/iommu[1]', xtsup: 'on' } }) }),
  },
  {
    key: 'R-XML-04/virtiofs',
    fires: input({
      domain: withDevice({
        kind: 'filesystem',
        function: 'fs',
        fsDriver: 'virtiofs',
        backend: 'vhost-user',
        modelAttr: 'virtio',
        target: '/domain/devices/filesystem[1]',
      }),
    }),
    // A 9p share takes a model.
    silent: input({
      domain: withDevice({
        kind: 'filesystem',
        function: 'fs',
        fsDriver: 'path',
        modelAttr: 'virtio',
        target: '/domain/devices/filesystem[1]',
      }),
    }),
  },
  {
    key: 'R-XML-04/vsock',
    fires: input({ domain: domain({ devices: [vsock('virtio-transitional')] }) }),
    silent: input({ domain: domain({ devices: [vsock('virtio-non-transitional')] }) }),
  },
  {
    key: 'R-TDX-01/hyperv',
    fires: input({ domain: { ...TECH[3]!.ok(), hyperv: true } }),
    silent: input({ domain: TECH[3]!.ok() }),
  },
  {
    key: 'R-LNX-04/noforce',
    fires: input({ domain: sevDomain({ kernelCmdline: 'console=ttyS0 swiotlb=noforce', directKernelBoot: true }) }),
    silent: input({ domain: sevDomain({ kernelCmdline: 'console=ttyS0 swiotlb=262144', directKernelBoot: true }) }),
  },
  {
    key: 'R-QEMU-01/commandline',
    fires: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest' }, AMDSEV_ROM), host: CAPABLE_HOST }),
    silent: input({ domain: viaCommandline(5, { qomType: 'pef-guest' }), host: CAPABLE_HOST }),
  },
  {
    key: 'R-QEMU-01/unlinked',
    fires: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest', linked: false }), host: CAPABLE_HOST }),
    silent: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest' }, AMDSEV_ROM), host: CAPABLE_HOST }),
  },
  {
    key: 'R-QEMU-01/commandline-firmware',
    fires: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest' }, UEFI_PICKED_BY_LIBVIRT), host: CAPABLE_HOST }),
    silent: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest' }, AMDSEV_ROM), host: CAPABLE_HOST }),
  },
  {
    key: 'R-QEMU-01/commandline-firmware-es',
    fires: input({
      domain: viaCommandline(
        1,
        { qomType: 'sev-guest', properties: { policy: '0x5', cbitpos: '51', 'reduced-phys-bits': '1' } },
        UEFI_PICKED_BY_LIBVIRT,
      ),
    }),
    silent: input({
      domain: viaCommandline(
        1,
        { qomType: 'sev-guest', properties: { policy: '0x5', cbitpos: '51', 'reduced-phys-bits': '1' } },
        AMDSEV_ROM,
      ),
    }),
  },
  {
    key: 'R-QEMU-01/commandline-sev-values',
    fires: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest', properties: {} }, AMDSEV_ROM), host: CAPABLE_HOST }),
    silent: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest' }, AMDSEV_ROM), host: CAPABLE_HOST }),
  },
  {
    key: 'R-QEMU-01/commandline-goal',
    fires: input({ domain: viaCommandline(2, { qomType: 'sev-snp-guest' }, AMDSEV_ROM), host: CAPABLE_HOST, goals: { secure: 'none' } }),
    silent: input({
      domain: viaCommandline(2, { qomType: 'sev-snp-guest' }, AMDSEV_ROM),
      host: CAPABLE_HOST,
      goals: { secure: 'sev-snp' },
    }),
  },

  {
    key: 'R-WIN-02/balloon',
    fires: input({
      domain: sevDomain({ devices: [device({ kind: 'memballoon', function: 'balloon', target: '/domain/devices/memballoon[1]' })] }),
      guest: windows('http://microsoft.com/win/11'),
    }),
    silent: input({
      domain: sevDomain({ devices: [device({ kind: 'memballoon', function: 'balloon', target: '/domain/devices/memballoon[1]' })] }),
      guest: LINUX_GUEST,
    }),
  },
  {
    key: 'R-XML-01/value',
    fires: input({
      domain: domain({
        invalidSwitches: [
          { target: '/domain/devices/disk[1]/driver', element: 'driver', attribute: 'iommu', value: 'yes', words: 'on/off', meant: 'on' },
        ],
      }),
    }),
    silent: input({ domain: domain() }),
  },
  {
    key: 'R-XML-01/memory',
    fires: input({
      domain: domain({ devices: [device({ kind: 'memory', function: 'mem', modelAttr: 'virtio-mem', driver: { iommu: 'on' } })] }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(9, 0) },
    }),
    silent: input({
      domain: domain({ devices: [device({ kind: 'memory', function: 'mem', modelAttr: 'virtio-mem', driver: { iommu: 'on' } })] }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 0) },
    }),
  },
  {
    key: 'R-VIOMMU-01/version',
    fires: input({ domain: domain({ viommu: { ...intel, model: 'amd' } }), host: { ...CAPABLE_HOST, libvirtVersion: exact(11, 3) } }),
    silent: input({ domain: domain({ viommu: { ...intel, model: 'amd' } }), host: { ...CAPABLE_HOST, libvirtVersion: exact(11, 5) } }),
  },
  {
    key: 'R-CC-01/launch-security-type',
    fires: input({ domain: domain({ launchSecurity: { ...domain().launchSecurity, present: true, typeAttribute: 'pef' } }) }),
    silent: input({ domain: sevDomain() }),
  },
  { key: 'R-CCA-01', fires: goal('cca'), silent: goal('none') },
  {
    key: 'R-WIN-02',
    fires: input({ domain: sevDomain(), guest: windows('http://microsoft.com/win/11') }),
    silent: input({ domain: domain(), guest: windows('http://microsoft.com/win/11') }),
  },
  { key: 'R-VIOMMU-03', fires: input({ domain: sevDomain({ viommu: intel }) }), silent: input({ domain: domain({ viommu: intel }) }) },
  // Confidential VM device rules
  {
    key: 'R-LNX-05',
    fires: input({
      domain: sevDomain({
        devices: [device({ kind: 'memballoon', function: 'balloon', implicit: true, target: '/domain/devices/memballoon[1]' })],
      }),
    }),
    silent: input({ domain: sevDomain() }),
  },
  {
    key: 'R-LNX-05/iommu',
    fires: input({ domain: withDevice({ kind: 'memballoon', function: 'balloon', driver: { iommu: 'on' } }) }),
    silent: input({ domain: withDevice({ kind: 'memballoon', function: 'balloon' }) }),
  },
  {
    key: 'R-SEV-04/rom',
    fires: input({ domain: sevDomain({ devices: [nic()] }) }),
    silent: input({ domain: sevDomain({ devices: [nic({ rom: 'off' })] }) }),
  },
  {
    key: 'R-SEV-04/gpu',
    fires: input({ domain: sevDomain({ devices: [device({ kind: 'video', function: 'gpu', target: '/domain/devices/video[1]' })] }) }),
    silent: input({ domain: domain({ devices: [device({ kind: 'video', function: 'gpu' })] }) }),
  },
  // Guest
  {
    key: 'R-LNX-06',
    fires: input({ domain: withDevice({ driver: { iommu: 'on' } }), guest: { ...LINUX_GUEST, virtio1: 'no' } }),
    silent: input({ domain: withDevice({ driver: { iommu: 'on' } }), guest: LINUX_GUEST }),
  },
  {
    key: 'R-LNX-06/modern-only',
    // Without iommu='on': a legacy-only guest cannot bind a modern-only device at all; a transitional one it can.
    fires: input({ domain: withDevice({}), guest: { ...LINUX_GUEST, virtio1: 'no' } }),
    silent: input({ domain: withDevice({ virtioModel: 'virtio-transitional' }), guest: { ...LINUX_GUEST, virtio1: 'no' } }),
  },
  {
    key: 'R-SPEC-03',
    fires: input({
      domain: withDevice({ driver: { iommu: 'on' } }),
      guest: { ...LINUX_GUEST, kernelVersion: { major: 4, minor: 4, micro: 0 } },
    }),
    silent: input({ domain: withDevice({ driver: { iommu: 'on' } }), guest: LINUX_GUEST }),
  },
  {
    key: 'R-WIN-01',
    fires: input({ domain: withDevice({ driver: { iommu: 'on' } }), guest: windows('http://microsoft.com/win/10') }),
    silent: input({ domain: withDevice({}), guest: windows('http://microsoft.com/win/10') }),
  },
  {
    key: 'R-WIN-01/netkvm',
    fires: input({ domain: domain({ devices: [nic({ driver: { iommu: 'on' } })] }), guest: windows('http://microsoft.com/win/7') }),
    silent: input({ domain: domain({ devices: [nic({ driver: { iommu: 'on' } })] }), guest: windows('http://microsoft.com/win/10') }),
  },
  {
    // 2 queues × 256 requests × 1288 KiB (644 MiB) do not fit the 256 MiB SEV default of 4 GiB; 1 GiB holds them.
    key: 'R-LNX-04',
    // Debian 12's Linux 6.1 (1280 KiB requests): a 1 GiB pool holds the worst case.
    fires: input({ domain: sevDomain({ devices: [device({ queues: 4 })] }), guest: LINUX_GUEST }),
    silent: input({
      domain: sevDomain({ devices: [device({ queues: 4 })], kernelCmdline: 'console=ttyS0 swiotlb=524288' }),
      guest: LINUX_GUEST,
    }),
  },
  { key: 'R-LNX-03', fires: input({ domain: sevDomain(), guest: LINUX_GUEST }), silent: input({ domain: domain(), guest: LINUX_GUEST }) },
  // Backends and vIOMMU
  {
    key: 'R-QEMU-02',
    fires: input({ domain: withDevice({ backend: 'vhost-user', driver: { iommu: 'on' } }, { memoryBacking: shared }) }),
    silent: input({ domain: withDevice({ backend: 'vhost-user' }, { memoryBacking: shared }) }),
  },
  {
    key: 'R-QEMU-02/passt',
    // passt's vhost-user NIC in a SEV guest: the confidential default turns the bit on; a user-supplied backend is R-QEMU-02's warning.
    fires: input({
      domain: sevDomain({ memoryBacking: shared, devices: [nic({ backend: 'vhost-user', vhostUserProgram: 'passt' })] }),
    }),
    silent: input({ domain: sevDomain({ memoryBacking: shared, devices: [nic({ backend: 'vhost-user' })] }) }),
  },
  {
    key: 'R-BE-03/shared-memory',
    fires: input({ domain: withDevice({ backend: 'vhost-user' }) }),
    silent: input({ domain: withDevice({ backend: 'vhost-user' }, { memoryBacking: shared }) }),
  },
  {
    key: 'R-BE-03/shared-memory',
    // A vhost-vdpa disk too (libvirt 11.3 and 12.8: "'vhostvdpa' requires shared memory"); a vDPA interface not.
    fires: input({ domain: withDevice({ backend: 'vdpa' }) }),
    silent: input({ domain: domain({ devices: [nic({ backend: 'vdpa' })] }) }),
  },
  {
    key: 'R-BE-03/shared-memory-net',
    fires: input({ domain: domain({ devices: [nic({ backend: 'vhost-user' })] }) }),
    // Shared through NUMA cells counts too; and before libvirt 11.2 it was no error.
    silent: input({
      domain: domain({
        devices: [nic({ backend: 'vhost-user' })],
        memoryBacking: { ...shared, accessMode: 'absent', numaCells: ['shared'] },
      }),
    }),
  },
  {
    key: 'R-BE-03/protocol',
    // With or without a vIOMMU (§7.2 item 12): only the bit decides.
    fires: input({ domain: withDevice({ backend: 'vhost-user', driver: { iommu: 'on' } }, { memoryBacking: shared }) }),
    silent: input({ domain: withDevice({ backend: 'vhost-user' }, { memoryBacking: shared, viommu: intel }) }),
  },
  {
    key: 'R-QEMU-02/virtiofs',
    fires: input({
      domain: withDevice(
        { kind: 'filesystem', function: 'fs', fsDriver: 'virtiofs', backend: 'vhost-user', driver: { iommu: 'on' } },
        { memoryBacking: shared },
      ),
    }),
    silent: input({
      domain: withDevice({ kind: 'filesystem', function: 'fs', fsDriver: 'virtiofs', backend: 'vhost-user' }, { memoryBacking: shared }),
    }),
  },
  {
    key: 'R-BE-04',
    fires: input({ domain: sevDomain({ devices: [device({ backend: 'vhost-user' })], memoryBacking: { ...shared, locked: true } }) }),
    silent: input({ domain: sevDomain() }),
  },
  {
    key: 'R-SNP-03',
    fires: input({
      domain: { ...TECH[2]!.ok(), devices: [device({ kind: 'filesystem', function: 'fs', fsDriver: 'virtiofs', backend: 'vhost-user' })] },
    }),
    silent: input({
      domain: domain({
        devices: [device({ kind: 'filesystem', function: 'fs', fsDriver: 'virtiofs', backend: 'vhost-user' })],
        memoryBacking: shared,
      }),
    }),
  },
  {
    key: 'R-BE-02',
    fires: input({ domain: domain({ devices: [nic({ driver: { iommu: 'on' } })], viommu: intel }) }),
    silent: input({ domain: domain({ devices: [nic({ driver: { iommu: 'on' } })] }) }),
  },
  {
    key: 'R-VIOMMU-04',
    fires: input({ domain: domain({ devices: [nic({ driver: { iommu: 'on' } })], viommu: intel }) }),
    silent: input({ domain: domain({ devices: [nic({ driver: { iommu: 'on', ats: 'on' } })], viommu: { ...intel, iotlb: 'on' } }) }),
  },
  {
    key: 'R-BE-05',
    fires: input({ domain: domain({ devices: [nic({ backend: 'vdpa' })] }) }),
    silent: input({ domain: domain({ devices: [nic({ backend: 'vdpa', driver: { pagePerVq: 'on' } })] }) }),
  },
  {
    key: 'R-BE-05/version',
    fires: input({ domain: withDevice({ backend: 'vdpa' }), host: { ...CAPABLE_HOST, libvirtVersion: exact(9, 0) } }),
    silent: input({ domain: withDevice({ backend: 'vdpa' }), host: { ...CAPABLE_HOST, libvirtVersion: exact(9, 8) } }),
  },
  {
    key: 'R-VIOMMU-02',
    fires: input({ domain: domain({ viommu: intel }) }),
    silent: input({ domain: withDevice({ driver: { iommu: 'on' } }, { viommu: intel }) }),
  },
  {
    key: 'R-VIOMMU-02/windows-rng',
    fires: input({ domain: domain({ viommu: intel, devices: [RNG] }), guest: windows('http://microsoft.com/win/11') }),
    // A Linux guest's rng without the bit only bypasses the vIOMMU (R-VIOMMU-02).
    silent: input({ domain: domain({ viommu: intel, devices: [RNG] }), guest: LINUX_GUEST }),
  },
  {
    key: 'R-VIOMMU-01/machine',
    fires: input({ domain: domain({ viommu: intel, machine: pc }) }),
    silent: input({ domain: domain({ viommu: intel }) }),
  },
  {
    key: 'R-VIOMMU-01/acpi-uefi',
    fires: input({
      domain: domain({
        arch: 'aarch64',
        machine: { raw: 'virt', family: 'virt', version: 'unknown' },
        viommu: { ...intel, model: 'virtio' },
        firmware: { ...domain().firmware, kind: 'bios', acpi: true },
      }),
    }),
    silent: input({
      domain: domain({
        arch: 'aarch64',
        machine: { raw: 'virt', family: 'virt', version: 'unknown' },
        viommu: { ...intel, model: 'virtio' },
        firmware: { ...domain().firmware, kind: 'efi', acpi: true },
      }),
    }),
  },
  {
    key: 'R-VIOMMU-01/acpi',
    // The guest finds a virtio-iommu through ACPI; the intel model has no such requirement.
    fires: input({ domain: domain({ viommu: { ...intel, model: 'virtio' }, firmware: { ...domain().firmware, acpi: false } }) }),
    silent: input({ domain: domain({ viommu: intel, firmware: { ...domain().firmware, acpi: false } }) }),
  },
  {
    key: 'R-VIOMMU-01/qemu',
    // A pc-q35-6.2 machine type says QEMU 6.2 or later only; an exact 6.2 is too old, an exact 7.0 is not.
    fires: input({ domain: domain({ viommu: { ...intel, model: 'virtio' } }), host: { ...CAPABLE_HOST, qemuVersion: exact(6, 2) } }),
    silent: input({ domain: domain({ viommu: { ...intel, model: 'virtio' } }), host: { ...CAPABLE_HOST, qemuVersion: exact(7, 0) } }),
  },
  {
    // libvirt 10.10 and later write an intel vIOMMU into a q35 domain with more than 255 vCPUs; 9.0 does not.
    key: 'R-VIOMMU-01/added-for-vcpus',
    fires: input({ domain: domain({ vcpus: { max: 288, current: 288 } }), host: { ...CAPABLE_HOST, libvirtVersion: exact(11, 3) } }),
    silent: input({ domain: domain({ vcpus: { max: 288, current: 288 } }), host: { ...CAPABLE_HOST, libvirtVersion: exact(9, 0) } }),
  },
  {
    // ... without caching mode, which an assigned device needs; 255 vCPUs get none.
    key: 'R-VIOMMU-01/added-without-caching-mode',
    fires: input({
      domain: domain({ vcpus: { max: 288, current: 288 }, vfioDeviceCount: 1 }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 8) },
    }),
    silent: input({
      domain: domain({ vcpus: { max: 255, current: 255 }, vfioDeviceCount: 1 }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 8) },
    }),
  },
  {
    // 288 vCPUs behind a virtio vIOMMU: refused up to libvirt 12.1 (no extended interrupt mode), not by 12.8.
    key: 'R-VIOMMU-01/eim-for-vcpus',
    fires: input({
      domain: domain({ vcpus: { max: 288, current: 1 }, viommu: { ...intel, model: 'virtio' } }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(11, 3) },
    }),
    silent: input({
      domain: domain({ vcpus: { max: 288, current: 1 }, viommu: { ...intel, model: 'virtio' } }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 8) },
    }),
  },
  {
    // A VFIO device behind the intel vIOMMU needs caching mode; an emulated one does not.
    key: 'R-VIOMMU-01/caching-mode',
    fires: input({ domain: domain({ viommu: { ...intel, cachingMode: 'absent' }, vfioDeviceCount: 1 }) }),
    silent: input({ domain: domain({ viommu: { ...intel, cachingMode: 'on' }, vfioDeviceCount: 1 }) }),
  },
  {
    key: 'R-VIOMMU-01/amd-assignment',
    fires: input({ domain: domain({ viommu: { ...intel, model: 'amd' }, vfioDeviceCount: 1 }) }),
    silent: input({ domain: domain({ viommu: { ...intel, model: 'amd' } }) }),
  },
  {
    // Nested translation by the host SMMUv3 (accel) is what lets an assigned device sit behind it.
    key: 'R-VIOMMU-01/smmuv3-assignment',
    fires: input({ domain: domain({ viommu: { ...intel, model: 'smmuv3' }, vfioDeviceCount: 1 }) }),
    silent: input({ domain: domain({ viommu: { ...intel, model: 'smmuv3', accel: 'on' }, vfioDeviceCount: 1 }) }),
  },
  {
    key: 'R-VIOMMU-01/attributes',
    // Any value counts, off too: libvirt refuses an option it does not take whatever it says.
    fires: input({ domain: domain({ viommu: { ...intel, model: 'virtio', cachingMode: 'off' } }) }),
    silent: input({ domain: domain({ viommu: { ...intel, cachingMode: 'on', iotlb: 'on' } }) }),
  },
  {
    // eim and aw_bits are intel options too (domain_validate.c virDomainIOMMUDefValidate, 9.0 and 11.3).
    key: 'R-VIOMMU-01/attributes',
    fires: input({ domain: domain({ viommu: { ...intel, model: 'smmuv3', eim: 'off', awBits: 48 } }) }),
    silent: input({ domain: domain({ viommu: { ...intel, eim: 'on', awBits: 48 } }) }),
  },
  {
    key: 'R-VIOMMU-01/eim',
    fires: input({ domain: domain({ viommu: { ...intel, eim: 'on' } }) }),
    silent: input({ domain: domain({ viommu: { ...intel, eim: 'on', intremap: 'on' }, ioapicDriver: 'qemu' }) }),
  },
  {
    key: 'R-VIOMMU-01/eim',
    // With more than 255 vCPUs libvirt 10.10 and later turn a missing intremap on themselves; 9.0 does not.
    fires: input({
      domain: domain({ viommu: { ...intel, eim: 'on' }, vcpus: { max: 288, current: 288 } }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(9, 0) },
    }),
    silent: input({ domain: domain({ viommu: { ...intel, eim: 'on' }, vcpus: { max: 288, current: 288 } }) }),
  },
  {
    key: 'R-VIOMMU-01/intremap',
    // libvirt 9.0 refuses it; 11.3 and later add the split irqchip themselves.
    fires: input({ domain: domain({ viommu: { ...intel, intremap: 'on' } }), host: { ...CAPABLE_HOST, libvirtVersion: exact(9, 0) } }),
    silent: input({ domain: domain({ viommu: { ...intel, intremap: 'on' } }) }),
  },
  {
    key: 'R-VIOMMU-01/intremap',
    // An <ioapic> naming the in-kernel driver is refused by every libvirt: 11.3 and later add driver='qemu' only
    // when none is given.
    fires: input({
      domain: domain({ viommu: { ...intel, intremap: 'on' }, ioapicDriver: 'kvm' }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 8) },
    }),
    silent: input({
      domain: domain({ viommu: { ...intel, intremap: 'on' }, ioapicDriver: 'qemu' }),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(9, 0) },
    }),
  },
];

const keysFor = (i: EngineInput) => evaluateRules(i).map((h) => h.rule.key);

describe('every rule record', () => {
  for (const c of CASES) {
    it(`${c.key} fires when it should and stays silent when it should not`, () => {
      const hit = evaluateRules(c.fires).find((h) => h.rule.key === c.key);
      expect(hit, `${c.key} did not fire; fired: ${keysFor(c.fires).join(', ')}`).toBeDefined();
      const record = RULES.find((r) => r.key === c.key)!;
      expect(hit!.finding.severity).toBe(c.severity ?? record.severity);
      expect(hit!.finding.rule).toBe(record.id);
      expect(hit!.finding.sources.length).toBeGreaterThan(0);
      expect(keysFor(c.silent)).not.toContain(c.key);
    });
  }

  it('has a case in this file', () => {
    const tested = new Set(CASES.map((c) => c.key));
    expect(RULES.map((r) => r.key).filter((k) => !tested.has(k))).toEqual([]);
  });

  it('has a unique key', () => {
    const keys = RULES.map((r) => r.key);
    expect(keys.length).toBe(new Set(keys).size);
  });
});

describe('confidential VM with iommu absent (issue 3, finding list)', () => {
  const absent = (host = CAPABLE_HOST, d: Partial<DomainFacts> = {}) =>
    evaluateRules(input({ domain: sevDomain(d), host })).filter((h) => h.finding.target === '/domain/devices/disk[1]');
  it('is an error before QEMU 6.0', () => {
    expect(
      absent({ ...CAPABLE_HOST, qemuVersion: exact(5, 2) }, { machine: unversioned }).map((h) => [h.finding.rule, h.finding.severity]),
    ).toEqual([['R-SEV-02', 'error']]);
  });
  it("is fine from QEMU 6.0 (info: QEMU's default covers it)", () => {
    expect(
      absent({ ...CAPABLE_HOST, qemuVersion: exact(6, 0) }, { machine: unversioned }).map((h) => [h.finding.rule, h.finding.severity]),
    ).toEqual([['R-QEMU-01', 'info']]);
  });
  it('is a warning naming the QEMU version when it is unknown', () => {
    const [hit] = absent(noQemu, { machine: unversioned });
    expect(hit?.finding.severity).toBe('warning');
    expect(hit?.finding.unknowns?.[0]).toMatch(/QEMU version/);
    expect(hit?.finding.explanation).toMatch(/depends on the QEMU version/);
  });
  it('takes a known libvirt version as a lower bound: libvirt 11.2 needs QEMU 6.2, 12.4 needs 7.2 (NEWS)', () => {
    const unknownQemu = (libvirt: ReturnType<typeof exact>) =>
      absent({ ...CAPABLE_HOST, libvirtVersion: libvirt, qemuVersion: { kind: 'unknown' } }, { machine: unversioned });
    expect(unknownQemu(exact(11, 2)).map((h) => [h.finding.rule, h.finding.severity])).toEqual([['R-QEMU-01', 'info']]);
    expect(unknownQemu(exact(11, 1)).map((h) => h.finding.severity)).toEqual(['warning']);
    expect(unknownQemu(exact(12, 4))[0]?.finding.explanation).toMatch(/libvirt 12\.4\.0, which needs QEMU 7\.2\.0 or later/);
  });
  it("says nothing of QEMU's default on a virtiofs share, which R-SNP-03 says cannot work at all", () => {
    const fs = device({
      kind: 'filesystem',
      function: 'fs',
      fsDriver: 'virtiofs',
      backend: 'vhost-user',
      target: '/domain/devices/filesystem[1]',
    });
    const rules = evaluateRules(input({ domain: sevDomain({ devices: [fs], memoryBacking: shared }) }))
      .filter((h) => h.finding.target === '/domain/devices/filesystem[1]')
      .map((h) => h.finding.rule);
    expect(rules).toContain('R-SNP-03');
    expect(rules).not.toContain('R-QEMU-01');
  });
  it('takes a versioned machine type as a lower bound', () => {
    expect(
      absent(noQemu, { machine: { raw: 'pc-q35-6.2', family: 'q35', version: { major: 6, minor: 2, micro: 0 } } }).map(
        (h) => h.finding.rule,
      ),
    ).toEqual(['R-QEMU-01']);
    // A lower bound below 6.0 decides nothing: the real QEMU may be newer.
    expect(
      absent(noQemu, { machine: { raw: 'pc-q35-5.2', family: 'q35', version: { major: 5, minor: 2, micro: 0 } } }).map(
        (h) => h.finding.severity,
      ),
    ).toEqual(['warning']);
  });
});

describe('R-XML-01/value: two-word attributes with a value libvirt refuses', () => {
  const invalid = (value: string, meant: 'on' | 'off' | 'unknown') => ({
    target: '/domain/devices/disk[1]/driver',
    element: 'driver',
    attribute: 'iommu',
    value,
    words: 'on/off' as const,
    meant,
  });
  const hit = (...invalidSwitches: ReturnType<typeof invalid>[]) =>
    evaluateRules(input({ domain: domain({ invalidSwitches }) })).find((h) => h.rule.key === 'R-XML-01/value')?.finding;
  it("quotes libvirt's refusal of each value and writes the word each one plainly means", () => {
    const f = hit(invalid('yes', 'on'), invalid('false', 'off'));
    expect(f?.messages).toEqual([
      "XML error: Invalid value for attribute 'iommu' in element 'driver': 'yes'.",
      "XML error: Invalid value for attribute 'iommu' in element 'driver': 'false'.",
    ]);
    expect(f?.fix.edits).toEqual([
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'on' },
      { op: 'set-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu', value: 'off' },
    ]);
  });
  it('leaves the choice to the user when a value says nothing plain', () => {
    const f = hit(invalid('yes', 'on'), invalid('maybe', 'unknown'));
    expect(f?.fix.edits).toEqual([]);
    expect(f?.fix.text).toMatch(/Write iommu='on' or 'off' on \/domain\/devices\/disk\[1\]\/driver/);
  });
});

describe('the balloon in a confidential guest', () => {
  const balloon = device({ kind: 'memballoon', function: 'balloon', target: '/domain/devices/memballoon[1]' });
  const rulesFor = (guest: EngineInput['guest']) =>
    evaluateRules(input({ domain: sevDomain({ devices: [balloon] }), guest }))
      .filter((h) => h.finding.target === '/domain/devices/memballoon[1]')
      .map((h) => [h.rule.key, h.finding.severity]);
  it("is dead (a warning the plan fixes) from Linux's driver for Linux and unknown guests, and only unconfirmed for Windows", () => {
    expect(rulesFor(LINUX_GUEST)).toContainEqual(['R-LNX-05', 'warning']);
    expect(rulesFor(input({ domain: domain() }).guest)).toContainEqual(['R-LNX-05', 'warning']);
    expect(planFor(input({ domain: sevDomain({ devices: [balloon] }) })).edits).toContainEqual({
      op: 'add-element',
      parent: '/domain/devices',
      xml: "<memballoon model='none'/>",
      replace: true,
    });
    const win = rulesFor(windows('http://microsoft.com/win/11'));
    expect(win).toContainEqual(['R-WIN-02/balloon', 'warning']);
    expect(win.map(([key]) => key)).not.toContain('R-LNX-05');
  });
});

describe('R-BE-02 fix', () => {
  const fixFor = (d: DomainFacts, host = CAPABLE_HOST) =>
    evaluateRules(input({ domain: d, host })).find((h) => h.rule.key === 'R-BE-02')?.finding.fix.text;
  const vhost = [nic({ driver: { iommu: 'on' } })];
  it('names the remedy of the vIOMMU the domain has, and QEMU 6.2 only where no vIOMMU translates', () => {
    expect(fixFor(domain({ devices: vhost, viommu: intel }))).toMatch(/^Set <driver iotlb='on'\/> on <iommu model='intel'>/);
    expect(fixFor(domain({ devices: vhost, viommu: { ...intel, model: 'amd' } }))).toMatch(/^Drop iommu='on' .*<iommu model='amd'>/);
    expect(fixFor(domain({ devices: vhost }), { ...CAPABLE_HOST, qemuVersion: exact(6, 1) })).toMatch(/^Upgrade QEMU to 6\.2/);
  });
  it('does not ask for the device IOTLB where it is already set up', () => {
    const set = [nic({ driver: { iommu: 'on', ats: 'on' } })];
    expect(fixFor(domain({ devices: set, viommu: { ...intel, iotlb: 'on' } }))).toMatch(/^The device IOTLB is already set up/);
  });
});

describe('a <launchSecurity> type libvirt does not know (R-CC-01/launch-security-type)', () => {
  const unknownType = (typeAttribute: string | null) =>
    domain({ launchSecurity: { ...domain().launchSecurity, present: true, typeAttribute } });
  const hit = (i: EngineInput) => evaluateRules(i).find((h) => h.rule.key === 'R-CC-01/launch-security-type');
  it("quotes libvirt's refusal of the value, or of a missing type", () => {
    expect(hit(input({ domain: unknownType('sev-es') }))?.finding.messages).toEqual([
      "XML error: Invalid value for attribute 'type' in element 'launchSecurity': 'sev-es'.",
    ]);
    expect(hit(input({ domain: unknownType(null) }))?.finding.messages).toEqual([
      "XML error: Missing required attribute 'type' in element 'launchSecurity'",
    ]);
  });
  it('leaves the choice to the user for the domain as it is, and tells SEV-ES users what libvirt calls it', () => {
    const finding = hit(input({ domain: unknownType('sev-es') }))?.finding;
    expect(finding?.fix.edits).toEqual([]);
    expect(finding?.fix.text).toMatch(/type='sev' with a <policy> that has bit 2 set/);
  });
  it('is removed by a plan whose goal has no element, and replaced by one whose goal has', () => {
    expect(hit(goal('none', unknownType('pef')))?.finding.fix.edits).toEqual([{ op: 'remove-element', target: '/domain/launchSecurity' }]);
    expect(hit(goal('pef', unknownType('pef')))?.finding.fix.edits).toEqual([{ op: 'remove-element', target: '/domain/launchSecurity' }]);
    expect(hit(goal('sev', unknownType('pef')))).toBeUndefined();
    const plan = planFor(goal('sev', unknownType('pef')));
    expect(plan.impossible).toEqual([]);
    expect(plan.edits).toContainEqual(
      expect.objectContaining({ op: 'add-element', parent: '/domain', xml: expect.stringMatching(/^<launchSecurity type='sev'>/) }),
    );
  });
});

describe('R-XML-05 details', () => {
  const fire = (d: DomainFacts, host = CAPABLE_HOST) => evaluateRules(input({ domain: d, host })).filter((h) => h.rule.key === 'R-XML-05');
  it("quotes QEMU's message; in an ordinary VM without a vIOMMU the fix drops iommu='on' and keeps the model", () => {
    const [hit] = fire(withDevice({ slot: 'pci', driver: { iommu: 'on' } }, { machine: pc }));
    expect(hit?.finding.messages).toEqual(['VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device']);
    expect(hit?.finding.fix.text).toMatch(/^Remove iommu='on'/);
    expect(hit?.finding.fix.edits).toEqual([{ op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu' }]);
  });
  it('makes the device non-transitional where the goal needs the bit: a confidential VM', () => {
    const [hit] = fire(sevDomain({ machine: pc, devices: [device({ slot: 'pci', virtioModel: 'virtio-transitional' })] }));
    expect(hit?.finding.fix.text).toMatch(/virtio-non-transitional.*PCIe root port/);
    expect(hit?.finding.fix.edits).toEqual([
      { op: 'set-attribute', target: '/domain/devices/disk[1]', name: 'model', value: 'virtio-non-transitional' },
    ]);
  });
  it('keeps iommu behind a vIOMMU only for a guest known to have virtio 1.0 drivers', () => {
    const d = withDevice({ slot: 'pci', driver: { iommu: 'on' } }, { machine: pc, viommu: intel });
    const modern = evaluateRules(input({ domain: d, guest: LINUX_GUEST })).find((h) => h.rule.key === 'R-XML-05');
    expect(modern?.finding.fix.edits).toEqual([
      { op: 'set-attribute', target: '/domain/devices/disk[1]', name: 'model', value: 'virtio-non-transitional' },
    ]);
    const [unknownGuest] = fire(d);
    expect(unknownGuest?.finding.fix.edits).toEqual([{ op: 'remove-attribute', target: '/domain/devices/disk[1]/driver', name: 'iommu' }]);
    expect(unknownGuest?.finding.fix.text).toMatch(/bypasses the vIOMMU.*not known/);
  });
  it('has no fix in a confidential VM whose guest has only legacy drivers: the plan is impossible', () => {
    const legacyOnly = { ...LINUX_GUEST, virtio1: 'no' as const, kernelVersion: 'unknown' as const };
    const hit = evaluateRules(
      input({
        domain: sevDomain({ machine: pc, devices: [device({ slot: 'pci', virtioModel: 'virtio-transitional' })] }),
        guest: legacyOnly,
      }),
    ).find((h) => h.rule.key === 'R-XML-05');
    expect(hit?.finding.fix.edits).toEqual([]);
  });
  it("fires for an explicit transitional model in a confidential VM even with iommu absent (QEMU's default)", () => {
    expect(fire(sevDomain({ devices: [device({ virtioModel: 'virtio-transitional', slot: 'pci' })] }))).toHaveLength(1);
  });
  it("does not fire for model='virtio' on conventional PCI in a confidential VM on QEMU >= 6.0 (disable-legacy default)", () => {
    expect(fire(sevDomain({ machine: pc, devices: [device({ slot: 'pci' })] }))).toHaveLength(0);
  });
  it('does not fire for modern-only virtio-gpu on a conventional slot', () => {
    expect(fire(withDevice({ kind: 'video', function: 'gpu', slot: 'pci', driver: { iommu: 'on' } }, { machine: pc }))).toHaveLength(0);
  });
  it('sets the model inside <model type> for an interface', () => {
    const [hit] = fire(sevDomain({ machine: pc, devices: [nic({ slot: 'pci', virtioModel: 'virtio-transitional' })] }));
    expect(hit?.finding.fix.edits).toEqual([
      { op: 'set-attribute', target: '/domain/devices/interface[1]/model', name: 'type', value: 'virtio-non-transitional' },
    ]);
  });
});

describe('unknown facts', () => {
  it('never turn a host question into "no": unknown SEV support is a warning naming the fact', () => {
    const hits = evaluateRules(input({ domain: sevDomain(), host: NO_HOST_FACTS })).filter((h) => h.rule.key === 'R-SEV-05/host');
    expect(hits.map((h) => h.finding.severity)).toEqual(['warning']);
    expect(hits[0]?.finding.unknowns?.[0]).toMatch(/domcapabilities/);
  });
});

describe('virtio-mem and virtio-pmem take the virtio <driver> options only from libvirt 11.9 (§7.3 item 14)', () => {
  const mem = device({
    kind: 'memory',
    function: 'mem',
    label: 'memory virtio-mem',
    target: '/domain/devices/memory[1]',
    modelAttr: 'virtio-mem',
  });
  const qemu01 = (libvirt: ReturnType<typeof exact>) =>
    evaluateRules(input({ domain: sevDomain({ devices: [mem] }), host: { ...CAPABLE_HOST, libvirtVersion: libvirt } })).find(
      (h) => h.rule.key === 'R-QEMU-01',
    );
  it('writes iommu on a virtio-mem device with libvirt 11.9 or later', () => {
    expect(qemu01(exact(11, 9))?.finding.fix.edits).toEqual([
      { op: 'set-attribute', target: '/domain/devices/memory[1]/driver', name: 'iommu', value: 'on' },
    ]);
  });
  it("leaves it to QEMU's default before, and says why", () => {
    const hit = qemu01(exact(11, 3));
    expect(hit?.finding.fix.edits).toEqual([]);
    expect(hit?.finding.fix.text).toMatch(/only from 11\.9\.0, and this host's libvirt is 11\.3\.0/);
  });
  it('warns that an older libvirt drops options the user wrote, and says nothing from 11.9', () => {
    const written = { ...mem, driver: { ...mem.driver, iommu: 'on' as const } };
    const dropped = (libvirt: ReturnType<typeof exact>) =>
      evaluateRules(input({ domain: domain({ devices: [written] }), host: { ...CAPABLE_HOST, libvirtVersion: libvirt } }))
        .filter((h) => h.rule.key === 'R-XML-01/memory')
        .map((h) => h.finding.severity);
    expect(dropped(exact(11, 3))).toEqual(['warning']);
    expect(dropped(exact(11, 9))).toEqual([]);
  });
});

describe('unknown versions in words', () => {
  it('says a version is not known in a whole sentence, never "has unknown" or "libvirt unknown", for every goal without host facts', () => {
    const texts = SECURE_TYPES.flatMap((secure) =>
      evaluate(input({ domain: domain(), host: NO_HOST_FACTS, goals: { secure } })).flatMap((f) => [f.title, f.explanation]),
    );
    expect(texts.some((t) => /version is not known|of unknown version/.test(t))).toBe(true);
    for (const t of texts) expect(t).not.toMatch(/\b(?:has|is) unknown\b|\b(?:libvirt|QEMU) unknown\b/);
  });
});

describe('UEFI firmware fixes on x86', () => {
  it('write <acpi/> with firmware=efi when the domain has none (libvirt refuses UEFI without ACPI), and only then', () => {
    for (const secure of ['sev', 'tdx'] as const) {
      const edits = (acpi: boolean) =>
        evaluate(input({ domain: domain({ firmware: { ...BIOS, acpi } }), goals: { secure } }))
          .filter((f) => f.fix.edits.some((e) => e.op === 'set-attribute' && e.name === 'firmware'))
          .flatMap((f) => f.fix.edits);
      expect(edits(false), secure).toContainEqual({ op: 'add-element', parent: '/domain/features', xml: '<acpi/>', replace: true });
      expect(
        edits(true).some((e) => e.op === 'add-element' && e.xml === '<acpi/>'),
        secure,
      ).toBe(false);
    }
  });
});

describe('R-LNX-06/modern-only: what makes a device usable by a guest with only legacy drivers', () => {
  const legacyOnly = { ...LINUX_GUEST, name: 'CentOS 6.10', virtio1: 'no' as const, kernelVersion: 'unknown' as const };
  const hitFor = (d: DomainFacts) =>
    evaluateRules(input({ domain: d, guest: legacyOnly })).find((h) => h.rule.key === 'R-LNX-06/modern-only');
  it('makes a disk transitional through its model', () => {
    expect(hitFor(withDevice({}))?.finding.fix.edits).toEqual([
      { op: 'set-attribute', target: '/domain/devices/disk[1]', name: 'model', value: 'virtio-transitional' },
    ]);
  });
  it('writes an explicit transitional <memballoon> for the one libvirt would add', () => {
    const balloon = device({ kind: 'memballoon', function: 'balloon', implicit: true, target: '/domain/devices/memballoon[1]' });
    expect(hitFor(domain({ devices: [balloon] }))?.finding.fix.edits).toEqual([
      { op: 'add-element', parent: '/domain/devices', xml: "<memballoon model='virtio-transitional'/>", replace: true },
    ]);
  });
  it('has no edit for a device type QEMU has no legacy form of, nor in a confidential VM', () => {
    const gpu = hitFor(withDevice({ kind: 'video', function: 'gpu', target: '/domain/devices/video[1]' }));
    expect([gpu?.finding.fix.edits, gpu?.finding.fix.text]).toEqual([[], expect.stringMatching(/no legacy form/)]);
    expect(hitFor(sevDomain({ devices: [device({})] }))?.finding.fix.edits).toEqual([]);
  });
});

describe("QEMU's refusal of a vhost-user backend without the bit, by release and transport (R-QEMU-02)", () => {
  const share = (transport: 'pci' | 'ccw', qemu: [number, number]) =>
    evaluate(
      input({
        domain: withDevice(
          { kind: 'filesystem', function: 'fs', fsDriver: 'virtiofs', backend: 'vhost-user', transport, driver: { iommu: 'on' } },
          { memoryBacking: { locked: false, hugepages: false, sourceType: 'memfd', accessMode: 'shared', numaCells: [] } },
        ),
        host: { ...CAPABLE_HOST, qemuVersion: exact(...qemu) },
      }),
    ).some((f) => f.rule === 'R-QEMU-02' && f.severity === 'error');
  it('refuses on virtio-pci from 6.1 (04ceb61a40), not before', () => {
    expect(share('pci', [6, 0])).toBe(false);
    expect(share('pci', [6, 1])).toBe(true);
    expect(share('pci', [11, 1])).toBe(true);
  });
  it('refused on virtio-ccw too in 6.1 and 6.2, until Halil Pasic’s fix (7.0)', () => {
    expect(share('ccw', [6, 0])).toBe(false);
    expect(share('ccw', [6, 2])).toBe(true);
    expect(share('ccw', [7, 0])).toBe(false);
  });
});

describe("the guest's refusal quoted only where its Linux checks (R-LNX-02)", () => {
  const offDisk = sevDomain({ devices: [device({ driver: { ...device().driver, iommu: 'off' } })] });
  const quoted = (kernel: [number, number]) =>
    evaluate(input({ domain: offDisk, guest: { ...LINUX_GUEST, kernelVersion: { major: kernel[0], minor: kernel[1], micro: 0 } } }))
      .filter((f) => f.rule === 'R-XML-07')
      .flatMap((f) => f.messages ?? []);
  it('a SEV guest from Linux 5.13 prints "device must provide VIRTIO_F_ACCESS_PLATFORM"; an older one prints nothing', () => {
    expect(quoted([5, 13])).toEqual(['virtio_blk virtio<N>: device must provide VIRTIO_F_ACCESS_PLATFORM']);
    expect(quoted([5, 12])).toEqual([]);
  });
});

describe('R-XML-05 before libvirt 5.2 (no virtio-non-transitional)', () => {
  it('plans no model libvirt does not know, so the goal needs the device moved, said in the fix', () => {
    const legacy = device({ transport: 'pci', slot: 'pci' });
    const p = planFor(
      input({ domain: sevDomain({ devices: [legacy] }), host: { ...CAPABLE_HOST, libvirtVersion: exact(5, 1), qemuVersion: exact(5, 2) } }),
    );
    const f = p.impossible.find((x) => x.rule === 'R-XML-05');
    expect(f?.fix.text).toMatch(/has no model='virtio-non-transitional' \(5\.2\.0\)/);
    expect(p.edits).toEqual([]);
  });
});

describe('a plan from one technology to another', () => {
  it('writes the new technology its own default policy, not the old element patched (SEV 0x0003 or TDX 0x10000000 to SNP)', () => {
    for (const from of [TECH[0]!.ok(), withPolicy(3, '0x10000000')]) {
      const edits = planFor(input({ domain: from, goals: { secure: 'sev-snp' } })).edits;
      const policies = edits.flatMap((e) => {
        const xml = e.op === 'add-element' ? e.xml : e.op === 'set-text' ? e.text : '';
        return [...xml.matchAll(/<policy>([^<]*)<\/policy>/g)].map((m) => m[1]);
      });
      expect(policies).toEqual(['0x00030000']);
    }
  });
});
