import { fireEvent, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { axeViolations, renderAt } from '../../../test/render-app';
import { derive } from '../../store/derived';
import { useWizard } from '../../store/store';

beforeAll(() => {
  installRealBridge();
});

describe('Platform step', () => {
  it('offers a model choice for PCI devices, and shows what the chosen model implies at once', () => {
    renderAt('platform', 'transitional-i440fx.xml');
    const select = screen.getByLabelText<HTMLSelectElement>(/^Virtio model of interface/);
    expect(select.value).toBe('virtio-transitional');
    const row = select.closest('tr')!;
    expect(row.textContent).toMatch(/Transitional: keeps the legacy interface/);
    fireEvent.change(select, { target: { value: 'virtio-non-transitional' } });
    expect(Object.values(useWizard.getState().models)).toEqual(['virtio-non-transitional']);
    expect(row.textContent).toMatch(/Non-transitional: modern only/);
    const d = derive(useWizard.getState());
    expect(d.ok && d.diff).toMatch(/^\+.*virtio-non-transitional/m);
  });

  it('shows ccw and mmio devices without a model choice (their transport decides)', async () => {
    const { container } = renderAt('platform', 's390-pv.xml');
    expect(screen.queryAllByLabelText(/^Virtio model of/)).toEqual([]);
    expect(container.textContent).toMatch(/virtio-ccw:/);
    expect(await axeViolations(container)).toEqual([]);
  });
});
