/**
 * UEFI on x86 needs <acpi/> on every generation of the version lab: libvirt refuses <os firmware='efi'> without it
 * when the domain is defined ("UEFI requires ACPI on this architecture", qemuValidateDomainDef in
 * src/qemu/qemu_validate.c), and accepts the engine's firmware fix, which writes both. The same check on the
 * system libvirtd alone is src/engine/uefi-acpi.libvirt.test.ts; this one holds it on libvirt 11 and 12 too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { uefiEdits } from '../../src/engine/edits';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineRefusal } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-uefi-acpi-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A BIOS q35 domain without <features>, as virt-install writes none when told nothing. */
const bare = (name: string) =>
  `<domain type='qemu'>\n  <name>${name}</name>\n  <memory unit='MiB'>256</memory>\n  <vcpu>1</vcpu>\n  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n  <devices>\n    <memballoon model='none'/>\n  </devices>\n</domain>\n`;

describe.skipIf(missing)(`UEFI needs ACPI on every lab generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    it(`${g.name} (libvirt ${g.libvirt}): firmware='efi' alone is refused at define, the engine's UEFI edits are defined`, async () => {
      const alone = labDomainName(g, 'uefi-alone');
      const edits = uefiEdits(readDomainFacts(parseDomainXml(bare(alone))));
      expect(edits.map((e) => e.op)).toEqual(['set-attribute', 'add-element']);
      expect(await defineRefusal(g.uri, alone, work, applyEdits(bare(alone), edits.slice(0, 1)))).toMatch(
        /UEFI requires ACPI on this architecture/,
      );
      const planned = labDomainName(g, 'uefi-acpi');
      expect(await defineRefusal(g.uri, planned, work, applyEdits(bare(planned), edits))).toBeNull();
    });
  }
});
