/**
 * A virtio-iommu on aarch64 with <acpi/> but no UEFI (R-VIOMMU-01/acpi-uefi): libvirt refuses ACPI there without
 * UEFI. On the lab generations with an aarch64 emulator the domain is defined with and without UEFI, and the engine,
 * with that generation's versions, must call it an error exactly when libvirt refuses it for ACPI, in its words (the
 * chroots have no aarch64 UEFI firmware, so with UEFI libvirt may stop at the firmware instead).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineRefusal, expectErrorExactlyWhenRefused } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState().filter((g) => g.name === 'trixie' || g.name === 'sid');
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-arm-acpi-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const domainXml = (name: string, uefi: boolean) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os${uefi ? " firmware='efi'" : ''}><type arch='aarch64' machine='virt'>hvm</type></os>
  <features><acpi/></features>
  <cpu mode='custom'><model>cortex-a57</model></cpu>
  <devices>
    <iommu model='virtio'/>
    <memballoon model='none'/>
  </devices>
</domain>
`;

describe.skipIf(missing)(`a virtio-iommu on aarch64 with ACPI ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const uefi of [false, true]) {
      it(`${g.name} (libvirt ${g.libvirt}) ${uefi ? 'with' : 'without'} UEFI: an error exactly when libvirt refuses it`, async () => {
        const name = labDomainName(g, `arm-acpi-${uefi ? 'uefi' : 'bios'}`);
        const xml = domainXml(name, uefi);
        const refusal = await defineRefusal(g.uri, name, work, xml);
        // With UEFI the lab's libvirt may find no aarch64 firmware (no AAVMF in the chroots): a refusal that is not the
        // ACPI one counts as accepted here.
        const acpiRefusal = refusal !== null && refusal.includes('ACPI') ? refusal : null;
        if (!uefi) expect(acpiRefusal, refusal ?? 'defined').not.toBeNull();
        await expectErrorExactlyWhenRefused(g, xml, acpiRefusal, (f) => f.rule === 'R-VIOMMU-01');
      });
    }
  }
});
