/**
 * For renderer unit tests: `window.api` backed by the real IPC table and services (main/ipc), exactly what the
 * preload gives the Electron window, minus Electron. Views under test then call real services, not mocks.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IPC_CHANNELS, type PreloadApi } from '../src/contracts/ipc';
import { createIpcHandlers, dispatch } from '../main/ipc/ipc-table';
import { repoRoot } from './real-parts';

export function installRealBridge(): { readonly work: string } {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-renderer-'));
  const handlers = createIpcHandlers({
    mode: 'serve',
    version: 'test',
    appRoot: repoRoot,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(work, 'config'),
      XDG_STATE_HOME: path.join(work, 'state'),
      XDG_CACHE_HOME: path.join(work, 'cache'),
    },
  });
  const api = Object.fromEntries(
    IPC_CHANNELS.map((c) => [c, (request: unknown) => dispatch(handlers, c, request)]),
  ) as unknown as PreloadApi;
  Object.defineProperty(window, 'api', { value: api, configurable: true });
  return { work };
}
