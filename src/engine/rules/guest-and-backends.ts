/**
 * What the guest's drivers and each device's backend make of ACCESS_PLATFORM (domain-facts.md §2.4, §2.7,
 * §2.8, §2.10): legacy-only and old guests, Windows drivers, SWIOTLB sizing, vhost's device IOTLB, vhost-user,
 * vDPA and the vIOMMU.
 */
import { SEV_FAMILY, iommuEffective, isConfidential, takesAccessPlatform, translatingViommu } from '../context';
import { SHARED_MEMORY, removeDriverAttribute, setDriverAttribute } from '../edits';
import type { DeviceContext, DomainContext, RuleRecord, Verdict } from '../rule-types';
import { swiotlbAdvice, swiotlbReportFor } from '../swiotlb';
import { src } from '../sources';
import { compareVersions } from '../../contracts/version';
import { not, or, unknown, v, versionAtLeast } from '../verdict';
import { MSG_BACKEND_NO_IOMMU, MSG_REFUSES, WHAT_IOMMU_DOES, WHY_CONFIDENTIAL, iommuFixText, secureName } from '../words';

/** Outside a confidential VM the bit can simply be dropped; inside one there is no valid "off". */
const dropIommuIfOrdinary = (c: DeviceContext) => (isConfidential(c) ? [] : removeDriverAttribute(c.device, 'iommu'));

const isVhostKernel = (c: DeviceContext): Verdict => {
  if (c.device.backend === 'vhost-kernel') return true;
  if (c.device.backend === 'unknown' && c.device.kind === 'interface')
    return unknown(
      `whether ${c.device.label} uses vhost-net (<driver name='vhost'>, libvirt's default for KVM when /dev/vhost-net is usable)`,
    );
  return false;
};

const PRE_10_WINDOWS = /microsoft\.com\/win\/(xp|2k|2k3|2k3r2|vista|2k8|2k8r2|7|8|8\.1|2k12|2k12r2)$/;

export const GUEST_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-LNX-06',
    id: 'R-LNX-06',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [(c) => takesAccessPlatform(c.device), (c) => c.input.guest.virtio1 === 'no', iommuEffective],
    title: (c) => `${String(c.input.guest.name)} has only legacy virtio drivers and cannot use ${c.device.label} with ACCESS_PLATFORM`,
    explanation: `${WHAT_IOMMU_DOES} Bit 33 lies beyond the 32 feature bits a legacy (virtio 0.9.5) driver understands, so a guest without VIRTIO 1.0 drivers can never accept it: the device is missing in the guest. Such a guest cannot be a confidential VM at all.`,
    fix: {
      text: "Do not set iommu='on' for this guest (ordinary VMs), or install a guest with VIRTIO 1.0 drivers.",
      edits: dropIommuIfOrdinary,
    },
    sources: [src('SPEC-PCI', 'legacy interface: feature bits 0-31 only'), src('THREAD-2020', 'old guests break (RHEL 6 example)')],
  },
  {
    key: 'R-SPEC-03',
    id: 'R-SPEC-03',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => takesAccessPlatform(c.device),
      (c) => c.input.guest.family === 'linux' && c.input.guest.virtio1 !== 'no',
      (c) =>
        c.input.guest.kernelVersion === 'unknown'
          ? unknown('the guest kernel version')
          : compareVersions(c.input.guest.kernelVersion, v(4, 8)) < 0,
      iommuEffective,
    ],
    title: (c) => `The guest kernel predates ACCESS_PLATFORM (Linux 4.8): ${c.device.label} will refuse it`,
    explanation: `${WHAT_IOMMU_DOES} QEMU makes the driver accept the bit once it is offered: if the driver does not know it, FEATURES_OK fails and the device does not bind. Linux accepts it from 4.8.`,
    messages: [MSG_REFUSES],
    fix: { text: "Update the guest kernel, or (ordinary VMs only) remove iommu='on'.", edits: dropIommuIfOrdinary },
    sources: [
      src('SPEC', 'Device Initialization, FEATURES_OK'),
      src('QEMU-VIRTIO', 'virtio_validate_features (2943b53f68)'),
      src('LNX-VIRTIO', 'virtio_features_ok'),
    ],
  },
  {
    key: 'R-WIN-01',
    id: 'R-WIN-01',
    scope: 'device',
    severity: 'info',
    whenUnknown: 'skip',
    when: [(c) => takesAccessPlatform(c.device), (c) => c.input.guest.family === 'windows', (c) => c.device.driver.iommu === 'on'],
    title: (c) => `${c.device.label}: Windows needs virtio-win drivers from 2018 or later to accept ACCESS_PLATFORM`,
    explanation: `${WHAT_IOMMU_DOES} virtio-win's viostor, vioscsi and NetKVM accept the bit since April 2018 (NetKVM only in its Windows 10 / Server 2016 builds); with older drivers QEMU refuses FEATURES_OK and the device shows an error in Device Manager.`,
    fix: { text: 'Use a current virtio-win driver ISO.' },
    sources: [src('VWIN', 'BZ1530210, BZ1539256, BZ1549587')],
  },
  {
    key: 'R-WIN-01/netkvm',
    id: 'R-WIN-01',
    scope: 'device',
    severity: 'error',
    whenUnknown: 'skip',
    when: [
      (c) => c.device.virtio && c.device.kind === 'interface',
      (c) => c.input.guest.family === 'windows' && PRE_10_WINDOWS.test(String(c.input.guest.osinfoId)),
      iommuEffective,
    ],
    title: (c) => `${c.device.label}: NetKVM for ${String(c.input.guest.name)} does not accept ACCESS_PLATFORM`,
    explanation:
      'NetKVM accepts the bit only in its builds for Windows 10 / Server 2016 and later (WINVER >= 0x0A00); older builds leave it unacked and QEMU refuses the device.',
    fix: { text: "Remove iommu='on' from this interface (ordinary VMs), or use another NIC model.", edits: dropIommuIfOrdinary },
    sources: [src('VWIN', 'NetKVM WINVER >= 0x0A00')],
  },
];

