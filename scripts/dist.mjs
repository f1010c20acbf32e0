#!/usr/bin/env node
// `npm run dist`: builds the app, then the Linux installers (AppImage, deb, rpm) into release/ with
// electron-builder and electron.config.ts. electron-builder downloads Electron's release archive from GitHub,
// so this needs internet access to github.com; without it, it fails with that reason. VAW_RELEASE=1 makes a
// release build (the Node inspect fuse off).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) {
  console.error('dist: the build failed; see the messages above.');
  process.exit(1);
}
const { electronBuilderConfig } = await tsImport(path.join(root, 'electron.config.ts'), import.meta.url);
const { build, Platform } = await import('electron-builder');
const release = process.env.VAW_RELEASE === '1';
try {
  const files = await build({
    projectDir: root,
    targets: Platform.LINUX.createTarget(['AppImage', 'deb', 'rpm']),
    config: electronBuilderConfig({ release }),
    publish: 'never',
  });
  console.log(`dist: ${release ? 'release' : 'test'} build written:\n${files.map((f) => `  ${path.relative(root, f)}`).join('\n')}`);
} catch (e) {
  console.error(`dist: electron-builder failed: ${e instanceof Error ? e.message : String(e)}`);
  console.error(
    'dist: it needs internet access to github.com (Electron release archives), and fpm/rpmbuild for rpm; see README "Installers".',
  );
  process.exit(1);
}
