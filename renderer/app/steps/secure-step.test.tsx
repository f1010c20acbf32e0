import { act, fireEvent, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { axeViolations, renderAt, sampleXml } from '../../../test/render-app';
import { useWizard } from '../../store/store';

beforeAll(() => {
  installRealBridge();
});

const radio = (label: string) => screen.getByLabelText<HTMLInputElement>(label);

describe('Secure VM step', () => {
  it('disables the technologies an s390x guest cannot use, says why, and offers s390 PV', () => {
    renderAt('secure', 's390-pv.xml');
    for (const t of ['AMD SEV', 'AMD SEV-ES', 'AMD SEV-SNP', 'Intel TDX']) expect(radio(t).disabled).toBe(true);
    expect(screen.getAllByText(/Not available: needs a x86_64 guest; this one is s390x/)).toHaveLength(4);
    expect(radio('IBM s390 Protected Virtualization').disabled).toBe(false);
    fireEvent.click(radio('IBM s390 Protected Virtualization'));
    expect(useWizard.getState().secure).toBe('s390-pv');
  });

  it('says which policy the plan writes for the chosen type, bit by bit', () => {
    renderAt('secure', 'sev-q35.xml');
    expect(screen.queryByTestId('policy')).toBeNull();
    fireEvent.click(radio('AMD SEV'));
    expect(screen.getByTestId('policy').textContent).toBe(
      'The plan writes policy 0x0003 — NODBG (no debugging), NOKS (no key sharing). Edit it in the XML afterwards if you need other bits (e.g. NOSEND).',
    );
    fireEvent.click(radio('AMD SEV-ES'));
    expect(screen.getByTestId('policy').textContent).toMatch(/0x0007 — .*ES \(encrypted register state\)/);
  });

  it('reads the policy a domain already has', () => {
    renderAt('secure');
    act(() => {
      useWizard
        .getState()
        .load(
          { kind: 'upload', name: 'x.xml' },
          sampleXml('sev-q35.xml').replace(
            '</devices>',
            "</devices>\n  <launchSecurity type='sev'><cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits><policy>0x000b</policy></launchSecurity>",
          ),
        );
      useWizard.getState().go('secure');
    });
    expect(screen.getByTestId('policy').textContent).toBe(
      'Policy in this domain: 0x000b — NODBG (no debugging), NOKS (no key sharing), NOSEND.',
    );
  });

  it('has no accessibility violations', async () => {
    const { container } = renderAt('secure', 'sev-q35.xml');
    expect(await axeViolations(container)).toEqual([]);
  });
});
