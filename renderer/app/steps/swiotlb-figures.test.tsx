/** Review's bounce-buffer figures and the data path's SWIOTLB box: the engine's report as it is, nothing derived here. */
import { act, fireEvent, screen, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { swiotlbAdvice } from '../../../src/engine';
import { axeViolations, renderAt } from '../../../test/render-app';
import { installRealBridge } from '../../../test/renderer-bridge';
import { derive } from '../../store/derived';

beforeAll(() => {
  installRealBridge();
});

describe('Review: the SWIOTLB figures of the plan', () => {
  it('an SEV plan shows the pool, the worst case device by device, the swiotlb= that covers it and its cost, as the engine reports them', async () => {
    const { store, container } = renderAt('review', 'sev-q35.xml');
    act(() => store.getState().setSecure('sev'));
    const d = derive(store.getState());
    if (!d.ok || !d.plannedSwiotlb) throw new Error('the engine has no SWIOTLB report for an SEV plan');
    const r = d.plannedSwiotlb;
    // The figures this plan really has: a pool smaller than the worst case, so a parameter is recommended.
    expect(r.parameter).toMatch(/^swiotlb=\d+$/);
    expect(r.recommendedMiB).toBeGreaterThan(r.defaultMiB);
    const figures = screen.getByTestId('swiotlb');
    expect(within(figures).getByTestId('swiotlb-default').textContent).toMatch(new RegExp(`^${r.defaultMiB} MiB \\(`));
    expect(within(figures).queryByTestId('swiotlb-current')).toBeNull();
    const peak = within(figures).getByTestId('swiotlb-peak').textContent ?? '';
    expect(peak.startsWith(`${r.peakMiB} MiB`)).toBe(true);
    for (const x of r.devices) expect(peak).toContain(`${x.label}: ${x.peakMiB} MiB — ${x.basis}`);
    expect(within(figures).getByTestId('swiotlb-recommended').textContent).toBe(
      `${r.recommendedMiB} MiB (${r.parameter}, ${r.costMiB} MiB of guest memory)`,
    );
    expect(within(figures).getByTestId('swiotlb-advice').textContent).toBe(swiotlbAdvice(r));
    expect(swiotlbAdvice(r)).toMatch(/GRUB_CMDLINE_LINUX/);
    fireEvent.click(within(figures).getByRole('button', { name: /What these figures assume/ }));
    for (const a of r.assumptions) expect(figures.textContent).toContain(a);
    expect(await axeViolations(container)).toEqual([]);
  });

  it('the data path of a bouncing device carries the pool and that device’s worst case', () => {
    const { store } = renderAt('review', 'sev-q35.xml');
    act(() => store.getState().setSecure('sev'));
    const d = derive(store.getState());
    if (!d.ok || !d.plannedSwiotlb) throw new Error('no SWIOTLB report');
    const disk = d.plannedSwiotlb.devices.find((x) => x.label === 'disk vda')!;
    fireEvent.change(screen.getByTestId('path-device'), { target: { value: disk.target } });
    const words = `a ${d.plannedSwiotlb.currentMiB} MiB pool; this device maps up to ${disk.peakMiB} MiB at once`;
    const box = screen.getAllByTestId('path-box').find((b) => b.textContent?.startsWith('SWIOTLB'));
    expect(box?.textContent).toBe(`SWIOTLBshared (decrypted) bounce buffer: ${words}`);
    expect(screen.getByTestId('data-path').querySelector('ol')?.getAttribute('aria-label')).toContain(
      `SWIOTLB bounce buffer in shared memory (${words})`,
    );
  });

  it('an ordinary VM bounces nothing: no figures, and no pool in the picture', () => {
    const { store } = renderAt('review', 'sev-q35.xml');
    const d = derive(store.getState());
    expect(d.ok && d.plannedSwiotlb).toBeNull();
    expect(screen.queryByTestId('swiotlb')).toBeNull();
    expect(screen.getByTestId('data-path').textContent).not.toMatch(/MiB/);
  });
});
