import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_HOST_FACTS } from '../../src/contracts/facts';
import { LINUX_GUEST } from '../../test/engine-facts';
import { repoRoot } from '../../test/real-parts';
import { derive } from './derived';

const text = readFileSync(path.join(repoRoot, 'test/fixtures/domains/sev-q35.xml'), 'utf8');
const state = (secure: 'keep' | 'sev') =>
  derive({ text, host: NO_HOST_FACTS, guest: LINUX_GUEST, secure, migration: 'unknown', backends: {}, models: {}, manualXml: null });

describe("the store's derivation carries the SWIOTLB report (for the Review step and the data-path picture)", () => {
  it('none while the domain stays an ordinary VM', () => {
    const d = state('keep');
    expect(d.ok && [d.swiotlb, d.plannedSwiotlb]).toEqual([null, null]);
  });

  it('with the SEV goal: the report of the domain as it is to become, and of the planned XML', () => {
    const d = state('sev');
    if (!d.ok) throw new Error(d.problem);
    expect(d.swiotlb).toMatchObject({ defaultMiB: 256, recommendedMiB: 1024, parameter: 'swiotlb=524288', where: 'boot-loader' });
    // The planned XML writes out the implicit virtio-serial controller; the figures stay.
    const { defaultMiB, peakMiB, recommendedMiB, parameter } = d.swiotlb!;
    expect(d.plannedSwiotlb).toMatchObject({ defaultMiB, peakMiB, recommendedMiB, parameter });
    expect(d.swiotlb!.devices.map((x) => x.label)).toEqual(['disk vda', 'interface 52:54:00:5e:00:01']);
  });
});
