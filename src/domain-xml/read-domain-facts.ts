/**
 * Reads the engine's DomainFacts from a parsed domain: what the XML says, plus the devices libvirt adds by
 * itself (default memballoon, virtio-serial controller) and the transports and slots libvirt chooses.
 */
import type {
  Backend,
  CommandlineConfidentialObject,
  DeviceFacts,
  DeviceKind,
  DomainFacts,
  FirmwareFacts,
  InvalidSwitch,
  LaunchSecurityFacts,
  Maybe,
  MemoryBackingFacts,
  OnOffAbsent,
  SecureType,
  ViommuFacts,
  Transport,
  ViommuModel,
  Version,
  VirtioFunction,
  VirtioModel,
} from '../contracts/facts';
import { NO_LAUNCH_SECURITY, NO_VIOMMU, switchWords } from '../contracts/facts';
import { parseLaunchSecurityPolicy } from '../contracts/launch-security-policy';
import { classifyArch, classifyMachine } from './machine-type';
import { defaultTransport, pciControllerModels, slotOf, transportOf, type PlacementContext } from './device-placement';
import { deviceIoFacts, vcpuFacts } from './read-io-facts';
import { bootDevices, diskNameIndex } from './boot-devices';
import { commandlineArgs, commandlineConfidentialObject } from './qemu-commandline';
import { namespaceOf } from './xml-namespaces';
import { qemuUint } from '../contracts/qemu-uint';
import type { XmlDocument, XmlElement } from './xml-tree';

/** The namespace of `<libosinfo:libosinfo>` in `<metadata>`. */
export const LIBOSINFO_NS = 'http://libosinfo.org/xmlns/libvirt/domain/1.0';

const UNIT_KIB: Readonly<Record<string, number>> = {
  b: 1 / 1024,
  bytes: 1 / 1024,
  kb: 1000 / 1024,
  k: 1,
  kib: 1,
  mb: 1e6 / 1024,
  m: 1024,
  mib: 1024,
  gb: 1e9 / 1024,
  g: 1024 ** 2,
  gib: 1024 ** 2,
  tb: 1e12 / 1024,
  t: 1024 ** 3,
  tib: 1024 ** 3,
};

/** A libvirt scaled integer (`<memory unit='GiB'>4</memory>`) in KiB; 'unknown' when unreadable. */
function kib(el: XmlElement): Maybe<number> {
  const n = Number(el.text().trim());
  const factor = UNIT_KIB[(el.attr('unit') ?? 'KiB').toLowerCase()];
  return Number.isFinite(n) && factor !== undefined ? Math.round(n * factor) : 'unknown';
}

/** Reads a two-word attribute (R-XML-01/value): libvirt takes exactly its words; anything else is noted as invalid. */
type ReadSwitch = (el: XmlElement | undefined, attribute: string, words: InvalidSwitch['words'], absent?: string) => OnOffAbsent;

/** What a value plainly says, whichever pair of words it comes from. */
function plainMeaning(value: string): InvalidSwitch['meant'] {
  const v = value.trim().toLowerCase();
  if (['on', 'yes', 'true', '1', 'enable', 'enabled'].includes(v)) return 'on';
  if (['off', 'no', 'false', '0', 'disable', 'disabled'].includes(v)) return 'off';
  return 'unknown';
}

/** A ReadSwitch that collects the invalid values it meets, each read as what it plainly says (absent if nothing). */
function switchReader(): { readonly read: ReadSwitch; readonly invalid: InvalidSwitch[] } {
  const invalid: InvalidSwitch[] = [];
  const read: ReadSwitch = (el, attribute, words, absent) => {
    const value = el?.attr(attribute) ?? absent;
    if (value === undefined) return 'absent';
    const [on, off] = switchWords(words);
    if (value === on) return 'on';
    if (value === off) return 'off';
    const meant = plainMeaning(value);
    invalid.push({ target: el!.xpath, element: el!.name, attribute, value, words, meant });
    return meant === 'unknown' ? 'absent' : meant;
  };
  return { read, invalid };
}

function intOrUnknown(text: string | undefined): Maybe<number> {
  if (text === undefined) return 'unknown';
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : Number(t);
  return t !== '' && Number.isInteger(n) ? n : 'unknown';
}

function launchSecurity(el: XmlElement | undefined, read: ReadSwitch, domain: XmlElement): LaunchSecurityFacts {
  const commandline = commandlineConfidentialObject(commandlineArgs(domain));
  if (!el) {
    if (!commandline) return NO_LAUNCH_SECURITY;
    return { ...NO_LAUNCH_SECURITY, type: commandline.linked ? commandlineType(commandline) : 'none', commandline };
  }
  const policyText = el.child('policy')?.text().trim();
  const written = el.attr('type');
  let type: SecureType = 'none';
  if (written === 'sev') {
    // SEV-ES is SEV with policy bit 2 (ES required) set (AMD SEV API spec, guest policy).
    const policy = policyText === undefined ? null : parseLaunchSecurityPolicy(policyText);
    type = policy !== null && (policy & 0x4n) !== 0n ? 'sev-es' : 'sev';
  } else if (written === 'sev-snp' || written === 'tdx' || written === 's390-pv') {
    type = written;
  }
  return {
    type,
    present: true,
    typeAttribute: written ?? null,
    cbitpos: intOrUnknown(el.child('cbitpos')?.text()),
    reducedPhysBits: intOrUnknown(el.child('reducedPhysBits')?.text()),
    policy: policyText ?? 'unknown',
    kernelHashes: read(el, 'kernelHashes', 'yes/no'),
    blobBytes: Object.fromEntries(
      BASE64_ELEMENTS.flatMap((name) => {
        const text = el.child(name)?.text();
        return text === undefined ? [] : [[name, base64Bytes(text)]];
      }),
    ),
    commandline,
  };
}

