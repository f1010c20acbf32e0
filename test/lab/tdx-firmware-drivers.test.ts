/**
 * R-TDX-01/boot-device rests on where TDVF keeps its drivers: edk2's IntelTdx build puts them in two firmware
 * volumes and, in a TD, loads only DXEFV (OvmfPkg/IntelTdx/README.md), leaving out NCCFV. A TD cannot start on
 * this machine, so what is checked is the firmware Debian ships: the one libvirt picks for TDX (its descriptor in
 * the generation's /usr/share/qemu/firmware lists the intel-tdx feature) is opened with UEFIExtract, and the
 * drivers the rule counts on must sit where it says — the boot paths it accepts in DXEFV, the ones it refuses only
 * in NCCFV.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { firmwareWith } from './firmware-boot';

const missing = missingParts('lab', 'uefiextract');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-tdvf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The FvNameGuids of IntelTdxX64.fdf: DXEFV, loaded in a TD, and NCCFV, not loaded in one. */
const DXEFV = '7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1';
const NCCFV = 'AE047C6D-BCE9-426C-AE03-A68E3B8A0488';

/**
 * The DXE drivers of each firmware volume, from UEFIExtract's report: a volume line opens a volume at its depth
 * (the dashes before its GUID), and a file belongs to the deepest volume opened above it.
 */
function driversByVolume(image: string): Map<string, string[]> {
  const copy = path.join(work, path.basename(image));
  copyFileSync(image, copy);
  execFileSync('UEFIExtract', [copy, 'report'], { stdio: 'ignore', timeout: 120_000 });
  const volumes = new Map<string, string[]>();
  const open: { depth: number; guid: string }[] = [];
  for (const line of readFileSync(`${copy}.report.txt`, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const m = /^(-+) (\S+)$/.exec(cells[5] ?? '');
    if (!m) continue;
    const depth = m[1]!.length;
    while (open.length > 0 && open[open.length - 1]!.depth >= depth) open.pop();
    if (cells[0] === 'Volume') {
      open.push({ depth, guid: m[2]! });
      volumes.set(m[2]!, volumes.get(m[2]!) ?? []);
    } else if (cells[0] === 'File' && cells[1] === 'DXE driver' && open.length > 0) {
      volumes.get(open[open.length - 1]!.guid)!.push(cells[6] ?? '');
    }
  }
  return volumes;
}

describe.skipIf(missing)(`the drivers of the TDX firmware libvirt picks ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const withTdvf = generations.map((g) => ({ g, image: firmwareWith(g, 'intel-tdx')?.file ?? null })).filter((x) => x.image !== null);

  it('at least one lab generation ships a firmware for TDX (Debian sid: ovmf-inteltdx)', () => {
    expect(withTdvf.map((x) => x.g.name)).not.toEqual([]);
  });

  for (const { g, image } of withTdvf) {
    it(`${g.name}: ${path.basename(image!)} loads virtio-blk, SATA, NVMe and a direct kernel in a TD, and keeps SCSI and USB storage out of it`, () => {
      const volumes = driversByVolume(image!);
      const inTd = volumes.get(DXEFV) ?? [];
      const notInTd = volumes.get(NCCFV) ?? [];
      for (const driver of ['VirtioBlkDxe', 'AtaAtapiPassThruDxe', 'NvmExpressDxe', 'QemuKernelLoaderFsDxe'])
        expect(inTd, driver).toContain(driver);
      for (const driver of ['VirtioScsiDxe', 'ScsiBus', 'ScsiDisk', 'UsbMassStorageDxe']) {
        expect(inTd, driver).not.toContain(driver);
        expect(notInTd, driver).toContain(driver);
      }
    });
  }
});
