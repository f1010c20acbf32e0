/**
 * The lab's restore suites (R-MIG-01): on every generation a domain is started paused under TCG and saved once, then
 * restored with `virsh restore --xml` and each case's changed definition, where libvirt (or QEMU, as it loads the
 * state) runs its ABI check. The engine's comparison, with that generation's libvirt release, must find a problem
 * exactly where the restore is refused, and quote what was printed.
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

const TIMEOUT_MS = 120_000;

export interface RestoreCase {
  readonly what: string;
  readonly change: (saved: string) => string;
  /** What the restore must print (the generation's release may decide), or null where it must restore. */
  readonly refusal: (g: Generation) => RegExp | null;
}

export interface RestoreSuite {
  /** What the suite compares, for its title. */
  readonly title: string;
  /** Short, for the domain and folder names. */
  readonly label: string;
  /** The saved domain; `dir` is its folder as the daemon sees it, with an empty disk.img in it. */
  readonly domainXml: (name: string, dir: string) => string;
  /** One must be 'nothing changed', the definition as saved. */
  readonly cases: readonly RestoreCase[];
  /** The generations the suite is for (every one when absent), and what they have that the others lack. */
  readonly only?: { readonly generation: (g: Generation) => boolean; readonly because: string };
}

export function restoreSuite(s: RestoreSuite): void {
  const missing = missingParts('lab');
  const generations: Generation[] = missing ? [] : readLabState();
  const which = s.only ? `on the lab generations where ${s.only.because}` : 'on every lab generation';
  describe.skipIf(missing)(`${s.title} on restore, ${which} ${missing ? `(skipped: ${missing})` : ''}`, () => {
    for (const g of generations.filter((x) => !s.only || s.only.generation(x))) {
      describe(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu})`, { timeout: TIMEOUT_MS }, () => {
        const name = labDomainName(g, `${s.label}-abi`);
        // The daemon's view of the directory, and the same directory from here (inside the generation's root).
        const dir = `/var/lib/libvirt/vaw-${s.label}-${process.pid}`;
        const local = path.join(g.root ?? '/', dir);
        const image = `${dir}/domain.save`;
        let saved = '';
        let libvirt: VersionFact = { kind: 'unknown' };

        beforeAll(async () => {
          mkdirSync(local, { recursive: true });
          // QEMU runs as another user (libvirt-qemu) and must reach the disk image.
          chmodSync(local, 0o755);
          writeFileSync(path.join(local, 'disk.img'), Buffer.alloc(1024 * 1024));
          writeFileSync(path.join(local, 'domain.xml'), s.domainXml(name, dir));
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

        for (const c of s.cases) {
          it(`${c.what}: refused exactly when the engine finds a problem, with a message it quotes`, async () => {
            const destination = c.change(saved);
            // A change that does not apply to the saved definition would test nothing.
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
  });
}