/** The pool, its worst case and the swiotlb= that covers it come from the SWIOTLB report (swiotlb.ts). */
const report = (c: DomainContext) => swiotlbReportFor(c);
const MSG_SWIOTLB_FULL = 'swiotlb buffer is full (sz: <n> bytes), total <t> (slots), used <u> (slots)';

export const SWIOTLB_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-LNX-03',
    id: 'R-LNX-03',
    scope: 'domain',
    severity: 'info',
    when: [(c) => report(c) !== null],
    title: 'All virtio I/O of this guest goes through SWIOTLB bounce buffers',
    detail: (c) => {
      const r = report(c)!;
      const pool =
        r.currentMiB === r.defaultMiB
          ? `${r.defaultMiB} MiB (its kernel's default)`
          : `${r.currentMiB} MiB (set by swiotlb= on <os><cmdline>; the default would be ${r.defaultMiB} MiB)`;
      return `The guest's pool: ${pool}. The worst case of its virtio devices: ${r.peakMiB} MiB. ${swiotlbAdvice(r)}`;
    },
    explanation: `${WHY_CONFIDENTIAL} Linux's pool is 64 MiB by default (IO_TLB_DEFAULT_SIZE, in slabs of 2 KiB); SEV and TDX guests get 6% of their memory, 64 MiB to 1 GiB (Linux 5.11); since Linux 6.0 the slab count is rounded up to a power of two. swiotlb=N on the kernel command line sets N slabs of 2 KiB (262144 = 512 MiB) instead. \`virtio-access explain SWIOTLB\` shows how the worst case is counted.`,
    fix: {
      text: (c) => swiotlbAdvice(report(c)!),
      general: 'For I/O-heavy guests put swiotlb=<slabs of 2 KiB> on the guest kernel command line (the report gives the number).',
    },
    sources: [
      src('LNX-X86CC', 'mem_encrypt_setup_arch: SWIOTLB bounce buffer size adjusted'),
      src('LNX-SWIOTLB', 'IO_TLB_DEFAULT_SIZE, setup_io_tlb_npages, round_up_default_nslabs'),
      src('LNX-KPARAMS', 'swiotlb='),
      src('AMDSEV', 'README FAQ'),
    ],
  },
  {
    key: 'R-LNX-04',
    id: 'R-LNX-04',
    scope: 'domain',
    severity: 'warning',
    when: [
      (c) => {
        const r = report(c);
        return r !== null && r.currentMiB < r.peakMiB;
      },
    ],
    title: (c) => {
      const r = report(c)!;
      return `The guest's bounce-buffer pool (${r.currentMiB} MiB) is smaller than the worst case of its virtio I/O (${r.peakMiB} MiB)`;
    },
    detail: (c) =>
      report(c)!
        .devices.map((d) => `${d.label}: up to ${d.peakMiB} MiB (${d.basis}).`)
        .join(' '),
    explanation: `${WHY_CONFIDENTIAL} When the pool is full, Linux logs the message below and the request waits or fails: disk I/O stalls or errors (a filesystem may remount read-only) and packets drop. Multi-queue virtio-blk with deep queues fills the default pool first.`,
    messages: [MSG_SWIOTLB_FULL],
    fix: {
      text: (c) => swiotlbAdvice(report(c)!),
      general:
        'Raise the pool with swiotlb=<slabs of 2 KiB> on the guest kernel command line, or lower the worst case with fewer queues or a smaller queue_size.',
      edits: (c) => report(c)!.edits,
    },
    // Direct kernel boot: the plan writes the swiotlb= the report recommends into <os><cmdline>.
    inPlan: true,
    sources: [src('LNX-SWIOTLB', 'swiotlb_tbl_map_single: message'), src('AMDSEV', 'README FAQ: virtio-blk multiqueue')],
  },
];