/** The confidential type QEMU's object gives; sev-guest is SEV-ES when its policy (default 0x1, NODBG) has bit 2. */
function commandlineType(o: CommandlineConfidentialObject): SecureType {
  switch (o.qomType) {
    case 'sev-guest': {
      const policy = qemuUint(o.properties['policy'] ?? '1');
      return policy !== null && (policy & 0x4) !== 0 ? 'sev-es' : 'sev';
    }
    case 'sev-snp-guest':
      return 'sev-snp';
    case 'tdx-guest':
      return 'tdx';
    case 's390-pv-guest':
      return 's390-pv';
    case 'pef-guest':
      return 'pef';
    default:
      return 'none';
  }
}

/** The <launchSecurity> children whose values are base64 (SNP's, then TDX's digests). */
const BASE64_ELEMENTS = ['guestVisibleWorkarounds', 'idBlock', 'idAuth', 'hostData', 'mrConfigId', 'mrOwner', 'mrOwnerConfig'];

/** The bytes glib's g_base64_decode gives for `text`: it skips every character outside the alphabet (and '='). */
export function base64Bytes(text: string): number {
  // Counted in a loop: a match of every character made an array of one-character strings as long as the blob.
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47) digits++;
  }
  return Math.floor((digits * 6) / 8);
}

/** `<maxphysaddr>` as written; a number attribute that is not a whole number is 'unknown'. */
function maxPhysAddr(el: XmlElement | undefined): DomainFacts['maxPhysAddr'] {
  if (!el) return null;
  const num = (name: string): Maybe<number> | 'absent' => {
    const t = el.attr(name)?.trim();
    return t === undefined ? 'absent' : /^\d+$/.test(t) ? Number(t) : 'unknown';
  };
  return { mode: el.attr('mode') ?? 'unknown', bits: num('bits'), limit: num('limit') };
}

/**
 * Whether the domain asks for Hyper-V enlightenments: `<hyperv mode='passthrough'>` (all the host has), a custom
 * `<hyperv>` with a feature whose state is on, or `<timer name='hypervclock' present='yes'>` (libvirt turns each
 * into hv-* CPU properties).
 */
function hypervAsked(features: XmlElement | undefined, clock: XmlElement | undefined): boolean {
  const hv = features?.child('hyperv');
  if (hv && (hv.attr('mode') === 'passthrough' || hv.children().some((f) => f.attr('state') === 'on'))) return true;
  return clock?.children('timer').some((t) => t.attr('name') === 'hypervclock' && t.attr('present') === 'yes') ?? false;
}

/** The tsc timer's frequency in Hz; 'absent' without one, 'unknown' when it is not a whole number. */
function tscFrequency(clock: XmlElement | undefined): Maybe<number> | 'absent' {
  const text = clock
    ?.children('timer')
    .find((t) => t.attr('name') === 'tsc')
    ?.attr('frequency');
  if (text === undefined) return 'absent';
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : 'unknown';
}

/** Whether `<os><firmware>` has a secure-boot or enrolled-keys `<feature>` with `enabled` as given. */
function keyFeature(os: XmlElement | undefined, enabled: 'yes' | 'no'): boolean {
  return (os?.child('firmware')?.children('feature') ?? []).some(
    (f) => f.attr('enabled') === enabled && (f.attr('name') === 'secure-boot' || f.attr('name') === 'enrolled-keys'),
  );
}

function firmware(
  os: XmlElement | undefined,
  arch: DomainFacts['arch'],
  features: XmlElement | undefined,
  read: ReadSwitch,
): FirmwareFacts {
  const loader = os?.child('loader');
  const loaderType = loader?.attr('type');
  const path = loader?.text() ?? '';
  const written = os?.attr('firmware');
  let kind: FirmwareFacts['kind'] = 'unknown';
  if (written === 'efi' || /ovmf|aavmf|edk2|qemu_efi|uefi/i.test(path)) kind = 'efi';
  else if (written === 'bios' || /bios/i.test(path)) kind = 'bios';
  // Without firmware or loader libvirt boots x86 guests with SeaBIOS.
  else if (!loader && (arch === 'x86_64' || arch === 'i686')) kind = 'bios';
  return {
    kind,
    loaderType: loaderType === 'pflash' || loaderType === 'rom' ? loaderType : 'unknown',
    loaderPath: path.trim() || 'absent',
    keysDeclined: keyFeature(os, 'no'),
    keysRequested: keyFeature(os, 'yes'),
    loaderSecure: read(loader, 'secure', 'yes/no'),
    stateless: read(loader, 'stateless', 'yes/no'),
    nvram: os?.child('nvram') !== undefined,
    acpi: features?.child('acpi') !== undefined,
  };
}

