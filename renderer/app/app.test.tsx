/** The frame and every view, rendered in happy-dom against the real services (test/renderer-bridge.ts). */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IpcRequest, IpcResult, PreloadApi } from '../../src/contracts/ipc';
import { MAX_DOMAIN_XML_BYTES } from '../../src/contracts/limits';
import { repoRoot } from '../../test/real-parts';
import { axeViolations, loadAt, renderAt, sampleXml } from '../../test/render-app';
import { installRealBridge } from '../../test/renderer-bridge';
import { ApiError } from '../api';
import { STEP_TITLES, STEPS } from '../store/store';
import { SYMPTOM_GROUPS, SYMPTOMS } from '../../src/engine/troubleshooting';

beforeAll(() => {
  installRealBridge();
});

const fixture = (f: string) => readFileSync(path.join(repoRoot, 'test/fixtures/libvirt', f), 'utf8');

describe('wizard views', () => {
  it('the accessibility checker itself reports a control without a name', async () => {
    const { container } = render(<button type="button" />);
    expect((await axeViolations(container)).join('\n')).toMatch(/^button-name/);
  });

  it.each(STEPS.map((s) => [s]))(
    'the %s step has no accessibility violations',
    async (step) => {
      const { container } = renderAt(step, 'transitional-i440fx.xml');
      await screen.findByRole('heading', { level: 2, name: new RegExp(step === 'start' ? 'Choose a domain' : STEP_TITLES[step]) });
      expect(await axeViolations(container)).toEqual([]);
    },
    20_000,
  );

  it('troubleshooting has no accessibility violations with a symptom chosen', async () => {
    const { container, store } = renderAt('review', 'transitional-i440fx.xml');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    fireEvent.click(screen.getAllByRole('radio')[0]!);
    expect(screen.getByTestId('diagnosis')).toBeTruthy();
    expect(store.getState().symptom).toBe(SYMPTOMS.find((s) => s.group === SYMPTOM_GROUPS[0]!.group)!.id);
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
    ).toEqual(['Secure VM', 'Platform', 'Backends', 'Guest', 'Review', 'Apply']);
  });

  it('Start lists the built-in samples from the real service, and loading one opens Secure VM with focus on its choice', async () => {
    const { store } = renderAt('start');
    const sample = await screen.findByTestId('sample-s390-pv');
    fireEvent.click(sample);
    await waitFor(() => expect(store.getState().step).toBe('secure'));
    expect(store.getState().text).toContain("arch='s390x'");
    await waitFor(() => expect((document.activeElement as HTMLInputElement | null)?.type).toBe('radio'));
    expect((document.activeElement as HTMLInputElement).checked).toBe(true);
  });

  it('creates a new s390x domain from the template card', () => {
    const { store } = renderAt('start');
    fireEvent.change(screen.getByLabelText('Architecture'), { target: { value: 's390x' } });
    expect(screen.getByLabelText<HTMLSelectElement>('Machine').value).toBe('s390-ccw-virtio');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(store.getState().source).toEqual({ kind: 'template', title: 'New s390x s390-ccw-virtio domain' });
    expect(store.getState().text).toContain("<type arch='s390x' machine='s390-ccw-virtio'>hvm</type>");
  });

  it('a domain XML file dropped on the file card is loaded as an upload', async () => {
    const { store } = renderAt('start');
    const card = screen.getByRole('heading', { name: 'Open a domain XML file' }).closest('.pf-v6-c-card')!;
    const file = new File([sampleXml('s390-pv.xml')], 'guest.xml', { type: 'text/xml' });
    fireEvent.drop(card, { dataTransfer: { files: [file] } });
    await waitFor(() => expect(store.getState().source).toEqual({ kind: 'upload', name: 'guest.xml' }));
    expect(store.getState().text).toBe(sampleXml('s390-pv.xml'));
    expect(store.getState().step).toBe('secure');
  });

  it('a malformed upload keeps the domain loaded before, and the alert names the uploaded file and the line', async () => {
    const { store } = renderAt('review', 'sev-q35.xml');
    act(() => store.getState().go('start'));
    const before = store.getState().text;
    fireEvent.change(screen.getByTestId('upload'), { target: { files: [new File(['<domain>\n<name>x</domain>'], 'broken-guest.xml')] } });
    const alert = await screen.findByTestId('failure');
    expect(alert.textContent).toMatch(/broken-guest\.xml is not a libvirt domain XML file/);
    expect(alert.textContent).toMatch(/broken-guest\.xml:2:/);
    expect(alert.textContent).not.toMatch(/domain\.xml:/);
    expect([store.getState().text, store.getState().step]).toEqual([before, 'start']);
  });

  it('an upload over the 10 MB limit of opening by path is refused before it is read, and the loaded work stays', async () => {
    const { store } = renderAt('start', 'sev-q35.xml');
    const big = new File([new Uint8Array(MAX_DOMAIN_XML_BYTES + 1)], 'disk.img');
    fireEvent.change(screen.getByTestId('upload'), { target: { files: [big] } });
    const alert = await screen.findByTestId('failure');
    expect(alert.textContent).toMatch(/disk\.img is too large to be a domain XML file/);
    expect(alert.textContent).toMatch(/10 MB limit/);
    expect(store.getState().text).toBe(sampleXml('sev-q35.xml'));
  });

  it('a libvirt read that answers after the user loaded something else does not replace it', async () => {
    // The real service answers; only its answer is held back, as a slow libvirt would.
    const api = (window as unknown as { api: PreloadApi }).api;
    const real = api['libvirt.read'];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    Object.defineProperty(window, 'api', {
      configurable: true,
      value: {
        ...api,
        'libvirt.read': async (r: IpcRequest<'libvirt.read'>, callId?: string): Promise<IpcResult<'libvirt.read'>> => {
          const answer = await real(r, callId);
          await held;
          return answer;
        },
      },
    });
    try {
      const { store } = renderAt('start');
      fireEvent.change(screen.getByTestId('libvirt-uri'), { target: { value: 'test:///default' } });
      fireEvent.click(screen.getByRole('button', { name: 'List domains' }));
      fireEvent.click(await screen.findByTestId('domain-test', {}, { timeout: 10_000 }));
      await waitFor(() => expect(store.getState().busy?.label).toBe('Reading test from test:///default'));
      // Meanwhile the user drops a file on the wizard.
      fireEvent.drop(screen.getByRole('heading', { name: 'Open a domain XML file' }).closest('.pf-v6-c-card')!, {
        dataTransfer: { files: [new File([sampleXml('s390-pv.xml')], 'mine.xml')] },
      });
      await waitFor(() => expect(store.getState().source).toEqual({ kind: 'upload', name: 'mine.xml' }));
      release();
      await waitFor(() => expect(store.getState().busy).toBeNull(), { timeout: 20_000 });
      expect(store.getState().source).toEqual({ kind: 'upload', name: 'mine.xml' });
      expect(store.getState().text).toBe(sampleXml('s390-pv.xml'));
    } finally {
      installRealBridge();
    }
  }, 60_000);

  it('Review leads with the plan in words: the change on each device, and why, with the rule id beside it', () => {
    const { store } = renderAt('start');
    loadAt(store, 'transitional-iommu.xml', fixture('transitional-iommu.xml'), 'review');
    const plan = screen.getByTestId('plan-in-words');
    // An ordinary VM: the smallest fix drops iommu='on' from the transitional rng (its emptied <driver/> goes too).
    expect(plan.textContent).toMatch(/rng.*removes iommu from <driver>/s);
    expect(plan.textContent).toMatch(/because:.*R-XML-05/s);
    // What the plan fixes is listed as fixed (folded), not as an error.
    expect(screen.getByTestId('fixed').textContent).toMatch(/Fixed by the plan \(\d+\)/);
    const fixed = screen.getByTestId('fixed').querySelector('[data-rule="R-XML-05"]')!;
    expect(fixed.querySelector('[aria-label="Fixed by the plan"]')).not.toBeNull();
    expect(fixed.textContent).toContain('VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device');
    expect(fixed.querySelector('a[href^="https://"]')).not.toBeNull();
  });

  it('the same note on several devices is told once, naming the devices', () => {
    const { store } = renderAt('start');
    loadAt(store, 'guest.xml', sampleXml('sev-q35.xml'), 'review');
    act(() => store.getState().setSecure('sev'));
    fireEvent.click(screen.getByRole('button', { name: /Fixed by the plan/ }));
    const items = [...screen.getByTestId('fixed').querySelectorAll('[data-testid="finding"]')].map((e) => e.textContent ?? '');
    const repeated = items.filter((t) => /\(\d+ devices: /.test(t));
    expect(repeated.length).toBeGreaterThan(0);
    for (const t of repeated) {
      const [, n, names] = /\((\d+) devices: ([^)]+)\)/.exec(t)!;
      expect(names!.split(', ')).toHaveLength(Number(n));
    }
    // No note is told twice.
    expect(new Set(items).size).toBe(items.length);
  });

  it('the failure alert is titled by what went wrong, says what happened and what to do, and can be dismissed', async () => {
    const { store } = renderAt('start');
    act(() =>
      store.getState().fail({
        title: 'No libvirt daemon answers on this connection',
        error: new ApiError({ code: 'daemon-down', message: 'libvirtd is not running.', hint: 'Start it with systemctl start libvirtd.' }),
      }),
    );
    const alert = screen.getByTestId('failure');
    expect(alert.textContent).toContain('No libvirt daemon answers on this connection');
    expect(alert.textContent).not.toMatch(/Something went wrong|See the message/);
    expect(alert.textContent).toContain('libvirtd is not running.');
    expect(alert.textContent).toContain('What to do: Start it with systemctl start libvirtd.');
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(store.getState().failure).toBeNull());
  });

  it('Alt+N and Alt+B move between steps, as the footer buttons announce, and focus lands on the next primary action', async () => {
    const { store } = renderAt('secure', 'sev-q35.xml');
    expect(screen.getByTestId('next').getAttribute('aria-keyshortcuts')).toBe('Alt+N');
    fireEvent.keyDown(document, { key: 'n', code: 'KeyN', altKey: true });
    expect(store.getState().step).toBe('platform');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('next')));
    fireEvent.keyDown(document, { key: 'b', code: 'KeyB', altKey: true });
    expect(store.getState().step).toBe('secure');
    // Without Alt the letters are typing, not navigation.
    fireEvent.keyDown(document, { key: 'n', code: 'KeyN' });
    expect(store.getState().step).toBe('secure');
  });

  it('the theme switch applies PatternFly’s dark theme and keeps the choice', () => {
    renderAt('start');
    const group = screen.getByRole('group', { name: 'Colour theme' });
    fireEvent.click(within(group).getByRole('button', { name: 'Dark' }));
    expect(document.documentElement.classList.contains('pf-v6-theme-dark')).toBe(true);
    expect(localStorage.getItem('vaw-theme')).toBe('dark');
    fireEvent.click(within(group).getByRole('button', { name: 'Light' }));
    expect(document.documentElement.classList.contains('pf-v6-theme-dark')).toBe(false);
    expect(within(group).getByRole('button', { name: 'Light' }).getAttribute('aria-pressed')).toBe('true');
  });
});

