/**
 * R-SNP-01/amdsev-boot and R-SEVES-01/amdsev-boot: the firmware libvirt picks for SEV-SNP and SEV-ES (the one whose
 * descriptor lists amd-sev-snp; in Debian sid's ovmf, OVMF.amdsev.fd) boots no disk. No SEV guest can start here, but
 * the boot manager does not depend on SEV: each firmware is started under TCG from the same virtio disk, whose EFI
 * system partition holds a bootable EFI program (Debian's kernel, an EFI stub, as \EFI\BOOT\BOOTX64.EFI), and what its
 * boot manager prints on the serial console is read. Debian's generic OVMF.fd, the firmware the finding's fix
 * names, starts the disk; the AmdSev build only tries its built-in GRUB, which Debian's build lacks.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVirsh } from '../../main/services/virsh';
import { labDomainName, readLabState, type Generation } from '../lab';
import { guestCacheDir, missingParts } from '../real-parts';
import { bootLines, firmwareArgs, firmwareWith } from './firmware-boot';

const missing = missingParts('lab', 'qemu', 'guest-kernel');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-amdsev-boot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An EFI system partition with a bootable program where firmware looks for removable media. */
function esp(): string {
  const dir = path.join(work, 'esp');
  mkdirSync(path.join(dir, 'EFI/BOOT'), { recursive: true });
  copyFileSync(path.join(guestCacheDir, 'guest/vmlinuz'), path.join(dir, 'EFI/BOOT/BOOTX64.EFI'));
  return dir;
}

/** Any boot option started or failed, or none found. */
const tried = (lines: readonly string[]) => lines.some((l) => /starting Boot|failed to load|No bootable option/.test(l));

describe.skipIf(missing)(`what the SEV-SNP firmware libvirt picks can boot ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const withSnp = generations.map((g) => ({ g, amdsev: firmwareWith(g, 'amd-sev-snp') })).filter((x) => x.amdsev !== null);
  const generic = (g: Generation) => ['-machine', 'q35', '-bios', path.join(g.root ?? '/', 'usr/share/ovmf/OVMF.fd')];

  it('at least one lab generation ships a firmware for SEV-SNP (Debian sid: OVMF.amdsev.fd)', () => {
    expect(withSnp.map((x) => x.g.name)).not.toEqual([]);
  });

  for (const { g, amdsev } of withSnp) {
    it(`${g.name}: ${path.basename(amdsev!.file)} does not boot a disk that ${g.name}'s generic OVMF.fd boots`, async () => {
      const disk = ['-drive', `file=fat:${esp()},format=raw,if=virtio,snapshot=on`];
      const withGeneric = await bootLines([...generic(g), ...disk], path.join(work, 'generic.serial'), tried);
      expect(withGeneric.join('\n')).toMatch(/BdsDxe: starting Boot\d+ "UEFI Misc Device"/);
      // The AmdSev build stops for good once its GRUB fails (CpuDeadLoop): a few seconds more show it tries nothing else.
      const amd = (await bootLines([...firmwareArgs(amdsev!, work), ...disk], path.join(work, 'amdsev.serial'), tried, 5_000)).join('\n');
      expect(amd).toMatch(
        /BdsDxe: failed to load Boot\d+ "Grub Bootloader" from Fv\(.*\)\/FvFile\(B5AE312C-BC8A-43B1-9C62-EBB826DD5D07\): Not Found/,
      );
      expect(amd).not.toMatch(/UEFI Misc Device/);
    }, 600_000);
  }
});

/** The `<loader>` libvirt writes into an ordinary UEFI domain it defines with `features` and `firmware` (null: none). */
async function loaderPicked(g: Generation, tag: string, features: string, firmware: string): Promise<string | null> {
  const name = labDomainName(g, `fw-pick-${tag}`);
  const file = path.join(work, `${name}.xml`);
  writeFileSync(
    file,
    `<domain type='qemu'><name>${name}</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os firmware='efi'>${firmware}<type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/>${features}</features><devices><memballoon model='none'/></devices></domain>`,
  );
  await runVirsh(g.uri, ['define', file]);
  try {
    return /<loader[^>]*>([^<]+)<\/loader>/.exec(await runVirsh(g.uri, ['dumpxml', '--inactive', name]))?.[1] ?? null;
  } finally {
    await runVirsh(g.uri, ['undefine', '--nvram', name]).catch(() => runVirsh(g.uri, ['undefine', name]));
  }
}

describe.skipIf(missing)(`when libvirt picks the AmdSev build for a domain ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    it(`${g.name} (libvirt ${g.libvirt}): with SMM off or Secure Boot declined exactly where the generation ships the AmdSev build`, async () => {
      const amdsev = firmwareWith(g, 'amd-sev-snp');
      const inDomain = amdsev ? `/${path.relative(g.root ?? '/', amdsev.file)}` : null;
      const smmOff = await loaderPicked(g, 'smm-off', "<smm state='off'/>", '');
      const noSecureBoot = await loaderPicked(g, 'no-sb', '', "<firmware><feature enabled='no' name='secure-boot'/></firmware>");
      const plain = await loaderPicked(g, 'default', '', '');
      if (inDomain) {
        expect([smmOff, noSecureBoot]).toEqual([inDomain, inDomain]);
        expect(plain).not.toBe(inDomain);
      } else {
        // No AmdSev build to pick (Debian 12 and 13): libvirt picks another, or (9.0) none at define.
        for (const picked of [smmOff, noSecureBoot, plain]) expect(picked ?? '').not.toMatch(/amdsev/i);
      }
    }, 300_000);
  }
});