function memoryBacking(el: XmlElement | undefined, cpu: XmlElement | undefined): MemoryBackingFacts {
  const source = el?.child('source')?.attr('type');
  const access = el?.child('access')?.attr('mode');
  const cellAccess = (c: XmlElement): 'shared' | 'private' | 'default' => {
    const a = c.attr('memAccess');
    return a === 'shared' || a === 'private' ? a : 'default';
  };
  return {
    numaCells: cpu?.child('numa')?.children('cell').map(cellAccess) ?? [],
    locked: el?.child('locked') !== undefined,
    hugepages: el?.child('hugepages') !== undefined,
    sourceType: source === undefined ? 'absent' : source === 'memfd' || source === 'file' || source === 'anonymous' ? source : 'other',
    accessMode: access === 'shared' || access === 'private' ? access : 'absent',
  };
}

function viommu(devices: XmlElement | undefined, read: ReadSwitch): ViommuFacts {
  const el = devices?.child('iommu');
  if (!el) return NO_VIOMMU;
  const m = el.attr('model');
  const model: ViommuModel = m === 'intel' || m === 'amd' || m === 'smmuv3' || m === 'virtio' ? m : 'other';
  const driver = el.child('driver');
  const awBits = driver?.attr('aw_bits');
  // libvirt drops -1 (pciBus, ssidsize, oas) and 0 (aw_bits, a granule size) as not set (seen with 12.8).
  const int = (name: string, unset: number): Maybe<number> | 'absent' => {
    const t = driver?.attr(name)?.trim();
    if (t === undefined) return 'absent';
    if (!/^-?\d+$/.test(t)) return 'unknown';
    return Number(t) === unset ? 'absent' : Number(t);
  };
  return {
    model,
    target: el.xpath,
    iotlb: read(driver, 'iotlb', 'on/off'),
    cachingMode: read(driver, 'caching_mode', 'on/off'),
    intremap: read(driver, 'intremap', 'on/off'),
    eim: read(driver, 'eim', 'on/off'),
    awBits: awBits === undefined ? 'absent' : /^\d+$/.test(awBits) ? Number(awBits) : 'unknown',
    accel: read(driver, 'accel', 'on/off'),
    xtsup: read(driver, 'xtsup', 'on/off'),
    dmaTranslation: read(driver, 'dma_translation', 'on/off'),
    passthrough: read(driver, 'passthrough', 'on/off'),
    pciBus: int('pciBus', -1),
    ats: read(driver, 'ats', 'on/off'),
    ril: read(driver, 'ril', 'on/off'),
    cmdqv: read(driver, 'cmdqv', 'on/off'),
    ssidsize: int('ssidsize', -1),
    oas: int('oas', -1),
    granule: granule(driver?.child('granule')),
    address: deviceAddress(el.child('address')),
    count: el.parent?.children('iommu').length ?? 1,
  };
}

/** A device's `<address>`: its type, and for PCI its bus and the address as libvirt prints it (virPCIDeviceAddressAsString). */
function deviceAddress(el: XmlElement | undefined): ViommuFacts['address'] {
  if (!el) return null;
  const type = el.attr('type') ?? 'unknown';
  const part = (name: string): number | 'unknown' | 'absent' => {
    const t = el.attr(name)?.trim();
    if (t === undefined) return 'absent';
    const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
    return Number.isInteger(n) ? n : 'unknown';
  };
  const [domain, bus, slot, fn] = [part('domain'), part('bus'), part('slot'), part('function')];
  const hex = (x: number | 'unknown' | 'absent', width: number) =>
    typeof x === 'number' ? x.toString(16).padStart(width, '0') : '0'.repeat(width);
  return { type, bus, printed: `${hex(domain, 4)}:${hex(bus, 2)}:${hex(slot, 2)}.${typeof fn === 'number' ? fn.toString(16) : '0'}` };
}

/** Binary prefixes libvirt's size units take (virScaleInteger), in KiB; units of bytes below a KiB are fractions. */
const KIB_PER_UNIT: Readonly<Record<string, number>> = {
  b: 1 / 1024,
  bytes: 1 / 1024,
  k: 1,
  kib: 1,
  m: 1024,
  mib: 1024,
  g: 1024 * 1024,
  gib: 1024 * 1024,
};

/**
 * virtio-iommu's `<granule>` as libvirt 12.8's ABI message prints it: 'host' for mode='host', else the size in
 * KiB ('4KiB'; 4096 bytes is the same); 'absent' without one or with size 0, which libvirt drops.
 */
function granule(el: XmlElement | undefined): Maybe<string> | 'absent' {
  if (!el) return 'absent';
  if (el.attr('mode') === 'host') return 'host';
  const size = el.attr('size')?.trim();
  const perUnit = KIB_PER_UNIT[(el.attr('unit') ?? 'KiB').toLowerCase()];
  if (size === undefined || !/^\d+$/.test(size) || perUnit === undefined) return 'unknown';
  const kib = Number(size) * perUnit;
  return kib === 0 ? 'absent' : Number.isInteger(kib) ? `${kib}KiB` : 'unknown';
}

