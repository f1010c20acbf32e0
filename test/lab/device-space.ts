/**
 * The device configurations the differential suite starts on every generation: one virtio NIC (user networking,
 * which needs nothing from the host) over virtio model × bus × iommu × ats × vIOMMU, each in a minimal TCG domain
 * of the bus's platform (q35 or i440fx x86_64, ppc64 pseries, s390x ccw, aarch64 virt for virtio-mmio).
 * The default memballoon is switched off so the NIC is the only virtio device.
 */

export const MODELS = ['virtio-transitional', 'virtio-non-transitional', 'virtio'] as const;
export const BUSES = ['q35-root', 'pcie-root-port', 'pci-bridge', 'i440fx', 'pseries', 'ccw', 'mmio'] as const;
export type Model = (typeof MODELS)[number];
export type Bus = (typeof BUSES)[number];
export type Viommu = 'none' | 'intel' | 'virtio' | 'smmuv3';
type OnOrAbsent = 'on' | 'absent';

export interface DeviceConfiguration {
  readonly model: Model;
  readonly bus: Bus;
  readonly iommu: OnOrAbsent;
  readonly ats: OnOrAbsent;
  readonly viommu: Viommu;
  /** Short and unique, usable in a domain name: `virtio-q35-root-iommu-ats-intel`. */
  readonly label: string;
}

interface Platform {
  readonly arch: string;
  readonly machine: string;
  /** The vIOMMU models libvirt has for this machine ('none' first). */
  readonly viommus: readonly Viommu[];
  /** Controllers the bus needs, in libvirt's order. */
  readonly controllers: string;
  /** The NIC's <address>. */
  readonly address: string;
  readonly cpu?: string;
  /** <features> as every real guest of the platform has them (libvirt's virtio vIOMMU needs ACPI). */
  readonly features?: string;
}

const pciAddress = (bus: number, slot: number): string =>
  `<address type='pci' domain='0x0000' bus='0x${bus.toString(16).padStart(2, '0')}' slot='0x${slot.toString(16).padStart(2, '0')}' function='0x0'/>`;

const X86_VIOMMUS: readonly Viommu[] = ['none', 'intel', 'virtio'];
const X86_FEATURES = '<features><acpi/><apic/></features>';

const PLATFORMS: Readonly<Record<Bus, Platform>> = {
  'q35-root': { arch: 'x86_64', machine: 'q35', viommus: X86_VIOMMUS, features: X86_FEATURES, controllers: '', address: pciAddress(0, 5) },
  'pcie-root-port': {
    arch: 'x86_64',
    machine: 'q35',
    viommus: X86_VIOMMUS,
    features: X86_FEATURES,
    controllers: "<controller type='pci' index='1' model='pcie-root-port'/>",
    address: pciAddress(1, 0),
  },
  'pci-bridge': {
    arch: 'x86_64',
    machine: 'q35',
    viommus: X86_VIOMMUS,
    features: X86_FEATURES,
    controllers: `<controller type='pci' index='1' model='pcie-root-port'/>\n    <controller type='pci' index='2' model='pcie-to-pci-bridge'>${pciAddress(1, 0)}</controller>`,
    address: pciAddress(2, 1),
  },
  i440fx: { arch: 'x86_64', machine: 'pc', viommus: X86_VIOMMUS, features: X86_FEATURES, controllers: '', address: pciAddress(0, 5) },
  pseries: { arch: 'ppc64', machine: 'pseries', viommus: ['none'], controllers: '', address: pciAddress(0, 5) },
  ccw: {
    arch: 's390x',
    machine: 's390-ccw-virtio',
    viommus: ['none'],
    controllers: '',
    address: "<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0001'/>",
  },
  mmio: {
    arch: 'aarch64',
    machine: 'virt',
    // libvirt's virtio vIOMMU needs ACPI, which on aarch64 needs UEFI firmware (not installed in the lab).
    viommus: ['none', 'smmuv3'],
    controllers: '',
    address: "<address type='virtio-mmio'/>",
    cpu: "<cpu mode='custom' match='exact'><model fallback='forbid'>cortex-a57</model></cpu>",
  },
};

/** Every configuration of the space, in a fixed order. */
export function deviceConfigurations(): DeviceConfiguration[] {
  const out: DeviceConfiguration[] = [];
  for (const bus of BUSES) {
    for (const viommu of PLATFORMS[bus].viommus) {
      for (const model of MODELS) {
        for (const iommu of ['absent', 'on'] as const) {
          for (const ats of ['absent', 'on'] as const) {
            const label = [model, bus, iommu === 'on' ? 'iommu' : '', ats === 'on' ? 'ats' : '', viommu === 'none' ? '' : viommu]
              .filter(Boolean)
              .join('-');
            out.push({ model, bus, iommu, ats, viommu, label });
          }
        }
      }
    }
  }
  return out;
}

/** The domain XML of one configuration, as a user would write it (TCG, no disks, no balloon). */
export function configurationXml(name: string, c: DeviceConfiguration): string {
  const p = PLATFORMS[c.bus];
  const driver = [c.iommu === 'on' ? "iommu='on'" : '', c.ats === 'on' ? "ats='on'" : ''].filter(Boolean).join(' ');
  const lines = [
    "<domain type='qemu'>",
    `  <name>${name}</name>`,
    "  <memory unit='MiB'>256</memory>",
    '  <vcpu>1</vcpu>',
    '  <os>',
    `    <type arch='${p.arch}' machine='${p.machine}'>hvm</type>`,
    '  </os>',
    ...(p.features ? [`  ${p.features}`] : []),
    ...(p.cpu ? [`  ${p.cpu}`] : []),
    '  <devices>',
    ...(p.controllers ? [`    ${p.controllers}`] : []),
    "    <interface type='user'>",
    `      <model type='${c.model}'/>`,
    ...(driver ? [`      <driver ${driver}/>`] : []),
    `      ${p.address}`,
    '    </interface>',
    "    <memballoon model='none'/>",
    ...(c.viommu === 'none' ? [] : [`    <iommu model='${c.viommu}'/>`]),
    '  </devices>',
    '</domain>',
    '',
  ];
  return lines.join('\n');
}

/** arch and machine of a configuration's platform, for the generation's domcapabilities. */
export function platformOf(c: DeviceConfiguration): { readonly arch: string; readonly machine: string } {
  return { arch: PLATFORMS[c.bus].arch, machine: PLATFORMS[c.bus].machine };
}
