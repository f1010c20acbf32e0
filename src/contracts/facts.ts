/**
 * The engine's inputs: what is known about a domain, its host, its guest, and what the user wants.
 *
 * Every fact that may be missing can be `'unknown'`, and the engine never guesses it: a rule whose outcome
 * depends on an unknown fact says so and names the fact (design.md, "The engine").
 * These shapes cross every boundary (IPC, CLI JSON, serve bridge), so they are plain JSON: no classes,
 * no bigint, no undefined-vs-absent distinctions that JSON would lose.
 */

/** A fact nobody could determine. */
export type Unknown = 'unknown';
export const UNKNOWN: Unknown = 'unknown';
export type Maybe<T> = T | Unknown;

/** A dotted release number, e.g. QEMU 6.0.0 or libvirt 9.0.0. */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
}

/**
 * A version fact. `exact` when a tool reported it; `at-least` when it was implied, e.g. by a versioned
 * machine type such as `pc-q35-7.2` (QEMU >= 7.2).
 */
export type VersionFact =
  | { readonly kind: 'exact'; readonly version: Version; readonly source: string }
  | { readonly kind: 'at-least'; readonly version: Version; readonly source: string }
  | { readonly kind: 'unknown' };

export type Arch = 'x86_64' | 'i686' | 's390x' | 'ppc64' | 'ppc64le' | 'aarch64' | 'armv7l' | 'riscv64' | 'other';

/** Machine type families the fact sheet distinguishes (domain-facts.md §0.1). */
export type MachineFamily = 'q35' | 'pc' | 's390-ccw-virtio' | 'pseries' | 'virt' | 'microvm' | 'other';

/** Confidential VM technologies (`cvm` in the fact sheet). */
export type SecureType = 'none' | 'sev' | 'sev-es' | 'sev-snp' | 'tdx' | 's390-pv' | 'pef' | 'cca';
export const SECURE_TYPES: readonly SecureType[] = ['none', 'sev', 'sev-es', 'sev-snp', 'tdx', 's390-pv', 'pef', 'cca'];

export type Transport = 'pci' | 'ccw' | 'mmio';
/**
 * Where a virtio-pci device sits, as QEMU tells a legacy-capable device apart (virtio_pci_realize:
 * `pcie_port = pci_bus_is_express(bus) && !pci_bus_is_root(bus)`): `pcie` is a PCI Express port
 * (pcie-root-port, switch downstream port); `pcie-root` a PCI Express *root* bus (q35 or Arm virt bus 0,
 * pcie-expander-bus), which QEMU treats like conventional PCI; `pci` conventional PCI (i440fx, pci-bridge).
 */
export type SlotKind = 'pcie' | 'pcie-root' | 'pci';
/** libvirt's virtio device models (R-XML-04). `virtio` lets the slot decide. */
export type VirtioModel = 'virtio' | 'virtio-transitional' | 'virtio-non-transitional';
export type Backend = 'qemu' | 'vhost-kernel' | 'vhost-user' | 'vdpa';
export type ViommuModel = 'none' | 'intel' | 'amd' | 'smmuv3' | 'virtio' | 'other';
/** A libvirt on/off attribute, with its absence kept apart from an explicit value. */
export type OnOffAbsent = 'on' | 'off' | 'absent';

/** The libvirt element kinds that are, or may be, virtio devices. */
export type DeviceKind =
  | 'disk'
  | 'interface'
  | 'filesystem'
  | 'controller'
  | 'rng'
  | 'memballoon'
  | 'input'
  | 'video'
  | 'vsock'
  | 'memory'
  | 'iommu'
  | 'hostdev'
  | 'other';

/** What a virtio device does, named like QEMU's device types (virtio-blk, virtio-net, ...). */
export type VirtioFunction =
  'blk' | 'net' | 'scsi' | 'serial' | 'rng' | 'balloon' | 'fs' | 'gpu' | 'input' | 'vsock' | 'mem' | 'pmem' | 'iommu' | 'other';

