import { fireEvent, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NOTES } from '../../../src/engine';
import { renderAt } from '../../../test/render-app';
import { installRealBridge } from '../../../test/renderer-bridge';
import { derive } from '../../store/derived';

beforeAll(() => {
  installRealBridge();
});

const options = (label: RegExp) => [...screen.getByLabelText<HTMLSelectElement>(label).options].map((o) => o.value);

describe('Backends step', () => {
  it('offers each device only the backends libvirt can give it (the engine’s list)', () => {
    renderAt('backends', 'sev-q35.xml');
    expect(options(/^disk vda$/)).toEqual(['qemu', 'vhost-user', 'vdpa']);
    expect(options(/^interface/)).toEqual(['unknown', 'qemu', 'vhost-kernel', 'vhost-user', 'vdpa']);
    expect(options(/^rng$/)).toEqual(['qemu']);
  });

  it('a chosen backend changes the findings (vhost-user NIC: the backend must offer the bit), with the engine’s note', () => {
    const { store } = renderAt('backends', 'sev-q35.xml');
    store.getState().setSecure('sev');
    fireEvent.change(screen.getByLabelText(/^interface/), { target: { value: 'vhost-user' } });
    expect(Object.values(store.getState().backends)).toEqual(['vhost-user']);
    expect(screen.getByText(BACKEND_NOTES['vhost-user'])).toBeTruthy();
    const d = derive(store.getState());
    expect(d.ok && d.findings.filter((f) => f.target.startsWith('/domain/devices/interface')).map((f) => f.rule)).toEqual(
      expect.arrayContaining(['R-BE-03']),
    );
  });
});
