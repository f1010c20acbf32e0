import { act, screen, waitFor } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealBridge } from '../../../test/renderer-bridge';
import { missingParts } from '../../../test/real-parts';
import { renderAt, sampleXml } from '../../../test/render-app';
import { useWizard } from '../../store/store';

beforeAll(() => {
  installRealBridge();
});

const noSchema = missingParts('xmllint', 'schemas');
describe.skipIf(noSchema)(`Review: the planned XML against libvirt's schema ${noSchema ? `(skipped: ${noSchema})` : ''}`, () => {
  it('says the planned XML validates', async () => {
    renderAt('review', 'sev-q35.xml');
    await waitFor(() => expect(screen.getByTestId('schema-status').textContent).toBe('The planned XML validates against libvirt’s schema.'), { timeout: 10_000 });
  });

  it('says before Apply that XML libvirt would refuse does not validate, naming the line', async () => {
    renderAt('review');
    act(() => {
      useWizard.getState().load({ kind: 'upload', name: 'bad.xml' }, sampleXml('sev-q35.xml').replace('<vcpu', '<bogus/>\n  <vcpu'));
      useWizard.getState().go('review');
    });
    await waitFor(() => expect(screen.getByTestId('schema-status').textContent).toMatch(/does not validate.*Apply will refuse it.*line \d+/s), { timeout: 10_000 });
  });
});
