/**
 * Serve mode: the renderer build and the IPC table over loopback HTTP, so the same UI runs in an ordinary
 * browser against the real services. Bound to 127.0.0.1 only; every API call needs the per-run token; Host and
 * Origin must name this server (DNS rebinding and cross-site requests are refused); static files carry a
 * strict Content-Security-Policy.
 */
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALL_ID_HEADER } from '../../src/contracts/ipc';
import { dispatch, type createIpcHandlers } from '../ipc/ipc-table';
import { resolveStaticPath, SECURITY_HEADERS, staticFileHeaders } from './static-files';

const MAX_BODY = 11 * 1024 * 1024;

export interface Bridge {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    'Content-Type': type,
    ...SECURITY_HEADERS,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.end(body);
}

/**
 * The request body as text; null when it is over MAX_BODY. A body that is too large is read to its end and
 * dropped (not kept), so the client gets its 413: closing the connection on it instead would reset the
 * connection before the client reads any answer.
 */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The channel named by the path after /api/, or null when its %-escapes are malformed. */
function channelOf(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname.slice('/api/'.length));
  } catch {
    return null;
  }
}

export async function startBridge(options: {
  readonly port: number;
  readonly staticDir: string;
  readonly handlers: ReturnType<typeof createIpcHandlers>;
}): Promise<Bridge> {
  // Loaded here, not with the CLI bundle: every other command would pay for modules only serve mode uses.
  const { randomBytes, timingSafeEqual } = process.getBuiltinModule('node:crypto');
  const http = process.getBuiltinModule('node:http');
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  let port = options.port;
  const ownHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

  const server = http.createServer((req, res) => {
    void (async () => {
      if (!ownHosts().includes(req.headers.host ?? '')) return send(res, 403, 'Forbidden: unknown Host.');
      const origin = req.headers.origin;
      if (origin !== undefined && !ownHosts().some((h) => origin === `http://${h}`)) return send(res, 403, 'Forbidden: foreign Origin.');
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') return send(res, 405, 'Method Not Allowed: the API takes POST.');
        const auth = Buffer.from(req.headers.authorization ?? '');
        if (auth.length !== expected.length || !timingSafeEqual(auth, expected))
          return send(res, 401, 'Unauthorized: this server needs the token from its URL.');
        const channel = channelOf(url.pathname);
        if (channel === null) return send(res, 400, 'Bad Request: the channel name has a malformed %-escape.');
        const body = await readBody(req);
        if (body === null) return send(res, 413, `Payload Too Large: requests are limited to ${MAX_BODY / (1024 * 1024)} MB.`);
        let parsed: unknown;
        try {
          parsed = body === '' ? {} : JSON.parse(body);
        } catch {
          return send(res, 400, 'Bad Request: the body is not JSON.');
        }
        // A call's id comes in a header, so the body stays the bare request; a closed request (the tab went away)
        // cancels the call as call.cancel would.
        const gone = new AbortController();
        res.once('close', () => {
          if (!res.writableFinished) gone.abort();
        });
        const result = await dispatch(options.handlers, channel, parsed, {
          callId: req.headers[CALL_ID_HEADER],
          signal: gone.signal,
        });
        return send(res, 200, JSON.stringify(result), 'application/json');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed.');
      const file = resolveStaticPath(options.staticDir, url.pathname);
      if (file === null) return send(res, 404, 'Not Found.');
      try {
        const data = await fs.readFile(file);
        res.writeHead(200, staticFileHeaders(url.pathname, file));
        res.end(req.method === 'HEAD' ? undefined : data);
      } catch {
        send(res, 404, 'Not Found.');
      }
    })().catch((e: unknown) => send(res, 500, `Internal error: ${e instanceof Error ? e.message : String(e)}`));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