/** The common virtio `<driver>` options (LV-FMT "Virtio-related options"). */
export interface VirtioDriverOptions {
  readonly iommu: OnOffAbsent;
  readonly ats: OnOffAbsent;
  readonly packed: OnOffAbsent;
  readonly pagePerVq: OnOffAbsent;
}

/**
 * What bounds the DMA a device can have in flight (SWIOTLB sizing, R-LNX-03/04): ring sizes and request limits
 * as written in the XML, 'unknown' where the XML leaves QEMU's default.
 */
export interface DeviceIoFacts {
  /** Disks: `<driver queue_size>`. */
  readonly queueSize: Maybe<number>;
  /** Interfaces: `<driver rx_queue_size>`, `<driver tx_queue_size>`. */
  readonly rxQueueSize: Maybe<number>;
  readonly txQueueSize: Maybe<number>;
  /** Interfaces: `<driver><host mrg_rxbuf>`; QEMU offers mergeable receive buffers unless it is off. */
  readonly mergeableRxBuffers: OnOffAbsent;
  /** SCSI controllers: `<driver cmd_per_lun>`, `<driver max_sectors>`. */
  readonly cmdPerLun: Maybe<number>;
  readonly maxSectors: Maybe<number>;
  /** SCSI controllers: the disks addressed to this controller (a disk without an address counts for controller 0). */
  readonly scsiDisks: number;
}

/**
 * A device the firmware is asked to boot from: libvirt gives it a bootindex, from its `<boot order>` or from
 * `<os><boot dev>` (R-TDX-01/boot-device).
 */
export interface BootDevice {
  /** Absolute XPath, e.g. `/domain/devices/disk[2]`. */
  readonly target: string;
  /** Human name for messages: `disk sda`, `cdrom hdc`, `interface 1`. */
  readonly label: string;
  /**
   * For a disk the bus libvirt puts it on (as written, else from its name: sd is scsi, vd virtio, hd ide); `scsi`
   * for a SCSI `<hostdev>`; otherwise the element's name (`interface`, `hostdev`, `filesystem` ...).
   */
  readonly bus: string;
}

/** One device of the domain, explicit or added implicitly by libvirt. */
export interface DeviceFacts {
  /**
   * Absolute XPath with 1-based indexes, e.g. `/domain/devices/disk[2]`. For an implicit device (not in the
   * XML) it is the path the device will have once the plan writes it out explicitly, e.g.
   * `/domain/devices/memballoon[1]`.
   */
  readonly target: string;
  /** True when libvirt adds the device itself (default memballoon, virtio-serial controller for a channel). */
  readonly implicit: boolean;
  /** Human name for messages: `disk vda`, `interface 52:54:00:12:34:56`, `controller virtio-serial 0`. */
  readonly label: string;
  readonly kind: DeviceKind;
  /** False for devices that are not virtio (IDE disk, e1000 NIC ...); the engine ignores them for virtio rules. */
  readonly virtio: boolean;
  readonly function: VirtioFunction;
  /** The libvirt model or bus value as written, e.g. `virtio-non-transitional`, `virtio-scsi`, `e1000`. */
  readonly modelAttr: Maybe<string>;
  /** The virtio model class after libvirt's mapping (`virtio-scsi` → `virtio`). 'unknown' for non-virtio. */
  readonly virtioModel: Maybe<VirtioModel>;
  readonly transport: Maybe<Transport>;
  /** Only meaningful when transport is pci. */
  readonly slot: Maybe<SlotKind>;
  readonly driver: VirtioDriverOptions;
  /**
   * The device's `<driver>` element: absent, with nothing libvirt writes back (no attributes or children, or an
   * interface's default queues='1'), or with settings. libvirt holds a virtio options object for every `<driver>` it
   * reads, options written or not, and its ABI check, which reads written-out copies, compares options one by one
   * only when both definitions have one (R-MIG-01).
   */
  readonly driverElement: 'absent' | 'empty' | 'set';
  readonly backend: Maybe<Backend>;
  /** For interfaces: `<rom enabled=...>` ('absent' when no element). */
  readonly rom: OnOffAbsent;
  /** For filesystems: the `<driver type>` (virtiofs, path, handle ...). */
  readonly fsDriver: Maybe<string>;
  /** `<driver queues>`: virtio-blk queues, virtio-net queue pairs, virtio-scsi request queues; when set. */
  readonly queues: Maybe<number>;
  readonly io: DeviceIoFacts;
  /**
   * Set when the model is left to libvirt and libvirt picks a virtio one from this release on, an emulated one
   * before (a SCSI controller without a model on Arm and RISC-V virt: virtio-scsi from 11.6.0, lsilogic before).
   * `virtio` and the other fields describe the older choice; the engine takes the newer where the release is known.
   */
  readonly virtioFrom?: Version;
  /** A SCSI controller libvirt adds (implicit): the index libvirt gives it, which the plan writes out. */
  readonly controllerIndex?: number;
  /**
   * Set when libvirt builds the device without its virtio `<driver>` options although it is a virtio device: the
   * primary vhost-user video on x86, which becomes vhost-user-vga (qemu_command.c qemuDeviceVideoGetModel).
   */
  readonly driverOptionsNotPassed?: true;
  /**
   * The vhost-user backend program libvirt starts itself, when the XML names one: passt for an interface with
   * `<backend type='passt'/>` (libvirt 11.1.0 and later). Other vhost-user backends are the user's own.
   */
  readonly vhostUserProgram?: 'passt';
}

