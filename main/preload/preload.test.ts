/**
 * The preload as it ships: bundled exactly as scripts/build.mjs does, then run the way a sandboxed renderer
 * runs it, where `require` offers only electron. Electron's two objects are recorders here (the shell is the
 * one part that may be faked; the Electron smoke test in e2e/ runs the real one where a binary exists).
 */
import { build } from 'esbuild';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { electronChannelName, IPC_CHANNELS } from '../../src/contracts/ipc';

async function bundlePreload(): Promise<string> {
  const r = await build({
    entryPoints: [path.join(__dirname, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}

function runSandboxed(code: string) {
  const exposed = new Map<string, unknown>();
  const invoked: { channel: string; request: unknown; callId?: unknown }[] = [];
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    ipcRenderer: {
      invoke: (channel: string, request: unknown, callId?: unknown) => {
        invoked.push(callId === undefined ? { channel, request } : { channel, request, callId });
        return Promise.resolve({ ok: true, value: channel });
      },
    },
  };
  const module = { exports: {} };
  const sandboxRequire = (id: string) => {
    required.push(id);
    if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
    return electron;
  };
  vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports });
  return { exposed, invoked, required };
}

describe('preload', () => {
  it('requires nothing but electron, so it runs with the sandbox on', async () => {
    const { required } = runSandboxed(await bundlePreload());
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes exactly one frozen window.api with one function per contract channel', async () => {
    const { exposed } = runSandboxed(await bundlePreload());
    expect([...exposed.keys()]).toEqual(['api']);
    const api = exposed.get('api') as Record<string, unknown>;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual([...IPC_CHANNELS].sort());
    for (const c of IPC_CHANNELS) expect(typeof api[c]).toBe('function');
  });

  it('forwards each call to its own prefixed channel with the request unchanged, and returns the result', async () => {
    const { exposed, invoked } = runSandboxed(await bundlePreload());
    const api = exposed.get('api') as Record<string, (r: unknown) => Promise<unknown>>;
    const request = { uri: 'test:///default', name: 'test' };
    await expect(api['libvirt.read']!(request)).resolves.toEqual({ ok: true, value: 'vaw:libvirt.read' });
    expect(invoked).toEqual([{ channel: electronChannelName('libvirt.read'), request }]);
  });

  it('passes the id of a cancellable call along, so call.cancel can stop it', async () => {
    const { exposed, invoked } = runSandboxed(await bundlePreload());
    const api = exposed.get('api') as Record<string, (r: unknown, callId?: string) => Promise<unknown>>;
    await api['libvirt.list']!({ uri: 'test:///default' }, 'c-1');
    await api['call.cancel']!({ callId: 'c-1' });
    expect(invoked).toEqual([
      { channel: electronChannelName('libvirt.list'), request: { uri: 'test:///default' }, callId: 'c-1' },
      { channel: electronChannelName('call.cancel'), request: { callId: 'c-1' } },
    ]);
  });
});
