/**
 * UEFI on x86 needs <acpi/>: libvirt refuses <os firmware='efi'> without it at define ("UEFI requires ACPI on this
 * architecture", qemu_validate.c). The engine's firmware fix (SEV, SNP, TDX) writes both; checked on the real
 * libvirtd, which refuses the firmware edit alone and accepts the engine's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { applyEdits, parseDomainXml, readDomainFacts } from '../domain-xml';
import { defineXml, fixtureNamed, removeDomains } from '../../test/libvirt-domains';
import { missingParts } from '../../test/real-parts';
import { uefiEdits } from './edits';

const prefix = `vaw-acpi-${process.pid}-`;
const missing = missingParts('libvirtd', 'qemu');

describe.skipIf(missing)(`UEFI with ACPI on the real libvirtd ${missing ? `(skipped: ${missing})` : ''}`, () => {
  afterAll(() => removeDomains(prefix));

  /** A BIOS domain of the fixtures, which has no <features> at all. */
  const withoutAcpi = (name: string) => fixtureNamed('tcg-q35.xml', name);

  it("libvirt refuses firmware='efi' alone without <acpi/>, and accepts the engine's UEFI edits", () => {
    const bare = withoutAcpi(`${prefix}bare`);
    const facts = readDomainFacts(parseDomainXml(bare));
    expect(facts.firmware.acpi).toBe(false);
    const edits = uefiEdits(facts);
    expect(edits.map((e) => e.op)).toEqual(['set-attribute', 'add-element']);

    expect(() => defineXml(applyEdits(bare, edits.slice(0, 1)))).toThrow(/UEFI requires ACPI on this architecture/);
    const planned = applyEdits(withoutAcpi(`${prefix}planned`), edits);
    expect(() => defineXml(planned)).not.toThrow();
    expect(readDomainFacts(parseDomainXml(planned)).firmware).toMatchObject({ kind: 'efi', acpi: true });
  });
});