export interface LaunchSecurityFacts {
  readonly type: SecureType;
  /** As written in the XML (`<launchSecurity type=...>`); 'absent' when there is no element. */
  readonly present: boolean;
  /**
   * The `type` attribute as written; null without one. Only a value libvirt knows (sev, sev-snp, s390-pv, tdx)
   * gives `type`; any other leaves `type` 'none', and libvirt refuses the domain (R-CC-01/launch-security-type).
   */
  readonly typeAttribute: string | null;
  readonly cbitpos: Maybe<number>;
  readonly reducedPhysBits: Maybe<number>;
  /** The policy as written (hex string), 'unknown' when absent. */
  readonly policy: Maybe<string>;
  readonly kernelHashes: OnOffAbsent;
  /**
   * The byte length of each base64 value written in it, by element name (SNP: guestVisibleWorkarounds, idBlock,
   * idAuth, hostData; TDX: mrConfigId, mrOwner, mrOwnerConfig), decoded as glib does (other characters skipped).
   */
  readonly blobBytes: Readonly<Record<string, number>>;
  /**
   * A confidential-guest-support object in `<qemu:commandline>` (src/domain-xml/qemu-commandline.ts); null without
   * one. Without a `<launchSecurity>` element a linked one gives `type`.
   */
  readonly commandline: CommandlineConfidentialObject | null;
}

/** `-object <qomType>,id=<id>,…` passed to QEMU in `<qemu:commandline>`. */
export interface CommandlineConfidentialObject {
  /** sev-guest, sev-snp-guest, tdx-guest, s390-pv-guest or pef-guest. */
  readonly qomType: string;
  readonly id: string;
  /** Whether a `-machine confidential-guest-support=<id>` (or `memory-encryption=<id>`) links it to the machine. */
  readonly linked: boolean;
  /** Its other properties as written (cbitpos, reduced-phys-bits, policy …). */
  readonly properties: Readonly<Record<string, string>>;
}

export interface MemoryBackingFacts {
  readonly locked: boolean;
  readonly hugepages: boolean;
  readonly sourceType: 'memfd' | 'file' | 'anonymous' | 'absent' | 'other';
  readonly accessMode: 'shared' | 'private' | 'absent';
  /** `memAccess` of each `<cpu><numa><cell>` ('default' when not written); empty without NUMA cells. */
  readonly numaCells: readonly ('shared' | 'private' | 'default')[];
}

