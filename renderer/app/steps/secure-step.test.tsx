import { fireEvent, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { axeViolations, renderAt } from '../../../test/render-app';
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

  it('shows the host values and what the policy bits mean once SEV is chosen', () => {
    renderAt('secure', 'sev-q35.xml');
    expect(screen.queryByText(/Policy bits/)).toBeNull();
    fireEvent.click(radio('AMD SEV'));
    expect(screen.getByText(/Policy bits: 0 NODBG/)).toBeTruthy();
  });

  it('has no accessibility violations', async () => {
    const { container } = renderAt('secure', 'sev-q35.xml');
    expect(await axeViolations(container)).toEqual([]);
  });
});
