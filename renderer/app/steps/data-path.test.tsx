import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { EngineInput } from '../../../src/contracts/engine';
import { DEFAULT_GOALS, NO_GUEST_FACTS, NO_HOST_FACTS } from '../../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../../src/domain-xml';
import { deviceStates } from '../../../src/engine';
import { sampleXml } from '../../../test/render-app';
import { DataPath, pathModel } from './data-path';

const input = (xml: string, secure: EngineInput['goals']['secure']): EngineInput => ({
  domain: readDomainFacts(parseDomainXml(xml)),
  host: NO_HOST_FACTS,
  guest: NO_GUEST_FACTS,
  goals: { ...DEFAULT_GOALS, secure },
});
const rng = (i: EngineInput) => deviceStates(i).find((d) => d.function === 'rng')!;
const sev = sampleXml('sev-q35.xml').replace(
  '</devices>',
  "</devices>\n  <launchSecurity type='sev'><cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits><policy>0x0003</policy></launchSecurity>",
);

describe('data-path picture', () => {
  it('an ordinary VM without iommu: the device reads guest-physical memory directly', () => {
    const m = pathModel(rng(input(sampleXml('sev-q35.xml'), 'none')), 'none');
    expect([m.summary, m.broken]).toEqual(['Guest driver → guest-physical addresses → QEMU device', null]);
  });

  it('a confidential VM with the bit: DMA API and SWIOTLB bounce buffers in shared memory', () => {
    const m = pathModel(rng(input(sev.replace("<rng model='virtio'>", "<rng model='virtio'>\n      <driver iommu='on'/>"), 'sev')), 'sev');
    expect(m.summary).toBe('Guest driver → DMA API → SWIOTLB bounce buffer in shared memory → QEMU device');
    const { container } = render(<DataPath model={m} />);
    expect(container.querySelector('ol')?.getAttribute('aria-label')).toBe(`Data path: ${m.summary}`);
    expect([...container.querySelectorAll('.vaw-path-label')].map((e) => e.textContent)).toEqual([
      'Guest driver',
      'DMA API',
      'SWIOTLB',
      'QEMU device',
    ]);
  });

  it('a confidential VM without the bit is drawn broken, with the reason', () => {
    const m = pathModel(rng(input(sev.replace("<rng model='virtio'>", "<rng model='virtio'>\n      <driver iommu='off'/>"), 'sev')), 'sev');
    expect(m.broken).toMatch(/cannot decrypt/);
    const { container } = render(<DataPath model={m} />);
    expect(container.querySelector('.vaw-tone-bad')).not.toBeNull();
    expect(container.textContent).toContain('the guest refuses it');
  });
});
