import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, contentTypeOf, isContentAddressed, resolveStaticPath, staticFileHeaders } from './static-files';

const root = '/srv/app/dist/renderer';

describe('static files of the renderer build', () => {
  it('maps / to index.html and paths to files under the build folder', () => {
    expect(resolveStaticPath(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/index-abc.js')).toBe(path.join(root, 'assets/index-abc.js'));
    expect(resolveStaticPath(root, '/a%20b.svg')).toBe(path.join(root, 'a b.svg'));
  });

  it.each(['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2f..%2fsecret', '/%00index.html', '/%E0%A4%A', '/..'])(
    'refuses %s, which leaves the build folder or cannot be decoded',
    (p) => {
      expect(resolveStaticPath(root, p)).toBeNull();
    },
  );

  it('keeps an absolute-looking path inside the build folder', () => {
    expect(resolveStaticPath(root, '//etc/passwd')).toBe(path.join(root, 'etc/passwd'));
  });

  it('names content types and forbids inline scripts and foreign content', () => {
    expect(contentTypeOf('x/index.html')).toMatch(/^text\/html/);
    expect(contentTypeOf('x/a.JS')).toMatch(/^text\/javascript/);
    expect(contentTypeOf('x/blob')).toBe('application/octet-stream');
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });

  it('lets the browser keep only the content-addressed build files, never index.html (its URL has the token)', () => {
    expect(isContentAddressed('/assets/index-C-EXWnKx.js')).toBe(true);
    expect(isContentAddressed('/assets/RedHatTextVF-DNKNjMr3.woff2')).toBe(true);
    expect(isContentAddressed('/')).toBe(false);
    expect(isContentAddressed('/index.html')).toBe(false);
    expect(isContentAddressed('/assets/index.js')).toBe(false);
    expect(isContentAddressed('/assets/sub/x-C-EXWnKx.js')).toBe(false);
    expect(isContentAddressed('/favicon-C-EXWnKx.ico')).toBe(false);
    const asset = staticFileHeaders('/assets/index-C-EXWnKx.js', '/b/assets/index-C-EXWnKx.js');
    expect(asset['Cache-Control']).toBe('private, max-age=31536000, immutable');
    expect(asset['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(asset['Content-Type']).toMatch(/^text\/javascript/);
    expect(staticFileHeaders('/', '/b/index.html')['Cache-Control']).toBe('no-store');
  });
});
