/**
 * The lab generations' UEFI firmware, for the suites that check what a confidential guest's firmware can boot: the
 * file libvirt would pick for a feature (from the generation's firmware descriptors), and what that firmware's boot
 * manager says on the serial console when started under TCG.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Generation } from '../lab';

/** The firmware file of the first descriptor (in libvirt's order, by name) that lists `feature`, or null. */
export function firmwareWith(g: Generation, feature: string): string | null {
  const root = g.root ?? '/';
  const dir = path.join(root, 'usr/share/qemu/firmware');
  if (!existsSync(dir)) return null;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const descriptor = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {
      features?: string[];
      mapping?: { filename?: string; executable?: { filename?: string } };
    };
    const file = descriptor.mapping?.filename ?? descriptor.mapping?.executable?.filename;
    if (descriptor.features?.includes(feature) && file) return path.join(root, file);
  }
  return null;
}

/** Lines of the firmware's boot manager and loader ("BdsDxe: …", "OVMF: …"), without the terminal escapes before them. */
function firmwareLines(serial: string): string[] {
  if (!existsSync(serial)) return [];
  return readFileSync(serial, 'latin1')
    .split(/\r?\n|\r/)
    .map((l) => /(?:BdsDxe|OVMF):.*/.exec(l)?.[0])
    .filter((l): l is string => l !== undefined);
}

/**
 * Starts `firmware` (as -bios) under TCG with `args`, reads its serial console into `serial` until `done` holds for
 * its lines (then `settleMs` more, for anything it says next) or four minutes pass, stops QEMU and returns the lines.
 */
export async function bootLines(
  firmware: string,
  args: readonly string[],
  serial: string,
  done: (lines: readonly string[]) => boolean,
  settleMs = 0,
): Promise<string[]> {
  const qemu = spawn(
    'qemu-system-x86_64',
    ['-machine', 'q35', '-accel', 'tcg', '-m', '1024', '-bios', firmware, '-nic', 'none', '-display', 'none', '-no-reboot'].concat(args, [
      '-serial',
      `file:${serial}`,
    ]),
    { stdio: 'ignore' },
  );
  try {
    const deadline = Date.now() + 240_000;
    while (!done(firmwareLines(serial)) && Date.now() < deadline && qemu.exitCode === null) await new Promise((r) => setTimeout(r, 500));
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    return firmwareLines(serial);
  } finally {
    qemu.kill();
  }
}
