/**
 * R-TDX-01/kernel-secure-boot and R-SEV-04/kernel-secure-boot: the firmware libvirt picks on Debian for TDX (the only
 * descriptor with intel-tdx, OVMF.inteltdx.ms.fd) and for SEV (the first with amd-sev, OVMF_CODE_4M.ms.fd) boots with
 * Secure Boot and Microsoft's keys, and refuses a kernel QEMU hands over that only a distribution's shim would trust.
 * No TD or SEV guest can start here; the check is the firmware's own: started under TCG with Debian's signed kernel
 * as -kernel, each says why it will not run it. Debian's generic firmware without Secure Boot (OVMF_CODE_4M.fd, the
 * amd-sev descriptor that neither needs SMM nor is the AmdSev build) starts the same kernel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabState, type Generation } from '../lab';
import { guestCacheDir, missingParts } from '../real-parts';
import { bootLines, firmwareArgs, firmwareWith, type Firmware } from './firmware-boot';

const missing = missingParts('lab', 'qemu', 'guest-kernel');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-firmware-kernel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const KERNEL = () => ['-kernel', path.join(guestCacheDir, 'guest/vmlinuz'), '-append', 'console=ttyS0 panic=-1'];
const REFUSED = "OVMF: Secure boot image verification failed.  Consider using the '-shim'";

/** What the serial console shows once the firmware gave up or Linux started. */
const kernelOutcome = async (fw: Firmware, tag: string) =>
  (
    await bootLines([...firmwareArgs(fw, work), ...KERNEL()], path.join(work, `${tag}.serial`), (lines) =>
      lines.some((l) => /No bootable option|Linux version/.test(l)),
    )
  ).join('\n');

describe.skipIf(missing)(`the firmware libvirt picks and a kernel given directly ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const picks = generations.map((g) => ({
    g,
    tdx: firmwareWith(g, 'intel-tdx'),
    sev: firmwareWith(g, 'amd-sev'),
    withoutSecureBoot: firmwareWith(g, 'amd-sev', ['requires-smm', 'amd-sev-es']),
  }));

  it('some lab generation ships firmware for TDX and, with and without Secure Boot, for SEV (Debian sid)', () => {
    expect(picks.some((p) => p.tdx && p.sev && p.withoutSecureBoot)).toBe(true);
  });

  for (const { g, tdx, sev, withoutSecureBoot } of picks.filter((p) => p.tdx && p.sev && p.withoutSecureBoot)) {
    it(`${g.name}: the TDX and SEV picks refuse Debian's signed kernel; the generic firmware without Secure Boot starts it`, async () => {
      for (const [fw, tag] of [
        [tdx!, 'tdx'],
        [sev!, 'sev'],
      ] as const) {
        const out = await kernelOutcome(fw, `${g.name}-${tag}`);
        expect(out, path.basename(fw.file)).toContain(REFUSED);
        expect(out, path.basename(fw.file)).toContain('BdsDxe: No bootable option or device was found.');
      }
      expect(sev!.features).toContain('secure-boot');
      expect(withoutSecureBoot!.features).not.toContain('secure-boot');
      const plain = await kernelOutcome(withoutSecureBoot!, `${g.name}-generic`);
      expect(plain).toContain('Linux version');
      expect(plain).not.toContain(REFUSED);
    }, 900_000);
  }
});
