/**
 * The Electron main process as it ships (bundled by scripts/node-bundles.mjs, as `npm run build` does), run in Node against a recording
 * stand-in for the `electron` module: the one part that may be faked (the real shell is covered by
 * e2e/electron-smoke.test.ts where Electron's binary exists). Everything behind it is real: the IPC table, the
 * services, the static-file resolver and the policies.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronChannelName, IPC_CHANNELS } from '../src/contracts/ipc';
import { SECURE_WEB_PREFERENCES, START_URL } from './window-policy';
import { missingParts } from '../test/real-parts';
import { buildNodeBundles } from '../scripts/node-bundles.mjs';

type Listener = (...args: unknown[]) => unknown;

/** ipcMain.handle accepts a value or a promise; callers get a promise either way. */
const call = (handler: Listener, ...args: unknown[]) => Promise.resolve(handler(...args));

/** Records what main/app.ts asks of Electron, and lets the test play Electron's part. */
function fakeElectron(root: string) {
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const calls: string[] = [];
  const appListeners = new Map<string, Listener>();
  const ipcHandlers = new Map<string, Listener>();
  const protocolHandlers = new Map<string, (req: Request) => Promise<Response>>();
  const windows: { options: Record<string, unknown>; url: string; webContents: { id: number } }[] = [];
  const opened: string[] = [];
  const dialogs: string[] = [];
  const dialogAnswer: { open: boolean; saveAs: string | null } = { open: false, saveAs: null };
  let permissionRequest: Listener | undefined;
  let permissionCheck: Listener | undefined;
  let privileged: unknown;
  const electron = {
    app: {
      requestSingleInstanceLock: () => true,
      quit: () => calls.push('quit'),
      enableSandbox: () => calls.push('enableSandbox'),
      on: (event: string, fn: Listener) => appListeners.set(event, fn),
      whenReady: () => ready,
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => {
        calls.push('registerSchemesAsPrivileged');
        privileged = schemes;
      },
      handle: (scheme: string, fn: (req: Request) => Promise<Response>) => protocolHandlers.set(scheme, fn),
    },
    net: {
      fetch: (url: string) => {
        try {
          return Promise.resolve(new Response(readFileSync(new URL(url))));
        } catch {
          return Promise.resolve(new Response('', { status: 404 }));
        }
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (permissionRequest = fn),
        setPermissionCheckHandler: (fn: Listener) => (permissionCheck = fn),
      },
    },
    ipcMain: { handle: (channel: string, fn: Listener) => ipcHandlers.set(channel, fn) },
    dialog: {
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
      showMessageBox: (options: { message: string }) => {
        dialogs.push(`message: ${options.message}`);
        return Promise.resolve({ response: dialogAnswer.open ? 0 : 1 });
      },
      showSaveDialog: (options: { defaultPath: string }) => {
        dialogs.push(`save: ${options.defaultPath}`);
        return Promise.resolve({ canceled: dialogAnswer.saveAs === null, filePath: dialogAnswer.saveAs ?? undefined });
      },
    },
    shell: { openExternal: (url: string) => opened.push(url) },
    BrowserWindow: class {
      static all: unknown[] = [];
      static getAllWindows = () => this.all;
      readonly webContents = { id: 41 + windows.length, once: () => undefined, on: () => undefined };
      constructor(readonly options: Record<string, unknown>) {
        windows.push({ options, url: '', webContents: this.webContents });
      }
      once() {}
      loadURL(url: string) {
        windows[windows.length - 1]!.url = url;
        return Promise.resolve();
      }
    },
  };
  return {
    electron,
    markReady,
    calls,
    appListeners,
    ipcHandlers,
    protocolHandlers,
    windows,
    opened,
    dialogs,
    dialogAnswer,
    permission: () => ({ permissionRequest, permissionCheck }),
    privileged: () => privileged,
    root,
  };
}

