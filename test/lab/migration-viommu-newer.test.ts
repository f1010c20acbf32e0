/**
 * R-MIG-01's comparison of the newer vIOMMU `<driver>` settings against libvirt's own ABI check on restore: the
 * intel vIOMMU's dma_translation (libvirt 10.7), virtio-iommu's `<granule>` (12.1) and smmuv3's accelerated options
 * (12.8; libvirt drops them from the QEMU command line of a smmuv3 without pciBus, so such a domain starts under
 * TCG). A release that does not read a setting ignores it, and the engine, with that release, must say nothing.
 */
import { releaseAtLeast } from '../lab';
import { restoreSuite, type RestoreCase } from './restore-abi';

// Only the vIOMMU is compared: the domain needs no disk.
const x86 = (name: string, iommu: string) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/><ioapic driver='qemu'/></features>
  <devices>
    <memballoon model='none'/>
    ${iommu}
  </devices>
</domain>
`;

/** The saved definition with its <iommu …> start tag's text changed by `edit`. */
const iommuTag = (saved: string, edit: (tag: string) => string): string => saved.replace(/<iommu [^>]*>/, edit);
const driverTag = (saved: string, edit: (tag: string) => string): string =>
  saved.replace(/(<iommu [^>]*>\s*)(<driver[^>]*?)(\/?>)/, (_m, open: string, driver: string, end: string) => open + edit(driver) + end);

const INTEL: readonly RestoreCase[] = [
  {
    what: "the intel vIOMMU given dma_translation='off'",
    change: (x) => driverTag(x, (d) => `${d} dma_translation='off'`),
    refusal: (g) =>
      releaseAtLeast(g.libvirt, 10, 7) ? /Target domain IOMMU device dma translation 'off' does not match source 'default'/ : null,
  },
  { what: 'nothing changed', change: (x) => x, refusal: () => null },
];
restoreSuite({
  title: "the intel vIOMMU's dma_translation",
  label: 'dmatr',
  domainXml: (name) => x86(name, "<iommu model='intel'><driver intremap='on'/></iommu>"),
  cases: INTEL,
});

const VIRTIO: readonly RestoreCase[] = [
  {
    what: "virtio-iommu given <granule mode='host'/>",
    change: (x) => iommuTag(x, (t) => `${t}<driver><granule mode='host'/></driver>`),
    refusal: (g) => (releaseAtLeast(g.libvirt, 12, 1) ? /Target domain IOMMU device granule 'host' does not match source '0KiB'/ : null),
  },
  { what: 'nothing changed', change: (x) => x, refusal: () => null },
];
restoreSuite({
  title: "virtio-iommu's granule",
  label: 'granule',
  domainXml: (name) => x86(name, "<iommu model='virtio'/>"),
  cases: VIRTIO,
});

const SMMU: readonly RestoreCase[] = [
  {
    what: "smmuv3's accel 'on' -> 'off'",
    change: (x) => driverTag(x, (d) => d.replace("accel='on'", "accel='off'")),
    refusal: () => /Target domain IOMMU device accel value '2' does not match source '1'/,
  },
  {
    what: "smmuv3 given ats='on'",
    change: (x) => driverTag(x, (d) => `${d} ats='on'`),
    refusal: () => /Target domain IOMMU device ATS value '1' does not match source '0'/,
  },
  {
    what: "smmuv3 given oas='44'",
    change: (x) => driverTag(x, (d) => `${d} oas='44'`),
    refusal: () => /Target domain IOMMU device oas value '44' does not match source '-1'/,
  },
  { what: 'nothing changed', change: (x) => x, refusal: () => null },
];
restoreSuite({
  title: "smmuv3's accelerated options",
  label: 'smmuacc',
  domainXml: (name) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='aarch64' machine='virt'>hvm</type></os>
  <features><gic version='3'/></features>
  <cpu mode='custom'><model>cortex-a57</model></cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-aarch64</emulator>
    <memballoon model='none'/>
    <iommu model='smmuv3'><driver accel='on'/></iommu>
  </devices>
</domain>
`,
  cases: SMMU,
  only: { generation: (g) => releaseAtLeast(g.libvirt, 12, 8), because: 'libvirt has accel (12.8)' },
});