export interface ViommuFacts {
  readonly model: ViommuModel;
  readonly target: string | null;
  readonly iotlb: OnOffAbsent;
  readonly cachingMode: OnOffAbsent;
  readonly intremap: OnOffAbsent;
  readonly eim: OnOffAbsent;
  /** `<driver aw_bits>`: the address width, an intel option; 'unknown' when not a number. */
  readonly awBits: Maybe<number> | 'absent';
  /** smmuv3's `<driver accel>` (libvirt 12.8): nested translation by the host SMMUv3, which assigned devices need. */
  readonly accel: OnOffAbsent;
  /** The amd vIOMMU's `<driver xtsup>`: x2APIC interrupts, its counterpart of the intel one's eim (libvirt 12.x). */
  readonly xtsup: OnOffAbsent;
  /** The intel vIOMMU's `<driver dma_translation>`. */
  readonly dmaTranslation: OnOffAbsent;
  /** The amd vIOMMU's `<driver passthrough>` (libvirt 11.5). */
  readonly passthrough: OnOffAbsent;
  /** smmuv3's `<driver pciBus>`: the PCI controller it sits on (libvirt 12.x); 'unknown' when not a whole number. */
  readonly pciBus: Maybe<number> | 'absent';
  /** smmuv3's accelerated options (libvirt 12.8, only with accel='on'). */
  readonly ats: OnOffAbsent;
  readonly ril: OnOffAbsent;
  readonly cmdqv: OnOffAbsent;
  readonly ssidsize: Maybe<number> | 'absent';
  readonly oas: Maybe<number> | 'absent';
  /** virtio-iommu's `<driver><granule>` as libvirt prints it in its ABI message: 'host' or '<n>KiB' (libvirt 12.1). */
  readonly granule: Maybe<string> | 'absent';
  /** Its `<address>`: the type as written, and for a PCI one the bus (a number, or 'unknown') and the address as libvirt prints it (0000:01:00.0). */
  readonly address: { readonly type: string; readonly bus: Maybe<number> | 'absent'; readonly printed: string } | null;
  /** How many `<iommu>` elements `<devices>` has; the other fields describe the first. */
  readonly count: number;
}

export interface FirmwareFacts {
  /** `efi` when `<os firmware='efi'>` or an explicit OVMF/UEFI `<loader>`; `bios` for SeaBIOS/none. */
  readonly kind: Maybe<'efi' | 'bios'>;
  readonly loaderType: Maybe<'pflash' | 'rom'>;
  /** The firmware file `<loader>` names; 'absent' when libvirt picks one from its descriptors. */
  readonly loaderPath: string | 'absent';
  /** `<firmware><feature enabled='no'>` for secure-boot or enrolled-keys: libvirt then picks no firmware with Microsoft's keys. */
  readonly keysDeclined: boolean;
  /** `<firmware><feature enabled='yes'>` for secure-boot or enrolled-keys: libvirt then picks only a firmware with them. */
  readonly keysRequested: boolean;
  /** `<loader secure=…>`: 'on' makes libvirt pick only a firmware that requires SMM, 'off' only one that does not. */
  readonly loaderSecure: OnOffAbsent;
  readonly stateless: OnOffAbsent;
  /** Whether `<os>` has an `<nvram>` element. */
  readonly nvram: boolean;
  /** Whether `<features>` has `<acpi/>`: libvirt refuses UEFI on x86 without it (qemu_validate.c, "UEFI requires ACPI on this architecture"). */
  readonly acpi: boolean;
}