describe('troubleshooting', () => {
  it('shows what this machine says about a host-side cause, with where each fact came from, and the host’s jobs', async () => {
    renderAt('review', 'sev-q35.xml');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    fireEvent.click(screen.getByLabelText('Launch security is not supported with this QEMU binary'));
    const list = await screen.findByTestId('host-evidence', {}, { timeout: 10_000 });
    expect(within(list).getByText(/cpu flag sev =/).textContent).toMatch(/\/proc\/cpuinfo/);
    expect(screen.getByTestId('host-jobs').textContent).toMatch(/kvm_amd\.sev=1/);
  });

  it('migration refused: compares the loaded domain with the destination the user gives', async () => {
    renderAt('review', 'sev-q35.xml');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    fireEvent.click(screen.getByLabelText(/Migration or restore refused/));
    const dest = sampleXml('sev-q35.xml').replace(`<driver name="qemu" type='qcow2'/>`, `<driver name="qemu" type='qcow2' iommu='on'/>`);
    fireEvent.change(screen.getByTestId('destination-file'), { target: { files: [new File([dest], 'dest.xml')] } });
    const result = await screen.findByTestId('destination-result');
    // A disk always holds virtio options once libvirt wrote it out, so libvirt compares them one by one.
    expect(result.querySelector('[data-rule="R-MIG-01"]')?.textContent).toContain(
      "Target device iommu option 'on' does not match source 'default'",
    );
    fireEvent.change(screen.getByTestId('destination-file'), { target: { files: [new File([sampleXml('sev-q35.xml')], 'same.xml')] } });
    await waitFor(() => expect(screen.getByTestId('destination-result').textContent).toMatch(/match this domain.s: this is not the cause/));
  });

  it('every symptom of the fact sheet (T-01 … T-20) and of its §7 corrections can be picked, grouped as users meet them, and found by a search', () => {
    renderAt('start');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    expect(screen.getAllByRole('radio')).toHaveLength(SYMPTOMS.length);
    expect(SYMPTOMS.map((s) => s.id)).toEqual(Array.from({ length: SYMPTOMS.length }, (_, i) => `T-${String(i + 1).padStart(2, '0')}`));
    for (const g of ['The domain will not start', 'Slow I/O, or I/O errors under load', 'Migration, restore or snapshot refused'])
      expect(screen.getByRole('heading', { level: 3, name: g })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Search symptoms and messages'), { target: { value: 'swiotlb' } });
    // Grouped as the page shows them: the guest without a buffer sees no device, the full buffer slows I/O.
    expect(screen.getAllByRole('radio').map((r) => r.closest('.pf-v6-c-radio')?.textContent)).toEqual([
      'The guest has no SWIOTLB buffer',
      'swiotlb buffer is full',
    ]);
  });

  it('every symptom ends in a plan with changes or an exact manual step, never in "as described"', () => {
    const { store } = renderAt('start');
    loadAt(store, 'transitional-iommu.xml', fixture('transitional-iommu.xml'), 'start');
    act(() => store.getState().setMode('troubleshoot'));
    for (const s of SYMPTOMS) {
      act(() => store.getState().chooseSymptom(s.id));
      const diagnosis = screen.getByTestId('diagnosis');
      const manual = within(diagnosis).getByTestId('manual-step').textContent ?? '';
      const fix = within(diagnosis).queryByRole('button', { name: 'Review the fix' });
      expect(manual.length, s.id).toBeGreaterThan(20);
      expect(diagnosis.textContent, s.id).not.toMatch(/as described|\(the plan does this\)/);
      if (within(diagnosis).queryByTestId('no-evidence')) expect(fix, s.id).toBeNull();
    }
  });

  it('keeps the chosen symptom while the user loads a domain, and comes back to it with the evidence', async () => {
    const { store } = renderAt('start');
    fireEvent.click(screen.getByRole('button', { name: 'Troubleshoot' }));
    fireEvent.click(screen.getByLabelText('QEMU refuses to start: IOMMU_PLATFORM message'));
    fireEvent.click(within(screen.getByTestId('diagnosis')).getByRole('button', { name: 'Load a domain' }));
    expect(store.getState().step).toBe('start');
    act(() => store.getState().load({ kind: 'upload', name: 'transitional-iommu.xml' }, fixture('transitional-iommu.xml')));
    await waitFor(() => expect(store.getState().mode).toBe('troubleshoot'));
    expect(screen.getByLabelText<HTMLInputElement>('QEMU refuses to start: IOMMU_PLATFORM message').checked).toBe(true);
    expect(screen.getByTestId('diagnosis').querySelector('[data-rule="R-XML-05"]')).not.toBeNull();
  });

  it("vhost-net slow in an ordinary VM: offers to drop iommu='on' from the NIC (no emptied <driver/> left) and mentions iommu=pt", () => {
    const { store } = renderAt('start');
    const nicWithIommu = sampleXml('sev-q35.xml').replace("<model type='virtio'/>", "<model type='virtio'/>\n      <driver iommu='on'/>");
    loadAt(store, 'nic.xml', nicWithIommu, 'start');
    act(() => {
      store.getState().setMode('troubleshoot');
      store.getState().chooseSymptom('T-09');
    });
    expect(screen.getByTestId('manual-step').textContent).toMatch(/iommu=pt/);
    fireEvent.click(screen.getByRole('button', { name: /Drop iommu='on' from interface .* and review/ }));
    expect(store.getState().step).toBe('review');
    expect(store.getState().manualXml).toBe(sampleXml('sev-q35.xml'));
  });

  it("vhost-net slow in a guest made confidential in <qemu:commandline>: offers no dropping of iommu='on'", () => {
    const { store } = renderAt('start');
    const confidential = sampleXml('sev-q35.xml')
      .replace("<model type='virtio'/>", "<model type='virtio'/>\n      <driver iommu='on'/>")
      .replace(
        '</devices>',
        "</devices><qemu:commandline><qemu:arg value='-object'/><qemu:arg value='sev-guest,id=s0,reduced-phys-bits=1'/><qemu:arg value='-machine'/><qemu:arg value='confidential-guest-support=s0'/></qemu:commandline>",
      );
    loadAt(store, 'nic.xml', confidential, 'start');
    act(() => {
      store.getState().setMode('troubleshoot');
      store.getState().chooseSymptom('T-09');
    });
    expect(screen.getByTestId('manual-step').textContent).toMatch(/iommu=pt/);
    expect(screen.queryByRole('button', { name: /Drop iommu='on'/ })).toBeNull();
  });
});