let work = '';
let fake: ReturnType<typeof fakeElectron>;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vaw-app-'));
  // The layout the bundle expects around dist/main/app.cjs: package.json and the renderer build.
  mkdirSync(path.join(work, 'dist/main'), { recursive: true });
  mkdirSync(path.join(work, 'dist/renderer'), { recursive: true });
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ version: '9.9.9' }));
  writeFileSync(path.join(work, 'dist/renderer/index.html'), '<!doctype html><title>Virtio Access Wizard</title>');
  await buildNodeBundles(path.join(work, 'dist'), ['electron']);
  fake = fakeElectron(work);
  const filename = path.join(work, 'dist/main/app.cjs');
  const nodeRequire = createRequire(filename);
  const module = { exports: {} };
  const requireWithElectron = (id: string) => (id === 'electron' ? fake.electron : nodeRequire(id));
  new Function('require', 'module', 'exports', '__filename', '__dirname', readFileSync(filename, 'utf8'))(
    requireWithElectron,
    module,
    module.exports,
    filename,
    path.dirname(filename),
  );
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Electron main process', () => {
  it('turns the sandbox on and registers the app scheme as privileged before ready, and nothing else yet', () => {
    expect(fake.calls).toEqual(['enableSandbox', 'registerSchemesAsPrivileged']);
    expect(fake.privileged()).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
    expect(fake.ipcHandlers.size).toBe(0);
    expect(fake.windows).toHaveLength(0);
  });

  it('once ready: denies every permission, opens one window with the secure preferences on app://', async () => {
    fake.markReady();
    await new Promise((r) => setTimeout(r, 20));
    const { permissionRequest, permissionCheck } = fake.permission();
    const answers: boolean[] = [];
    permissionRequest?.(null, 'media', (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false]);
    expect(permissionCheck?.(null, 'clipboard-read')).toBe(false);
    expect(fake.windows).toHaveLength(1);
    const w = fake.windows[0]!;
    expect(w.url).toBe(START_URL);
    expect(w.options.webPreferences).toEqual({ ...SECURE_WEB_PREFERENCES, preload: path.join(work, 'dist/main/preload.cjs') });
    expect(w.options).toMatchObject({ show: false, minWidth: 800, minHeight: 600 });
  });

  it('answers every contract channel, and only from the app page of a window it created', async () => {
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(IPC_CHANNELS.map(electronChannelName).sort());
    const handler = fake.ipcHandlers.get(electronChannelName('app.info'))!;
    const id = fake.windows[0]!.webContents.id;
    await expect(call(handler, { sender: { id }, senderFrame: { url: START_URL } }, {})).resolves.toMatchObject({
      ok: true,
      value: { mode: 'electron', version: '9.9.9' },
    });
    await expect(call(handler, { sender: { id }, senderFrame: { url: 'https://example.org/' } }, {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'untrusted-sender' },
    });
    await expect(call(handler, { sender: { id: id + 100 }, senderFrame: { url: START_URL } }, {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'untrusted-sender' },
    });
    // Requests are validated by the contract before any service runs.
    const read = fake.ipcHandlers.get(electronChannelName('file.read'))!;
    await expect(call(read, { sender: { id }, senderFrame: { url: START_URL } }, { path: 7 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });

  it("reads a path typed in the window only after Electron's own dialog confirms it, and saves elsewhere only through the save dialog", async () => {
    const sender = { sender: { id: fake.windows[0]!.webContents.id }, senderFrame: { url: START_URL } };
    const file = path.join(work, 'typed.xml');
    writeFileSync(file, "<domain type='kvm'><name>typed</name></domain>\n");
    const read = fake.ipcHandlers.get(electronChannelName('file.read'))!;
    fake.dialogAnswer.open = false;
    await expect(call(read, sender, { path: file })).resolves.toMatchObject({ ok: false, error: { code: 'cancelled' } });
    fake.dialogAnswer.open = true;
    await expect(call(read, sender, { path: file })).resolves.toMatchObject({ ok: true, value: { path: file } });
    const save = fake.ipcHandlers.get(electronChannelName('file.save'))!;
    const elsewhere = path.join(work, 'elsewhere.xml');
    fake.dialogAnswer.saveAs = null;
    await expect(
      call(save, sender, {
        path: elsewhere,
        text: "<domain type='kvm'><name>x</name></domain>",
        expectedFingerprint: null,
        validate: false,
      }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(fake.dialogs).toEqual([`message: Open ${file}?`, `message: Open ${file}?`, `save: ${elsewhere}`]);
    // The save dialog is where a path is chosen in the window: the renderer cannot probe paths there.
    const inspect = fake.ipcHandlers.get(electronChannelName('file.inspect'))!;
    await expect(call(inspect, sender, { path: '/etc/passwd' })).resolves.toMatchObject({ ok: false, error: { code: 'not-permitted' } });
  });

  it('serves the renderer from app:// with the CSP header and nothing outside the build folder', async () => {
    const serve = fake.protocolHandlers.get('app')!;
    const ok = await serve(new Request('app://wizard/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(ok.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await ok.text()).toContain('<title>Virtio Access Wizard</title>');
    for (const url of [
      'app://wizard/%2e%2e/%2e%2e/package.json',
      'app://wizard/..%2f..%2fpackage.json',
      'app://other/index.html',
      'app://wizard/missing.js',
    ]) {
      const r = await serve(new Request(url));
      expect(r.status, url).toBe(404);
      expect(r.headers.get('content-security-policy'), url).toContain("default-src 'none'");
    }
  });

  it('hardens every web contents: navigation, redirects, new windows and webviews', () => {
    const on = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    fake.appListeners.get('web-contents-created')!(
      {},
      { on: (e: string, fn: Listener) => on.set(e, fn), setWindowOpenHandler: (fn: Listener) => (openHandler = fn) },
    );
    const prevented = (event: string, url?: string) => {
      let p = false;
      on.get(event)!({ preventDefault: () => (p = true) }, url);
      return p;
    };
    expect(prevented('will-navigate', 'https://example.org/')).toBe(true);
    expect(prevented('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-navigate', START_URL)).toBe(false);
    expect(prevented('will-redirect', 'https://example.org/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(openHandler!({ url: 'https://libvirt.org/formatdomain.html' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual(['https://libvirt.org/formatdomain.html']);
  });

  const noSchemas = missingParts('schemas');
  it.skipIf(noSchemas)(
    `validates against libvirt's schemas with the WebAssembly libxml2 beside the bundle when no xmllint is installed ${noSchemas ? `(skipped: ${noSchemas})` : ''}`,
    async () => {
      const validate = fake.ipcHandlers.get(electronChannelName('schema.validate'))!;
      const sender = { sender: { id: fake.windows[0]!.webContents.id }, senderFrame: { url: START_URL } };
      const xml = "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os><frobnicator/></domain>";
      const pathBefore = process.env.PATH;
      process.env.PATH = work;
      try {
        const r = (await call(validate, sender, { xml })) as {
          ok: boolean;
          value: { available: boolean; valid: boolean; errors: unknown[] };
        };
        expect(r).toMatchObject({ ok: true, value: { available: true, valid: false } });
        expect(r.value.errors.length).toBeGreaterThan(0);
      } finally {
        process.env.PATH = pathBefore;
      }
    },
    60_000,
  );

  it('quits when the window closes', () => {
    fake.appListeners.get('window-all-closed')!();
    expect(fake.calls).toContain('quit');
  });
});
