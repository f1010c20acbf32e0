/**
 * R-MIG-01's `<driver>` presence and vIOMMU comparisons against libvirt's own ABI check, on every generation of the
 * version lab: a q35 domain with a virtio disk, a virtio NIC with `<driver iommu='on'/>`, a virtio RNG without a
 * `<driver>` and an intel vIOMMU is started paused and saved once, then restored with `virsh restore --xml` and a
 * changed definition (ACPI is on because libvirt refuses a virtio vIOMMU without it). The engine's comparison, evaluated with that generation's libvirt release, must find a
 * problem exactly where the restore is refused, and quote what libvirt printed.
 */
import type { Generation } from '../lab';
import { restoreSuite, type RestoreCase } from './restore-abi';

const domainXml = (name: string, dir: string) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='${dir}/disk.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='ethernet'>
      <model type='virtio'/>
      <driver iommu='on'/>
    </interface>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
    <memballoon model='none'/>
    <iommu model='intel'>
      <driver iotlb='on' caching_mode='on'/>
    </iommu>
  </devices>
</domain>
`;

/** The saved definition's element, by its opening tag, with `edit` applied to its text. */
function editElement(saved: string, open: RegExp, close: string, edit: (element: string) => string): string {
  const start = saved.search(open);
  if (start < 0) throw new Error(`no ${String(open)} in the saved definition`);
  const end = saved.indexOf(close, start) + close.length;
  return saved.slice(0, start) + edit(saved.slice(start, end)) + saved.slice(end);
}
const nic = (saved: string, edit: (e: string) => string) => editElement(saved, /<interface /, '</interface>', edit);
const disk = (saved: string, edit: (e: string) => string) => editElement(saved, /<disk /, '</disk>', edit);
const rng = (saved: string, edit: (e: string) => string) => editElement(saved, /<rng /, '</rng>', edit);
const iommu = (saved: string, edit: (e: string) => string) => editElement(saved, /<iommu /, '</iommu>', edit);
/** libvirt 12.8 counts the vIOMMUs in its message; 9.0 and 11.3 do not. */
const countedIommus = (g: Generation) => !/^(?:9|10|11)\./.test(g.libvirt);

const CASES: readonly RestoreCase[] = [
  {
    what: "the NIC's <driver iommu='on'/> removed (virtio options on the source only)",
    change: (x) => nic(x, (e) => e.replace(/\s*<driver iommu='on'\/>/, '')),
    refusal: () => /Target device virtio options don't match the source/,
  },
  {
    what: "the NIC's iommu 'on' -> 'off' (both sides hold options)",
    change: (x) => nic(x, (e) => e.replace("<driver iommu='on'/>", "<driver iommu='off'/>")),
    refusal: () => /Target device iommu option 'off' does not match source 'on'/,
  },
  {
    what: "the RNG given <driver ats='off'/> (an explicit default, on the destination only)",
    change: (x) => rng(x, (e) => e.replace('</rng>', "  <driver ats='off'/>\n    </rng>")),
    refusal: () => /Target device virtio options don't match the source/,
  },
  {
    what: 'the RNG given an empty <driver/> (libvirt does not write it back)',
    change: (x) => rng(x, (e) => e.replace('</rng>', '  <driver/>\n    </rng>')),
    refusal: () => null,
  },
  {
    what: "the RNG given <driver name='qemu'/> (an attribute libvirt does not hold for an RNG, so not written back)",
    change: (x) => rng(x, (e) => e.replace('</rng>', "  <driver name='qemu'/>\n    </rng>")),
    refusal: () => null,
  },
  {
    what: "the disk's <driver> removed (libvirt writes name='qemu' type='raw' back)",
    change: (x) => disk(x, (e) => e.replace(/\s*<driver [^>]*\/>/, '')),
    refusal: () => null,
  },
  {
    what: "the disk given iommu='on'",
    change: (x) => disk(x, (e) => e.replace(/<driver name='qemu' type='raw'/, "<driver name='qemu' type='raw' iommu='on'")),
    refusal: () => /Target device iommu option 'on' does not match source 'default'/,
  },
  {
    what: "the <iommu model='intel'> removed",
    change: (x) => iommu(x, () => ''),
    refusal: (g) =>
      countedIommus(g)
        ? /Target domain IOMMU device count 0 does not match source 1/
        : /Target domain IOMMU device count does not match source/,
  },
  {
    what: "the vIOMMU's iotlb 'on' -> 'off'",
    change: (x) => iommu(x, (e) => e.replace("iotlb='on'", "iotlb='off'")),
    refusal: () => /Target domain IOMMU device iotlb value 'off' does not match source 'on'/,
  },
  {
    what: "the vIOMMU's caching_mode removed",
    change: (x) => iommu(x, (e) => e.replace(" caching_mode='on'", '')),
    refusal: () => /Target domain IOMMU device caching mode 'default' does not match source 'on'/,
  },
  {
    what: "the vIOMMU given aw_bits='48'",
    change: (x) => iommu(x, (e) => e.replace('<driver ', "<driver aw_bits='48' ")),
    refusal: () => /Target domain IOMMU device aw_bits value '48' does not match source '0'/,
  },
  {
    what: "the vIOMMU's model intel -> virtio",
    change: (x) => iommu(x, () => "<iommu model='virtio'/>"),
    refusal: () => /Target domain IOMMU device model 'virtio' does not match source 'intel'/,
  },
  { what: 'nothing changed', change: (x) => x, refusal: () => null },
];

restoreSuite({ title: '<driver> presence and the vIOMMU', label: 'dvabi', domainXml, cases: CASES });
