import { fireEvent, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, renderAt } from '../../../test/render-app';
import { installRealBridge } from '../../../test/renderer-bridge';
import { derive } from '../../store/derived';

beforeAll(() => {
  installRealBridge();
});

describe('Platform step', () => {
  it('offers a model choice for PCI devices, and shows what the engine says the chosen model means at once', () => {
    const { store } = renderAt('platform', 'transitional-i440fx.xml');
    const select = screen.getByLabelText<HTMLSelectElement>(/^Virtio model of interface/);
    expect(select.value).toBe('virtio-transitional');
    const card = select.closest('[data-testid="device-card"]')!;
    expect(card.textContent).toMatch(/Legacy interfaceyes/);
    fireEvent.change(select, { target: { value: 'virtio-non-transitional' } });
    expect(Object.values(store.getState().models)).toEqual(['virtio-non-transitional']);
    expect(card.textContent).toMatch(/Legacy interfaceno/);
    const d = derive(store.getState());
    expect(d.ok && d.diff).toMatch(/^\+.*virtio-non-transitional/m);
  });

  it('shows ccw and mmio devices without a model choice (their transport decides)', async () => {
    const { container } = renderAt('platform', 's390-pv.xml');
    expect(screen.queryAllByLabelText(/^Virtio model of/)).toEqual([]);
    expect(container.textContent).toMatch(/Transportccw/);
    expect(await axeViolations(container)).toEqual([]);
  });
});
