/**
 * A SEV-SNP domain that asks libvirt for a Secure Boot firmware (R-SNP-01/secure-boot): with SMM off, as SEV-SNP
 * needs, libvirt finds none on libvirt 11.3 (Debian 13) or 12.8 (sid), whose sid has a SEV-SNP firmware for the same
 * domain without the request. The engine must call the request an error in libvirt's words, and the plan must take
 * it out, after which libvirt 12.8 gets past the firmware (and, with no SEV host here, refuses the technology).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CAPABLE_HOST } from '../engine-facts';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluateAndPlan } from '../../src/engine';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineRefusal } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState().filter((g) => g.name === 'trixie' || g.name === 'sid');
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-snp-sb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FIRMWARE_REFUSAL = "Unable to find 'efi' firmware that is compatible with the current configuration";

const domainXml = (name: string) => `<domain type='kvm'>
  <name>${name}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
    <firmware><feature enabled='yes' name='enrolled-keys'/><feature enabled='yes' name='secure-boot'/></firmware>
    <loader stateless='yes'/>
  </os>
  <features><acpi/><smm state='off'/></features>
  <cpu mode='host-passthrough'/>
  <devices><memballoon model='none'/></devices>
  <launchSecurity type='sev-snp'><policy>0x00030000</policy></launchSecurity>
</domain>
`;

describe.skipIf(missing)(`a SEV-SNP domain asking for Secure Boot ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    it(`${g.name} (libvirt ${g.libvirt}): refused for want of a firmware, an error the plan takes out`, async () => {
      const name = labDomainName(g, 'snp-secure-boot');
      const xml = domainXml(name);
      expect(await defineRefusal(g.uri, name, work, xml)).toContain(FIRMWARE_REFUSAL);
      const { findings, plan } = evaluateAndPlan({
        domain: readDomainFacts(parseDomainXml(xml)),
        host: CAPABLE_HOST,
        guest: NO_GUEST_FACTS,
        goals: DEFAULT_GOALS,
      });
      const error = findings.find((f) => f.rule === 'R-SNP-01' && f.severity === 'error' && /Secure Boot/.test(f.title));
      expect(error?.messages).toContain(FIRMWARE_REFUSAL);
      const planned = applyEdits(xml, plan.edits);
      expect(planned).not.toContain("name='secure-boot'");
      const after = await defineRefusal(g.uri, name, work, planned);
      if (g.name === 'sid') expect(after ?? 'defined').not.toContain(FIRMWARE_REFUSAL);
    });
  }
});
