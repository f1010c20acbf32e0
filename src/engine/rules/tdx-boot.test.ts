/** R-TDX-01/boot-device: TDVF loads no SCSI or USB storage driver in a TD, so the TD must boot from something else. */
import { describe, expect, it } from 'vitest';
import { parseDomainXml, readDomainFacts } from '../../domain-xml';
import { CAPABLE_HOST, exact, input } from '../../../test/engine-facts';
import { evaluateAndPlan } from '../plan';

const BOOT_FAILURE = 'BdsDxe: No bootable option or device was found.';

const td = (devices: string, os = '') =>
  evaluateAndPlan(
    input({
      domain: readDomainFacts(
        parseDomainXml(`<domain type='kvm'><name>td</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>
  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type>${os}</os>
  <features><acpi/></features><cpu mode='host-passthrough'/>
  <launchSecurity type='tdx'><policy>0x10000000</policy></launchSecurity>
  <devices>${devices}<controller type='scsi' model='virtio-scsi'/><memballoon model='none'/></devices></domain>`),
      ),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 8), qemuVersion: exact(11, 1) },
      goals: { secure: 'tdx' },
    }),
  );
const bootFinding = (r: ReturnType<typeof td>) =>
  r.findings.find((f) => f.messages?.includes(BOOT_FAILURE) && f.title.includes('cannot boot from'));
const disk = (dev: string, bus: string, device = 'disk', boot = '') =>
  `<disk type='file' device='${device}'><source file='/i/${dev}'/><target dev='${dev}' bus='${bus}'/>${boot}</disk>`;

describe('R-TDX-01/boot-device', () => {
  it('refuses a TD whose only boot disk is on SCSI or USB, naming it, and leaves the move to the user (plan impossible)', () => {
    const scsi = td(disk('sda', 'scsi'));
    expect(bootFinding(scsi)).toMatchObject({
      severity: 'error',
      title: expect.stringMatching(/cannot boot from disk sda \(scsi\): it has no SCSI drivers/),
    });
    expect(scsi.plan.impossible.map((f) => f.messages)).toContainEqual([BOOT_FAILURE]);
    expect(bootFinding(td(disk('sdb', 'usb')))?.title).toMatch(/disk sdb \(usb\): it has no SCSI or USB drivers/);
    // <boot dev='hd'/> goes to the first disk in libvirt's order: vda when it is written first, but sda when vda is
    // written between two SCSI disks (libvirt keeps a bus's disks together).
    expect(bootFinding(td(disk('vda', 'virtio') + disk('sda', 'scsi')))).toBeUndefined();
    expect(bootFinding(td(disk('sda', 'scsi') + disk('vda', 'virtio') + disk('sdb', 'scsi')))?.title).toMatch(/disk sda \(scsi\)/);
  });

  it('is silent when another listed device is reachable, when the kernel is given directly, and for a SATA cdrom', () => {
    expect(
      bootFinding(td(disk('sda', 'scsi', 'disk', "<boot order='1'/>") + disk('sdc', 'sata', 'cdrom', "<boot order='2'/>"))),
    ).toBeUndefined();
    expect(bootFinding(td(disk('sda', 'scsi'), '<kernel>/boot/vmlinuz</kernel>'))).toBeUndefined();
    expect(bootFinding(td(disk('sdc', 'sata', 'cdrom'), "<boot dev='cdrom'/>"))).toBeUndefined();
    expect(bootFinding(td(disk('sde', 'scsi', 'cdrom'), "<boot dev='cdrom'/>"))?.title).toMatch(/cdrom sde \(scsi\)/);
  });

  it('warns that a kernel given directly meets Secure Boot in the firmware libvirt picks, unless a <shim> vouches for it', () => {
    const shimNeeded = (os: string) => td(disk('vda', 'virtio'), os).findings.find((f) => f.title.includes('<shim>'));
    expect(shimNeeded('<kernel>/boot/vmlinuz</kernel>')?.severity).toBe('warning');
    expect(shimNeeded('<kernel>/boot/vmlinuz</kernel><shim>/usr/lib/shim/shimx64.efi.signed</shim>')).toBeUndefined();
    expect(shimNeeded('')).toBeUndefined();
  });
});

describe('R-TDX-01/firmware-requests', () => {
  const requests = (r: ReturnType<typeof td>) =>
    r.findings.find((f) => f.title.startsWith('On Debian libvirt finds no Intel TDX firmware'));
  it("names each request Debian's one TDX firmware (OVMF.inteltdx.ms.fd: Secure Boot with keys, no SMM) cannot meet", () => {
    const declined = td(disk('vda', 'virtio'), "<firmware><feature enabled='no' name='secure-boot'/></firmware>");
    expect(requests(declined)?.title).toMatch(/Secure Boot or enrolled keys declined$/);
    const smm = td(disk('vda', 'virtio'), "<loader secure='yes'/>");
    expect(requests(smm)?.title).toMatch(/<loader secure='yes'>, a firmware that requires SMM$/);
    expect(requests(td(disk('vda', 'virtio'), "<firmware><feature enabled='yes' name='enrolled-keys'/></firmware>"))).toBeUndefined();
    // A firmware named by its path is not picked from descriptors.
    expect(
      requests(
        td(
          disk('vda', 'virtio'),
          "<loader type='rom'>/usr/share/ovmf/OVMF.inteltdx.fd</loader><firmware><feature enabled='no' name='secure-boot'/></firmware>",
        ),
      ),
    ).toBeUndefined();
  });
});
