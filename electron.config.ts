/**
 * electron-builder configuration for the Linux installers (AppImage, deb, rpm). `npm run dist` loads it
 * through scripts/dist.mjs; set VAW_RELEASE=1 for a release build.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Configuration } from 'electron-builder';

const ASSETS = path.join(__dirname, 'assets');
export const METAINFO = 'org.virtio_access_wizard.app.metainfo.xml';

/** The [Desktop Entry] of assets/virtio-access-wizard.desktop: the one place its fields are written. */
export function desktopEntry(): Record<string, string> {
  const text = readFileSync(path.join(ASSETS, 'virtio-access-wizard.desktop'), 'utf8');
  const entry: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    // Exec and Icon name the installed binary and icon; electron-builder writes those itself.
    if (m && m[1] !== 'Exec' && m[1] !== 'Icon' && m[1] !== 'Type') entry[m[1]!] = m[2]!;
  }
  return entry;
}

/** The sizes Linux desktops look up in the hicolor icon theme; assets/icons holds one PNG per size. */
export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;

/** Electron's own runtime libraries (electron-builder's defaults, which `depends` replaces) plus virsh. */
const DEB_DEPENDS = [
  'libgtk-3-0',
  'libnotify4',
  'libnss3',
  'libxss1',
  'libxtst6',
  'xdg-utils',
  'libatspi2.0-0',
  'libuuid1',
  'libsecret-1-0',
  'libvirt-clients',
];
const RPM_DEPENDS = [
  'gtk3',
  'libnotify',
  'nss',
  'libXScrnSaver',
  '(libXtst or libXtst6)',
  'xdg-utils',
  'at-spi2-core',
  '(libuuid or libuuid1)',
  'libvirt-client',
];

/**
 * Fuses are flipped in every packaged build; only the inspect fuse differs: release builds turn
 * `--inspect` off, while builds that tests launch keep it, because Playwright's _electron drives the app
 * through the inspector (Electron security checklist item 19).
 */
export function electronBuilderConfig(options: { readonly release: boolean }): Configuration {
  return {
    appId: 'org.virtio_access_wizard.app',
    productName: 'Virtio Access Wizard',
    executableName: 'virtio-access-wizard',
    copyright: 'Copyright © the Virtio Access Wizard authors',
    directories: { output: 'release', buildResources: 'assets' },
    files: ['package.json', 'dist/main/**', 'dist/renderer/**', 'dist/cli/**', 'assets/samples/**', 'assets/icons/**'],
    asar: true,
    electronFuses: {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: !options.release,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    },
    linux: {
      target: ['AppImage', 'deb', 'rpm'],
      category: 'System',
      icon: 'assets/icons',
      synopsis: 'Configure virtio ACCESS_PLATFORM for libvirt guests, with explanations',
      maintainer: 'Virtio Access Wizard authors <maintainers@virtio-access-wizard.invalid>',
      desktop: { entry: desktopEntry() },
    },
    // AppStream metadata goes where software centres look for it.
    deb: { depends: DEB_DEPENDS, fpm: [`assets/${METAINFO}=/usr/share/metainfo/${METAINFO}`] },
    rpm: { depends: RPM_DEPENDS, fpm: [`assets/${METAINFO}=/usr/share/metainfo/${METAINFO}`] },
    appImage: { artifactName: '${productName}-${version}-${arch}.${ext}' },
  };
}
