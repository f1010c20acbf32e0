/**
 * Issue 12 item 1: a libvirt URI can make virsh run any local program (`qemu+ext:///system?command=PROG`,
 * `?command=` on ssh). The check proves the hole is real with plain virsh, then tries each channel that takes a
 * URI, and runVirsh itself, with such URIs: the program must never run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingParts, repoRoot } from '../../test/real-parts';
import { runVirsh, VirshError } from '../services/virsh';
import { createIpcHandlers, dispatch } from './ipc-table';

const missing = missingParts('virsh');

describe.skipIf(missing)(`libvirt URIs that run programs ${missing ? `(skipped: ${missing})` : ''}`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-uri-gate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const marker = path.join(dir, 'ran');
  const prog = path.join(dir, 'prog.sh');
  writeFileSync(prog, `#!/bin/sh\ntouch ${marker}\n`);
  chmodSync(prog, 0o755);
  const attacks = [
    `qemu+ext:///system?command=${prog}`,
    `qemu+ssh://localhost/system?command=${prog}`,
    `qemu+ssh://localhost/system?netcat=${prog}`,
  ];

  it('are a real hole: plain virsh runs the program named by command=', () => {
    rmSync(marker, { force: true });
    spawnSync('virsh', ['-c', attacks[0]!, 'version'], { timeout: 20_000 });
    expect(existsSync(marker)).toBe(true);
  });

  it.each(attacks)('runVirsh refuses %s without starting virsh', async (uri) => {
    rmSync(marker, { force: true });
    const e = await runVirsh(uri, ['version']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VirshError);
    expect((e as VirshError).code).toBe('refused-uri');
    expect((e as VirshError).message).toMatch(/is refused: .*(program|ext transport)/);
    expect(existsSync(marker)).toBe(false);
  });

  const handlers = createIpcHandlers({
    mode: 'serve',
    version: 'test',
    appRoot: repoRoot,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state') },
  });
  const requests: [string, (uri: string) => unknown][] = [
    ['libvirt.list', (uri) => ({ uri })],
    ['libvirt.read', (uri) => ({ uri, name: 'x' })],
    ['libvirt.define', (uri) => ({ uri, name: 'x', xml: '<domain/>', loadedXml: '<domain/>' })],
    ['libvirt.restore', (uri) => ({ uri, name: 'x', backupPath: '/tmp/x', expectedXml: '<domain/>' })],
    ['libvirt.qemuArgv', (uri) => ({ uri, xml: '<domain/>' })],
    ['libvirt.verify', (uri) => ({ uri, xml: '<domain/>' })],
    ['host.caps', (uri) => ({ uri })],
    ['recent.add', (uri) => ({ uri })],
  ];
  it.each(requests)('the %s channel refuses such a URI as a bad request, naming why', async (channel, request) => {
    for (const uri of attacks) {
      rmSync(marker, { force: true });
      const r = await dispatch(handlers, channel, request(uri));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('bad-request');
        expect(r.error.message).toMatch(/is refused/);
      }
      expect(existsSync(marker)).toBe(false);
    }
  });
});
