/**
 * Test domains on the real libvirtd (qemu:///system): the fixtures under test/fixtures/libvirt with a name of the
 * test's own, defined directly with virsh (the "before" state a user already has), read back, and started paused
 * under TCG. Every suite that touches the daemon uses these, so cleanup and timeouts are the same everywhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runVirsh } from '../main/services/virsh';
import { repoRoot } from './real-parts';

export const SYSTEM = 'qemu:///system';

/** A fixture of test/fixtures/libvirt with its <name> replaced. */
export function fixtureNamed(file: string, name: string): string {
  return readFileSync(path.join(repoRoot, 'test/fixtures/libvirt', file), 'utf8').replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`);
}

/** `virsh define` of an XML text, through a private temporary file. */
export function defineXml(xml: string): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-define-'));
  try {
    writeFileSync(path.join(dir, 'domain.xml'), xml);
    execFileSync('virsh', ['-c', SYSTEM, 'define', path.join(dir, 'domain.xml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The inactive definition as libvirt holds it now. */
export function inactiveXml(name: string): string {
  return execFileSync('virsh', ['-c', SYSTEM, 'dumpxml', '--inactive', name], { encoding: 'utf8' });
}

/** Starts the defined domain paused (QEMU really runs), returns its state, and destroys it again. */
export async function stateWhenStartedPaused(name: string): Promise<string> {
  await runVirsh(SYSTEM, ['start', '--paused', name], { timeoutMs: 60_000 });
  try {
    return (await runVirsh(SYSTEM, ['domstate', name])).trim();
  } finally {
    await runVirsh(SYSTEM, ['destroy', name]).catch(() => undefined);
  }
}

/** Destroys and undefines every domain whose name starts with `prefix` (a suite's own, after it ran). */
export async function removeDomains(prefix: string): Promise<void> {
  for (const name of (await runVirsh(SYSTEM, ['list', '--all', '--name'])).split('\n').map((s) => s.trim())) {
    if (!name.startsWith(prefix)) continue;
    await runVirsh(SYSTEM, ['destroy', name]).catch(() => undefined);
    await runVirsh(SYSTEM, ['undefine', name]).catch(() => undefined);
  }
}
