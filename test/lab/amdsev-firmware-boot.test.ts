/**
 * R-SNP-01/amdsev-boot and R-SEVES-01/amdsev-boot: the firmware libvirt picks for SEV-SNP and SEV-ES (the one whose
 * descriptor lists amd-sev-snp; in Debian sid's ovmf, OVMF.amdsev.fd) boots no disk. No SEV guest can start here, but
 * the boot manager does not depend on SEV: each firmware is started under TCG from the same virtio disk, whose EFI
 * system partition holds a bootable EFI program (Debian's kernel, an EFI stub, as \EFI\BOOT\BOOTX64.EFI), and what its
 * boot manager prints on the serial console is read. Debian's generic OVMF.fd, the firmware the finding's fix
 * names, starts the disk; the AmdSev build only tries its built-in GRUB, which Debian's build lacks.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabState, type Generation } from '../lab';
import { guestCacheDir, missingParts } from '../real-parts';

const missing = missingParts('lab', 'qemu', 'guest-kernel');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-amdsev-boot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The firmware a generation's descriptors offer for SEV-SNP, or null. */
function snpFirmware(g: Generation): string | null {
  const dir = path.join(g.root ?? '/', 'usr/share/qemu/firmware');
  if (!existsSync(dir)) return null;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const d = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { features?: string[]; mapping?: { filename?: string } };
    if (d.features?.includes('amd-sev-snp') && d.mapping?.filename) return path.join(g.root ?? '/', d.mapping.filename);
  }
  return null;
}

/** An EFI system partition with a bootable program where firmware looks for removable media. */
function esp(): string {
  const dir = path.join(work, 'esp');
  mkdirSync(path.join(dir, 'EFI/BOOT'), { recursive: true });
  copyFileSync(path.join(guestCacheDir, 'guest/vmlinuz'), path.join(dir, 'EFI/BOOT/BOOTX64.EFI'));
  return dir;
}

/**
 * The boot manager's lines on the serial console of `firmware` started from the ESP: read until it starts or fails to
 * load a boot option that is not the built-in GRUB, or says it found none, then QEMU is stopped.
 */
async function bootManagerLines(firmware: string, disk: string, tag: string): Promise<string[]> {
  const serial = path.join(work, `${tag}.serial`);
  const qemu = spawn(
    'qemu-system-x86_64',
    ['-machine', 'q35', '-accel', 'tcg', '-m', '512', '-bios', firmware, '-nic', 'none', '-display', 'none', '-no-reboot'].concat([
      '-drive',
      `file=fat:${disk},format=raw,if=virtio,snapshot=on`,
      '-serial',
      `file:${serial}`,
    ]),
    { stdio: 'ignore' },
  );
  // The console also carries the firmware's terminal escapes: each line is taken from its "BdsDxe:" on.
  const lines = () =>
    existsSync(serial)
      ? readFileSync(serial, 'latin1')
          .split(/\r?\n|\r/)
          .filter((l) => l.includes('BdsDxe:'))
          .map((l) => l.slice(l.indexOf('BdsDxe:')))
      : [];
  // Any boot option tried, or none found. The AmdSev build stops for good once its GRUB fails (CpuDeadLoop), so after
  // that line it is given a few seconds to try anything else, which the BDS would do at once.
  const decided = (seen: string[]) => seen.some((l) => /starting Boot|failed to load|No bootable option/.test(l));
  try {
    const deadline = Date.now() + 240_000;
    while (!decided(lines()) && Date.now() < deadline && qemu.exitCode === null) await new Promise((r) => setTimeout(r, 500));
    if (lines().some((l) => /Grub Bootloader/.test(l))) await new Promise((r) => setTimeout(r, 5_000));
    return lines();
  } finally {
    qemu.kill();
  }
}

describe.skipIf(missing)(`what the SEV-SNP firmware libvirt picks can boot ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const withSnp = generations.map((g) => ({ g, amdsev: snpFirmware(g) })).filter((x) => x.amdsev !== null);

  it('at least one lab generation ships a firmware for SEV-SNP (Debian sid: OVMF.amdsev.fd)', () => {
    expect(withSnp.map((x) => x.g.name)).not.toEqual([]);
  });

  for (const { g, amdsev } of withSnp) {
    it(`${g.name}: ${path.basename(amdsev!)} does not boot a disk that ${g.name}'s generic OVMF.fd boots`, async () => {
      const disk = esp();
      const generic = await bootManagerLines(path.join(g.root ?? '/', 'usr/share/ovmf/OVMF.fd'), disk, `${g.name}-generic`);
      expect(generic.join('\n')).toMatch(/BdsDxe: starting Boot\d+ "UEFI Misc Device"/);
      const amd = await bootManagerLines(amdsev!, disk, `${g.name}-amdsev`);
      expect(amd.join('\n')).toMatch(
        /BdsDxe: failed to load Boot\d+ "Grub Bootloader" from Fv\(.*\)\/FvFile\(B5AE312C-BC8A-43B1-9C62-EBB826DD5D07\): Not Found/,
      );
      expect(amd.join('\n')).not.toMatch(/UEFI Misc Device/);
    }, 600_000);
  }
});