/** Finds `<prefix:os id>` inside `<metadata>` where the prefix is bound to the libosinfo namespace. */
function osinfoId(metadata: XmlElement | undefined): Maybe<string> {
  for (const wrapper of metadata?.children() ?? []) {
    if (wrapper.localName !== 'libosinfo' || namespaceOf(wrapper) !== LIBOSINFO_NS) continue;
    const os = wrapper.children().find((c) => c.localName === 'os' && namespaceOf(c) === LIBOSINFO_NS);
    const id = os?.attr('id');
    if (id) return id;
  }
  return 'unknown';
}

const VIRTIO_MODELS = new Set<string>(['virtio', 'virtio-transitional', 'virtio-non-transitional']);

/** The virtio options of a device's <driver> (libvirt's virDomainVirtioOptions). */
const VIRTIO_OPTION_NAMES = ['iommu', 'ats', 'packed', 'page_per_vq'];

/** A device before placement: what it is, as written. */
/** The libvirt release that made virtio-scsi the default SCSI controller on Arm and RISC-V virt (NEWS 11.6.0). */
const ARM_VIRTIO_SCSI_DEFAULT: Version = { major: 11, minor: 6, micro: 0 };

/** The Arm and RISC-V `virt` machines, whose default SCSI controller model libvirt 11.6 changed. */
function armOrRiscvVirt(ctx: PlacementContext): boolean {
  return ctx.family === 'virt' && (ctx.arch === 'aarch64' || ctx.arch === 'riscv64');
}

interface Candidate {
  readonly el: XmlElement | null;
  readonly target: string;
  readonly kind: DeviceKind;
  readonly label: string;
  readonly virtio: boolean;
  /** DeviceFacts.virtioFrom: the libvirt release from which the model libvirt picks is virtio. */
  readonly virtioFrom?: Version;
  /** DeviceFacts.controllerIndex: an implicit SCSI controller's index. */
  readonly controllerIndex?: number;
  /** DeviceFacts.driverOptionsNotPassed. */
  readonly driverOptionsNotPassed?: true;
  /** DeviceFacts.vhostUserProgram. */
  readonly vhostUserProgram?: 'passt';
  readonly fn: VirtioFunction;
  readonly modelAttr: Maybe<string>;
  readonly backend: Maybe<Backend>;
}

/** The virtio model class of a written model value (`virtio-scsi` → `virtio`). */
function virtioModelOf(model: Maybe<string>, virtio: boolean): Maybe<VirtioModel> {
  if (!virtio) return 'unknown';
  return model !== 'unknown' && VIRTIO_MODELS.has(model) ? (model as VirtioModel) : 'virtio';
}

/**
 * libvirt's NIC model when `<model>` is absent (qemuDomainDefaultNetModel): virtio on s390x and on Arm/RISC-V
 * `virt`; an emulated NIC elsewhere.
 */
function defaultNetModel(ctx: PlacementContext): string | undefined {
  if (ctx.arch === 's390x') return 'virtio';
  if (ctx.family === 'virt' && (ctx.arch === 'aarch64' || ctx.arch === 'armv7l' || ctx.arch === 'riscv64')) return 'virtio';
  return undefined;
}

/**
 * Whether libvirt makes this video its primary one: the one with `<model primary='yes'>`, else the first
 * (the parser puts the one marked first, and virDomainDefPostParseVideo in domain_postparse.c marks the first primary).
 */
function primaryVideo(el: XmlElement): boolean {
  const videos = el.parent?.children('video') ?? [el];
  const marked = videos.find((v) => v.child('model')?.attr('primary') === 'yes');
  return (marked ?? videos[0]) === el;
}

