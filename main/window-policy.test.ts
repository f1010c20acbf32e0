import { describe, expect, it } from 'vitest';
import {
  externalLinkToOpen,
  isAppUrl,
  isTrustedIpcSender,
  mayNavigate,
  SECURE_WEB_PREFERENCES,
  START_URL,
  WINDOW_SIZE,
} from './window-policy';

describe('window policy', () => {
  it('keeps every Electron security default explicit', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      nodeIntegration: false,
      contextIsolation: true,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(SECURE_WEB_PREFERENCES).not.toHaveProperty('enableBlinkFeatures');
  });

  it('loads the app from its custom scheme, never file://, and may be as small as 800×600', () => {
    expect(START_URL).toBe('app://wizard/index.html');
    expect(isAppUrl(START_URL)).toBe(true);
    expect(WINDOW_SIZE.minWidth).toBe(800);
    expect(WINDOW_SIZE.minHeight).toBe(600);
  });

  it.each([
    ['app://wizard/index.html', true],
    ['app://wizard/index.html?x=1#review', true],
    ['app://other/index.html', false],
    ['file:///work/main/dist/renderer/index.html', false],
    ['https://libvirt.org/formatdomain.html', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('navigation to %s allowed: %s', (url, allowed) => {
    expect(mayNavigate(url)).toBe(allowed);
  });

  it.each([
    ['https://libvirt.org/formatdomain.html', 'https://libvirt.org/formatdomain.html'],
    ['https://github.com/qemu/qemu/blob/master/hw/virtio/virtio-pci.c', 'https://github.com/qemu/qemu/blob/master/hw/virtio/virtio-pci.c'],
    ['http://libvirt.org/formatdomain.html', null],
    ['https://evil.example/libvirt.org', null],
    ['https://user:pw@libvirt.org/', null],
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
  ])('external link %s opens as %s', (url, opened) => {
    expect(externalLinkToOpen(url)).toBe(opened);
  });

  it('answers IPC only from a window the app created that shows the app page', () => {
    const trusted = new Set([7]);
    expect(isTrustedIpcSender({ id: 7, frameUrl: START_URL }, trusted)).toBe(true);
    expect(isTrustedIpcSender({ id: 8, frameUrl: START_URL }, trusted)).toBe(false);
    expect(isTrustedIpcSender({ id: 7, frameUrl: 'https://libvirt.org/' }, trusted)).toBe(false);
    expect(isTrustedIpcSender({ id: 7, frameUrl: undefined }, trusted)).toBe(false);
  });
});
