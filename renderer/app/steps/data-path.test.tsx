import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { parseDomainXml, readDomainFacts } from '../../../src/domain-xml';
import { sampleXml } from '../../../test/render-app';
import { DataPath, pathModel } from './data-path';

const q35 = readDomainFacts(parseDomainXml(sampleXml('sev-q35.xml')));

describe('data-path picture', () => {
  it('an ordinary VM without iommu: the device reads guest-physical memory directly', () => {
    expect(pathModel(q35, 'none', 'qemu', false)).toEqual({ dmaApi: false, bounce: false, iotlb: false, backend: 'qemu', broken: null });
  });

  it('a confidential VM with the bit: DMA API and SWIOTLB bounce buffers in shared memory', () => {
    const m = pathModel(q35, 'sev', 'vhost-kernel', true);
    expect([m.dmaApi, m.bounce, m.broken]).toEqual([true, true, null]);
    const { container } = render(<DataPath model={m} />);
    expect(container.querySelector('svg title')?.textContent).toBe(
      'Data path: Guest driver → DMA API → SWIOTLB bounce buffer in shared memory → vhost (host kernel)',
    );
  });

  it('a confidential VM without the bit is drawn broken, with the reason', () => {
    const m = pathModel(q35, 'sev', 'qemu', false);
    expect(m.broken).toMatch(/cannot decrypt/);
    const { container } = render(<DataPath model={m} />);
    expect(container.querySelector('rect.bad')).not.toBeNull();
    expect(container.textContent).toContain('the guest refuses it');
  });
});
