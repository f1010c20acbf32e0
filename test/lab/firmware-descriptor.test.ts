/**
 * A SEV-ES or SEV-SNP domain that leaves its firmware to libvirt (R-SEVES-01 / R-SNP-01 firmware-descriptor):
 * libvirt picks only a firmware whose descriptor lists amd-sev-es / amd-sev-snp. Debian 13's edk2 has none, so
 * libvirt 11.3 there refuses the domain at define in the record's words; Debian sid's has OVMF.amdsev.fd, so
 * libvirt 12.8 gets past the firmware (and, with no SEV host here, refuses the technology itself, or, for
 * SEV-ES, defines it). The engine warns for both, since it cannot know the host's packages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineRefusal, hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState().filter((g) => g.name === 'trixie' || g.name === 'sid');
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-fw-descriptor-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FIRMWARE_REFUSAL = "Unable to find 'efi' firmware that is compatible with the current configuration";

const CASES = [
  { type: 'SEV-SNP', rule: 'R-SNP-01', launchSecurity: "<launchSecurity type='sev-snp'><policy>0x00030000</policy></launchSecurity>" },
  {
    type: 'SEV-ES',
    rule: 'R-SEVES-01',
    launchSecurity:
      "<launchSecurity type='sev'><cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits><policy>0x0007</policy></launchSecurity>",
  },
] as const;

function domainXml(name: string, launchSecurity: string): string {
  return `<domain type='kvm'>
  <name>${name}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type><loader stateless='yes'/></os>
  <features><acpi/><smm state='off'/></features>
  <cpu mode='host-passthrough'/>
  <devices><memballoon model='none'/></devices>
  ${launchSecurity}
</domain>
`;
}

describe.skipIf(missing)(`a SEV-ES or SEV-SNP domain without a named firmware ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const c of CASES) {
      const debian13 = g.name === 'trixie';
      it(`${g.name} (libvirt ${g.libvirt}), ${c.type}: ${debian13 ? 'refused for want of a descriptor, in the words the engine quotes' : 'past the firmware'}; the engine warns on both`, async () => {
        const name = labDomainName(g, `fw-descriptor-${c.type.toLowerCase()}`);
        const xml = domainXml(name, c.launchSecurity);
        const refusal = await defineRefusal(g.uri, name, work, xml);
        if (debian13) expect(refusal).toContain(FIRMWARE_REFUSAL);
        else expect(refusal ?? 'defined').not.toContain(FIRMWARE_REFUSAL);
        const host = await hostFactsOf(g)('x86_64', 'q35');
        const finding = evaluate({ domain: readDomainFacts(parseDomainXml(xml)), host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS }).find(
          (f) => f.rule === c.rule && f.title.includes('descriptor'),
        );
        expect(finding?.severity).toBe('warning');
        expect(finding?.messages).toContain(FIRMWARE_REFUSAL);
      });
    }
  }
});
