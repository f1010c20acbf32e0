/**
 * A confidential-guest-support object handed to QEMU in `<qemu:commandline>` rather than `<launchSecurity>`
 * (R-QEMU-01/commandline, /unlinked, /commandline-firmware). On every lab generation, under TCG: libvirt passes the
 * arguments on and marks the domain tainted (custom-argv); QEMU refuses the linked object (TCG has no confidential
 * guests), so the object reached it and was used, while the same object without the -machine link starts, so it
 * made nothing confidential; a SEV object without reduced-phys-bits is refused as it is made; and where libvirt
 * picks firmware at define, it picks an ordinary guest's. The engine,
 * with that generation's versions, must read each domain the way QEMU and libvirt treated it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { labDomainName, readLabState, releaseAtLeast, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineAndStart, definedXml, hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-cmdline-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const domainXml = (name: string, args: readonly string[], os = "<os><type arch='x86_64' machine='q35'>hvm</type></os>") =>
  `<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  ${os}
  <devices><memballoon model='none'/></devices>
  <qemu:commandline>${args.map((a) => `<qemu:arg value='${a}'/>`).join('')}</qemu:commandline>
</domain>
`;

const SEV_OBJECT = ['-object', 'sev-guest,id=cgs0,cbitpos=51,reduced-phys-bits=1'];
const SNP_OBJECT = ['-object', 'sev-snp-guest,id=cgs0,cbitpos=51,reduced-phys-bits=1'];
const LINK = ['-machine', 'confidential-guest-support=cgs0'];

/** The generation's log of a domain, and what it gained during `run`. */
async function logDuring(g: Generation, name: string, run: () => Promise<unknown>): Promise<string> {
  const file = path.join(g.root ?? '/', 'var/log/libvirt/qemu', `${name}.log`);
  const before = existsSync(file) ? statSync(file).size : 0;
  await run();
  return readFileSync(file).subarray(before).toString('utf8');
}

async function judge(g: Generation, xml: string) {
  const host = await hostFactsOf(g)('x86_64', 'q35');
  const domain = readDomainFacts(parseDomainXml(xml));
  return { domain, findings: evaluate({ domain, host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS }) };
}

describe.skipIf(missing)(
  `confidential objects in <qemu:commandline> on every lab generation ${missing ? `(skipped: ${missing})` : ''}`,
  () => {
    for (const g of generations) {
      it(`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu}): a linked sev-guest reaches QEMU, which refuses it under TCG; libvirt taints the domain; the engine reads AMD SEV from <qemu:commandline>`, async () => {
        const name = labDomainName(g, 'cmdline-linked');
        const xml = domainXml(name, [...SEV_OBJECT, ...LINK]);
        let seen: Awaited<ReturnType<typeof defineAndStart>> | undefined;
        const log = await logDuring(g, name, async () => (seen = await defineAndStart(g.uri, name, xml, work)));
        expect(seen?.started, 'QEMU ran a confidential object under TCG').toBe(false);
        expect(log).toContain('is tainted: custom-argv');
        const { domain, findings } = await judge(g, xml);
        expect(domain.launchSecurity).toMatchObject({ type: 'sev', present: false, commandline: { qomType: 'sev-guest', linked: true } });
        expect(findings.map((f) => f.rule + ' ' + f.title)).toContainEqual(
          expect.stringMatching(/^R-QEMU-01 AMD SEV comes from <qemu:commandline>/),
        );
      });

      it(`${g.name} (QEMU ${g.qemu}): the same object without the -machine link starts, and the engine calls the guest ordinary`, async () => {
        const name = labDomainName(g, 'cmdline-unlinked');
        const xml = domainXml(name, SEV_OBJECT);
        const seen = await defineAndStart(g.uri, name, xml, work);
        expect(seen.started, seen.started ? '' : seen.text).toBe(true);
        const { domain, findings } = await judge(g, xml);
        expect(domain.launchSecurity.type).toBe('none');
        expect(findings.some((f) => f.rule === 'R-QEMU-01' && f.severity === 'warning' && /not confidential/.test(f.title))).toBe(true);
      });

      it(`${g.name} (QEMU ${g.qemu}): a linked sev-snp-guest is refused by QEMU in the words the engine quotes for a QEMU without SNP, or for TCG`, async () => {
        const name = labDomainName(g, 'cmdline-snp');
        const xml = domainXml(name, [...SNP_OBJECT, ...LINK]);
        const seen = await defineAndStart(g.uri, name, xml, work);
        expect(seen.started).toBe(false);
        const said = seen.started ? '' : seen.text;
        const { findings } = await judge(g, xml);
        if (releaseAtLeast(g.qemu, 9, 1)) {
          expect(said).toContain('KVM required');
          expect(findings.some((f) => f.rule === 'R-SNP-01' && f.title.includes('needs QEMU'))).toBe(false);
        } else {
          const qemuFinding = findings.find((f) => f.rule === 'R-SNP-01' && f.title.includes('needs QEMU 9.1'));
          expect(
            qemuFinding?.messages?.some((m) => said.includes(m)),
            `QEMU said: ${said}`,
          ).toBe(true);
        }
      });

      for (const linked of [true, false])
        it(`${g.name} (QEMU ${g.qemu}): a sev-guest without reduced-phys-bits, ${linked ? 'linked' : 'linked to nothing'}, is refused as QEMU makes it, in the words the engine quotes`, async () => {
          const name = labDomainName(g, `cmdline-values-${String(linked)}`);
          const xml = domainXml(name, ['-object', 'sev-guest,id=cgs0,cbitpos=51', ...(linked ? LINK : [])]);
          const seen = await defineAndStart(g.uri, name, xml, work);
          expect(seen.started).toBe(false);
          const said = seen.started ? '' : seen.text;
          const { findings } = await judge(g, xml);
          const finding = findings.find((f) => f.rule === 'R-QEMU-01' && f.severity === 'error' && /reduced-phys-bits/.test(f.title));
          expect(
            finding?.messages?.some((m) => said.includes(m)),
            `QEMU said: ${said}\nthe engine quotes: ${finding?.messages?.join(' | ')}`,
          ).toBe(true);
        });

      it(`${g.name} (libvirt ${g.libvirt}): with <os firmware='efi'> libvirt picks no SEV-SNP firmware for the commandline object, as the engine says`, async () => {
        const name = labDomainName(g, 'cmdline-firmware');
        const xml = domainXml(
          name,
          [...SNP_OBJECT, ...LINK],
          "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>",
        );
        const defined = await definedXml(g.uri, name, work, xml);
        const loader = /<loader\b[^>]*>([^<]*)<\/loader>/.exec(defined);
        // libvirt 9.0 picks firmware only at start; 11.3 and 12.8 at define, where it can be read.
        if (loader) {
          expect(loader[1]).not.toMatch(/amdsev/i);
          expect(loader[0]).toContain("type='pflash'");
        } else expect(g.libvirt.startsWith('9.')).toBe(true);
        const { findings } = await judge(g, xml);
        const finding = findings.find((f) => f.rule === 'R-QEMU-01' && f.severity === 'error' && /firmware/.test(f.title));
        expect(finding?.messages).toContain('pflash with kvm requires KVM readonly memory support');
        // The records about what libvirt picks for <launchSecurity type='sev-snp'> stay silent.
        expect(findings.filter((f) => f.rule === 'R-SNP-01' && /firmware/.test(f.title))).toEqual([]);
      });
    }
  },
);