function describe(el: XmlElement, index: number, ctx: PlacementContext): Candidate | null {
  // Each candidate is written out in full: spreading a shared { el, target } into the literals made reading a
  // 4,440-device domain's facts ten times slower (V8's object spread with more properties after it). Its path is
  // worked out only for a candidate: most children of <devices> (emulator, controllers, graphics, ...) are not.
  const model = el.attr('model');
  switch (el.name) {
    case 'disk': {
      const target = el.child('target');
      // Without bus libvirt derives it from the device name: vdX is virtio (virDomainDiskDefPostParse).
      const bus = target?.attr('bus') ?? (target?.attr('dev')?.startsWith('vd') ? 'virtio' : undefined);
      const type = el.attr('type');
      return {
        el,
        target: el.xpath,
        kind: 'disk',
        label: `disk ${el.child('target')?.attr('dev') ?? index}`,
        virtio: bus === 'virtio',
        fn: 'blk',
        modelAttr: model ?? bus ?? 'unknown',
        backend: type === 'vhostuser' ? 'vhost-user' : type === 'vhostvdpa' ? 'vdpa' : 'qemu',
      };
    }
    case 'interface': {
      const type = el.attr('type');
      // vhost-user and vDPA interfaces are always virtio; libvirt fills the model in.
      const modelType = el.child('model')?.attr('type') ?? (type === 'vhostuser' || type === 'vdpa' ? 'virtio' : defaultNetModel(ctx));
      const driverName = el.child('driver')?.attr('name');
      // libvirt uses vhost-net when it can but only <driver name='vhost'> says so for certain.
      // Userspace networking (slirp/passt, sockets) never goes through vhost-net, which needs a tap device: libvirt
      // opens vhost-net only beside the tap devices of network, bridge, direct and ethernet interfaces, whatever
      // <driver name> says (qemu_command.c qemuBuildInterfaceConnect, 11.3).
      const userspace = type !== undefined && ['user', 'mcast', 'udp', 'server', 'client'].includes(type);
      const backend: Maybe<Backend> =
        type === 'vhostuser'
          ? 'vhost-user'
          : type === 'vdpa'
            ? 'vdpa'
            : userspace || driverName === 'qemu'
              ? 'qemu'
              : driverName === 'vhost'
                ? 'vhost-kernel'
                : 'unknown';
      return {
        el,
        target: el.xpath,
        kind: 'interface',
        label: `interface ${el.child('mac')?.attr('address') ?? index}`,
        virtio: modelType !== undefined && modelType.startsWith('virtio'),
        fn: 'net',
        modelAttr: el.child('model')?.attr('type') ?? 'unknown',
        backend,
        ...(type === 'vhostuser' && el.child('backend')?.attr('type') === 'passt' ? { vhostUserProgram: 'passt' as const } : {}),
      };
    }
    case 'filesystem': {
      const driverType = el.child('driver')?.attr('type');
      return {
        el,
        target: el.xpath,
        kind: 'filesystem',
        label: `filesystem ${el.child('target')?.attr('dir') ?? index}`,
        virtio: true,
        fn: 'fs',
        modelAttr: model ?? 'unknown',
        backend: driverType === 'virtiofs' ? 'vhost-user' : 'qemu',
      };
    }
    case 'controller': {
      const type = el.attr('type');
      if (type === 'virtio-serial') {
        return {
          el,
          target: el.xpath,
          kind: 'controller',
          label: `controller virtio-serial ${el.attr('index') ?? '0'}`,
          virtio: true,
          fn: 'serial',
          modelAttr: model ?? 'unknown',
          backend: 'qemu',
        };
      }
      if (type !== 'scsi') return null;
      // Without a model libvirt picks virtio-scsi on s390x and an emulated HBA (lsilogic) elsewhere; on Arm and
      // RISC-V virt only up to 11.5, virtio-scsi from 11.6 (NEWS 11.6.0; the lab: 9.0 and 11.3 write lsilogic,
      // 12.8 virtio-scsi). The release is the engine's to know: virtioFrom says which.
      const defaultVirtio = model === undefined && ctx.arch === 's390x';
      const virtio = defaultVirtio || (model !== undefined && (model === 'virtio-scsi' || VIRTIO_MODELS.has(model)));
      const armDefault = model === undefined && armOrRiscvVirt(ctx);
      return {
        ...(armDefault ? { virtioFrom: ARM_VIRTIO_SCSI_DEFAULT } : {}),
        el,
        target: el.xpath,
        kind: 'controller',
        label: `controller scsi ${el.attr('index') ?? '0'}`,
        virtio,
        fn: 'scsi',
        modelAttr: model ?? 'unknown',
        backend: 'qemu',
      };
    }
    case 'rng':
      return {
        el,
        target: el.xpath,
        kind: 'rng',
        label: 'rng',
        virtio: model !== undefined && model.startsWith('virtio'),
        fn: 'rng',
        modelAttr: model ?? 'unknown',
        backend: 'qemu',
      };
    case 'memballoon':
      return {
        el,
        target: el.xpath,
        kind: 'memballoon',
        label: 'memballoon',
        virtio: model !== undefined && model.startsWith('virtio'),
        fn: 'balloon',
        modelAttr: model ?? 'unknown',
        backend: 'qemu',
      };
    case 'input': {
      const bus = el.attr('bus');
      return {
        el,
        target: el.xpath,
        kind: 'input',
        label: `input ${el.attr('type') ?? index}`,
        virtio: bus === 'virtio',
        fn: 'input',
        modelAttr: model ?? bus ?? 'unknown',
        backend: 'qemu',
      };
    }
    case 'video': {
      const written = el.child('model')?.attr('type');
      // Without a model libvirt uses virtio video on s390x and Arm/RISC-V virt (*-default-models tests).
      const type = written ?? (ctx.arch === 's390x' || ctx.family === 'virt' ? 'virtio' : undefined);
      if (type !== 'virtio') {
        // Another model is no virtio device; it matters only with virtio <driver> options, which libvirt refuses
        // on it (domain_validate.c virDomainVideoDefValidate, R-XML-01).
        const driver = el.child('driver');
        if (!driver || !VIRTIO_OPTION_NAMES.some((name) => driver.attr(name) !== undefined)) return null;
        return {
          el,
          target: el.xpath,
          kind: 'video',
          label: `video ${type ?? 'default'}`,
          virtio: false,
          fn: 'gpu',
          modelAttr: written ?? 'unknown',
          backend: 'qemu',
        };
      }
      // <driver name='vhostuser'>: an external vhost-user-gpu process renders (libvirt 6.1.0 and later).
      const vhostUser = el.child('driver')?.attr('name') === 'vhostuser';
      // The primary one on x86 becomes vhost-user-vga, which libvirt builds without the virtio options.
      const notPassed = vhostUser && (ctx.arch === 'x86_64' || ctx.arch === 'i686') && primaryVideo(el);
      return {
        el,
        target: el.xpath,
        kind: 'video',
        label: vhostUser ? 'video virtio (vhost-user)' : 'video virtio',
        virtio: true,
        fn: 'gpu',
        modelAttr: written ?? 'unknown',
        backend: vhostUser ? 'vhost-user' : 'qemu',
        ...(notPassed ? { driverOptionsNotPassed: true as const } : {}),
      };
    }
    case 'vsock':
      return {
        el,
        target: el.xpath,
        kind: 'vsock',
        label: 'vsock',
        virtio: model === undefined || model.startsWith('virtio'),
        fn: 'vsock',
        modelAttr: model ?? 'unknown',
        backend: 'vhost-kernel',
      };
    case 'memory':
      if (model !== 'virtio-mem' && model !== 'virtio-pmem') return null;
      return {
        el,
        target: el.xpath,
        kind: 'memory',
        label: `memory ${model}`,
        virtio: true,
        fn: model === 'virtio-mem' ? 'mem' : 'pmem',
        modelAttr: model,
        backend: 'qemu',
      };
    case 'iommu':
      if (model !== 'virtio') return null;
      return { el, target: el.xpath, kind: 'iommu', label: 'iommu virtio', virtio: true, fn: 'iommu', modelAttr: model, backend: 'qemu' };
    case 'hostdev': {
      // vhost-scsi (<hostdev type='scsi_host'>, source protocol 'vhost') is a virtio-scsi device served by the
      // host kernel; other hostdevs are passthrough and not virtio (they are counted in hostdevCount).
      if (el.attr('type') !== 'scsi_host') return null;
      const wwpn = el.child('source')?.attr('wwpn');
      return {
        el,
        target: el.xpath,
        kind: 'hostdev',
        label: `hostdev vhost-scsi ${wwpn ?? index}`,
        virtio: true,
        fn: 'scsi',
        modelAttr: model ?? 'unknown',
        backend: 'vhost-kernel',
      };
    }
    case 'crypto':
    case 'sound':
      if (model !== 'virtio') return null;
      return {
        el,
        target: el.xpath,
        kind: 'other',
        label: `${el.name} virtio`,
        virtio: true,
        fn: 'other',
        modelAttr: model,
        backend: 'qemu',
      };
    default:
      return null;
  }
}

