/**
 * The lab generations' UEFI firmware, for the suites that check what a confidential guest's firmware can boot: the
 * file libvirt would pick for a feature (from the generation's firmware descriptors, in libvirt's order), and what the
 * firmware prints on the serial console when started under TCG.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Generation } from '../lab';

/** A firmware as its descriptor maps it: mapped to memory (-bios), or pflash code with a variable-store template. */
export type Firmware =
  | { readonly device: 'memory'; readonly file: string; readonly features: readonly string[] }
  | { readonly device: 'flash'; readonly file: string; readonly vars: string; readonly features: readonly string[] };

interface Descriptor {
  readonly features?: string[];
  readonly mapping?: {
    readonly device?: string;
    readonly filename?: string;
    readonly executable?: { readonly filename?: string };
    readonly 'nvram-template'?: { readonly filename?: string };
  };
}

/** The first descriptor (by name, as libvirt reads them) that lists `feature` and none of `without`, or null. */
export function firmwareWith(g: Generation, feature: string, without: readonly string[] = []): Firmware | null {
  const root = g.root ?? '/';
  const dir = path.join(root, 'usr/share/qemu/firmware');
  if (!existsSync(dir)) return null;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const d = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Descriptor;
    const features = d.features ?? [];
    if (!features.includes(feature) || without.some((w) => features.includes(w))) continue;
    const m = d.mapping ?? {};
    if (m.device === 'memory' && m.filename) return { device: 'memory', file: path.join(root, m.filename), features };
    const code = m.executable?.filename;
    const vars = m['nvram-template']?.filename;
    if (m.device === 'flash' && code && vars)
      return { device: 'flash', file: path.join(root, code), vars: path.join(root, vars), features };
  }
  return null;
}

/**
 * QEMU's arguments for `fw`, as libvirt gives them: -bios for memory, pflash code (read-only) and a copy of the
 * variable store in `dir` for flash, with SMM and a secure flash where the descriptor requires SMM.
 */
export function firmwareArgs(fw: Firmware, dir: string): string[] {
  if (fw.device === 'memory') return ['-machine', 'q35', '-bios', fw.file];
  const vars = path.join(dir, `${path.basename(fw.vars)}.copy`);
  copyFileSync(fw.vars, vars);
  const smm = fw.features.includes('requires-smm');
  return [
    '-machine',
    `q35,smm=${smm ? 'on' : 'off'}`,
    ...(smm ? ['-global', 'driver=cfi.pflash01,property=secure,value=on'] : []),
    '-drive',
    `if=pflash,format=raw,unit=0,readonly=on,file=${fw.file}`,
    '-drive',
    `if=pflash,format=raw,unit=1,file=${vars}`,
  ];
}

/** The serial console's lines so far. */
function consoleLines(serial: string): string[] {
  return existsSync(serial) ? readFileSync(serial, 'latin1').split(/\r?\n|\r/) : [];
}

/**
 * Starts QEMU under TCG with `args` (firmwareArgs and what is booted), reads its serial console into `serial` until
 * `done` holds for its lines (then `settleMs` more, for anything it says next) or four minutes pass, stops QEMU and
 * returns the lines (the firmware's own start with its terminal escapes).
 */
export async function bootLines(
  args: readonly string[],
  serial: string,
  done: (lines: readonly string[]) => boolean,
  settleMs = 0,
): Promise<string[]> {
  const qemu = spawn(
    'qemu-system-x86_64',
    ['-accel', 'tcg', '-m', '1024', '-nic', 'none', '-display', 'none', '-no-reboot', ...args, '-serial', `file:${serial}`],
    { stdio: 'ignore' },
  );
  try {
    const deadline = Date.now() + 240_000;
    while (!done(consoleLines(serial)) && Date.now() < deadline && qemu.exitCode === null) await new Promise((r) => setTimeout(r, 500));
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    return consoleLines(serial);
  } finally {
    qemu.kill();
  }
}
