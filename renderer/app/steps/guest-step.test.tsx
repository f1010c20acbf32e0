import { fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { renderAt } from '../../../test/render-app';
import { derive } from '../../store/derived';

beforeAll(() => {
  installRealBridge();
});

describe('Guest step', () => {
  it('reads a typed kernel version, and a pre-4.8 kernel makes the devices that take the bit an R-SPEC-03 error', async () => {
    const { store } = renderAt('guest', 'sev-q35.xml');
    // The sample names Debian 11 in its metadata: the step looks it up in the host's osinfo-db first.
    await waitFor(() => expect([store.getState().failure?.error.message, store.getState().guest.family]).toEqual([undefined, 'linux']), {
      timeout: 10_000,
    });
    expect(screen.getByTestId('guest-name').textContent).toMatch(/Debian 11/);
    const input = screen.getByLabelText<HTMLInputElement>(/Guest kernel version/);
    fireEvent.change(input, { target: { value: '4.4.0-210-generic' } });
    expect(store.getState().guest.kernelVersion).toEqual({ major: 4, minor: 4, micro: 0 });
    expect(screen.getByText(/Read as 4\.4\.0\./)).toBeTruthy();
    store.getState().setSecure('sev');
    const d = derive(store.getState());
    expect(d.ok && d.findings.filter((f) => f.rule === 'R-SPEC-03').length).toBeGreaterThan(0);
  });

  it('a typed kernel makes a guest of unknown family Linux, so the minimum guest kernel of the chosen technology is judged', () => {
    const { store } = renderAt('guest', 'transitional-i440fx.xml');
    expect(store.getState().guest.family).toBe('unknown');
    fireEvent.change(screen.getByLabelText(/Guest kernel version/), { target: { value: '5.4.0-150-generic' } });
    expect(store.getState().guest.family).toBe('linux');
    store.getState().setSecure('sev-snp');
    const d = derive(store.getState());
    expect(d.ok && d.findings.some((f) => f.rule === 'R-SNP-01' && /Linux 5\.4\.0 cannot run as an AMD SEV-SNP guest/.test(f.title))).toBe(
      true,
    );
  });

  it('treats text that is not a version as unknown and says so', () => {
    const { store } = renderAt('guest', 'transitional-i440fx.xml');
    fireEvent.change(screen.getByLabelText(/Guest kernel version/), { target: { value: 'latest' } });
    expect(store.getState().guest.kernelVersion).toBe('unknown');
    expect(screen.getByText(/Not a version number; treated as unknown\./)).toBeTruthy();
  });
});
