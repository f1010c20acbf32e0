/**
 * `virtio-access serve` as users run it (the built command): the URL comes first, the API needs the token,
 * foreign Host/Origin and wrong methods are refused, static files carry the CSP, and channels reach the real
 * services (samples, osinfo-db, libvirt's test driver) with validated requests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONCURRENT_VIRSH } from '../main/services/virsh';
import { missingParts, repoRoot } from '../test/real-parts';
import { startSilentLibvirt } from '../test/silent-libvirt';

/** Running virsh processes whose parent is `pid` (from /proc: comm, state and parent pid). */
function virshChildrenOf(pid: number): number {
  return readdirSync('/proc').filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes('(virsh)') && fields[0] !== 'Z' && fields[1] === String(pid);
    } catch {
      return false;
    }
  }).length;
}

const cli = path.join(repoRoot, 'dist/cli/virtio-access.cjs');
let child: ChildProcess;
let url: URL;
let token: string;
const config = mkdtempSync(path.join(os.tmpdir(), 'vaw-serve-config-'));

beforeAll(async () => {
  child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: config },
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  url = new URL(first);
  token = url.searchParams.get('token') ?? '';
});

afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(config, { recursive: true, force: true });
});

/** A raw request, so Host and Origin can be set to anything (fetch would not allow it). */
function request(
  p: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: url.port, path: p, method: opts.method ?? 'GET', headers: { host: url.host, ...opts.headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  request(`/api/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('virtio-access serve', () => {
  it('prints a loopback URL with a long random token first', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves the renderer with a strict Content-Security-Policy', async () => {
    const r = await request('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<div id="root"');
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    expect((await request('/../package.json')).status).toBe(404);
  });

  it("never lets the browser store the page, and keeps the build's scripts and styles for a returning visit", async () => {
    const page = await request('/');
    expect(page.headers['cache-control']).toBe('no-store');
    const assets = [...page.body.matchAll(/(?:src|href)="\.?(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const a of assets) {
      const r = await request(a);
      expect(r.status, a).toBe(200);
      expect(r.headers['cache-control'], a).toBe('private, max-age=31536000, immutable');
      expect(r.headers['content-security-policy'], a).toMatch(/default-src 'none'/);
    }
  });

  it('refuses API calls without the token, with a wrong one, from a foreign Host or Origin, and other methods', async () => {
    expect((await request('/api/samples.list', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await call('samples.list', {}, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await call('samples.list', {}, { host: 'attacker.example:80' })).status).toBe(403);
    expect((await call('samples.list', {}, { origin: 'http://attacker.example' })).status).toBe(403);
    expect((await call('samples.list', {}, { origin: `http://${url.host}` })).status).toBe(200);
    expect((await request('/api/samples.list', { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });

  it('validates requests before any service runs', async () => {
    const unknown = JSON.parse((await call('nope', {})).body) as { ok: boolean; error: { code: string } };
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const bad = JSON.parse((await call('file.read', { path: 42 })).body) as { ok: boolean; error: { code: string; message: string } };
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('bad-request');
    expect(bad.error.message).toMatch(/^file\.read: path: /);
    const extra = JSON.parse((await call('samples.list', { evil: true })).body) as { ok: boolean };
    expect(extra.ok).toBe(false);
  });

  it('lists the built-in samples, each a domain named as its title says, whose OS is the one its osinfo metadata names', async () => {
    const r = JSON.parse((await call('samples.list', {})).body) as {
      ok: true;
      value: { id: string; title: string; description: string; xml: string }[];
    };
    expect(r.value.map((s) => s.id)).toContain('sev-q35');
    for (const s of r.value) {
      expect(s.xml).toMatch(/<domain /);
      const name = /<name>([^<]+)<\/name>/.exec(s.xml)![1]!;
      expect(s.title.startsWith(`${name}: `), `${s.id}: "${s.title}" names ${name}`).toBe(true);
      const os = /<libosinfo:os id="http:\/\/debian\.org\/debian\/(\d+)"/.exec(s.xml)?.[1];
      const said = /Debian (\d+)/.exec(s.description)?.[1];
      if (said !== undefined || os !== undefined) expect(said, s.id).toBe(os);
    }
  });

  it('reports a missing file as a clear service error naming it', async () => {
    const r = JSON.parse((await call('file.read', { path: '/nonexistent/guest.xml' })).body) as {
      ok: false;
      error: { code: string; message: string; hint: string };
    };
    expect(r).toEqual({
      ok: false,
      error: { code: 'xml-invalid', message: '/nonexistent/guest.xml: no such file', hint: 'Check the path.' },
    });
  });

  it.skipIf(missingParts('virsh'))('Cancel stops a libvirt call that waits on a daemon that never answers: virsh is killed', async () => {
    const daemon = await startSilentLibvirt();
    try {
      const listing = call('libvirt.list', { uri: daemon.uri }, { 'x-vaw-call-id': 'list-1' });
      await daemon.connected();
      // An unknown id cancels nothing; the running call's id cancels it.
      expect(JSON.parse((await call('call.cancel', { callId: 'other' })).body)).toEqual({ ok: true, value: { cancelled: false } });
      expect(JSON.parse((await call('call.cancel', { callId: 'list-1' })).body)).toEqual({ ok: true, value: { cancelled: true } });
      const r = JSON.parse((await listing).body) as { ok: false; error: { code: string; message: string } };
      expect([r.ok, r.error.code]).toEqual([false, 'cancelled']);
      await daemon.allClosed();
      expect(daemon.open()).toBe(0);
    } finally {
      await daemon.stop();
    }
  });

  it.skipIf(missingParts('virsh'))('a call whose HTTP request goes away (the tab closed) is cancelled too', async () => {
    const daemon = await startSilentLibvirt();
    try {
      const req = http.request({
        host: '127.0.0.1',
        port: url.port,
        path: '/api/libvirt.list',
        method: 'POST',
        headers: { host: url.host, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ uri: daemon.uri }));
      await daemon.connected();
      req.destroy();
      await daemon.allClosed();
      expect(daemon.open()).toBe(0);
    } finally {
      await daemon.stop();
    }
  });

  it('remembers recent URIs in the user config folder', async () => {
    await call('recent.add', { uri: 'qemu:///system' });
    const r = JSON.parse((await call('recent.add', { uri: 'test:///default' })).body) as { value: { uris: string[] } };
    expect(r.value.uris).toEqual(['test:///default', 'qemu:///system']);
  });

  it.skipIf(missingParts('osinfo'))('searches osinfo-db', async () => {
    const r = JSON.parse((await call('osinfo.search', { text: 'fedora', limit: 3 })).body) as { value: { family: string }[] };
    expect(r.value).toHaveLength(3);
    expect(r.value[0]?.family).toBe('linux');
  });

  it.skipIf(missingParts('virsh'))("lists and reads domains from libvirt's test driver", async () => {
    const list = JSON.parse((await call('libvirt.list', { uri: 'test:///default' })).body) as { value: { name: string }[] };
    expect(list.value.map((d) => d.name)).toContain('test');
    const read = JSON.parse((await call('libvirt.read', { uri: 'test:///default', name: 'test' })).body) as {
      ok: boolean;
      value: { xml: string; host: { libvirtVersion: { kind: string } } };
    };
    expect(read.ok).toBe(true);
    expect(read.value.xml).toContain('<name>test</name>');
    expect(read.value.host.libvirtVersion.kind).toBe('exact');
    const missing = JSON.parse((await call('libvirt.read', { uri: 'test:///default', name: 'nope' })).body) as {
      ok: false;
      error: { code: string };
    };
    expect(missing.error.code).toBe('domain-not-found');
  });

  it('answers a body over the limit with 413 (not a reset), and goes on answering', async () => {
    const r = await call('schema.validate', { xml: 'x'.repeat(12 * 1024 * 1024) });
    expect([r.status, r.body]).toEqual([413, 'Payload Too Large: requests are limited to 11 MB.']);
    expect((await call('samples.list', {})).status).toBe(200);
  });

  it('answers a malformed %-escape in the channel name with 400', async () => {
    const r = await request('/api/file.%zz', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
    expect([r.status, r.body]).toEqual([400, 'Bad Request: the channel name has a malformed %-escape.']);
  });

  it('refuses to overwrite a file no one opened through it', async () => {
    const victim = path.join(config, 'victim.xml');
    writeFileSync(victim, '<domain/>');
    const r = JSON.parse(
      (await call('file.save', { path: victim, text: '<domain><name>x</name></domain>', expectedFingerprint: null, validate: false })).body,
    ) as {
      ok: boolean;
      error: { code: string };
    };
    expect(r).toMatchObject({ ok: false, error: { code: 'not-permitted' } });
    expect(readFileSync(victim, 'utf8')).toBe('<domain/>');
  });

  it.skipIf(missingParts('virsh'))(
    `answers 300 libvirt.list calls at once with at most ${MAX_CONCURRENT_VIRSH} virsh running`,
    async () => {
      let most = 0;
      const watch = setInterval(() => (most = Math.max(most, virshChildrenOf(child.pid ?? -1))), 2);
      try {
        const answers = await Promise.all(Array.from({ length: 300 }, () => call('libvirt.list', { uri: 'test:///default' })));
        expect(answers.map((a) => a.status)).toEqual(Array(300).fill(200));
        expect(answers.every((a) => (JSON.parse(a.body) as { ok: boolean }).ok)).toBe(true);
      } finally {
        clearInterval(watch);
      }
      // Seen running at all (the watcher samples every 2 ms), and never more than the bound.
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(MAX_CONCURRENT_VIRSH);
    },
    120_000,
  );

  it('says so in one line, exit 2, when the port asked for is taken', () => {
    // The port of the server this suite started is certainly in use.
    const r = spawnSync(process.execPath, [cli, 'serve', '--port', url.port], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `virtio-access serve: cannot listen on 127.0.0.1:${url.port} (the port is in use); choose another --port, or leave it out to take any free port.\n`,
    );
  });
});
