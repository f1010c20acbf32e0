import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isLibvirtManagedPath as managedByLibvirt } from '../../../src/host';
import { repoRoot } from '../../../test/real-parts';
import { loadAt, openFileOnStart, renderAt } from '../../../test/render-app';
import { installRealBridge } from '../../../test/renderer-bridge';

beforeAll(() => {
  installRealBridge();
});

const fixture = () => readFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), 'utf8');
const saveEnabled = () =>
  waitFor(() => expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(false), { timeout: 10_000 });

describe('Apply step', () => {
  it('recognises the files libvirt keeps for itself', () => {
    expect(managedByLibvirt('/etc/libvirt/qemu/guest.xml')).toBe(true);
    expect(managedByLibvirt('/run/libvirt/qemu/guest.xml')).toBe(true);
    expect(managedByLibvirt('/home/me/guest.xml')).toBe(false);
    expect(managedByLibvirt('/etc/libvirtd-backup/guest.xml')).toBe(false);
  });

  it("warns before saving over libvirt's own copy of a definition, and says what to do instead", () => {
    const { store } = renderAt('start');
    loadAt(store, 'old-guest.xml', fixture(), 'apply');
    const target = screen.getByTestId('save-path');
    expect(screen.queryByTestId('libvirt-managed')).toBeNull();
    fireEvent.change(target, { target: { value: '/etc/libvirt/qemu/old-guest.xml' } });
    expect(screen.getByTestId('libvirt-managed').textContent).toMatch(/Define the domain through libvirt instead/);
  });

  it('recaps what will be written before anything is', () => {
    const { store } = renderAt('start');
    loadAt(store, 'old-guest.xml', fixture(), 'apply');
    const recap = screen.getByTestId('recap');
    expect(recap.textContent).toMatch(/Writes toa file you choose/);
    expect(recap.textContent).toMatch(/Changes\d+ changes? \(listed on Review\)/);
    return waitFor(() => expect(screen.getByTestId('recap').textContent).toMatch(/Backupan existing file, first, in \//));
  });

  it('Save As in a browser: the path field suggests a file named after the domain, and checks the folder as the user types', async () => {
    const { work } = installRealBridge();
    const { store } = renderAt('start');
    loadAt(store, 'old-guest.xml', fixture(), 'apply');
    const field = screen.getByTestId<HTMLInputElement>('save-path');
    await waitFor(() => expect(field.value).toMatch(/\/vaw-fixture-transitional\.xml$|\/[\w.-]+\.xml$/));
    expect(field.value.endsWith(`/${/<name>([^<]+)<\/name>/.exec(fixture())![1]}.xml`)).toBe(true);
    const check = () => screen.getByTestId('save-path-check').textContent;
    fireEvent.change(field, { target: { value: 'relative.xml' } });
    expect(check()).toContain('Give an absolute path, starting with /.');
    expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(field, { target: { value: path.join(work, 'no-such-folder', 'g.xml') } });
    await waitFor(() => expect(check()).toContain('That folder does not exist.'));
    expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(true);
    mkdirSync(path.join(work, 'there'));
    writeFileSync(path.join(work, 'there', 'g.xml'), '<domain/>');
    fireEvent.change(field, { target: { value: path.join(work, 'there', 'g.xml') } });
    // A file this session did not open may not be replaced from a browser (the security track's file grants).
    await waitFor(() => expect(check()).toContain('A file is there that was not opened here: open it first, or choose a new name.'));
    expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(field, { target: { value: path.join(work, 'there', 'new.txt') } });
    await waitFor(() => expect(check()).toContain('A new file must be named *.xml.'));
    fireEvent.change(field, { target: { value: path.join(work, 'there', 'new.xml') } });
    await waitFor(() => expect(check()).toContain('A new file will be created.'));
    await saveEnabled();
    fireEvent.click(screen.getByTestId('save'));
    const done = await screen.findByTestId('applied', {}, { timeout: 10_000 });
    expect(readFileSync(path.join(work, 'there', 'new.xml'), 'utf8')).not.toContain("iommu='on'");
    // After saving: the next step, as a command to copy.
    expect(within(done).getByText(/Define it in libvirt/)).toBeTruthy();
    expect(done.textContent).toContain(`virsh define --validate ${path.join(work, 'there', 'new.xml')}`);
  }, 30_000);
});

describe("Apply step, file changed behind the wizard's back", () => {
  it('refuses to save, offers to open the file again, and then saves over the new content', async () => {
    const { work } = installRealBridge();
    const file = path.join(work, 'guest.xml');
    const original = fixture();
    writeFileSync(file, original);
    const store = await openFileOnStart(file, 'apply');
    // Someone else edits the file.
    writeFileSync(file, original.replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>'));
    await saveEnabled();
    fireEvent.click(screen.getByTestId('save'));
    const again = await screen.findByRole('button', { name: `Open ${file} again` }, { timeout: 10_000 });
    expect(screen.getByTestId('failure').textContent).toMatch(/The file changed since it was opened/);
    expect(readFileSync(file, 'utf8')).toContain('<vcpu>2</vcpu>');
    fireEvent.click(again);
    await waitFor(() => expect(store.getState().text).toContain('<vcpu>2</vcpu>'), { timeout: 10_000 });
    await saveEnabled();
    fireEvent.click(screen.getByTestId('save'));
    await screen.findByTestId('applied', {}, { timeout: 10_000 });
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('<vcpu>2</vcpu>');
    // The plan for this ordinary VM drops the iommu='on' its transitional device cannot carry.
    expect(written).toContain("<rng model='virtio-transitional'>");
    expect(written).not.toContain("iommu='on'");
  }, 30_000);
});

describe('Apply step, earlier backups', () => {
  it('lists the backups this tool made of the file and restores the one chosen', async () => {
    const { work } = installRealBridge();
    const file = path.join(work, 'kept.xml');
    const original = fixture();
    writeFileSync(file, original);
    const store = await openFileOnStart(file, 'apply');
    await saveEnabled();
    fireEvent.click(screen.getByTestId('save'));
    await screen.findByTestId('applied', {}, { timeout: 10_000 });
    expect(readFileSync(file, 'utf8')).not.toBe(original);
    const backups = await screen.findByTestId('earlier-backups', {}, { timeout: 10_000 });
    fireEvent.click(within(backups).getByRole('button', { name: /Earlier backups of this file/ }));
    fireEvent.click(within(backups).getByRole('button', { name: 'Restore this one' }));
    await waitFor(() => expect(readFileSync(file, 'utf8')).toBe(original), { timeout: 10_000 });
    await waitFor(() => expect(store.getState().text).toBe(original));
  }, 30_000);

  it('while a save runs, Save is disabled and the busy banner names what runs', async () => {
    const { work } = installRealBridge();
    const file = path.join(work, 'busy.xml');
    writeFileSync(file, fixture());
    const store = await openFileOnStart(file, 'apply');
    await saveEnabled();
    fireEvent.click(screen.getByTestId('save'));
    // While it runs, Save is disabled and the busy banner says what runs.
    expect(store.getState().busy?.label).toBe(`Saving ${file}`);
    expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('busy').textContent).toContain(`Saving ${file}…`);
    await screen.findByTestId('applied', {}, { timeout: 10_000 });
    expect(store.getState().busy).toBeNull();
  }, 30_000);
});
