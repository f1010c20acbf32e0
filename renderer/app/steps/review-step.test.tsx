import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { MAX_DOMAIN_XML_BYTES } from '../../../src/contracts/limits';
import { parseVersion } from '../../../src/contracts/version';
import { mergeHostFacts, parseDomainCapabilities } from '../../../src/host';
import { missingParts, repoRoot } from '../../../test/real-parts';
import { axeViolations, loadAt, openFileOnStart, renderAt, sampleXml } from '../../../test/render-app';
import { installRealBridge } from '../../../test/renderer-bridge';

beforeAll(() => {
  installRealBridge();
});

const sevHost = () =>
  mergeHostFacts(parseDomainCapabilities(readFileSync(path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml'), 'utf8')));

const noSchema = missingParts('xmllint', 'schemas');
/** This machine's libvirt, whose schemas validate here (SEV-SNP's element is in libvirt 10.5 and later). */
const localLibvirt = noSchema
  ? null
  : parseVersion(
      /Using library: libvirt ([\d.]+)/.exec(execFileSync('virsh', ['-c', 'test:///default', 'version'], { encoding: 'utf8' }))?.[1] ?? '',
    );
const snpTooNew = localLibvirt !== null && (localLibvirt.major < 10 || (localLibvirt.major === 10 && localLibvirt.minor < 5));
describe.skipIf(noSchema)(`Review: the planned XML against libvirt's schema ${noSchema ? `(skipped: ${noSchema})` : ''}`, () => {
  it('says the planned XML validates', async () => {
    renderAt('review', 'sev-q35.xml');
    await waitFor(
      () => expect(screen.getByTestId('schema-status').textContent).toBe('The planned XML validates against libvirt’s schema.'),
      { timeout: 10_000 },
    );
  });

  it('says before Apply that XML libvirt would refuse does not validate, naming the line', async () => {
    const { store } = renderAt('start');
    loadAt(store, 'bad.xml', sampleXml('sev-q35.xml').replace('<vcpu', '<bogus/>\n  <vcpu'), 'review');
    await waitFor(
      () => expect(screen.getByTestId('schema-status').textContent).toMatch(/does not validate.*Apply will refuse it.*line \d+/s),
      { timeout: 10_000 },
    );
  });

  it.skipIf(!snpTooNew)(
    `SEV-SNP planned here, where libvirt's schema predates it: says which element, since which libvirt, and where to validate${snpTooNew ? '' : ' (skipped: this libvirt knows SEV-SNP)'}`,
    async () => {
      const { store } = renderAt('start');
      loadAt(store, 'guest.xml', sampleXml('sev-q35.xml'), 'review');
      act(() => {
        store.getState().setHost(sevHost());
        store.getState().setSecure('sev-snp');
      });
      await waitFor(() => expect(store.getState().info?.libvirtVersion).toMatch(/^\d+\.\d+/), { timeout: 10_000 });
      const local = store.getState().info!.libvirtVersion!;
      await waitFor(
        () => {
          const status = screen.getByTestId('schema-status').textContent ?? '';
          expect(status).toMatch(new RegExp(`libvirt ${local.replace(/\./g, '\\.')}.*older than <launchSecurity type='sev-snp'>`));
          expect(status).toMatch(/libvirt knows since 10\.5\.0/);
          expect(status).toMatch(/virsh define --validate/);
        },
        { timeout: 10_000 },
      );
    },
  );

  it('when the schema check fails (here the services refuse an XML over the 10 MB limit), says so instead of "Checking…" for ever', async () => {
    const { store } = renderAt('review', 'transitional-i440fx.xml');
    const huge = sampleXml('transitional-i440fx.xml').replace('</domain>', `<!-- ${'x'.repeat(MAX_DOMAIN_XML_BYTES)} -->\n</domain>`);
    act(() => store.getState().setManualXml(huge));
    await waitFor(() => expect(screen.getByTestId('schema-status').textContent).toMatch(/could not run.*schema\.validate: xml: /s), {
      timeout: 20_000,
    });
  }, 30_000);
});

describe('Review: editing the planned XML by hand', () => {
  it('uses the edited XML for the diff and Apply, and discards it when the goal changes', async () => {
    const { work } = installRealBridge();
    const file = path.join(work, 'hand.xml');
    writeFileSync(file, sampleXml('transitional-i440fx.xml'));
    const store = await openFileOnStart(file, 'review');
    fireEvent.click(screen.getByRole('button', { name: 'Edit the planned XML by hand' }));
    const box = screen.getByTestId('manual-xml') as HTMLTextAreaElement;
    const edited = box.value.replace(/<vcpu([^>]*)>\d+<\/vcpu>/, '<vcpu$1>4</vcpu>');
    fireEvent.change(box, { target: { value: edited } });
    fireEvent.click(screen.getByRole('button', { name: 'Use my XML' }));
    expect(screen.getByTestId('manual-note')).toBeTruthy();
    expect(screen.getByTestId('diff').textContent).toMatch(/\+.*>4<\/vcpu>/);
    act(() => store.getState().go('apply'));
    await waitFor(() => expect((screen.getByTestId('save') as HTMLButtonElement).disabled).toBe(false), { timeout: 10_000 });
    fireEvent.click(screen.getByTestId('save'));
    await screen.findByTestId('applied', {}, { timeout: 10_000 });
    expect(readFileSync(file, 'utf8')).toBe(edited);
    act(() => {
      store.getState().setManualXml('<domain/>');
      store.getState().setSecure('sev');
    });
    expect(store.getState().manualXml).toBeNull();
  }, 30_000);

  it('has no accessibility violations with the hand edit open', async () => {
    const { container, store } = renderAt('review', 'transitional-i440fx.xml');
    act(() => store.getState().setManualXml(sampleXml('transitional-i440fx.xml').replace('</devices>', '  <bogus/>\n  </devices>')));
    expect(screen.getByTestId('manual-note')).toBeTruthy();
    expect(await axeViolations(container)).toEqual([]);
  }, 20_000);

  it('keeps working when the hand-edited XML is not well-formed, and says why it cannot be used', () => {
    const { store } = renderAt('review', 'transitional-i440fx.xml');
    act(() => store.getState().setManualXml('<domain><name>x</name>'));
    expect(screen.getByRole('alert').textContent).toMatch(/Your XML cannot be used: your XML:1:1: <domain> is never closed/);
    expect(screen.getByRole('heading', { name: 'Review' })).toBeTruthy();
  });
});

describe('Review: the data-path picture', () => {
  it('draws the device the user picks, with its backend, from the engine’s device state', () => {
    const { store } = renderAt('review', 'sev-q35.xml');
    act(() => {
      store.getState().setHost(sevHost());
      store.getState().setSecure('sev');
      store.getState().setBackend('/domain/devices/interface[1]', 'vhost-kernel');
    });
    const summary = () => screen.getByTestId('data-path').querySelector('ol')?.getAttribute('aria-label') ?? '';
    // The bounce buffer carries the engine's pool (swiotlb-figures.test.tsx holds the figures to its report).
    expect(summary()).toMatch(
      /^Data path: Guest driver → DMA API → SWIOTLB bounce buffer in shared memory \(a \d+ MiB pool[^)]*\) → QEMU device$/,
    );
    fireEvent.change(screen.getByTestId('path-device'), { target: { value: '/domain/devices/interface[1]' } });
    expect(summary()).toMatch(
      /^Data path: Guest driver → DMA API → SWIOTLB bounce buffer in shared memory \(a \d+ MiB pool; this device maps up to \d+ MiB at once\) → vhost \(host kernel\)$/,
    );
    expect([...screen.getAllByTestId('path-box')].map((b) => b.querySelector('.vaw-path-label')?.textContent)).toEqual([
      'Guest driver',
      'DMA API',
      'SWIOTLB',
      'vhost (host kernel)',
    ]);
  });

  it('the diff is folded until asked for, and shows what the plan writes', () => {
    const { store } = renderAt('review', 'sev-q35.xml');
    act(() => {
      store.getState().setHost(sevHost());
      store.getState().setSecure('sev');
    });
    const toggle = screen.getByRole('button', { name: 'The changes to the XML (diff)' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByTestId('diff').textContent).toContain("+  <launchSecurity type='sev'>");
  });
});
