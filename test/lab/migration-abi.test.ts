/**
 * R-MIG-01's queue counts against libvirt's and QEMU's own checks, on every generation of the version lab: a
 * domain with a virtio disk (queues, queue_size) and a multiqueue virtio NIC is started paused and saved, then
 * restored with `virsh restore --xml` and a changed definition. The engine's comparison, evaluated with that
 * generation's libvirt release, must find a problem exactly where the restore is refused, and quote what was
 * printed: libvirt's message for the disk everywhere and for the NIC from 11.4, QEMU's before (libvirt then lets
 * the NIC through and QEMU refuses its state).
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVirsh, VirshError } from '../../main/services/virsh';
import type { VersionFact } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { compareForMigration } from '../../src/engine';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const TIMEOUT_MS = 120_000;

/** The domain: a tap NIC (libvirt allows multiqueue only on tap-like types) and a raw disk, nothing else. */
const domainXml = (name: string, dir: string) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' queues='2' queue_size='256'/>
      <source file='${dir}/disk.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='ethernet'>
      <model type='virtio'/>
      <driver queues='2'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
`;

interface Case {
  readonly what: string;
  readonly change: (saved: string) => string;
  /** What the restore must print (the generation's release decides for the NIC), or null where it must restore. */
  readonly refusal: (g: Generation) => RegExp | null;
}

const nicQueues = (saved: string, queues: string) =>
  saved.replace(/(<interface type='ethernet'>[\s\S]*?<driver) queues='2'/, `$1 queues='${queues}'`);
const nicChecked = (g: Generation) => !/^(?:9|10|11\.[0-3])\./.test(g.libvirt);

const CASES: readonly Case[] = [
  {
    what: "the disk's queues 2 -> 4",
    change: (x) => x.replace("queues='2' queue_size='256'", "queues='4' queue_size='256'"),
    refusal: () => /Target disk queue count 4 does not match source 2/,
  },
  {
    what: "the disk's queue_size 256 -> 512 (libvirt's message shows the queue counts)",
    change: (x) => x.replace("queue_size='256'", "queue_size='512'"),
    refusal: () => /Target disk queue size 2 does not match source 2/,
  },
  {
    what: "the NIC's queues 2 -> 4",
    change: (x) => nicQueues(x, '4'),
    refusal: (g) =>
      nicChecked(g) ? /Target virtio network queue count '4' does not match source '2'/ : /Bad config data|load of migration failed/,
  },
  {
    what: "the NIC's queues 2 -> 1 (libvirt's default, held as 0)",
    change: (x) => nicQueues(x, '1'),
    refusal: (g) =>
      nicChecked(g) ? /Target virtio network queue count '0' does not match source '2'/ : /Bad config data|load of migration failed/,
  },
  { what: 'nothing changed', change: (x) => x, refusal: () => null },
];

describe.skipIf(missing)(`virtio queue counts on restore, on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    describe(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu})`, { timeout: TIMEOUT_MS }, () => {
      const name = labDomainName(g, 'queues-abi');
      // The daemon's view of the directory, and the same directory from here (inside the generation's root).
      const dir = `/var/lib/libvirt/vaw-abi-${process.pid}`;
      const local = path.join(g.root ?? '/', dir);
      const image = `${dir}/domain.save`;
      let saved = '';
      let libvirt: VersionFact = { kind: 'unknown' };

      beforeAll(async () => {
        mkdirSync(local, { recursive: true });
        // QEMU runs as another user (libvirt-qemu) and must reach the disk image.
        chmodSync(local, 0o755);
        writeFileSync(path.join(local, 'disk.img'), Buffer.alloc(1024 * 1024));
        writeFileSync(path.join(local, 'domain.xml'), domainXml(name, dir));
        libvirt = (await hostFactsOf(g)('x86_64', 'q35')).libvirtVersion;
        await runVirsh(g.uri, ['define', path.join(local, 'domain.xml')], { timeoutMs: TIMEOUT_MS });
        await runVirsh(g.uri, ['start', '--paused', name], { timeoutMs: TIMEOUT_MS });
        await runVirsh(g.uri, ['save', name, image], { timeoutMs: TIMEOUT_MS });
        saved = await runVirsh(g.uri, ['save-image-dumpxml', image]);
      }, TIMEOUT_MS);

      afterAll(async () => {
        await runVirsh(g.uri, ['destroy', name]).catch(() => undefined);
        await runVirsh(g.uri, ['undefine', name]).catch(() => undefined);
        rmSync(local, { recursive: true, force: true });
      });

      /** libvirt's or QEMU's message when the restore is refused; '' when it restored (then stopped again). */
      async function restoreWith(xml: string): Promise<string> {
        const file = path.join(local, 'dest.xml');
        writeFileSync(file, xml);
        try {
          await runVirsh(g.uri, ['restore', image, '--xml', file], { timeoutMs: TIMEOUT_MS });
        } catch (e) {
          if (e instanceof VirshError && e.code !== 'timeout' && e.code !== 'cannot-connect' && e.code !== 'daemon-down') return e.stderr;
          throw e;
        }
        await runVirsh(g.uri, ['destroy', name]);
        return '';
      }

      for (const c of CASES) {
        it(`${c.what}: refused exactly when the engine finds a problem, with a message it quotes`, async () => {
          const destination = c.change(saved);
          const findings = compareForMigration(
            readDomainFacts(parseDomainXml(saved)),
            readDomainFacts(parseDomainXml(destination)),
            libvirt,
          );
          const printed = await restoreWith(destination);
          const refusal = c.refusal(g);
          if (refusal === null) {
            expect(printed).toBe('');
            expect(findings).toEqual([]);
            return;
          }
          expect(printed).toMatch(refusal);
          expect(findings.filter((f) => f.severity === 'error').length).toBeGreaterThan(0);
          const quoted = findings.flatMap((f) => f.messages ?? []);
          expect(
            quoted.some((m) => printed.includes(m)),
            `${quoted.join(' | ')} in: ${printed}`,
          ).toBe(true);
        });
      }
    });
  }
});
