import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../test/real-parts';
import { useWizard } from '../../store/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { openFileOnStart, renderAt } from '../../../test/render-app';
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

  it("warns before saving over libvirt's own copy of a definition, and says what to do instead", () => {
    renderAt('apply');
    act(() => {
      useWizard
        .getState()
        .load(
          { kind: 'upload', name: 'old-guest.xml' },
          readFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), 'utf8'),
        );
      useWizard.getState().go('apply');
    });
    const target = screen.getByTestId('save-path');
    expect(screen.queryByTestId('libvirt-managed')).toBeNull();
    fireEvent.change(target, { target: { value: '/etc/libvirt/qemu/old-guest.xml' } });
    expect(screen.getByTestId('libvirt-managed').textContent).toMatch(/Define the domain through libvirt instead/);
  });
});

describe("Apply step, file changed behind the wizard's back", () => {
  it('refuses to save, offers to open the file again, and then saves over the new content', async () => {
    const { work } = installRealBridge();
    const file = path.join(work, 'guest.xml');
    const original = readFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), 'utf8');
    writeFileSync(file, original);
    await openFileOnStart(file, 'apply');
    // Someone else edits the file.
    writeFileSync(file, original.replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>'));
    await waitFor(() => expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('save'));
    const again = await screen.findByRole('button', { name: `Open ${file} again` });
    expect(screen.getByRole('alert').textContent).toMatch(/changed/i);
    expect(readFileSync(file, 'utf8')).toContain('<vcpu>2</vcpu>');
    fireEvent.click(again);
    await waitFor(() => expect(useWizard.getState().text).toContain('<vcpu>2</vcpu>'));
    await waitFor(() => expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('save'));
    await screen.findByTestId('applied');
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('<vcpu>2</vcpu>');
    // The plan for this ordinary VM drops the iommu='on' its transitional device cannot carry.
    expect(written).toContain("<rng model='virtio-transitional'>");
    expect(written).not.toContain("iommu='on'");
  });
});

describe('Apply step, earlier backups', () => {
  it('lists the backups this tool made of the file and restores the one chosen', async () => {
    const { work } = installRealBridge();
    const file = path.join(work, 'kept.xml');
    const original = readFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), 'utf8');
    writeFileSync(file, original);
    await openFileOnStart(file, 'apply');
    await waitFor(() => expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('save'));
    await screen.findByTestId('applied');
    expect(readFileSync(file, 'utf8')).not.toBe(original);
    const backups = await screen.findByTestId('earlier-backups');
    fireEvent.click(within(backups).getByRole('button', { name: 'Restore this one' }));
    await waitFor(() => expect(readFileSync(file, 'utf8')).toBe(original));
    await waitFor(() => expect(useWizard.getState().text).toBe(original));
  });
});
