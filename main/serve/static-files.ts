/**
 * The renderer build as static files, for both ways it is served: the loopback bridge (serve mode) and the
 * Electron app:// protocol. One place decides which file a URL path names (never one outside the build
 * folder), its content type, and the headers every response carries.
 */
import path from 'node:path';

/** Deny by default; the renderer needs only its own scripts, styles and images, and calls to its own origin. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * A build file whose name carries a hash of its content (Vite writes every script, stylesheet, font and image of
 * the renderer as assets/NAME-HASH.EXT): that URL always means the same bytes, and holds no secret.
 */
export function isContentAddressed(urlPathname: string): boolean {
  return /^\/assets\/[\w.-]+-[\w-]{8}\.[a-z0-9]+$/.test(urlPathname);
}

/**
 * The headers of a static file: the security headers, and for a content-addressed file a year in the browser's
 * private cache instead of never stored, so a returning visit neither downloads nor compiles the renderer again
 * (Chromium keeps the compiled code of cached scripts). index.html, whose URL carries serve mode's token, and
 * everything else stay `no-store`.
 */
export function staticFileHeaders(urlPathname: string, file: string): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    'Content-Type': contentTypeOf(file),
    ...(isContentAddressed(urlPathname) ? { 'Cache-Control': 'private, max-age=31536000, immutable' } : {}),
  };
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `staticDir` that a URL path names, or null when it would leave that folder (`..`, encoded
 * slashes, absolute paths) or cannot be decoded. `/` names index.html.
 */
export function resolveStaticPath(staticDir: string, urlPathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(staticDir);
  const file = path.resolve(root, rel);
  return file.startsWith(root + path.sep) ? file : null;
}
