/**
 * `<vsock model='virtio-transitional'>`: libvirt hands QEMU vhost-vsock-pci-transitional (its own test data), a
 * device QEMU dropped in 5.1 when vhost-vsock became modern-only. libvirt cannot start a vsock here (no
 * /dev/vhost-vsock), so each generation's QEMU is asked for the device itself, as libvirt would name it, and the
 * engine, with that generation's QEMU version, must quote what QEMU said.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS, NO_HOST_FACTS } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { minimalDomainXml } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();

function qemuSays(g: Generation): string {
  const args = ['-nodefaults', '-display', 'none', '-S', '-monitor', 'none', '-machine', 'q35', '-device', 'vhost-vsock-pci-transitional'];
  const run = g.root
    ? spawnSync('chroot', [g.root, 'qemu-system-x86_64', ...args], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync('qemu-system-x86_64', args, { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).not.toBe(0);
  return run.stderr;
}

describe.skipIf(missing)(`a transitional vsock on every lab generation's QEMU ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    it(`${g.name} (QEMU ${g.qemu}): QEMU has no vhost-vsock-pci-transitional, and the engine quotes what it says`, () => {
      const said = qemuSays(g);
      const [major = 0, minor = 0, micro = 0] = g.qemu.split('.').map(Number);
      const xml = minimalDomainXml('vsock', { devices: "<vsock model='virtio-transitional'><cid auto='yes'/></vsock>" });
      const findings = evaluate({
        domain: readDomainFacts(parseDomainXml(xml)),
        host: { ...NO_HOST_FACTS, qemuVersion: { kind: 'exact', version: { major, minor, micro }, source: g.name } },
        guest: NO_GUEST_FACTS,
        goals: DEFAULT_GOALS,
      });
      const error = findings.find((f) => f.rule === 'R-XML-04' && f.severity === 'error' && f.target.startsWith('/domain/devices/vsock'));
      expect(
        error?.messages?.some((m) => said.includes(m)),
        `QEMU said: ${said}`,
      ).toBe(true);
    });
  }
});