export const BACKEND_RULES: readonly RuleRecord<'device'>[] = [
  {
    key: 'R-QEMU-02',
    id: 'R-QEMU-02',
    scope: 'device',
    severity: 'warning',
    when: [(c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.transport === 'pci', iommuEffective],
    title: (c) => `${c.device.label}: the vhost-user backend must offer ACCESS_PLATFORM or QEMU refuses the device`,
    explanation: `${WHAT_IOMMU_DOES} For a vhost-user device the external backend (virtiofsd, SPDK, DPDK ...) negotiates features; if it does not offer the bit, QEMU refuses to plug the virtio-pci device. Whether your backend version offers it is not known here.`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: { text: "Use a backend that offers VIRTIO_F_ACCESS_PLATFORM; in an ordinary VM you can drop iommu='on' for this device." },
    sources: [src('QEMU-VBUS', 'virtio_bus_device_plugged: message verbatim'), src('AMDSEV', 'issue #269')],
  },
  {
    key: 'R-BE-03/shared-memory',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'error',
    when: [
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.kind !== 'interface',
      (c) => c.input.domain.memoryBacking.accessMode !== 'shared',
    ],
    title: (c) => `${c.device.label} is a vhost-user device and needs shared guest memory`,
    explanation:
      'A vhost-user backend is a separate process that maps guest memory; libvirt refuses vhost-user disks and virtiofs unless memory is shared.',
    messages: ["'virtiofs' requires shared memory"],
    fix: { text: "Add <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>.", edits: () => SHARED_MEMORY },
    sources: [src('LV-VAL', 'requires shared memory'), src('QEMU-VU', 'vhost-user memory regions')],
  },
  {
    key: 'R-BE-03/shared-memory-net',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.kind === 'interface',
      (c) => c.input.domain.memoryBacking.accessMode !== 'shared',
    ],
    title: (c) => `${c.device.label}: vhost-user networking needs shared guest memory`,
    explanation:
      'The vhost-user switch (e.g. OVS-DPDK) maps guest memory to move packets; without shared memory (memfd, or shared hugepages, or NUMA cells with memAccess=shared) no traffic flows.',
    fix: {
      text: "Add <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking> (unless NUMA cells already share memory).",
      edits: () => SHARED_MEMORY,
    },
    sources: [src('QEMU-VU', 'vhost-user memory regions')],
  },
  {
    key: 'R-BE-03/viommu',
    id: 'R-BE-03',
    scope: 'device',
    severity: 'warning',
    when: [(c) => c.device.virtio && c.device.backend === 'vhost-user', translatingViommu, iommuEffective],
    title: (c) => `${c.device.label}: vhost-user behind a vIOMMU needs the backend's IOTLB support`,
    explanation:
      'With ACCESS_PLATFORM and a translating vIOMMU, vhost-user addresses are IOVAs: the backend asks QEMU for translations with VHOST_USER_IOTLB_MSG, which needs the REPLY_ACK and BACKEND_REQ protocol features. (There is no VHOST_USER_PROTOCOL_F_IOTLB flag.)',
    messages: ['IOMMU support requires reply-ack and slave-req protocol features.'],
    fix: { text: "Use a backend with these protocol features, or remove the vIOMMU or iommu='on' for this device." },
    sources: [src('QEMU-VU', 'vhost-user.rst IOTLB'), src('QEMU-VHOST', 'vhost-user.c message')],
  },
  {
    key: 'R-BE-04',
    id: 'R-BE-04',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => SEV_FAMILY.has(c.cvm) || c.cvm === 'tdx',
      (c) => c.device.virtio && c.device.backend === 'vhost-user' && c.device.function !== 'fs',
    ],
    title: (c) => `${c.device.label}: vhost-user in this ${secureName(c.cvm)} guest is unverified`,
    explanation: `${WHY_CONFIDENTIAL} The vhost-user backend must offer ACCESS_PLATFORM and reach the shared bounce buffers; no QEMU combination is confirmed to work (Cloud Hypervisor sets the bit itself, QEMU does not).`,
    messages: [MSG_BACKEND_NO_IOMMU],
    fix: { text: 'Prefer a QEMU or vhost-kernel backend for this device, or verify your backend first.' },
    sources: [src('AMDSEV', 'issue #269'), src('QEMU-VBUS', 'plug check')],
  },
  {
    key: 'R-SNP-03',
    id: 'R-SNP-03',
    scope: 'device',
    severity: 'warning',
    when: [(c) => SEV_FAMILY.has(c.cvm) || c.cvm === 'tdx', (c) => c.device.function === 'fs' && c.device.fsDriver === 'virtiofs'],
    title: (c) => `${c.device.label}: virtiofs is known to fail in ${secureName(c.cvm)} guests`,
    explanation:
      'vhost-user-fs-pci was reported failing under SEV-SNP (QEMU 10.0, 2025, still open) and TDX (2022), because virtiofsd did not offer ACCESS_PLATFORM; current virtiofsd was not verified.',
    messages: ['virtiofs virtio2: device must provide VIRTIO_F_ACCESS_PLATFORM', MSG_BACKEND_NO_IOMMU],
    fix: { text: 'Avoid virtiofs in confidential VMs unless you verified your virtiofsd and QEMU.' },
    sources: [src('AMDSEV', 'issue #269 SNP and vhost-user-fs-pci'), src('QEMU-VBUS', 'plug check')],
  },
  {
    key: 'R-BE-02',
    id: 'R-BE-02',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio,
      isVhostKernel,
      iommuEffective,
      (c) => or(translatingViommu(c), not(versionAtLeast(c.qemu, v(6, 2), 'the QEMU version'))),
    ],
    title: (c) => `${c.device.label}: vhost will translate every address through a device IOTLB (slow)`,
    detail: (c) =>
      translatingViommu(c)
        ? `The domain has a vIOMMU (<iommu model='${c.input.domain.viommu.model}'>), so vhost receives IOVAs.`
        : 'QEMU before 6.2 uses the vhost device IOTLB whenever iommu_platform is on, even without a vIOMMU.',
    explanation: `${WHAT_IOMMU_DOES} With a translating vIOMMU, the vhost kernel module resolves each address through its IOTLB, asking QEMU on every miss: throughput drops sharply (about 10x measured on s390 with old QEMU). QEMU 6.2 and later skip the IOTLB when no vIOMMU translates, so confidential VMs without one run at normal vhost speed apart from the bounce-buffer copies.`,
    fix: {
      text: "Upgrade QEMU to 6.2 or later; with a vIOMMU enable iotlb='on' on it and ats='on' on the device; in an ordinary VM drop iommu='on' from devices that do not need vIOMMU isolation.",
    },
    sources: [
      src('QEMU-VHOST', 'vhost_dev_has_iommu (f7ef7e6e3b, ae4003738f)'),
      src('LNX-VHOST', 'device IOTLB API 6b1e6cc7855b'),
      src('THREAD-2020', 'Pasic: 10x slowdown'),
    ],
  },
  {
    key: 'R-VIOMMU-04',
    id: 'R-VIOMMU-04',
    scope: 'device',
    severity: 'warning',
    when: [
      (c) => c.device.virtio && c.input.domain.viommu.model === 'intel',
      isVhostKernel,
      (c) => c.device.driver.iommu === 'on',
      (c) => c.input.domain.viommu.iotlb !== 'on' || c.device.driver.ats !== 'on',
    ],
    title: (c) => `${c.device.label}: vhost behind the intel vIOMMU needs iotlb='on' on the IOMMU and ats='on' on the device`,
    explanation: 'The device IOTLB on the vIOMMU and ATS on the device make the guest send the device-IOTLB invalidations vhost relies on.',
    fix: {
      text: "Set <driver iotlb='on'/> on <iommu model='intel'> and ats='on' on the device.",
      edits: (c) => [
        ...(c.device.driver.ats !== 'on' ? setDriverAttribute(c.device, 'ats', 'on') : []),
        ...(c.input.domain.viommu.iotlb !== 'on' && c.input.domain.viommu.target
          ? [{ op: 'set-attribute' as const, target: `${c.input.domain.viommu.target}/driver`, name: 'iotlb', value: 'on' }]
          : []),
      ],
    },
    sources: [src('LV-FMT', 'ats: needed to make use of IOTLB support; iommu iotlb'), src('QEMU-VHOST', 'device IOTLB')],
  },
  {
    key: 'R-BE-05',
    id: 'R-BE-05',
    scope: 'device',
    severity: 'info',
    when: [(c) => c.device.backend === 'vdpa', (c) => c.device.transport === 'pci' && c.device.driver.pagePerVq !== 'on'],
    title: (c) => `${c.device.label}: libvirt recommends page_per_vq='on' for vDPA`,
    explanation:
      "vhost-vdpa handles ACCESS_PLATFORM itself and hardware vDPA parents do DMA through the host IOMMU. page_per_vq='on' puts each queue's notification area on its own page so it can be mapped to the hardware. Behaviour with SEV/TDX is unconfirmed.",
    fix: { text: "Set page_per_vq='on' on the device's <driver>.", edits: (c) => setDriverAttribute(c.device, 'page_per_vq', 'on') },
    sources: [src('LV-FMT', 'page_per_vq: recommended for vDPA'), src('LNX-VHOST', 'drivers/vhost/vdpa.c')],
  },
  {
    key: 'R-VIOMMU-02',
    id: 'R-VIOMMU-02',
    scope: 'device',
    severity: 'info',
    when: [(c) => !isConfidential(c), translatingViommu, (c) => takesAccessPlatform(c.device) && c.device.driver.iommu !== 'on'],
    title: (c) => `${c.device.label} bypasses the vIOMMU`,
    explanation: `${WHAT_IOMMU_DOES} The two are independent: <iommu> puts an emulated IOMMU in the guest, and only devices with iommu='on' obey it. Without the bit this device reads guest-physical memory directly, so the guest IOMMU neither isolates nor translates it (fine unless the guest assigns it to userspace drivers with vfio or DPDK).`,
    fix: iommuFixText(
      "Set iommu='on' on the device if the guest should isolate it with the vIOMMU.",
      'the guest cannot isolate it with the vIOMMU.',
    ),
    sources: [src('SPEC', 'ACCESS_PLATFORM overrides the platform IOMMU description'), src('LNX-RING', 'vring_use_dma_api')],
  },
];

