/** The frame and every view, rendered in happy-dom against the real services (test/renderer-bridge.ts). */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../test/real-parts';
import { render } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../test/renderer-bridge';
import { axeViolations, renderAt, sampleXml } from '../../test/render-app';
import { ApiError } from '../api';
import { STEPS, useWizard } from '../store/store';
import { SYMPTOMS } from '../../src/engine/troubleshooting';

beforeAll(() => {
  installRealBridge();
});

describe('wizard views', () => {
  it('the accessibility checker itself reports a control without a name', async () => {
    const { container } = render(<button type="button" />);
    expect((await axeViolations(container)).join('\n')).toMatch(/^button-name/);
  });

  it.each(STEPS.map((s) => [s]))('the %s step has no accessibility violations', async (step) => {
    const { container } = renderAt(step, 'transitional-i440fx.xml');
    await waitFor(() => expect(screen.getAllByRole('heading', { level: 2 }).length).toBeGreaterThan(0));
    expect(await axeViolations(container)).toEqual([]);
  });

  it('troubleshooting has no accessibility violations with a symptom chosen', async () => {
    const { container } = renderAt('review', 'transitional-i440fx.xml');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    fireEvent.click(screen.getAllByRole('radio')[0]!);
    expect(screen.getByTestId('diagnosis')).toBeTruthy();
    expect(await axeViolations(container)).toEqual([]);
  });

  it('steps after Start stay disabled until a domain is loaded', () => {
    renderAt('start');
    const nav = screen.getByRole('navigation', { name: 'Wizard steps' });
    expect(
      within(nav)
        .getAllByRole('button')
        .filter((b) => (b as HTMLButtonElement).disabled)
        .map((b) => b.textContent?.replace(/^\d+\s*/, '')),
    ).toEqual(['Platform', 'Secure VM', 'Backends', 'Guest', 'Review', 'Apply']);
  });

  it('Start lists the built-in samples from the real service and loading one opens Platform', async () => {
    renderAt('start');
    const sample = await screen.findByTestId('sample-s390-pv');
    fireEvent.click(sample);
    await waitFor(() => expect(useWizard.getState().step).toBe('platform'));
    expect(useWizard.getState().text).toContain("arch='s390x'");
  });

  it('creates a new s390x domain from the template card', () => {
    renderAt('start');
    fireEvent.change(screen.getByLabelText('Architecture'), { target: { value: 's390x' } });
    expect(screen.getByLabelText<HTMLSelectElement>('Machine').value).toBe('s390-ccw-virtio');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(useWizard.getState().source).toEqual({ kind: 'template', title: 'New s390x s390-ccw-virtio domain' });
    expect(useWizard.getState().text).toContain("<type arch='s390x' machine='s390-ccw-virtio'>hvm</type>");
  });

  it('a domain XML file dropped on the file card is loaded as an upload', async () => {
    renderAt('start');
    const card = screen.getByRole('heading', { name: 'Open a domain XML file' }).closest('article')!;
    const file = new File([sampleXml('s390-pv.xml')], 'guest.xml', { type: 'text/xml' });
    fireEvent.drop(card, { dataTransfer: { files: [file] } });
    await waitFor(() => expect(useWizard.getState().source).toEqual({ kind: 'upload', name: 'guest.xml' }));
    expect(useWizard.getState().text).toBe(sampleXml('s390-pv.xml'));
    expect(useWizard.getState().step).toBe('platform');
  });

  it('Review groups findings by device, with the rule, explanation, exact message and sources', () => {
    renderAt('review');
    act(() => {
      useWizard
        .getState()
        .load(
          { kind: 'upload', name: 'transitional-iommu.xml' },
          readFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), 'utf8'),
        );
      useWizard.getState().go('review');
    });
    const finding = document.querySelector('[data-rule="R-XML-05"]');
    expect(finding).not.toBeNull();
    expect(finding!.closest('section')!.getAttribute('aria-label')).toMatch(/rng/i);
    expect(finding!.textContent).toContain('VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device');
    expect(finding!.querySelector('a[href^="https://"]')).not.toBeNull();
  });

  it('the error panel says what happened and what to do, and can be dismissed', () => {
    renderAt('start');
    useWizard
      .getState()
      .fail(new ApiError({ code: 'daemon-down', message: 'libvirtd is not running.', hint: 'Start it with systemctl start libvirtd.' }));
    return waitFor(() => {
      const alert = screen.getByRole('alert');
      expect(alert.textContent).toContain('libvirtd is not running.');
      expect(alert.textContent).toContain('What to do: Start it with systemctl start libvirtd.');
      fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
      expect(useWizard.getState().error).toBeNull();
    });
  });
});

describe('troubleshooting', () => {
  it('shows what this machine says about a host-side cause, with where each fact came from', async () => {
    renderAt('review', 'sev-q35.xml');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    fireEvent.click(screen.getByLabelText('Launch security is not supported with this QEMU binary'));
    const list = await screen.findByTestId('host-evidence', {}, { timeout: 10_000 });
    expect(within(list).getByText(/cpu flag sev =/).textContent).toMatch(/\/proc\/cpuinfo/);
  });

  it('migration refused: compares the loaded domain with the destination the user gives', async () => {
    renderAt('review', 'sev-q35.xml');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    fireEvent.click(screen.getByLabelText(/Migration or restore refused/));
    const dest = sampleXml('sev-q35.xml').replace(`<driver name="qemu" type='qcow2'/>`, `<driver name="qemu" type='qcow2' iommu='on'/>`);
    fireEvent.change(screen.getByTestId('destination-file'), { target: { files: [new File([dest], 'dest.xml')] } });
    const result = await screen.findByTestId('destination-result');
    expect(result.querySelector('[data-rule="R-MIG-01"]')?.textContent).toContain("Target device virtio options don't match the source");
    fireEvent.change(screen.getByTestId('destination-file'), { target: { files: [new File([sampleXml('sev-q35.xml')], 'same.xml')] } });
    await waitFor(() => expect(screen.getByTestId('destination-result').textContent).toMatch(/match this domain.s: this is not the cause/));
  });

  it('every symptom of the fact sheet (T-01 … T-20) and of its §7 corrections can be picked', () => {
    renderAt('start');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    expect(screen.getAllByRole('radio')).toHaveLength(SYMPTOMS.length);
    expect(SYMPTOMS.map((s) => s.id)).toEqual(Array.from({ length: SYMPTOMS.length }, (_, i) => `T-${String(i + 1).padStart(2, '0')}`));
  });
});
