/**
 * fast-check arbitraries for libvirt domain documents across the configuration space the engine reasons
 * about: platform, device kinds, models, transports, driver options, backends, vIOMMU and launchSecurity.
 */
import fc from 'fast-check';

export interface Platform {
  readonly arch: string;
  readonly machine: string;
}

export const PLATFORMS: readonly Platform[] = [
  { arch: 'x86_64', machine: 'pc-q35-7.2' },
  { arch: 'x86_64', machine: 'pc-q35-5.2' },
  { arch: 'x86_64', machine: 'q35' },
  { arch: 'x86_64', machine: 'pc-i440fx-7.2' },
  { arch: 's390x', machine: 's390-ccw-virtio-7.2' },
  { arch: 'aarch64', machine: 'virt-7.2' },
  { arch: 'ppc64le', machine: 'pseries-7.2' },
];

type OnOff = 'absent' | 'on' | 'off';
export interface DeviceSpec {
  readonly kind: 'disk' | 'nic' | 'rng' | 'channel' | 'balloon' | 'fs' | 'vsock' | 'video';
  readonly model: 'virtio' | 'virtio-transitional' | 'virtio-non-transitional';
  readonly iommu: OnOff;
  readonly ats: OnOff;
  readonly nicType: 'network' | 'vhostuser' | 'vdpa';
  readonly vhost: boolean;
  readonly mmio: boolean;
}

export interface DomainSpec {
  readonly platform: Platform;
  readonly launchSecurity: 'none' | 'sev' | 's390-pv';
  readonly efi: boolean;
  readonly shared: boolean;
  readonly viommu: boolean;
  readonly devices: readonly DeviceSpec[];
}

const onOff = fc.constantFrom<OnOff>('absent', 'on', 'off');

export const deviceSpec: fc.Arbitrary<DeviceSpec> = fc.record({
  kind: fc.constantFrom('disk', 'nic', 'rng', 'channel', 'balloon', 'fs', 'vsock', 'video'),
  model: fc.constantFrom('virtio', 'virtio-transitional', 'virtio-non-transitional'),
  iommu: onOff,
  ats: fc.constantFrom<OnOff>('absent', 'absent', 'on'),
  nicType: fc.constantFrom('network', 'network', 'vhostuser', 'vdpa'),
  vhost: fc.boolean(),
  mmio: fc.boolean(),
});

export const domainSpec: fc.Arbitrary<DomainSpec> = fc.record({
  platform: fc.constantFrom(...PLATFORMS),
  launchSecurity: fc.constantFrom('none', 'none', 'sev', 's390-pv'),
  efi: fc.boolean(),
  shared: fc.boolean(),
  viommu: fc.boolean(),
  devices: fc.array(deviceSpec, { maxLength: 6 }),
});

function driver(d: DeviceSpec, extra = ''): string {
  const attrs = [extra, d.iommu !== 'absent' ? `iommu='${d.iommu}'` : '', d.ats !== 'absent' ? `ats='${d.ats}'` : '']
    .filter(Boolean)
    .join(' ');
  return attrs ? `<driver ${attrs}/>` : '';
}

/** Device XML valid for libvirt's schema; options that only make sense on some platforms are dropped there. */
function deviceXml(d: DeviceSpec, i: number, p: Platform): string {
  // Transitional models exist only on PCI; mmio addresses only on Arm virt in these tests.
  const pci = p.arch === 'x86_64' || p.arch === 'ppc64le' || (p.arch === 'aarch64' && !d.mmio);
  const model = pci ? d.model : 'virtio';
  const addr = p.arch === 'aarch64' && d.mmio ? `<address type='virtio-mmio'/>` : '';
  switch (d.kind) {
    case 'disk':
      return `<disk type='file' device='disk'${model !== 'virtio' ? ` model='${model}'` : ''}>${driver(d, `name='qemu' type='raw'`)}<source file='/var/lib/libvirt/images/d${i}.img'/><target dev='vd${String.fromCharCode(97 + i)}' bus='virtio'/>${addr}</disk>`;
    case 'nic': {
      const src =
        d.nicType === 'vhostuser'
          ? `<source type='unix' path='/run/vu${i}.sock' mode='client'/>`
          : d.nicType === 'vdpa'
            ? `<source dev='/dev/vhost-vdpa-${i}'/>`
            : `<source network='default'/>`;
      const name = d.nicType === 'network' ? (d.vhost ? `name='vhost'` : `name='qemu'`) : '';
      return `<interface type='${d.nicType}'><mac address='52:54:00:00:00:${(16 + i).toString(16)}'/>${src}<model type='${model}'/>${driver(d, name)}${addr}</interface>`;
    }
    case 'rng':
      return `<rng model='${model}'><backend model='random'>/dev/urandom</backend>${driver(d)}${addr}</rng>`;
    case 'channel':
      return `<channel type='unix'><target type='virtio' name='org.test.${i}'/></channel>`;
    case 'balloon':
      return `<memballoon model='${model}'>${driver(d)}${addr}</memballoon>`;
    case 'fs':
      return `<filesystem type='mount' accessmode='passthrough'${model !== 'virtio' ? ` model='${model}'` : ''}><driver type='virtiofs'${d.iommu !== 'absent' ? ` iommu='${d.iommu}'` : ''}/><source dir='/srv/s${i}'/><target dir='s${i}'/>${addr}</filesystem>`;
    case 'vsock':
      return `<vsock model='${model}'><cid auto='yes'/>${driver(d)}${addr}</vsock>`;
    case 'video':
      return `<video><model type='virtio'/>${d.iommu !== 'absent' ? `<driver iommu='${d.iommu}'/>` : ''}${addr}</video>`;
  }
}

export function domainXml(s: DomainSpec): string {
  const p = s.platform;
  // libvirt allows one memballoon, one vsock and (here) one video; keep the first of each.
  let seen = { balloon: 0, vsock: 0, video: 0 };
  const devices = s.devices.filter((d) => {
    if (d.kind !== 'balloon' && d.kind !== 'vsock' && d.kind !== 'video') return true;
    seen = { ...seen, [d.kind]: seen[d.kind] + 1 };
    return seen[d.kind] === 1;
  });
  const ls =
    s.launchSecurity === 'sev' && p.arch === 'x86_64'
      ? `<launchSecurity type='sev'><cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits><policy>0x0003</policy></launchSecurity>`
      : s.launchSecurity === 's390-pv' && p.arch === 's390x'
        ? `<launchSecurity type='s390-pv'/>`
        : '';
  const viommu = s.viommu && p.machine.includes('q35') ? `<iommu model='intel'><driver iotlb='on'/></iommu>` : '';
  const mem = s.shared ? `<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>` : '';
  return [
    `<domain type='kvm'>`,
    `  <name>gen</name>`,
    `  <memory unit='MiB'>2048</memory>`,
    mem ? `  ${mem}` : '',
    `  <vcpu>2</vcpu>`,
    `  <os${s.efi && p.arch === 'x86_64' ? ` firmware='efi'` : ''}>`,
    `    <type arch='${p.arch}' machine='${p.machine}'>hvm</type>`,
    `  </os>`,
    `  <devices>`,
    ...devices.map((d, i) => `    ${deviceXml(d, i, p)}`),
    viommu ? `    ${viommu}` : '',
    `  </devices>`,
    ls ? `  ${ls}` : '',
    `</domain>`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