/** `<hostdev mode='subsystem' type='pci'|'mdev'>` and `<interface type='hostdev'>`: what QEMU assigns with VFIO. */
function vfioDeviceCount(devicesEl: XmlElement | undefined): number {
  if (!devicesEl) return 0;
  const hostdevs = devicesEl
    .children('hostdev')
    .filter((h) => (h.attr('mode') ?? 'subsystem') === 'subsystem' && ['pci', 'mdev'].includes(h.attr('type') ?? ''));
  return hostdevs.length + devicesEl.children('interface').filter((i) => i.attr('type') === 'hostdev').length;
}

/** libvirt adds a virtio memballoon on x86 (not microvm/isapc), s390x and POWER; not on Arm or RISC-V. */
function addsDefaultMemballoon(ctx: PlacementContext, machineRaw: Maybe<string>): boolean {
  if (ctx.family === 'microvm' || machineRaw === 'isapc') return false;
  return ctx.arch === 'x86_64' || ctx.arch === 'i686' || ctx.arch === 's390x' || ctx.arch === 'ppc64' || ctx.arch === 'ppc64le';
}

/**
 * The highest SCSI controller index the domain's SCSI disks and hostdevs use (-1: none): a `<address type='drive'>`'s
 * controller, or for a disk without one the controller libvirt gives it, seven units to a controller
 * (virDomainDiskDefAssignAddress; seen: sda–sdg on controller 0, sdh on 1, on all three lab generations). libvirt
 * makes sure every controller from 0 to it exists (virDomainDefAddDiskControllersForType).
 */
function highestScsiController(devices: XmlElement | undefined): number {
  const used = new Set<number>([-1]);
  for (const disk of devices?.children('disk') ?? []) {
    const target = disk.child('target');
    const dev = target?.attr('dev') ?? '';
    if ((target?.attr('bus') ?? (dev.startsWith('sd') ? 'scsi' : undefined)) !== 'scsi') continue;
    const written = disk.child('address')?.attr('controller');
    const index = written !== undefined ? Number(written) : Math.floor((diskNameIndex(dev) ?? 0) / 7);
    if (Number.isInteger(index)) used.add(index);
  }
  for (const hostdev of devices?.children('hostdev') ?? []) {
    if (hostdev.attr('type') !== 'scsi') continue;
    const index = Number(hostdev.child('address')?.attr('controller') ?? 0);
    if (Number.isInteger(index)) used.add(index);
  }
  return Math.max(...used);
}

/**
 * The SCSI controllers libvirt adds for disks and hostdevs that name none, where its model is virtio: virtio-scsi on
 * s390x, and on Arm and RISC-V virt from libvirt 11.6 (virtioFrom); elsewhere an emulated HBA, left out. Listed after
 * any implicit virtio-serial controller, in index order, as the plan writes them out.
 */