/** Everything the engine needs to know about one domain document. */
export interface DomainFacts {
  readonly name: Maybe<string>;
  /** `<domain type=...>`: kvm, qemu, ... */
  readonly virtType: Maybe<string>;
  readonly arch: Maybe<Arch>;
  readonly machine: {
    /** The `machine` attribute as written, e.g. `pc-q35-7.2`. */
    readonly raw: Maybe<string>;
    readonly family: Maybe<MachineFamily>;
    /** A versioned machine type implies QEMU >= that version. */
    readonly version: Maybe<Version>;
  };
  readonly memoryKiB: Maybe<number>;
  /** `<vcpu current=…>max</vcpu>`: the guest's possible CPUs (max) and those it boots with (current); libvirt's default is 1. */
  readonly vcpus: { readonly max: Maybe<number>; readonly current: Maybe<number> };
  readonly launchSecurity: LaunchSecurityFacts;
  readonly firmware: FirmwareFacts;
  readonly memoryBacking: MemoryBackingFacts;
  readonly memtuneHardLimitKiB: Maybe<number> | 'absent';
  readonly viommu: ViommuFacts;
  /** `<features><smm state=...>`, `<features><pmu state=...>` (a bare element means on), `<features><ioapic driver=...>` */
  readonly smm: OnOffAbsent;
  readonly pmu: OnOffAbsent;
  /** `<clock><timer name='tsc' frequency=…>` in Hz, which libvirt hands QEMU as tsc-frequency; 'absent' without one. */
  readonly tscFrequencyHz: Maybe<number> | 'absent';
  /** Hyper-V enlightenments asked for: `<features><hyperv mode='passthrough'>`, one with a feature on, or the hypervclock timer. */
  readonly hyperv: boolean;
  readonly ioapicDriver: Maybe<string> | 'absent';
  readonly cpuMode: Maybe<string> | 'absent';
  /** `<cpu><maxphysaddr mode bits limit>`: the guest's physical address width as libvirt hands it to QEMU; null without one. */
  readonly maxPhysAddr: { readonly mode: string; readonly bits: Maybe<number> | 'absent'; readonly limit: Maybe<number> | 'absent' } | null;
  /** `<os><cmdline>` for direct kernel boot (swiotlb= advice), 'absent' when none. */
  readonly kernelCmdline: string | 'absent';
  /** `<os><kernel>`: direct kernel boot, where the plan can write the kernel command line. */
  readonly directKernelBoot: boolean;
  /** `<os><shim>`: a shim the firmware starts the directly given kernel through (libvirt 11.2, QEMU 10.0). */
  readonly shim: boolean;
  /** The devices the firmware is asked to boot from, first first; empty when none is. */
  readonly bootDevices: readonly BootDevice[];
  /** Number of passthrough `<hostdev>` devices (s390 PV forbids vfio passthrough); vhost-scsi ones are virtio devices. */
  readonly hostdevCount: number;
  /**
   * Devices QEMU assigns with VFIO: `<hostdev mode='subsystem'>` of type pci or mdev, and `<interface type='hostdev'>`
   * (an SR-IOV function). Behind the intel vIOMMU they need caching mode (R-VIOMMU-01/caching-mode).
   */
  readonly vfioDeviceCount: number;
  /** `<metadata><libosinfo:os id=...>` */
  readonly osinfoId: Maybe<string>;
  readonly devices: readonly DeviceFacts[];
  /** Two-word attributes whose value libvirt refuses (R-XML-01/value); each is read as `meant` above. */
  readonly invalidSwitches: readonly InvalidSwitch[];
}

/**
 * An attribute libvirt reads as one of two words (on/off for switches such as <driver iommu>, yes/no for
 * <loader stateless>, <rom enabled>, kernelHashes) written with another value: libvirt refuses the domain.
 */
export interface InvalidSwitch {
  /** The element's XPath, as edits address it. */
  readonly target: string;
  readonly element: string;
  readonly attribute: string;
  readonly value: string;
  readonly words: 'on/off' | 'yes/no';
  /** What the value plainly says ('yes' or 'true' where on/off is taken means on); 'unknown' otherwise. */
  readonly meant: 'on' | 'off' | 'unknown';
}

/** libvirt's two words of a pair, as [on, off]: the reader compares with them and the plan writes them. */
export function switchWords(words: InvalidSwitch['words']): readonly [on: string, off: string] {
  return words === 'on/off' ? ['on', 'off'] : ['yes', 'no'];
}

/** Host evidence: one fact and where it came from. Absent evidence means unknown, never "no". */
export interface Evidence {
  readonly fact: string;
  readonly value: string;
  readonly source: string;
}

export type Support = 'yes' | 'no' | Unknown;

export interface HostFacts {
  readonly libvirtVersion: VersionFact;
  readonly qemuVersion: VersionFact;
  /** From `virsh domcapabilities` (`--host-caps FILE` or a connection). */
  readonly sev: {
    readonly supported: Support;
    readonly cbitpos: Maybe<number>;
    readonly reducedPhysBits: Maybe<number>;
    readonly maxGuests: Maybe<number>;
    readonly maxESGuests: Maybe<number>;
  };
  readonly sevSnp: Support;
  readonly tdx: Support;
  readonly s390pv: Support;
  readonly machines: readonly string[] | Unknown;
  readonly evidence: readonly Evidence[];
}

