/**
 * How a call reaches the services: the preload's `window.api.<channel>` in the Electron window, otherwise the
 * serve bridge (POST /api/<channel> with the token the page was opened with).
 */
import {
  CALL_ID_HEADER,
  type IpcChannel,
  type IpcRequest,
  type IpcResponse,
  type IpcResult,
  type PreloadApi,
} from '../../src/contracts/ipc';
import { ApiError } from './api-error';

declare global {
  interface Window {
    readonly api?: PreloadApi;
  }
}

const TOKEN_KEY = 'vaw-token';

/** The serve token: from the URL the server printed (then kept for reloads of this tab), never from elsewhere. */
function token(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

async function overHttp(channel: string, request: unknown, callId: string | undefined): Promise<IpcResult<IpcChannel>> {
  let res: Response;
  try {
    res = await fetch(`./api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token()}`,
        ...(callId === undefined ? {} : { [CALL_ID_HEADER]: callId }),
      },
      body: JSON.stringify(request),
    });
  } catch (e) {
    return {
      ok: false,
      error: {
        code: 'unavailable',
        message: `The Virtio Access Wizard server does not answer (${e instanceof Error ? e.message : String(e)}).`,
        hint: 'Start it again with npm start or virtio-access serve, and open the URL it prints.',
      },
    };
  }
  if (res.status === 401)
    return {
      ok: false,
      error: {
        code: 'unauthorized',
        message: 'The server refused this page: its token is missing or stale.',
        hint: 'Open the exact URL the server printed (it contains ?token=...).',
      },
    };
  if (!res.ok)
    return {
      ok: false,
      error: {
        code: 'unavailable',
        message: `The server answered ${res.status} ${res.statusText}.`,
        hint: 'Restart the server and reload.',
      },
    };
  return (await res.json()) as IpcResult<IpcChannel>;
}

/** Runs one call; `callId` (for CANCELLABLE_CHANNELS) lets `call.cancel` stop it while it runs. */
export async function invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>, callId?: string): Promise<IpcResponse<C>> {
  const viaPreload = window.api?.[channel] as ((r: IpcRequest<C>, callId?: string) => Promise<IpcResult<C>>) | undefined;
  const result = viaPreload ? await viaPreload(request, callId) : await overHttp(channel, request, callId);
  if (!result.ok) throw new ApiError(result.error);
  return result.value as IpcResponse<C>;
}
