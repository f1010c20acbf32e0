/**
 * A confidential guest under TCG: libvirt's check at define asks what the host and QEMU can do, not the domain's
 * type, so on a capable host a `<domain type='qemu'>` with `<launchSecurity>` reaches QEMU, which refuses it. Each
 * generation's QEMU is started here under TCG with each confidential object it has, as libvirt would start it,
 * and the engine's platform finding for such a domain, with that generation's versions, must quote what QEMU said.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS, NO_HOST_FACTS, type SecureType } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { readLabState, releaseAtLeast, type Generation } from '../lab';
import { missingParts } from '../real-parts';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();

interface Case {
  readonly type: SecureType;
  readonly binary: string;
  readonly object: string;
  readonly machine: string;
  /** The first QEMU with the object (sev-snp-guest 9.1, tdx-guest 10.1). */
  readonly since: readonly [number, number];
  readonly launchSecurity: string;
  readonly arch: string;
}

const CASES: readonly Case[] = [
  {
    type: 'sev',
    binary: 'qemu-system-x86_64',
    object: 'sev-guest,id=lsec0,cbitpos=47,reduced-phys-bits=1',
    machine: 'q35',
    since: [2, 12],
    launchSecurity: "<launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>",
    arch: 'x86_64',
  },
  {
    type: 'sev-snp',
    binary: 'qemu-system-x86_64',
    object: 'sev-snp-guest,id=lsec0,cbitpos=47,reduced-phys-bits=1',
    machine: 'q35',
    since: [9, 1],
    launchSecurity: "<launchSecurity type='sev-snp'><policy>0x00030000</policy></launchSecurity>",
    arch: 'x86_64',
  },
  {
    type: 'tdx',
    binary: 'qemu-system-x86_64',
    object: 'tdx-guest,id=lsec0',
    machine: 'q35',
    since: [10, 1],
    launchSecurity: "<launchSecurity type='tdx'/>",
    arch: 'x86_64',
  },
  {
    type: 's390-pv',
    binary: 'qemu-system-s390x',
    object: 's390-pv-guest,id=lsec0',
    machine: 's390-ccw-virtio',
    since: [6, 0],
    launchSecurity: "<launchSecurity type='s390-pv'/>",
    arch: 's390x',
  },
];

/** What QEMU printed when it refused the object under TCG (the generation's own binary, in its chroot). */
function qemuUnderTcg(g: Generation, c: Case): string {
  const args = ['-accel', 'tcg', '-nodefaults', '-display', 'none', '-S', '-monitor', 'none', '-serial', 'none'];
  args.push('-object', c.object, '-machine', `${c.machine},confidential-guest-support=lsec0`);
  const run = g.root
    ? spawnSync('chroot', [g.root, c.binary, ...args], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync(c.binary, args, { encoding: 'utf8', timeout: 60_000 });
  // Under TCG none may start: a timeout (still running) or an exit status of 0 would be a QEMU that runs it; QEMU
  // 7.2 aborts on a failed assertion (a signal, no status).
  expect(run.error, 'QEMU was still running after a minute').toBeUndefined();
  expect(run.status, run.stderr).not.toBe(0);
  return run.stderr;
}

const domainXml = (c: Case) =>
  `<domain type='qemu'><name>tcg</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='${c.arch}' machine='${c.machine}'>hvm</type></os>${c.launchSecurity}<devices><memballoon model='none'/></devices></domain>`;

const at = (version: string, since: readonly [number, number]) => releaseAtLeast(version, since[0], since[1]);

describe.skipIf(missing)(`confidential guests under TCG on every lab generation's QEMU ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const c of CASES.filter((x) => at(g.qemu, x.since))) {
      it(`${g.name} (QEMU ${g.qemu}): ${c.object.split(',')[0]} under TCG is refused, and the engine quotes what QEMU said`, () => {
        const said = qemuUnderTcg(g, c);
        const [major = 0, minor = 0, micro = 0] = g.qemu.split('.').map(Number);
        const host = { ...NO_HOST_FACTS, qemuVersion: { kind: 'exact' as const, version: { major, minor, micro }, source: g.name } };
        const findings = evaluate({
          domain: readDomainFacts(parseDomainXml(domainXml(c))),
          host,
          guest: NO_GUEST_FACTS,
          goals: DEFAULT_GOALS,
        });
        const platform = findings.find((f) => f.severity === 'error' && /needs a KVM/.test(f.title));
        expect(
          platform?.messages?.some((m) => said.includes(m)),
          `QEMU said: ${said}\nthe engine quotes: ${platform?.messages?.join(' | ')}`,
        ).toBe(true);
      });
    }
  }
});