export type GuestFamily = 'linux' | 'windows' | 'other';

export interface GuestFacts {
  readonly osinfoId: Maybe<string>;
  readonly name: Maybe<string>;
  readonly family: Maybe<GuestFamily>;
  /** Whether the guest's drivers handle VIRTIO 1.0 (modern) devices, from osinfo-db (PCI ids 1af4:1041+). */
  readonly virtio1: Support;
  /** Linux kernel version when known. */
  readonly kernelVersion: Maybe<Version>;
}

/**
 * The guest with the Linux kernel version the user gave (`uname -r` in the guest), or without one: a kernel
 * version makes a guest of unknown family Linux, as only Linux has one. The app and the CLI both set it so.
 */
export function guestWithKernel(guest: GuestFacts, kernel: Version | null): GuestFacts {
  if (!kernel) return { ...guest, kernelVersion: UNKNOWN };
  return { ...guest, family: guest.family === UNKNOWN ? 'linux' : guest.family, kernelVersion: kernel };
}

/** What the user wants the plan to achieve. */
export interface Goals {
  /** `keep` evaluates the domain as it is; a secure type asks the plan to make it that. */
  readonly secure: SecureType | 'keep';
  readonly migration: boolean | Unknown;
  /** Per-device backend choices keyed by device target XPath (wizard's Backends step). */
  readonly backends: Readonly<Record<string, Backend>>;
}

/** A domain without `<iommu>`: no model, no `<driver>` options. */
export const NO_VIOMMU: ViommuFacts = {
  model: 'none',
  target: null,
  iotlb: 'absent',
  cachingMode: 'absent',
  intremap: 'absent',
  eim: 'absent',
  awBits: 'absent',
  accel: 'absent',
  xtsup: 'absent',
  dmaTranslation: 'absent',
  passthrough: 'absent',
  pciBus: 'absent',
  ats: 'absent',
  ril: 'absent',
  cmdqv: 'absent',
  ssidsize: 'absent',
  oas: 'absent',
  granule: 'absent',
  address: null,
  count: 0,
};

/** `<os firmware='efi'>` with nothing else said: libvirt picks the firmware from its descriptors. */
export const UEFI_PICKED_BY_LIBVIRT: FirmwareFacts = {
  kind: 'efi',
  loaderType: 'unknown',
  loaderPath: 'absent',
  keysDeclined: false,
  keysRequested: false,
  loaderSecure: 'absent',
  stateless: 'absent',
  nvram: false,
  acpi: true,
};

/** The launch security facts of a domain without <launchSecurity>. */
export const NO_LAUNCH_SECURITY: LaunchSecurityFacts = {
  type: 'none',
  present: false,
  typeAttribute: null,
  cbitpos: 'unknown',
  reducedPhysBits: 'unknown',
  policy: 'unknown',
  kernelHashes: 'absent',
  blobBytes: {},
  commandline: null,
};

export const NO_HOST_FACTS: HostFacts = {
  libvirtVersion: { kind: 'unknown' },
  qemuVersion: { kind: 'unknown' },
  sev: { supported: UNKNOWN, cbitpos: UNKNOWN, reducedPhysBits: UNKNOWN, maxGuests: UNKNOWN, maxESGuests: UNKNOWN },
  sevSnp: UNKNOWN,
  tdx: UNKNOWN,
  s390pv: UNKNOWN,
  machines: UNKNOWN,
  evidence: [],
};

export const NO_GUEST_FACTS: GuestFacts = {
  osinfoId: UNKNOWN,
  name: UNKNOWN,
  family: UNKNOWN,
  virtio1: UNKNOWN,
  kernelVersion: UNKNOWN,
};

export const DEFAULT_GOALS: Goals = { secure: 'keep', migration: UNKNOWN, backends: {} };
