/**
 * The child element order libvirt's own formatter writes (src/conf/domain_conf.c, virDomainDefFormatInternal
 * and the per-device *DefFormat functions), so an element we add lands where `virsh dumpxml` would put it.
 */

const DOMAIN = [
  'name', 'uuid', 'genid', 'title', 'description', 'metadata', 'maxMemory', 'memory', 'currentMemory', 'blkiotune',
  'memtune', 'memoryBacking', 'vcpu', 'vcpus', 'iothreads', 'iothreadids', 'defaultiothread', 'cputune', 'numatune',
  'resource', 'throttlegroups', 'sysinfo', 'bootloader', 'bootloader_args', 'os', 'idmap', 'features', 'cpu', 'clock',
  'on_poweroff', 'on_reboot', 'on_crash', 'on_lockfailure', 'pm', 'perf', 'devices', 'seclabel', 'keywrap',
  'launchSecurity',
];

const DEVICES = [
  'emulator', 'disk', 'controller', 'lease', 'filesystem', 'interface', 'smartcard', 'serial', 'parallel', 'console',
  'channel', 'input', 'tpm', 'graphics', 'sound', 'audio', 'video', 'hostdev', 'redirdev', 'redirfilter', 'hub',
  'watchdog', 'memballoon', 'rng', 'panic', 'shmem', 'memory', 'iommu', 'vsock', 'crypto', 'pstore',
];

const OS = ['type', 'firmware', 'loader', 'nvram', 'kernel', 'initrd', 'cmdline', 'shim', 'dtb', 'acpi', 'boot', 'bootmenu', 'smbios', 'bios'];

const FEATURES = [
  'acpi', 'apic', 'pae', 'hap', 'viridian', 'privnet', 'hyperv', 'kvm', 'xen', 'pvspinlock', 'capabilities', 'pmu',
  'vmport', 'gic', 'smm', 'ioapic', 'hpt', 'vmcoreinfo', 'htm', 'nested-hv', 'msrs', 'ccf-assist', 'cfpc', 'sbbc',
  'ibs', 'tcg', 'async-teardown', 'ras', 'ps2',
];

const MEMORY_BACKING = ['hugepages', 'nosharepages', 'locked', 'source', 'access', 'allocation', 'discard'];
const LAUNCH_SECURITY = ['cbitpos', 'reducedPhysBits', 'policy', 'guestVisibleWorkarounds', 'idBlock', 'idAuth', 'hostData', 'dhCert', 'session', 'mrConfigId', 'mrOwner', 'mrOwnerConfig', 'quoteGenerationService'];

const DISK = [
  'driver', 'source', 'backingStore', 'geometry', 'blockio', 'target', 'iotune', 'readonly', 'shareable', 'transient',
  'serial', 'wwn', 'vendor', 'product', 'encryption', 'boot', 'alias', 'address',
];
const INTERFACE = [
  'mac', 'source', 'vlan', 'virtualport', 'ip', 'route', 'script', 'downscript', 'backenddomain', 'target', 'guest',
  'model', 'driver', 'backend', 'filterref', 'tune', 'teaming', 'link', 'mtu', 'coalesce', 'portForward', 'boot', 'rom',
  'alias', 'address', 'acpi',
];
const FILESYSTEM = ['driver', 'binary', 'idmap', 'source', 'target', 'readonly', 'space_hard_limit', 'space_soft_limit', 'boot', 'alias', 'address'];
const CONTROLLER = ['model', 'target', 'driver', 'alias', 'address'];
// memballoon and vsock write their <driver> (virtio options) after the address.
const MEMBALLOON = ['stats', 'alias', 'address', 'driver'];
const VSOCK = ['cid', 'alias', 'address', 'driver'];
const RNG = ['rate', 'backend', 'driver', 'alias', 'address'];
const VIDEO = ['driver', 'model', 'alias', 'address'];
const INPUT = ['driver', 'source', 'alias', 'address'];
/** Any other device: virtio options first, address last. */
const DEVICE = ['driver', 'source', 'target', 'model', 'alias', 'address'];

const ORDERS: Readonly<Record<string, readonly string[]>> = {
  domain: DOMAIN,
  devices: DEVICES,
  os: OS,
  features: FEATURES,
  memoryBacking: MEMORY_BACKING,
  launchSecurity: LAUNCH_SECURITY,
  disk: DISK,
  interface: INTERFACE,
  filesystem: FILESYSTEM,
  controller: CONTROLLER,
  memballoon: MEMBALLOON,
  vsock: VSOCK,
  rng: RNG,
  video: VIDEO,
  input: INPUT,
};

/** The order list for children of an element named `parent` (device defaults for devices' children). */
export function childOrder(parent: string, grandparent: string | undefined): readonly string[] | undefined {
  if (Object.hasOwn(ORDERS, parent)) return ORDERS[parent];
  return grandparent === 'devices' ? DEVICE : undefined;
}