function implicitScsiControllers(devices: XmlElement | undefined, ctx: PlacementContext, firstTarget: number): Candidate[] {
  const armVirt = armOrRiscvVirt(ctx);
  if (ctx.arch !== 's390x' && !armVirt) return [];
  const scsi = (devices?.children('controller') ?? []).filter((c) => c.attr('type') === 'scsi');
  // A <controller> without an index takes the lowest free one (libvirt), which is the order written.
  const present = new Set<number>();
  for (const c of scsi) {
    const index = c.attr('index');
    let i = index !== undefined ? Number(index) : 0;
    if (index === undefined) while (present.has(i)) i++;
    present.add(i);
  }
  const missing = Array.from({ length: highestScsiController(devices) + 1 }, (_, i) => i).filter((i) => !present.has(i));
  return missing.map((index, k) => ({
    el: null,
    target: `/domain/devices/controller[${firstTarget + k}]`,
    kind: 'controller',
    label: `controller scsi ${index} (implicit)`,
    controllerIndex: index,
    virtio: !armVirt,
    ...(armVirt ? { virtioFrom: ARM_VIRTIO_SCSI_DEFAULT } : {}),
    fn: 'scsi',
    modelAttr: 'unknown',
    backend: 'qemu',
  }));
}

function implicitCandidates(devices: XmlElement | undefined, ctx: PlacementContext, machineRaw: Maybe<string>): Candidate[] {
  const out: Candidate[] = [];
  const count = (name: string): number => devices?.children(name).length ?? 0;
  if (count('memballoon') === 0 && addsDefaultMemballoon(ctx, machineRaw)) {
    out.push({
      el: null,
      target: '/domain/devices/memballoon[1]',
      kind: 'memballoon',
      label: 'memballoon (implicit)',
      virtio: true,
      fn: 'balloon',
      modelAttr: 'virtio',
      backend: 'qemu',
    });
  }
  const controllers = devices?.children('controller') ?? [];
  const needsSerial = [...(devices?.children('channel') ?? []), ...(devices?.children('console') ?? [])].some(
    (c) => c.child('target')?.attr('type') === 'virtio',
  );
  const addsSerial = needsSerial && !controllers.some((c) => c.attr('type') === 'virtio-serial');
  if (addsSerial) {
    out.push({
      el: null,
      target: `/domain/devices/controller[${controllers.length + 1}]`,
      kind: 'controller',
      label: 'controller virtio-serial 0 (implicit)',
      virtio: true,
      fn: 'serial',
      modelAttr: 'unknown',
      backend: 'qemu',
    });
  }
  out.push(...implicitScsiControllers(devices, ctx, controllers.length + (addsSerial ? 2 : 1)));
  return out;
}

/**
 * Transport of a device libvirt adds itself. On Arm/RISC-V virt libvirt keeps to virtio-mmio when the
 * explicit virtio devices use it (aarch64-virt-headless-mmio in libvirt's tests shows the added
 * virtio-serial controller on virtio-mmio).
 */
function implicitTransport(explicit: readonly Candidate[], ctx: PlacementContext): Maybe<Transport> {
  if (ctx.family === 'virt') {
    const types = explicit.filter((c) => c.virtio).map((c) => c.el?.child('address')?.attr('type'));
    if (types.length > 0 && types.every((t) => t === 'virtio-mmio')) return 'mmio';
  }
  return defaultTransport(ctx);
}

/**
 * What libvirt keeps of a device's `<driver>` when it writes the device out (R-MIG-01 compares the written-out
 * copies): settings, or nothing. An interface's queues='1' is the default and is not written back (restore with
 * libvirt 9.0: accepted where queues='2' is refused), so it counts as nothing.
 */
function driverElementOf(driver: XmlElement | undefined, kind: DeviceKind): DeviceFacts['driverElement'] {
  if (!driver) return 'absent';
  const kept = driver.attributes.filter((a) => !(kind === 'interface' && a.name === 'queues' && a.value.trim() === '1'));
  return kept.length > 0 || driver.children().length > 0 ? 'set' : 'empty';
}

