/** The IPC table's own behaviour over the real services: Cancel, what a save target would mean, what a read reports. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IpcResponse } from '../../src/contracts/ipc';
import { missingParts, repoRoot } from '../../test/real-parts';
import { startSilentLibvirt } from '../../test/silent-libvirt';
import { createIpcHandlers, dispatch } from './ipc-table';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-ipc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const handlers = createIpcHandlers({
  mode: 'serve',
  version: 'test',
  appRoot: repoRoot,
  env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state') },
});

describe('file.inspect: what saving to a typed path would do', () => {
  it('tells a new file in a writable folder, a file there (replaceable only once opened), a missing folder and a relative path apart', async () => {
    mkdirSync(path.join(dir, 'out'));
    const there = path.join(dir, 'out', 'there.xml');
    writeFileSync(there, "<domain type='kvm'><name>there</name></domain>\n");
    const inspect = async (p: string) => {
      const r = await dispatch(handlers, 'file.inspect', { path: p });
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    expect(await inspect(path.join(dir, 'out', 'new.xml'))).toEqual({
      absolute: true,
      exists: false,
      isFile: false,
      granted: false,
      folderExists: true,
      folderWritable: true,
    });
    expect(await inspect(there)).toMatchObject({ exists: true, isFile: true, granted: false });
    // Opened in this session, the file may be replaced by a save.
    expect(await dispatch(handlers, 'file.read', { path: there })).toMatchObject({ ok: true });
    expect(await inspect(there)).toMatchObject({ exists: true, isFile: true, granted: true });
    expect(await inspect(path.join(dir, 'out'))).toMatchObject({ exists: true, isFile: false });
    expect(await inspect(path.join(dir, 'nowhere', 'g.xml'))).toMatchObject({ folderExists: false, folderWritable: false });
    expect(await inspect('relative.xml')).toMatchObject({ absolute: false });
  });
});

const noVirsh = missingParts('virsh');
describe.skipIf(noVirsh)(`cancellable calls ${noVirsh ? `(skipped: ${noVirsh})` : ''}`, () => {
  it('call.cancel stops a running libvirt.read by its id (its virsh is killed); other ids and finished calls cancel nothing', async () => {
    const daemon = await startSilentLibvirt();
    try {
      const reading = dispatch(handlers, 'libvirt.read', { uri: daemon.uri, name: 'g' }, { callId: 'read-1' });
      await daemon.connected();
      expect(await dispatch(handlers, 'call.cancel', { callId: 'nope' })).toEqual({ ok: true, value: { cancelled: false } });
      expect(await dispatch(handlers, 'call.cancel', { callId: 'read-1' })).toEqual({ ok: true, value: { cancelled: true } });
      expect(await reading).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      await daemon.allClosed();
      expect(await dispatch(handlers, 'call.cancel', { callId: 'read-1' })).toEqual({ ok: true, value: { cancelled: false } });
    } finally {
      await daemon.stop();
    }
  });

  it('a call id on a channel that is not cancellable (a define) is not registered: a write is never stopped halfway', async () => {
    const define = dispatch(
      handlers,
      'libvirt.define',
      { uri: 'test:///default', name: 'test', xml: '<domain/>', loadedXml: '<domain/>' },
      { callId: 'write-1' },
    );
    expect(await dispatch(handlers, 'call.cancel', { callId: 'write-1' })).toEqual({ ok: true, value: { cancelled: false } });
    expect(await define).toMatchObject({ ok: false });
  });

  it('libvirt.read says why domcapabilities failed instead of dropping it (the test driver has none)', async () => {
    const r = await dispatch(handlers, 'libvirt.read', { uri: 'test:///default', name: 'test' });
    expect(r.ok).toBe(true);
    const read = (r.ok ? r.value : null) as IpcResponse<'libvirt.read'> | null;
    expect(read?.capabilitiesProblem).toMatch(/not supported by the connection driver/);
    expect(read?.xml).toMatch(/<name>test<\/name>/);
  });

  it("app.info names this machine's libvirt, whose schemas validate here", async () => {
    const r = await dispatch(handlers, 'app.info', {});
    expect(r.ok ? (r.value as IpcResponse<'app.info'>).libvirtVersion : null).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
