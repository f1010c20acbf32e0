/**
 * The Apply step's "Test start" channel (`libvirt.verify`) through `dispatch`, as the Electron window and the serve
 * bridge call it: a plan is started paused on each generation of the version lab, and bad input is a ServiceError.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IpcResponse } from '../../src/contracts/ipc';
import { labDomainName, readLabState } from '../../test/lab';
import { missingParts, repoRoot } from '../../test/real-parts';
import { createIpcHandlers, dispatch } from './ipc-table';

const missing = missingParts('lab');
const generations = missing ? [] : readLabState();

describe.skipIf(missing)(`the libvirt.verify channel ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-lab-verify-ipc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const handlers = createIpcHandlers({
    mode: 'serve',
    version: 'test',
    appRoot: repoRoot,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state') },
  });

  for (const g of generations) {
    it(`starts a copy of a q35 plan paused on ${g.name} (libvirt ${g.libvirt}) and reports it with the engine's agreement`, async () => {
      const xml = `<domain type='qemu'>
  <name>${labDomainName(g, 'ipc')}</name>
  <memory unit='MiB'>256</memory>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <devices>
    <interface type='user'>
      <model type='virtio-non-transitional'/>
      <driver iommu='on'/>
    </interface>
    <memballoon model='none'/>
  </devices>
</domain>
`;
      const r = await dispatch(handlers, 'libvirt.verify', { uri: g.uri, xml });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      // dispatch answers for any channel; this one's response is a VerifyReport.
      const report = r.value as IpcResponse<'libvirt.verify'>;
      expect(report.outcome).toBe('started');
      expect(report.libvirtVersion).toBe(g.libvirt);
      expect(report.qemuVersion).toBe(g.qemu);
      expect(report.copy?.name).toMatch(/^vaw-verify-/);
      expect(report.agrees).toBe(true);
    }, 300_000);
  }

  it('answers a document that is not well-formed with a ServiceError naming the line and column', async () => {
    const r = await dispatch(handlers, 'libvirt.verify', { uri: generations[0]!.uri, xml: '<domain>\n<name>x</name>\n<devices>' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('xml-invalid');
    expect(r.error.message).toBe('planned domain:3:1: <devices> is never closed (missing </devices>)');
  });
});
