/**
 * The only bridge between the sandboxed renderer and the main process: `window.api`, one named function per
 * contract channel, each forwarding its request to ipcMain and returning the result. The renderer never gets
 * ipcRenderer or an event object (Electron security checklist item 20). Bundled to one CommonJS file because
 * a sandboxed preload cannot require anything but electron's renderer modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { electronChannelName, IPC_CHANNELS, type PreloadApi } from '../../src/contracts/ipc';

const api = Object.fromEntries(
  IPC_CHANNELS.map((channel) => [
    channel,
    (request: unknown, callId?: string) => ipcRenderer.invoke(electronChannelName(channel), request, callId),
  ]),
) as unknown as PreloadApi;

contextBridge.exposeInMainWorld('api', Object.freeze(api));
