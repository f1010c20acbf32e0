/** The primary sources rules cite, keyed as in domain-facts.md §0.2, with public URLs. */
import type { Source } from '../contracts/findings';

const GH = 'https://github.com';
const URLS: Record<string, string> = {
  SPEC: `${GH}/oasis-tcs/virtio-spec/blob/virtio-v1.4-cs01/content.tex`,
  'SPEC-PCI': `${GH}/oasis-tcs/virtio-spec/blob/virtio-v1.4-cs01/transport-pci.tex`,
  'SPEC-CCW': `${GH}/oasis-tcs/virtio-spec/blob/virtio-v1.4-cs01/transport-ccw.tex`,
  'SPEC-MMIO': `${GH}/oasis-tcs/virtio-spec/blob/virtio-v1.4-cs01/transport-mmio.tex`,
  'LNX-VIRTIO': `${GH}/torvalds/linux/blob/master/drivers/virtio/virtio.c`,
  'LNX-RING': `${GH}/torvalds/linux/blob/master/drivers/virtio/virtio_ring.c`,
  'LNX-X86CC': `${GH}/torvalds/linux/blob/master/arch/x86/mm/mem_encrypt.c`,
  'LNX-SWIOTLB': `${GH}/torvalds/linux/blob/master/kernel/dma/swiotlb.c`,
  'LNX-SWIOTLB-H': `${GH}/torvalds/linux/blob/master/include/linux/swiotlb.h`,
  'LNX-KPARAMS': `${GH}/torvalds/linux/blob/master/Documentation/admin-guide/kernel-parameters.txt`,
  'LNX-PCIDMA': `${GH}/torvalds/linux/blob/master/arch/x86/kernel/pci-dma.c`,
  'LNX-S390MM': `${GH}/torvalds/linux/blob/master/arch/s390/mm/init.c`,
  'LNX-PPCSVM': `${GH}/torvalds/linux/blob/master/arch/powerpc/platforms/pseries/svm.c`,
  'LNX-ARM64MM': `${GH}/torvalds/linux/blob/master/arch/arm64/mm/init.c`,
  'LNX-VBLK': `${GH}/torvalds/linux/blob/master/drivers/block/virtio_blk.c`,
  'LNX-VNET': `${GH}/torvalds/linux/blob/master/drivers/net/virtio_net.c`,
  'LNX-VSCSI': `${GH}/torvalds/linux/blob/master/drivers/scsi/virtio_scsi.c`,
  'LNX-SD': `${GH}/torvalds/linux/blob/master/drivers/scsi/sd.c`,
  'LNX-BLKSET': `${GH}/torvalds/linux/blob/master/block/blk-settings.c`,
  'LNX-BALLOON': `${GH}/torvalds/linux/blob/master/drivers/virtio/virtio_balloon.c`,
  'LNX-KVMSEV': `${GH}/torvalds/linux/blob/master/arch/x86/kvm/svm/sev.c`,
  'LNX-KVMTDX': `${GH}/torvalds/linux/blob/master/arch/x86/kvm/vmx/tdx.c`,
  'LNX-TDXGUEST': `${GH}/torvalds/linux/blob/master/arch/x86/coco/tdx/tdx.c`,
  'LNX-VHOST': `${GH}/torvalds/linux/blob/master/drivers/vhost/vhost.c`,
  'QEMU-MACHINE': `${GH}/qemu/qemu/blob/master/hw/core/machine.c`,
  'QEMU-VIRTIO': `${GH}/qemu/qemu/blob/master/hw/virtio/virtio.c`,
  'QEMU-VBUS': `${GH}/qemu/qemu/blob/master/hw/virtio/virtio-bus.c`,
  'QEMU-VPCI': `${GH}/qemu/qemu/blob/master/hw/virtio/virtio-pci.c`,
  'QEMU-MMIO': `${GH}/qemu/qemu/blob/master/hw/virtio/virtio-mmio.c`,
  'QEMU-VHOST': `${GH}/qemu/qemu/blob/master/hw/virtio/vhost.c`,
  'QEMU-VBLK': `${GH}/qemu/qemu/blob/master/hw/block/virtio-blk.c`,
  'QEMU-VNET': `${GH}/qemu/qemu/blob/master/hw/net/virtio-net.c`,
  'QEMU-VSCSI': `${GH}/qemu/qemu/blob/master/hw/scsi/virtio-scsi.c`,
  'QEMU-Q35': `${GH}/qemu/qemu/blob/master/hw/i386/pc_q35.c`,
  'QEMU-VU': `${GH}/qemu/qemu/blob/master/docs/interop/vhost-user.rst`,
  'QEMU-SEVDOC': 'https://www.qemu.org/docs/master/system/i386/amd-memory-encryption.html',
  'QEMU-TDXDOC': 'https://www.qemu.org/docs/master/system/i386/tdx.html',
  'QEMU-PV': 'https://www.qemu.org/docs/master/system/s390x/protvirt.html',
  'QEMU-PEF': 'https://www.qemu.org/docs/master/system/ppc/pseries.html',
  'LV-FMT': 'https://libvirt.org/formatdomain.html',
  'LV-KB-SEV': 'https://libvirt.org/kbase/launch_security_sev.html',
  'LV-KB-PV': 'https://libvirt.org/kbase/s390_protected_virt.html',
  'LV-VAL': `${GH}/libvirt/libvirt/blob/master/src/qemu/qemu_validate.c`,
  'LV-CMD': `${GH}/libvirt/libvirt/blob/master/src/qemu/qemu_command.c`,
  'LV-CONF': `${GH}/libvirt/libvirt/blob/master/src/conf/domain_conf.c`,
  'VM-948': 'https://github.com/virt-manager/virt-manager/pull/948',
  'LV-NEWS': `${GH}/libvirt/libvirt/blob/master/NEWS.rst`,
  'LV-RNG': `${GH}/libvirt/libvirt/blob/master/src/conf/schemas/domaincommon.rng`,
  'LV-VALIDATE': `${GH}/libvirt/libvirt/blob/master/src/conf/domain_validate.c`,
  'LV-POSTPARSE': `${GH}/libvirt/libvirt/blob/master/src/qemu/qemu_postparse.c`,
  'QEMU-SEV': `${GH}/qemu/qemu/blob/master/target/i386/sev.c`,
  'QEMU-QOM': `${GH}/qemu/qemu/blob/master/qapi/qom.json`,
  'LV-TESTS': `${GH}/libvirt/libvirt/tree/master/tests/qemuxmlconfdata`,
  'LV-TDXPOLICY': 'https://mail-archive.com/devel@lists.libvirt.org/msg16045.html',
  'QEMU-AMDVI': `${GH}/qemu/qemu/blob/master/hw/i386/amd_iommu.c`,
  'QEMU-SMMUV3': `${GH}/qemu/qemu/blob/master/hw/arm/smmuv3.c`,
  'QEMU-VTD': `${GH}/qemu/qemu/blob/master/hw/i386/intel_iommu.c`,
  'QEMU-TDX': `${GH}/qemu/qemu/blob/master/target/i386/kvm/tdx.c`,
  'QEMU-SYSFW': `${GH}/qemu/qemu/blob/master/hw/i386/pc_sysfw.c`,
  'QEMU-VU-C': `${GH}/qemu/qemu/blob/master/hw/virtio/vhost-user.c`,
  'QEMU-PCI': `${GH}/qemu/qemu/blob/master/hw/pci/pci.c`,
  'LV-PROCESS': `${GH}/libvirt/libvirt/blob/master/src/qemu/qemu_process.c`,
  'EDK2-TDVF': `${GH}/tianocore/edk2/blob/master/OvmfPkg/IntelTdx/IntelTdxX64.fdf`,
  'EDK2-AMDSEV-BDS': `${GH}/tianocore/edk2/blob/master/OvmfPkg/Library/PlatformBootManagerLibGrub/BdsPlatform.c`,
  'LV-FIRMWARE': `${GH}/libvirt/libvirt/blob/master/src/qemu/qemu_firmware.c`,
  'EDK2-TDVF-README': `${GH}/tianocore/edk2/blob/master/OvmfPkg/IntelTdx/README.md`,
  'QEMU-KVM-X86': `${GH}/qemu/qemu/blob/master/target/i386/kvm/kvm.c`,
  'QEMU-VMEM': `${GH}/qemu/qemu/blob/master/hw/virtio/virtio-mem.c`,
  'LV-QEMUCAPS': `${GH}/libvirt/libvirt/blob/master/src/qemu/qemu_capabilities.c`,
  'LV-DRVQEMU': 'https://libvirt.org/drvqemu.html#pass-through-of-arbitrary-qemu-commands',
  'LV-QEMUDRIVER': `${GH}/libvirt/libvirt/blob/master/src/qemu/qemu_driver.c`,
  AMDSEV: `${GH}/AMDESE/AMDSEV`,
  KUBEVIRT: `${GH}/kubevirt/kubevirt/issues/16407`,
  VWIN: `${GH}/virtio-win/kvm-guest-drivers-windows`,
  'THREAD-2020': 'https://lore.kernel.org/all/20200220160606.53156-1-pasic@linux.ibm.com/',
  'TP-QEMU': `${GH}/autotest/tp-qemu/blob/master/qemu/tests/cfg/virtio_mode.cfg`,
};

/** A citation: the sheet's source key, what in it, and its URL when it has one. */
export function src(key: string, detail: string): Source {
  const url = URLS[key];
  return url ? { key, detail, url } : { key, detail };
}

/** Why a fix that switches to UEFI also writes <acpi/> on x86: libvirt refuses UEFI without it (same in 9.0 and 11.3). */
export const UEFI_NEEDS_ACPI = src('LV-VAL', 'qemuValidateDomainDef: "UEFI requires ACPI on this architecture"');

/** Hosts of the cited documents: the only places the desktop app opens in the user's browser. */
export const CITED_HOSTS: ReadonlySet<string> = new Set(Object.values(URLS).map((u) => /^https:\/\/([^/]+)\//.exec(u)?.[1] ?? ''));
