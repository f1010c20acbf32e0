import { act, fireEvent, screen } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../test/real-parts';
import { useWizard } from '../../store/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { renderAt } from '../../../test/render-app';
import { isLibvirtManagedPath as managedByLibvirt } from '../../../src/host';

beforeAll(() => {
  installRealBridge();
});

describe('Apply step', () => {
  it('recognises the files libvirt keeps for itself', () => {
    expect(managedByLibvirt('/etc/libvirt/qemu/guest.xml')).toBe(true);
    expect(managedByLibvirt('/run/libvirt/qemu/guest.xml')).toBe(true);
    expect(managedByLibvirt('/home/me/guest.xml')).toBe(false);
    expect(managedByLibvirt('/etc/libvirtd-backup/guest.xml')).toBe(false);
  });

  it('warns before saving over libvirt\'s own copy of a definition, and says what to do instead', () => {
    renderAt('apply');
    act(() => {
      useWizard.getState().load({ kind: 'upload', name: 'old-guest.xml' }, readFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), 'utf8'));
      useWizard.getState().go('apply');
    });
    const target = screen.getByTestId('save-path');
    expect(screen.queryByTestId('libvirt-managed')).toBeNull();
    fireEvent.change(target, { target: { value: '/etc/libvirt/qemu/old-guest.xml' } });
    expect(screen.getByTestId('libvirt-managed').textContent).toMatch(/Define the domain through libvirt instead/);
  });
});
