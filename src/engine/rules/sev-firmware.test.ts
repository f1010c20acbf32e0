/**
 * The firmware of SEV-family guests: R-SNP-01/amdsev-boot, R-SEVES-01/amdsev-boot (the AmdSev build of OVMF, libvirt's
 * pick for SNP and SEV-ES on Debian, boots no disk), and R-SNP-01/pflash with R-SNP-01/stateless as one plan.
 */
import { describe, expect, it } from 'vitest';
import { parseDomainXml, readDomainFacts } from '../../domain-xml';
import { CAPABLE_HOST, exact, input, LINUX_GUEST } from '../../../test/engine-facts';
import { evaluateAndPlan } from '../plan';
import { DEFAULT_GOALS } from '../../contracts/facts';
import { planDocument, readDocument } from '../../pipeline/plan-document';

const guest = (
  os: string,
  launchSecurity = "<launchSecurity type='sev-snp'><policy>0x00030000</policy></launchSecurity>",
  smm = "<smm state='off'/>",
) =>
  evaluateAndPlan(
    input({
      domain: readDomainFacts(
        parseDomainXml(`<domain type='kvm'><name>g</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>
  <os${os.includes('<loader') ? '' : " firmware='efi'"}><type arch='x86_64' machine='q35'>hvm</type>${os}</os>
  <features><acpi/>${smm}</features><cpu mode='host-passthrough'/>${launchSecurity}
  <devices><disk type='file' device='disk'><driver iommu='on'/><source file='/i/a'/><target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`),
      ),
      host: { ...CAPABLE_HOST, libvirtVersion: exact(12, 8), qemuVersion: exact(11, 1) },
    }),
  );
const amdsev = (r: ReturnType<typeof guest>) => r.findings.find((f) => f.title.includes('boots no disk'));

describe('the AmdSev firmware boots no disk', () => {
  it('warns where libvirt picks the firmware or the loader names the AmdSev build, for SNP and SEV-ES', () => {
    expect(amdsev(guest(''))).toMatchObject({
      severity: 'warning',
      rule: 'R-SNP-01',
      title: expect.stringContaining('on Debian sid (OVMF.amdsev.fd)'),
    });
    expect(amdsev(guest("<loader type='rom'>/usr/share/ovmf/OVMF.amdsev.fd</loader>"))?.title).toMatch(
      /^OVMF\.amdsev\.fd \(the AmdSev build of OVMF\)/,
    );
    expect(amdsev(guest('', "<launchSecurity type='sev'><policy>0x0007</policy></launchSecurity>"))?.rule).toBe('R-SEVES-01');
  });

  it('is silent with a kernel given directly or another firmware named', () => {
    expect(amdsev(guest('<kernel>/boot/vmlinuz</kernel>'))).toBeUndefined();
    expect(amdsev(guest("<loader type='rom'>/usr/share/ovmf/OVMF.fd</loader>"))).toBeUndefined();
  });

  it('for plain SEV warns only once SMM is off or Secure Boot declined, which rule out the Secure Boot build libvirt takes first', () => {
    const sev = "<launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>";
    expect(amdsev(guest('', sev, ''))).toBeUndefined();
    expect(amdsev(guest('', sev))?.rule).toBe('R-SEV-04');
    expect(amdsev(guest("<firmware><feature enabled='no' name='secure-boot'/></firmware>", sev, ''))?.rule).toBe('R-SEV-04');
  });

  it('judges a BIOS domain by its plan: none before (libvirt picks no firmware for it), the warning once the plan makes it UEFI', () => {
    const bios = `<domain type='kvm'><name>g</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features><cpu mode='host-passthrough'/>
  <launchSecurity type='sev-snp'><policy>0x00030000</policy></launchSecurity>
  <devices><disk type='file' device='disk'><driver iommu='on'/><source file='/i/a'/><target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;
    const host = { ...CAPABLE_HOST, libvirtVersion: exact(12, 8), qemuVersion: exact(11, 1) };
    const result = planDocument(readDocument(bios), { host, guest: LINUX_GUEST, goals: { ...DEFAULT_GOALS, secure: 'sev-snp' } });
    expect(result.findings.map((f) => f.title)).toContainEqual(expect.stringMatching(/needs UEFI firmware/));
    expect(result.findings.filter((f) => f.title.includes('boots no disk'))).toEqual([]);
    expect(result.plannedFacts.firmware.kind).toBe('efi');
    expect(result.remaining.filter((f) => f.title.includes('boots no disk')).map((f) => f.rule)).toEqual(['R-SNP-01']);
  });
});

describe('an SEV-SNP domain with a pflash firmware', () => {
  const pflash = `<domain type='kvm'><name>g</name><memory unit='GiB'>4</memory><vcpu>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type><loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader><nvram>/var/lib/libvirt/qemu/nvram/g_VARS.fd</nvram></os>
  <features><acpi/><smm state='off'/></features><cpu mode='host-passthrough'/>
  <launchSecurity type='sev-snp'><policy>0x00030000</policy></launchSecurity>
  <devices><disk type='file' device='disk'><driver iommu='on'/><source file='/i/a'/><target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;
  const planned = (libvirt: [number, number]) =>
    planDocument(readDocument(pflash), {
      host: { ...CAPABLE_HOST, libvirtVersion: exact(...libvirt), qemuVersion: exact(11, 1) },
      guest: LINUX_GUEST,
      goals: { ...DEFAULT_GOALS, secure: 'keep' },
    });

  it('is planned with a stateless loader before libvirt 11.8, so nothing about its firmware is left after the plan', () => {
    const r = planned([11, 3]);
    expect(r.planned).toContain("<loader stateless='yes'/>");
    expect(r.planned).not.toMatch(/pflash|<nvram/);
    expect(r.remaining.map((f) => f.title)).not.toContainEqual(expect.stringMatching(/pflash/));
    expect(r.remaining.map((f) => f.title)).not.toContainEqual(expect.stringMatching(/may pick a pflash firmware with NVRAM/));
  });

  it('is planned without a loader from libvirt 11.8, which picks a stateless firmware for SNP itself', () => {
    const r = planned([12, 8]);
    expect(r.planned).not.toMatch(/<loader|<nvram/);
    expect(r.remaining.map((f) => f.title)).not.toContainEqual(expect.stringMatching(/pflash/));
  });
});
