/**
 * Test start on the Apply step against the real libvirt.verify service: a throwaway copy of the plan is really
 * defined and started (paused; under TCG where libvirt offers no KVM) on this machine's libvirtd, and the view says what that proved.
 */
import { act, fireEvent, screen, within } from '@testing-library/react';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { missingParts, repoRoot } from '../../../test/real-parts';
import { loadAt, renderAt } from '../../../test/render-app';
import { installRealBridge } from '../../../test/renderer-bridge';
import { readLabState, runsKvmGuests } from '../../../test/lab';

beforeAll(() => {
  installRealBridge();
});

const SYSTEM = 'qemu:///system';
const fixture = (name: string) => readFileSync(path.join(repoRoot, 'test/fixtures/libvirt', name), 'utf8');
const copiesLeft = () =>
  execFileSync('virsh', ['-c', SYSTEM, 'list', '--all', '--name'], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n.startsWith(`vaw-verify-`) && n.includes(`-${process.pid}-`));

const noDaemon = missingParts('libvirtd', 'qemu');
describe.skipIf(noDaemon)(`Apply step, Test start on this machine's libvirt ${noDaemon ? `(skipped: ${noDaemon})` : ''}`, () => {
  it('starts a copy of the plan paused before anything is written, and lists what that proved and what it did not', async () => {
    const { store } = renderAt('start');
    loadAt(store, 'transitional-iommu.xml', fixture('transitional-iommu.xml'), 'apply');
    // A file's plan is tried on the connection the app would define into (this machine's system libvirtd).
    fireEvent.click(await screen.findByRole('button', { name: `Test start on ${SYSTEM}` }, { timeout: 20_000 }));
    const result = await screen.findByTestId('test-start-result', {}, { timeout: 240_000 });
    expect(within(result).getByRole('heading', { level: 3 }).textContent).toMatch(/The copy started \(paused\), then was removed/);
    const proven = within(result).getByTestId('test-start-proven').textContent ?? '';
    expect(proven).toMatch(/libvirt \d+\.\d+\.\d+ accepted the definition/);
    expect(proven).toMatch(/QEMU \d+\.\d+\.\d+ created every device of the copy and held it paused/);
    expect(within(result).getByTestId('test-start-not-proven').textContent).toMatch(/The guest was not run/);
    expect(within(result).getByTestId('test-start-prediction').textContent).toBe(
      'The wizard predicted a start, and that is what happened.',
    );
    // Nothing was written: the plan is still unsaved, and the copy is gone from libvirt.
    expect(screen.getByTestId('save')).toBeTruthy();
    expect(copiesLeft()).toEqual([]);
  }, 300_000);

  it('on a host without SEV, an SEV plan says that the SEV launch (and KVM, where libvirt offers none) was not tested, quoting libvirt', async () => {
    const { store } = renderAt('start', 'sev-q35.xml');
    act(() => {
      store.getState().setSecure('sev');
      store.getState().go('apply');
    });
    fireEvent.click(await screen.findByRole('button', { name: `Test start on ${SYSTEM}` }, { timeout: 20_000 }));
    const result = await screen.findByTestId('test-start-result', {}, { timeout: 280_000 });
    const notProven = within(result).getByTestId('test-start-not-proven').textContent ?? '';
    expect(notProven).toMatch(/The sev launch itself was not tested: this host cannot run it \(libvirt said: "/);
    // Each refused attempt is shown with libvirt's or QEMU's own words.
    if (runsKvmGuests(SYSTEM)) {
      expect(notProven).not.toMatch(/KVM itself was not tested/);
      expect(result.textContent).toMatch(/as planned: refused at (define|start): [^:]+: [^.]*launch security is not supported/);
    } else {
      expect(notProven).toMatch(/KVM itself was not tested: this host cannot run type='kvm' guests \(libvirt said: "/);
      expect(result.textContent).toMatch(/as planned: refused at (define|start): [^:]+: Emulator '[^']+' does not support virt type 'kvm'/);
    }
    expect(copiesLeft()).toEqual([]);
  }, 300_000);
});

describe('Apply step, Test start on a connection that runs nothing', () => {
  it("says it could not be tested on libvirt's test driver, rather than claiming a start", async () => {
    const { store } = renderAt('start');
    act(() => {
      store
        .getState()
        .load(
          { kind: 'libvirt', uri: 'test:///default', name: 'x', loadedXml: fixture('transitional-iommu.xml') },
          fixture('transitional-iommu.xml'),
        );
      store.getState().go('apply');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Test start on test:///default' }));
    const result = await screen.findByTestId('test-start-result', {}, { timeout: 20_000 });
    expect(within(result).getByRole('heading', { level: 3 }).textContent).toMatch(/It could not be tested here/);
    expect(result.textContent).toMatch(/Cannot test: libvirt's test driver starts nothing real\./);
    expect(within(result).queryByTestId('test-start-proven')).toBeNull();
  }, 30_000);
});

// The same button on the newer generations of the version lab (scripts/lab.sh): a domain loaded from each lab
// libvirtd is test-started there, through the same channel and service, and the report names that generation.
const noLab = missingParts('lab', 'qemu-img');
const newer = noLab ? [] : readLabState().filter((g) => g.uri !== SYSTEM);
describe.skipIf(noLab)(`Apply step, Test start on the version lab's libvirt ${noLab ? `(skipped: ${noLab})` : ''}`, () => {
  it.each(newer.map((g) => [`${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu})`, g] as const))(
    '%s: the copy starts paused there and the report names that libvirt and QEMU',
    async (_, g) => {
      const { store } = renderAt('start');
      act(() => {
        store
          .getState()
          .load(
            { kind: 'libvirt', uri: g.uri, name: 'x', loadedXml: fixture('transitional-iommu.xml') },
            fixture('transitional-iommu.xml'),
          );
        store.getState().go('apply');
      });
      fireEvent.click(await screen.findByRole('button', { name: `Test start on ${g.uri}` }, { timeout: 20_000 }));
      const result = await screen.findByTestId('test-start-result', {}, { timeout: 280_000 });
      expect(within(result).getByRole('heading', { level: 3 }).textContent).toMatch(/The copy started \(paused\), then was removed/);
      const proven = within(result).getByTestId('test-start-proven').textContent ?? '';
      expect(proven).toContain(`libvirt ${g.libvirt} accepted the definition`);
      expect(proven).toContain(`QEMU ${g.qemu} created every device of the copy`);
    },
    300_000,
  );
});
