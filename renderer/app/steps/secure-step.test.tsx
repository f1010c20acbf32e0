import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeHostFacts, parseDomainCapabilities } from '../../../src/host';
import { repoRoot } from '../../../test/real-parts';
import { axeViolations, loadAt, renderAt, sampleXml } from '../../../test/render-app';
import { installRealBridge } from '../../../test/renderer-bridge';

beforeAll(() => {
  installRealBridge();
});

const radio = (label: string) => screen.getByLabelText<HTMLInputElement>(label);
const domcaps = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');

describe('Secure VM step', () => {
  it('disables the technologies an s390x guest cannot use, says why in the engine’s words, and offers s390 PV', () => {
    const { store } = renderAt('secure', 's390-pv.xml');
    for (const t of ['AMD SEV', 'AMD SEV-ES', 'AMD SEV-SNP', 'Intel TDX']) expect(radio(t).disabled).toBe(true);
    expect(screen.getAllByText(/Not available: needs a x86_64 guest; this one is s390x/)).toHaveLength(4);
    expect(radio('IBM s390 Protected Virtualization').disabled).toBe(false);
    fireEvent.click(radio('IBM s390 Protected Virtualization'));
    expect(store.getState().secure).toBe('s390-pv');
  });

  it('shows a guest made SEV-SNP by an object in <qemu:commandline> as SEV-SNP, and choosing None asks for an ordinary VM', () => {
    const { store } = renderAt('start');
    const xml = sampleXml('sev-q35.xml').replace(
      '</devices>',
      "</devices><qemu:commandline><qemu:arg value='-object'/><qemu:arg value='sev-snp-guest,id=s0,reduced-phys-bits=1'/><qemu:arg value='-machine'/><qemu:arg value='confidential-guest-support=s0'/></qemu:commandline>",
    );
    loadAt(store, 'snp-commandline.xml', xml, 'secure');
    expect(radio('AMD SEV-SNP').checked).toBe(true);
    expect(radio('None (ordinary VM)').checked).toBe(false);
    fireEvent.click(radio('None (ordinary VM)'));
    expect(store.getState().secure).toBe('none');
  });

  it("says this host's libvirt is too old for SEV-SNP, with both versions", () => {
    const { store } = renderAt('secure', 'sev-q35.xml');
    act(() =>
      store.getState().setHost({
        ...store.getState().host,
        libvirtVersion: { kind: 'exact', version: { major: 9, minor: 0, micro: 0 }, source: 'virsh version' },
      }),
    );
    expect(radio('AMD SEV-SNP').disabled).toBe(true);
    expect(screen.getByText(/libvirt 9\.0\.0 here; AMD SEV-SNP needs 10\.5\.0/)).toBeTruthy();
  });

  it("for SEV on a libvirt older than 6.9 (which needs the host's values), says what the plan still needs right there, and the domcapabilities file given there unblocks it", async () => {
    const { store } = renderAt('secure', 'sev-q35.xml');
    act(() =>
      store.getState().setHost({
        ...store.getState().host,
        libvirtVersion: { kind: 'exact', version: { major: 6, minor: 0, micro: 0 }, source: 'virsh version' },
      }),
    );
    fireEvent.click(radio('AMD SEV'));
    const needs = screen.getByTestId('still-needed');
    expect(needs.textContent).toMatch(/What the plan for AMD SEV still needs/);
    expect(needs.textContent).not.toMatch(/--host-caps|--connect/);
    fireEvent.change(screen.getByTestId('host-caps-file'), {
      target: { files: [new File([readFileSync(domcaps, 'utf8')], 'host-caps.xml')] },
    });
    await waitFor(() => expect(store.getState().host.sev.cbitpos).toBe(51));
    await waitFor(() => expect(screen.queryByTestId('still-needed')).toBeNull());
  });

  it('a choice that becomes impossible when the host’s capabilities arrive does not stay selected, and says why', () => {
    const { store } = renderAt('secure', 'sev-q35.xml');
    fireEvent.click(radio('Intel TDX'));
    expect(store.getState().secure).toBe('tdx');
    const noTdx = mergeHostFacts(parseDomainCapabilities(readFileSync(domcaps, 'utf8')));
    act(() => store.getState().setHost({ ...noTdx, tdx: 'no' }));
    expect(store.getState().secure).toBe('keep');
    expect(radio('Intel TDX').checked).toBe(false);
    expect(screen.getByTestId('dropped-choice').textContent).toMatch(/Intel TDX is no longer possible here.*no Intel TDX support/s);
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

  it('reads the policy a domain already has as hexadecimal, as libvirt does (10 is DOMAIN, not NOKS and NOSEND)', () => {
    const { store } = renderAt('start');
    const withPolicy = (p: string) =>
      sampleXml('sev-q35.xml').replace(
        '</devices>',
        `</devices>\n  <launchSecurity type='sev'><cbitpos>51</cbitpos><reducedPhysBits>1</reducedPhysBits><policy>${p}</policy></launchSecurity>`,
      );
    loadAt(store, 'x.xml', withPolicy('0x000b'), 'secure');
    expect(screen.getByTestId('policy').textContent).toBe(
      'Policy in this domain: 0x000b — NODBG (no debugging), NOKS (no key sharing), NOSEND.',
    );
    loadAt(store, 'y.xml', withPolicy('10'), 'secure');
    expect(screen.getByTestId('policy').textContent).toBe('Policy in this domain: 10 — DOMAIN.');
  });

  it("shows why the host's capabilities could not be read with a domain from libvirt", () => {
    const { store } = renderAt('start');
    act(() => {
      store.getState().load({ kind: 'libvirt', uri: 'qemu:///system', name: 'g', loadedXml: '' }, sampleXml('sev-q35.xml'), {
        hostProblem: 'virsh domcapabilities failed on qemu:///system: unsupported configuration.',
      });
    });
    expect(screen.getByTestId('host-problem').textContent).toMatch(/could not be read.*unsupported configuration/s);
  });

  it('has no accessibility violations', async () => {
    const { container } = renderAt('secure', 'sev-q35.xml');
    fireEvent.click(radio('AMD SEV'));
    expect(await axeViolations(container)).toEqual([]);
  });
});
