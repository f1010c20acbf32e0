/** The installer configuration: what a Linux desktop and a package manager will see. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopEntry, electronBuilderConfig, ICON_SIZES, METAINFO } from './electron.config';
import { missingParts } from './test/real-parts';

function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder configuration', () => {
  const test = electronBuilderConfig({ release: false });
  const release = electronBuilderConfig({ release: true });

  it('builds AppImage, deb and rpm for the System category with a desktop entry', () => {
    // Reverse-DNS, and valid as an AppStream id (letters, digits, dots, underscores).
    expect(test.appId).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$/);
    expect(test.productName).toBe('Virtio Access Wizard');
    expect(test.linux?.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(test.linux?.category).toBe('System');
    expect(test.linux?.desktop?.entry?.Categories).toMatch(/^System;/);
  });

  it('takes the desktop entry from assets/ and ships AppStream metadata whose id is the appId', () => {
    expect(test.linux?.desktop?.entry).toEqual(desktopEntry());
    expect(desktopEntry()).toMatchObject({ Name: 'Virtio Access Wizard', Categories: 'System;Emulator;', Terminal: 'false' });
    const metainfo = readFileSync(path.join(__dirname, 'assets', METAINFO), 'utf8');
    expect(/<id>([^<]+)<\/id>/.exec(metainfo)?.[1]).toBe(test.appId);
    expect(metainfo).toContain('<launchable type="desktop-id">virtio-access-wizard.desktop</launchable>');
    expect(test.deb?.fpm).toEqual([`assets/${METAINFO}=/usr/share/metainfo/${METAINFO}`]);
  });

  it.skipIf(missingParts('xmllint'))('AppStream metadata is well-formed XML', () => {
    expect(() => execFileSync('xmllint', ['--noout', path.join(__dirname, 'assets', METAINFO)], { stdio: 'pipe' })).not.toThrow();
  });

  it.skipIf(missingParts('desktop-file-validate'))('the desktop entry passes desktop-file-validate', () => {
    const r = spawnSync('desktop-file-validate', [path.join(__dirname, 'assets/virtio-access-wizard.desktop')], { encoding: 'utf8' });
    expect([r.status, r.stdout + r.stderr]).toEqual([0, '']);
  });

  it.skipIf(missingParts('appstreamcli'))('the AppStream metadata passes appstreamcli validate', () => {
    const r = spawnSync('appstreamcli', ['validate', '--no-net', '--pedantic', path.join(__dirname, 'assets', METAINFO)], {
      encoding: 'utf8',
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/^[EWIP]: /m);
    const version = (JSON.parse(readFileSync(path.join(__dirname, 'package.json'), 'utf8')) as { version: string }).version;
    expect(readFileSync(path.join(__dirname, 'assets', METAINFO), 'utf8')).toContain(`<release version="${version}"`);
  });

  it('makes the packages depend on virsh (libvirt-clients on Debian, libvirt-client on RPM distributions)', () => {
    expect(test.deb?.depends).toContain('libvirt-clients');
    expect(test.rpm?.depends).toContain('libvirt-client');
  });

  it('ships one square icon per size Linux desktops use, each the size its name says', () => {
    const dir = path.join(__dirname, String(test.linux?.icon));
    expect(readdirSync(dir).sort()).toEqual(ICON_SIZES.map((s) => `${s}x${s}.png`).sort());
    for (const s of ICON_SIZES) expect(pngSize(path.join(dir, `${s}x${s}.png`))).toEqual([s, s]);
  });

  it('packages only the build, samples and icons (no sources, no tests)', () => {
    expect(test.files).toEqual(expect.arrayContaining(['dist/main/**', 'dist/renderer/**', 'assets/samples/**']));
    expect((test.files as string[]).some((f) => /^(src|main|renderer|e2e|test)\//.test(f))).toBe(false);
  });

  it('turns the inspect fuse off only in release builds; the other hardening fuses in both', () => {
    expect(release.electronFuses?.enableNodeCliInspectArguments).toBe(false);
    expect(test.electronFuses?.enableNodeCliInspectArguments).toBe(true);
    for (const c of [test, release]) {
      expect(c.electronFuses).toMatchObject({
        runAsNode: false,
        enableNodeOptionsEnvironmentVariable: false,
        onlyLoadAppFromAsar: true,
        grantFileProtocolExtraPrivileges: false,
      });
    }
  });
});