const viommuMachine: Record<string, readonly string[]> = { intel: ['q35'], smmuv3: ['virt'], virtio: ['q35', 'virt'] };

export const VIOMMU_RULES: readonly RuleRecord<'domain'>[] = [
  {
    key: 'R-VIOMMU-01/machine',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model in viommuMachine,
      (c) =>
        c.input.domain.machine.family === 'unknown'
          ? unknown('the machine type')
          : !viommuMachine[c.input.domain.viommu.model]!.includes(c.input.domain.machine.family),
    ],
    title: (c) => `<iommu model='${c.input.domain.viommu.model}'> is not available on machine ${String(c.input.domain.machine.raw)}`,
    explanation: 'libvirt offers the intel vIOMMU on q35, smmuv3 on Arm virt and the virtio-iommu on q35 and Arm virt only.',
    messages: ["IOMMU device: 'intel' is only supported with Q35 machines"],
    fix: { text: 'Remove the <iommu> device or use a machine type that supports it.' },
    sources: [src('LV-FMT', 'IOMMU devices'), src('LV-VAL', 'IOMMU device validation')],
  },
  {
    key: 'R-VIOMMU-01/intremap',
    id: 'R-VIOMMU-01',
    scope: 'domain',
    severity: 'error',
    when: [
      (c) => c.input.domain.viommu.model === 'intel' && c.input.domain.viommu.intremap === 'on',
      (c) => c.input.domain.ioapicDriver !== 'qemu',
    ],
    title: "intremap='on' needs <ioapic driver='qemu'/>",
    explanation:
      "Interrupt remapping in the intel vIOMMU requires the split irqchip, which libvirt enables with <features><ioapic driver='qemu'/></features>.",
    fix: {
      text: "Add <ioapic driver='qemu'/> to <features>.",
      edits: () => [{ op: 'set-attribute', target: '/domain/features/ioapic', name: 'driver', value: 'qemu' }],
    },
    sources: [src('LV-FMT', 'IOMMU devices: intremap')],
  },
];
