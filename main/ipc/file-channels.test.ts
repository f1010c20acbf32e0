/**
 * Issue 12 item 2: the file.* channels reach only the files the user opened, picked or confirmed. Each channel
 * is called as a compromised renderer would call it (any path), through the real IPC table and services, in
 * both modes: serve (the token is the user) and Electron (main's own dialogs decide; played here by a recorder,
 * since Electron's binary cannot run in these tests; main/app.test.ts checks those dialogs are Electron's).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IpcChannel, IpcResult } from '../../src/contracts/ipc';
import { repoRoot } from '../../test/real-parts';
import type { UserConfirmation } from './file-channels';
import { createIpcHandlers, dispatch } from './ipc-table';

const DOMAIN = readFileSync(path.join(repoRoot, 'test/fixtures/libvirt/transitional-iommu.xml'), 'utf8');
const EDITED = DOMAIN.replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>');

let dir: string;
const savedBackupDir = process.env.VAW_BACKUP_DIR;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-grants-'));
  process.env.VAW_BACKUP_DIR = path.join(dir, 'backups');
});
afterEach(() => {
  if (savedBackupDir === undefined) delete process.env.VAW_BACKUP_DIR;
  else process.env.VAW_BACKUP_DIR = savedBackupDir;
});

function table(confirm?: UserConfirmation) {
  const handlers = createIpcHandlers({
    mode: confirm ? 'electron' : 'serve',
    version: 'test',
    appRoot: repoRoot,
    confirm,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config') },
  });
  return <C extends IpcChannel>(channel: C, request: unknown) => dispatch(handlers, channel, request) as Promise<IpcResult<C>>;
}

function file(name: string, content = DOMAIN): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

const refusedWith = (code: string) => ({ ok: false, error: expect.objectContaining({ code }) });

describe('file channels in serve mode (the token holder is the user)', () => {
  it('refuses to replace, list the backups of, or restore onto a file not opened in this session', async () => {
    const call = table();
    const victim = file('victim.xml');
    expect(await call('file.save', { path: victim, text: EDITED, expectedFingerprint: null, validate: false })).toMatchObject(
      refusedWith('not-permitted'),
    );
    expect(await call('file.backups', { path: victim })).toMatchObject(refusedWith('not-permitted'));
    expect(await call('file.restore', { backupPath: victim, path: victim })).toMatchObject(refusedWith('not-permitted'));
    expect(await call('recent.add', { file: victim })).toMatchObject(refusedWith('not-permitted'));
    expect(readFileSync(victim, 'utf8')).toBe(DOMAIN);
  });

  it('never hands over a file that is not domain XML, and never writes anything but domain XML', async () => {
    const call = table();
    const secret = file(
      'id_rsa',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END OPENSSH PRIVATE KEY-----\n',
    );
    const r = await call('file.read', { path: secret });
    expect(r).toMatchObject(refusedWith('xml-invalid'));
    expect(JSON.stringify(r)).not.toContain('b3BlbnNzaC1rZXkt');
    expect(await call('file.read', { path: file('network.xml', '<network/>') })).toMatchObject(refusedWith('xml-invalid'));
    const opened = file('opened.xml');
    expect(await call('file.read', { path: opened })).toMatchObject({ ok: true });
    expect(
      await call('file.save', { path: opened, text: '#!/bin/sh\nrm -rf ~\n', expectedFingerprint: null, validate: false }),
    ).toMatchObject(refusedWith('xml-invalid'));
    expect(readFileSync(opened, 'utf8')).toBe(DOMAIN);
  });

  it('saves over a file the user opened, lists its backups and restores one', async () => {
    const call = table();
    const f = file('guest.xml');
    const read = await call('file.read', { path: f });
    if (!read.ok) throw new Error(read.error.message);
    const saved = await call('file.save', { path: f, text: EDITED, expectedFingerprint: read.value.fingerprint, validate: false });
    expect(saved).toMatchObject({ ok: true, value: { path: f } });
    expect(readFileSync(f, 'utf8')).toBe(EDITED);
    const backups = await call('file.backups', { path: f });
    if (!backups.ok) throw new Error(backups.error.message);
    expect(backups.value).toHaveLength(1);
    expect(await call('file.restore', { backupPath: backups.value[0]!.backupPath, path: f })).toMatchObject({ ok: true });
    expect(readFileSync(f, 'utf8')).toBe(DOMAIN);
    // A path the renderer makes up is no backup, even one in the backups folder.
    expect(await call('file.restore', { backupPath: path.join(dir, 'backups', 'made-up.xml'), path: f })).toMatchObject(
      refusedWith('not-permitted'),
    );
  });

  it('creates a new *.xml file the user names, but nothing else', async () => {
    const call = table();
    const fresh = path.join(dir, 'new-guest.xml');
    expect(await call('file.save', { path: fresh, text: EDITED, expectedFingerprint: null, validate: false })).toMatchObject({ ok: true });
    expect(readFileSync(fresh, 'utf8')).toBe(EDITED);
    // Once written, it is the user's: it may be saved again.
    expect(await call('recent.add', { file: fresh })).toMatchObject({ ok: true });
    const profile = path.join(dir, '.bash_profile');
    expect(await call('file.save', { path: profile, text: EDITED, expectedFingerprint: null, validate: false })).toMatchObject(
      refusedWith('not-permitted'),
    );
    expect(existsSync(profile)).toBe(false);
  });

  it('takes libvirt.restore only for a backup of a define made in this session', async () => {
    const call = table();
    const r = await call('libvirt.restore', {
      uri: 'test:///default',
      name: 'test',
      backupPath: file('any.xml'),
      expectedXml: '<domain/>',
    });
    expect(r).toMatchObject(refusedWith('not-permitted'));
  });
});

describe('file channels in the Electron window (main asks the user itself)', () => {
  function recorder(answers: { open: boolean; saveAs: string | null; pick: string | null }) {
    const asked: string[] = [];
    const confirm: UserConfirmation = {
      pickFile: async () => (asked.push('pick'), answers.pick),
      confirmOpen: async (f) => (asked.push(`open ${f}`), answers.open),
      confirmSaveAs: async (f) => (asked.push(`save-as ${f}`), answers.saveAs),
    };
    return { confirm, asked };
  }

  it('opens a typed path only when the user confirms it in main’s dialog, and asks once', async () => {
    const no = recorder({ open: false, saveAs: null, pick: null });
    const f = file('typed.xml');
    expect(await table(no.confirm)('file.read', { path: f })).toMatchObject(refusedWith('cancelled'));
    expect(no.asked).toEqual([`open ${f}`]);
    const yes = recorder({ open: true, saveAs: null, pick: null });
    const call = table(yes.confirm);
    expect(await call('file.read', { path: f })).toMatchObject({ ok: true, value: { text: DOMAIN } });
    expect(await call('file.read', { path: f })).toMatchObject({ ok: true });
    expect(yes.asked).toEqual([`open ${f}`]);
  });

  it('saves to another path only where the user confirms in main’s save dialog, and to the path chosen there', async () => {
    const chosen = path.join(dir, 'chosen.xml');
    const r = recorder({ open: true, saveAs: chosen, pick: null });
    const call = table(r.confirm);
    const asked = path.join(dir, 'asked-for.xml');
    expect(await call('file.save', { path: asked, text: EDITED, expectedFingerprint: null, validate: false })).toMatchObject({
      ok: true,
      value: { path: chosen },
    });
    expect([existsSync(asked), readFileSync(chosen, 'utf8')]).toEqual([false, EDITED]);
    expect(r.asked).toEqual([`save-as ${asked}`]);
    const cancelled = table(recorder({ open: true, saveAs: null, pick: null }).confirm);
    expect(await cancelled('file.save', { path: asked, text: EDITED, expectedFingerprint: null, validate: false })).toMatchObject(
      refusedWith('cancelled'),
    );
  });

  it('grants what the user picks in the open dialog', async () => {
    const picked = file('picked.xml');
    const r = recorder({ open: false, saveAs: null, pick: picked });
    const call = table(r.confirm);
    const read = await call('file.pick', {});
    expect(read).toMatchObject({ ok: true, value: { path: picked } });
    if (!read.ok || !read.value) throw new Error('not picked');
    // Saved without a further question: the pick was the user's choice.
    const saved = await call('file.save', { path: picked, text: EDITED, expectedFingerprint: read.value.fingerprint, validate: false });
    expect(saved).toMatchObject({ ok: true, value: { path: picked } });
    expect(readFileSync(picked, 'utf8')).toBe(EDITED);
    expect(r.asked).toEqual(['pick']);
  });
});
