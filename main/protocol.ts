/**
 * The app:// scheme that serves the renderer build inside the desktop window (Electron security checklist
 * item 18: no file://). The scheme must be registered as privileged before the app is ready; its handler
 * serves only files inside the build folder, each with the Content-Security-Policy header.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { resolveStaticPath, SECURITY_HEADERS, staticFileHeaders } from './serve/static-files';
import { APP_HOST, APP_SCHEME } from './window-policy';

/** Call before app 'ready': privileges can only be granted then. */
export function registerAppScheme(): void {
  // codeCache: Chromium keeps the compiled renderer between launches, as it does for http(s) (needs `standard`).
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

export function serveRendererFrom(staticDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST && request.method === 'GET' ? resolveStaticPath(staticDir, url.pathname) : null;
    if (file === null) return new Response('Not Found', { status: 404, headers: SECURITY_HEADERS });
    const res = await net.fetch(pathToFileURL(file).toString());
    if (!res.ok) return new Response('Not Found', { status: 404, headers: SECURITY_HEADERS });
    return new Response(res.body, { status: 200, headers: staticFileHeaders(url.pathname, file) });
  });
}
