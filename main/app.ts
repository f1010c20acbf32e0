/**
 * Electron main process: a thin shell. It hardens every web contents (navigation, new windows, webviews,
 * permissions), serves the renderer from app://, registers the IPC table with a sender check, and opens the
 * window. All product logic lives in src/ and the Electron-free services behind main/ipc.
 */
import { app, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { electronChannelName, IPC_CHANNELS } from '../src/contracts/ipc';
import type { UserConfirmation } from './ipc/file-channels';
import { createIpcHandlers, dispatch } from './ipc/ipc-table';
import { registerAppScheme, serveRendererFrom } from './protocol';
import { createMainWindow, focusMainWindow } from './window';
import { externalLinkToOpen, isTrustedIpcSender, mayNavigate } from './window-policy';

/** dist/main/app.cjs → the folder holding package.json, dist/ and assets/. */
const appRoot = path.resolve(__dirname, '..', '..');
const trustedWebContents = new Set<number>();

function hardenAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!mayNavigate(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!mayNavigate(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const external = externalLinkToOpen(url);
      if (external !== null) void shell.openExternal(external);
      return { action: 'deny' };
    });
  });
}

function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function registerIpc(confirm: UserConfirmation): void {
  const version = (JSON.parse(readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const handlers = createIpcHandlers({ mode: 'electron', version, appRoot, confirm });
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(electronChannelName(channel), (event: IpcMainInvokeEvent, request: unknown, callId: unknown) => {
      if (!isTrustedIpcSender({ id: event.sender.id, frameUrl: event.senderFrame?.url }, trustedWebContents)) {
        return {
          ok: false,
          error: { code: 'untrusted-sender', message: 'This call did not come from the app window.', hint: 'Nothing was run.' },
        };
      }
      return dispatch(handlers, channel, request, { callId });
    });
  }
}

const XML_FILTERS = [
  { name: 'Domain XML', extensions: ['xml'] },
  { name: 'All files', extensions: ['*'] },
];

/**
 * The user's own answers, from main's dialogs: the renderer can ask for a file, but only these grant one
 * (main/ipc/file-grants.ts; docs/security.md).
 */
const nativeConfirmation: UserConfirmation = {
  async pickFile() {
    const r = await dialog.showOpenDialog({ title: 'Open a libvirt domain XML file', properties: ['openFile'], filters: XML_FILTERS });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  async confirmOpen(file) {
    const r = await dialog.showMessageBox({
      type: 'question',
      title: 'Open a file',
      message: `Open ${file}?`,
      detail: 'Virtio Access Wizard reads and saves only the files you confirm here or choose in a file dialog.',
      buttons: ['Open', 'Cancel'],
      defaultId: 0,
      cancelId: 1,
    });
    return r.response === 0;
  },
  async confirmSaveAs(file) {
    const r = await dialog.showSaveDialog({ title: 'Save the domain XML', defaultPath: file, filters: XML_FILTERS });
    return r.canceled ? null : (r.filePath ?? null);
  },
};

function openWindow(): void {
  const win = createMainWindow({
    preload: path.join(appRoot, 'dist/main/preload.cjs'),
    icon: path.join(appRoot, 'assets/icons/512x512.png'),
    title: 'Virtio Access Wizard',
  });
  const id = win.webContents.id;
  trustedWebContents.add(id);
  win.webContents.once('destroyed', () => trustedWebContents.delete(id));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  registerAppScheme();
  hardenAllWebContents();
  app.on('second-instance', focusMainWindow);
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(() => {
    denyAllPermissions();
    serveRendererFrom(path.join(appRoot, 'dist/renderer'));
    registerIpc(nativeConfirmation);
    openWindow();
  });
}
