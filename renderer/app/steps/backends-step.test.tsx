import { fireEvent, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { renderAt } from '../../../test/render-app';
import { derive } from '../../store/derived';
import { useWizard } from '../../store/store';

beforeAll(() => {
  installRealBridge();
});

const options = (label: RegExp) => [...screen.getByLabelText<HTMLSelectElement>(label).options].map((o) => o.value);

describe('Backends step', () => {
  it('offers each device only the backends libvirt can give it', () => {
    renderAt('backends', 'sev-q35.xml');
    expect(options(/^disk vda$/)).toEqual(['qemu', 'vhost-user', 'vdpa']);
    expect(options(/^interface/)).toEqual(['unknown', 'qemu', 'vhost-kernel', 'vhost-user', 'vdpa']);
    expect(options(/^rng$/)).toEqual(['qemu']);
  });

  it('a chosen backend changes the findings (vhost-user NIC: the backend must offer the bit)', () => {
    renderAt('backends', 'sev-q35.xml');
    useWizard.getState().setSecure('sev');
    fireEvent.change(screen.getByLabelText(/^interface/), { target: { value: 'vhost-user' } });
    expect(Object.values(useWizard.getState().backends)).toEqual(['vhost-user']);
    const d = derive(useWizard.getState());
    expect(d.ok && d.findings.filter((f) => f.target.startsWith('/domain/devices/interface')).map((f) => f.rule)).toEqual(
      expect.arrayContaining(['R-BE-03']),
    );
  });
});
