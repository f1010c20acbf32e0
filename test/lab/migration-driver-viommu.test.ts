/**
 * R-MIG-01's `<driver>` presence and vIOMMU comparisons against libvirt's own ABI check, on every generation of the
 * version lab: a q35 domain with a virtio disk, a virtio NIC with `<driver iommu='on'/>`, a virtio RNG without a
 * `<driver>` and an intel vIOMMU is started paused and saved once, then restored with `virsh restore --xml` and a
 * changed definition (ACPI is on because libvirt refuses a virtio vIOMMU without it). The engine's comparison, evaluated with that generation's libvirt release, must find a
 * problem exactly where the restore is refused, and quote what libvirt printed.
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

const domainXml = (name: string, dir: string) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='${dir}/disk.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='ethernet'>
      <model type='virtio'/>
      <driver iommu='on'/>
    </interface>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
    <memballoon model='none'/>
    <iommu model='intel'>
      <driver iotlb='on' caching_mode='on'/>
    </iommu>
  </devices>
</domain>
`;

interface Case {
  readonly what: string;
  readonly change: (saved: string) => string;
  /** What the restore must print (by the generation where the wording differs), or null where it must restore. */
  readonly refusal: (g: Generation) => RegExp | null;
}

/** The saved definition's element, by its opening tag, with `edit` applied to its text. */
function editElement(saved: string, open: RegExp, close: string, edit: (element: string) => string): string {
  const start = saved.search(open);
  if (start < 0) throw new Error(`no ${String(open)} in the saved definition`);
  const end = saved.indexOf(close, start) + close.length;
  return saved.slice(0, start) + edit(saved.slice(start, end)) + saved.slice(end);
}
const nic = (saved: string, edit: (e: string) => string) => editElement(saved, /<interface /, '</interface>', edit);
const disk = (saved: string, edit: (e: string) => string) => editElement(saved, /<disk /, '</disk>', edit);
const rng = (saved: string, edit: (e: string) => string) => editElement(saved, /<rng /, '</rng>', edit);
const iommu = (saved: string, edit: (e: string) => string) => editElement(saved, /<iommu /, '</iommu>', edit);
/** libvirt 12.8 counts the vIOMMUs in its message; 9.0 and 11.3 do not. */
const countedIommus = (g: Generation) => !/^(?:9|10|11)\./.test(g.libvirt);

const CASES: readonly Case[] = [
  {
    what: "the NIC's <driver iommu='on'/> removed (virtio options on the source only)",
    change: (x) => nic(x, (e) => e.replace(/\s*<driver iommu='on'\/>/, '')),
    refusal: () => /Target device virtio options don't match the source/,
  },
  {
    what: "the NIC's iommu 'on' -> 'off' (both sides hold options)",
    change: (x) => nic(x, (e) => e.replace("<driver iommu='on'/>", "<driver iommu='off'/>")),
    refusal: () => /Target device iommu option 'off' does not match source 'on'/,
  },
  {
    what: "the RNG given <driver ats='off'/> (an explicit default, on the destination only)",
    change: (x) => rng(x, (e) => e.replace('</rng>', "  <driver ats='off'/>\n    </rng>")),
    refusal: () => /Target device virtio options don't match the source/,
  },
  {
    what: 'the RNG given an empty <driver/> (libvirt does not write it back)',
    change: (x) => rng(x, (e) => e.replace('</rng>', '  <driver/>\n    </rng>')),
    refusal: () => null,
  },
  {
    what: "the RNG given <driver name='qemu'/> (an attribute libvirt does not hold for an RNG, so not written back)",
    change: (x) => rng(x, (e) => e.replace('</rng>', "  <driver name='qemu'/>\n    </rng>")),
    refusal: () => null,
  },
  {
    what: "the disk's <driver> removed (libvirt writes name='qemu' type='raw' back)",
    change: (x) => disk(x, (e) => e.replace(/\s*<driver [^>]*\/>/, '')),
    refusal: () => null,
  },
  {
    what: "the disk given iommu='on'",
    change: (x) => disk(x, (e) => e.replace(/<driver name='qemu' type='raw'/, "<driver name='qemu' type='raw' iommu='on'")),
    refusal: () => /Target device iommu option 'on' does not match source 'default'/,
  },
  {
    what: "the <iommu model='intel'> removed",
    change: (x) => iommu(x, () => ''),
    refusal: (g) =>
      countedIommus(g)
        ? /Target domain IOMMU device count 0 does not match source 1/
        : /Target domain IOMMU device count does not match source/,
  },
  {
    what: "the vIOMMU's iotlb 'on' -> 'off'",
    change: (x) => iommu(x, (e) => e.replace("iotlb='on'", "iotlb='off'")),
    refusal: () => /Target domain IOMMU device iotlb value 'off' does not match source 'on'/,
  },
  {
    what: "the vIOMMU's caching_mode removed",
    change: (x) => iommu(x, (e) => e.replace(" caching_mode='on'", '')),
    refusal: () => /Target domain IOMMU device caching mode 'default' does not match source 'on'/,
  },
  {
    what: "the vIOMMU given aw_bits='48'",
    change: (x) => iommu(x, (e) => e.replace('<driver ', "<driver aw_bits='48' ")),
    refusal: () => /Target domain IOMMU device aw_bits value '48' does not match source '0'/,
  },
  {
    what: "the vIOMMU's model intel -> virtio",
    change: (x) => iommu(x, () => "<iommu model='virtio'/>"),
    refusal: () => /Target domain IOMMU device model 'virtio' does not match source 'intel'/,
  },
  { what: 'nothing changed', change: (x) => x, refusal: () => null },
];

describe.skipIf(missing)(
  `<driver> presence and the vIOMMU on restore, on every lab generation ${missing ? `(skipped: ${missing})` : ''}`,
  () => {
    for (const g of generations) {
      describe(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu})`, { timeout: TIMEOUT_MS }, () => {
        const name = labDomainName(g, 'driver-viommu-abi');
        // The daemon's view of the directory, and the same directory from here (inside the generation's root).
        const dir = `/var/lib/libvirt/vaw-dvabi-${process.pid}`;
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

        /** libvirt's message when the restore is refused; '' when it restored (then stopped again). */
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
            expect(destination === saved).toBe(c.what === 'nothing changed');
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
  },
);
