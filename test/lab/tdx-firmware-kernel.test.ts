/**
 * R-TDX-01/kernel-secure-boot: the firmware libvirt picks for TDX (the one whose descriptor lists intel-tdx; in Debian
 * sid's ovmf, OVMF.inteltdx.ms.fd, Secure Boot on with Microsoft's keys) refuses a kernel QEMU hands over that only a
 * distribution's shim would trust. No TD can start here; the check is the firmware's own: started under TCG with
 * Debian's signed kernel as -kernel, it says why it will not run it and finds nothing else to boot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabState, type Generation } from '../lab';
import { guestCacheDir, missingParts } from '../real-parts';
import { bootLines, firmwareWith } from './firmware-boot';

const missing = missingParts('lab', 'qemu', 'guest-kernel');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-tdx-kernel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing)(`the TDX firmware libvirt picks and a kernel given directly ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const withTdvf = generations.map((g) => ({ g, tdvf: firmwareWith(g, 'intel-tdx') })).filter((x) => x.tdvf !== null);

  it('at least one lab generation ships a firmware for TDX (Debian sid: ovmf-inteltdx)', () => {
    expect(withTdvf.map((x) => x.g.name)).not.toEqual([]);
  });

  for (const { g, tdvf } of withTdvf) {
    it(`${g.name}: ${path.basename(tdvf!)} refuses Debian's signed kernel given with -kernel, and boots nothing`, async () => {
      const kernel = ['-kernel', path.join(guestCacheDir, 'guest/vmlinuz'), '-append', 'console=ttyS0'];
      const lines = (
        await bootLines(tdvf!, kernel, path.join(work, `${g.name}.serial`), (l) =>
          l.some((x) => /No bootable option|starting Boot/.test(x)),
        )
      ).join('\n');
      expect(lines).toContain("OVMF: Secure boot image verification failed.  Consider using the '-shim'");
      expect(lines).toContain('BdsDxe: No bootable option or device was found.');
    }, 600_000);
  }
});
