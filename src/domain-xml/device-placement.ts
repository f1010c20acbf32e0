/**
 * Where libvirt puts a device: its transport (virtio-pci, virtio-ccw, virtio-mmio) and, on PCI, whether the
 * slot is a PCIe port (modern-only virtio), a PCIe root bus or conventional PCI (both transitional for
 * model='virtio'). See R-XML-04, R-TRN-01 and fact sheet §7.1 item 1.
 */
import type { Arch, MachineFamily, Maybe, SlotKind, Transport } from '../contracts/facts';
import type { XmlElement } from './xml-tree';

/** What placement needs to know about the domain. */
export interface PlacementContext {
  readonly arch: Maybe<Arch>;
  readonly family: Maybe<MachineFamily>;
  /** `<controller type='pci' index=N model=...>` by index. */
  readonly pciControllers: ReadonlyMap<number, string>;
}

/** Controllers whose bus is a PCI Express port (QEMU's pcie_port: express and not a root bus). */
const PCIE_PORTS = new Set(['pcie-root-port', 'pcie-switch-downstream-port']);
/** PCI Express root buses: express, but root (hw/pci-bridge/pci_expander_bridge.c pci_root_bus_new for pxb-pcie). */
const PCIE_ROOTS = new Set(['pcie-root', 'pcie-expander-bus']);
const PCI_BUSES = new Set(['pci-root', 'pci-bridge', 'pcie-to-pci-bridge', 'dmi-to-pci-bridge', 'pci-expander-bus']);

/** The index → model map of the domain's PCI controllers. */
export function pciControllerModels(devices: XmlElement | undefined): Map<number, string> {
  const out = new Map<number, string>();
  let next = 0;
  for (const c of devices?.children('controller') ?? []) {
    if (c.attr('type') !== 'pci') continue;
    // libvirt gives a PCI controller without index the next free one.
    const index = Number(c.attr('index') ?? String(next));
    next = Math.max(next, index + 1);
    const model = c.attr('model');
    if (Number.isInteger(index) && model) out.set(index, model);
  }
  return out;
}

/** The transport a device uses: its explicit address type, else libvirt's default for the arch and machine. */
export function transportOf(device: XmlElement, ctx: PlacementContext): Maybe<Transport> {
  const type = device.child('address')?.attr('type');
  if (type === 'pci') return 'pci';
  if (type === 'ccw') return 'ccw';
  if (type === 'virtio-mmio') return 'mmio';
  if (type !== undefined) return 'unknown';
  return defaultTransport(ctx);
}

/** libvirt's default virtio transport when no address is given. */
export function defaultTransport(ctx: PlacementContext): Maybe<Transport> {
  if (ctx.arch === 's390x' || ctx.family === 's390-ccw-virtio') return 'ccw';
  if (ctx.family === 'microvm') return 'mmio';
  if (ctx.family === 'q35' || ctx.family === 'pc' || ctx.family === 'pseries' || ctx.family === 'virt') return 'pci';
  if (ctx.arch === 'x86_64' || ctx.arch === 'i686') return 'pci';
  // Other Arm boards (vexpress ...) have no PCI: libvirt uses virtio-mmio (arm-vexpressa9-virtio test).
  if (ctx.arch === 'armv7l' || ctx.arch === 'aarch64') return 'mmio';
  return 'unknown';
}

/**
 * The slot kind of a device on PCI. An explicit bus is looked up among the PCI controllers (bus 0 without a
 * declared controller is the machine's root bus, a PCIe root bus on q35 and Arm virt); without an address (or
 * for an implicit device, `null`) libvirt puts PCIe-capable devices on root ports on q35 and Arm virt, but
 * `virtio-transitional` in a conventional slot.
 */
export function slotOf(device: XmlElement | null, ctx: PlacementContext, model: Maybe<string>): Maybe<SlotKind> {
  const address = device?.child('address');
  if (address?.attr('type') === 'pci') {
    const busText = address.attr('bus');
    if (busText === undefined) return slotWithoutAddress(ctx, model, device?.name);
    const bus = Number(busText);
    if (!Number.isInteger(bus)) return 'unknown';
    const controller = ctx.pciControllers.get(bus) ?? (bus === 0 ? rootBus(ctx) : undefined);
    if (controller === undefined) return 'unknown';
    if (PCIE_PORTS.has(controller)) return 'pcie';
    if (PCIE_ROOTS.has(controller)) return 'pcie-root';
    if (PCI_BUSES.has(controller)) return 'pci';
    return 'unknown';
  }
  return slotWithoutAddress(ctx, model, device?.name);
}

function rootBus(ctx: PlacementContext): string | undefined {
  if (ctx.family === 'q35' || ctx.family === 'virt') return 'pcie-root';
  if (ctx.family === 'pc' || ctx.family === 'pseries' || ctx.family === 's390-ccw-virtio') return 'pci-root';
  return undefined;
}

function slotWithoutAddress(ctx: PlacementContext, model: Maybe<string>, element: string | undefined): Maybe<SlotKind> {
  if (ctx.family === 'q35' || ctx.family === 'virt') {
    // libvirt puts the virtio-iommu on the root bus (its xml2xmlout tests virtio-iommu-*), every other PCIe
    // endpoint on a pcie-root-port.
    if (element === 'iommu') return 'pcie-root';
    return model === 'virtio-transitional' ? 'pci' : 'pcie';
  }
  if (ctx.family === 'pc' || ctx.family === 'pseries') return 'pci';
  return 'unknown';
}
