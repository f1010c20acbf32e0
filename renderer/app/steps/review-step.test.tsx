import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { missingParts } from '../../../test/real-parts';
import { axeViolations, openFileOnStart, renderAt, sampleXml } from '../../../test/render-app';
import { useWizard } from '../../store/store';

beforeAll(() => {
  installRealBridge();
});

const noSchema = missingParts('xmllint', 'schemas');
describe.skipIf(noSchema)(`Review: the planned XML against libvirt's schema ${noSchema ? `(skipped: ${noSchema})` : ''}`, () => {
  it('says the planned XML validates', async () => {
    renderAt('review', 'sev-q35.xml');
    await waitFor(
      () => expect(screen.getByTestId('schema-status').textContent).toBe('The planned XML validates against libvirt’s schema.'),
      { timeout: 10_000 },
    );
  });

  it('says before Apply that XML libvirt would refuse does not validate, naming the line', async () => {
    renderAt('review');
    act(() => {
      useWizard.getState().load({ kind: 'upload', name: 'bad.xml' }, sampleXml('sev-q35.xml').replace('<vcpu', '<bogus/>\n  <vcpu'));
      useWizard.getState().go('review');
    });
    await waitFor(
      () => expect(screen.getByTestId('schema-status').textContent).toMatch(/does not validate.*Apply will refuse it.*line \d+/s),
      { timeout: 10_000 },
    );
  });
});

describe('Review: editing the planned XML by hand', () => {
  it('uses the edited XML for the diff and Apply, and discards it when the goal changes', async () => {
    const { work } = installRealBridge();
    const file = path.join(work, 'hand.xml');
    writeFileSync(file, sampleXml('transitional-i440fx.xml'));
    await openFileOnStart(file, 'review');
    const box = screen.getByTestId('manual-xml') as HTMLTextAreaElement;
    const edited = box.value.replace(/<vcpu([^>]*)>\d+<\/vcpu>/, '<vcpu$1>4</vcpu>');
    fireEvent.change(box, { target: { value: edited } });
    fireEvent.click(screen.getByRole('button', { name: 'Use my XML' }));
    expect(screen.getByTestId('manual-note')).toBeTruthy();
    expect(screen.getByTestId('diff').textContent).toMatch(/\+.*>4<\/vcpu>/);
    act(() => useWizard.getState().go('apply'));
    await waitFor(() => expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('save'));
    await screen.findByTestId('applied');
    expect(readFileSync(file, 'utf8')).toBe(edited);
    act(() => {
      useWizard.getState().setManualXml('<domain/>');
      useWizard.getState().setSecure('sev');
    });
    expect(useWizard.getState().manualXml).toBeNull();
  });

  it('has no accessibility violations with the hand edit open', async () => {
    const { container } = renderAt('review', 'transitional-i440fx.xml');
    act(() => useWizard.getState().setManualXml(sampleXml('transitional-i440fx.xml').replace('</devices>', '  <bogus/>\n  </devices>')));
    expect(screen.getByTestId('manual-note')).toBeTruthy();
    expect(await axeViolations(container)).toEqual([]);
  });

  it('keeps working when the hand-edited XML is not well-formed, and says why it cannot be used', () => {
    renderAt('review', 'transitional-i440fx.xml');
    act(() => useWizard.getState().setManualXml('<domain><name>x</name>'));
    expect(screen.getByRole('alert').textContent).toMatch(/Your XML cannot be used: your XML:1:1: <domain> is never closed/);
    expect(screen.getByRole('heading', { name: 'Review' })).toBeTruthy();
  });
});

describe('Review: the data-path picture', () => {
  it('draws the device the user picks, with its backend', () => {
    renderAt('review', 'sev-q35.xml');
    act(() => {
      useWizard.getState().setSecure('sev');
      useWizard.getState().setBackend('/domain/devices/interface[1]', 'vhost-kernel');
    });
    const title = () => document.querySelector('.data-path svg title')?.textContent ?? '';
    expect(title()).toMatch(/QEMU device$/);
    fireEvent.change(screen.getByTestId('path-device'), { target: { value: '/domain/devices/interface[1]' } });
    expect(title()).toBe('Data path: Guest driver → DMA API → SWIOTLB bounce buffer in shared memory → vhost (host kernel)');
  });
});