function deviceFacts(
  c: Candidate,
  ctx: PlacementContext,
  implicitTransportValue: Maybe<Transport>,
  devicesEl: XmlElement | undefined,
  read: ReadSwitch,
): DeviceFacts {
  const driver = c.el?.child('driver');
  // Emulated devices (IDE disks, e1000 NICs, PS/2 input) have no virtio transport.
  // A device that may be virtio by libvirt's release (virtioFrom) gets its transport too, for when it is.
  const transport = !c.virtio && !c.virtioFrom ? 'unknown' : c.el ? transportOf(c.el, ctx) : implicitTransportValue;
  const rom = c.el?.child('rom');
  const queues = driver?.attr('queues');
  const fsDriver = c.kind === 'filesystem' ? (driver?.attr('type') ?? 'path') : 'unknown';
  const placementModel = c.modelAttr;
  const slot = transport === 'pci' ? slotOf(c.el, ctx, placementModel) : 'unknown';
  const facts: { -readonly [K in keyof DeviceFacts]: DeviceFacts[K] } = {
    target: c.target,
    implicit: c.el === null,
    label: c.label,
    kind: c.kind,
    virtio: c.virtio,
    function: c.fn,
    modelAttr: c.modelAttr,
    virtioModel: virtioModelOf(c.modelAttr, c.virtio),
    transport,
    slot,
    driver: {
      iommu: read(driver, 'iommu', 'on/off'),
      ats: read(driver, 'ats', 'on/off'),
      packed: read(driver, 'packed', 'on/off'),
      pagePerVq: read(driver, 'page_per_vq', 'on/off'),
    },
    driverElement: driverElementOf(driver, c.kind),
    backend: c.backend,
    // A <rom> without enabled= leaves the ROM on.
    rom: rom === undefined ? 'absent' : read(rom, 'enabled', 'yes/no', 'yes'),
    fsDriver,
    queues: intOrUnknown(queues),
    io: deviceIoFacts(c.el, c.kind, devicesEl),
  };
  // Set only when known, rather than spread in: every device of every domain is read here, and on V8's baseline
  // tier, where a one-shot CLI run stays, each spread copies the object.
  if (c.virtioFrom) facts.virtioFrom = c.virtioFrom;
  if (c.controllerIndex !== undefined) facts.controllerIndex = c.controllerIndex;
  if (c.driverOptionsNotPassed) facts.driverOptionsNotPassed = true;
  if (c.vhostUserProgram) facts.vhostUserProgram = c.vhostUserProgram;
  return facts;
}

/** Everything the engine needs to know about one domain document. */
export function readDomainFacts(doc: Pick<XmlDocument, 'root'>): DomainFacts {
  const domain = doc.root;
  const os = domain.child('os');
  const osType = os?.child('type');
  const archRaw = osType?.attr('arch');
  const arch = archRaw === undefined ? 'unknown' : classifyArch(archRaw);
  const machineRaw = osType?.attr('machine') ?? 'unknown';
  const machine = machineRaw === 'unknown' ? { family: 'unknown' as const, version: 'unknown' as const } : classifyMachine(machineRaw);
  const devicesEl = domain.child('devices');
  const ctx: PlacementContext = { arch, family: machine.family, pciControllers: pciControllerModels(devicesEl) };

  const candidates: Candidate[] = [];
  const perName = new Map<string, number>();
  const children = devicesEl?.children() ?? [];
  for (let i = 0; i < children.length; i++) {
    const el = children[i]!;
    const index = (perName.get(el.name) ?? 0) + 1;
    perName.set(el.name, index);
    const c = describe(el, index, ctx);
    if (c) candidates.push(c);
  }
  const implicitTransportValue = implicitTransport(candidates, ctx);
  candidates.push(...implicitCandidates(devicesEl, ctx, machineRaw));

  const memory = domain.child('memory');
  const hardLimit = domain.child('memtune')?.child('hard_limit');
  const features = domain.child('features');
  const smm = features?.child('smm');
  const pmu = features?.child('pmu');
  const ioapic = features?.child('ioapic');
  const cpu = domain.child('cpu');
  const cmdline = os?.child('cmdline');
  const switches = switchReader();
  const devices = candidates.map((c) => deviceFacts(c, ctx, implicitTransportValue, devicesEl, switches.read));
  return {
    name: domain.child('name')?.text().trim() ?? 'unknown',
    virtType: domain.attr('type') ?? 'unknown',
    arch,
    machine: { raw: machineRaw, family: machine.family, version: machine.version },
    memoryKiB: memory ? kib(memory) : 'unknown',
    vcpus: vcpuFacts(domain),
    launchSecurity: launchSecurity(domain.child('launchSecurity'), switches.read, domain),
    firmware: firmware(os, arch, features, switches.read),
    memoryBacking: memoryBacking(domain.child('memoryBacking'), domain.child('cpu')),
    memtuneHardLimitKiB: hardLimit ? kib(hardLimit) : 'absent',
    viommu: viommu(devicesEl, switches.read),
    // A bare <smm/> means on.
    smm: smm === undefined ? 'absent' : switches.read(smm, 'state', 'on/off', 'on'),
    pmu: pmu === undefined ? 'absent' : switches.read(pmu, 'state', 'on/off', 'on'),
    tscFrequencyHz: tscFrequency(domain.child('clock')),
    hyperv: hypervAsked(features, domain.child('clock')),
    ioapicDriver: ioapic === undefined ? 'absent' : (ioapic.attr('driver') ?? 'unknown'),
    // libvirt's default cpu mode is custom.
    cpuMode: cpu === undefined ? 'absent' : (cpu.attr('mode') ?? 'custom'),
    maxPhysAddr: maxPhysAddr(cpu?.child('maxphysaddr')),
    kernelCmdline: cmdline === undefined ? 'absent' : cmdline.text(),
    directKernelBoot: os?.child('kernel') !== undefined,
    shim: os?.child('shim') !== undefined,
    bootDevices: bootDevices(os, devicesEl),
    hostdevCount: devicesEl?.children('hostdev').filter((h) => h.attr('type') !== 'scsi_host').length ?? 0,
    vfioDeviceCount: vfioDeviceCount(devicesEl),
    osinfoId: osinfoId(domain.child('metadata')),
    devices,
    invalidSwitches: switches.invalid,
  };
}
