#!/usr/bin/env node
// `npm start`: builds, then opens the app. The Electron shell and serve mode are not part of this build yet
// (issue 2), so it says so in one line and points at what does work, instead of failing obscurely.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) {
  console.error('start: the build failed; see the messages above.');
  process.exit(1);
}
if (!existsSync(path.join(root, 'dist/main/app.cjs'))) {
  console.error(
    'Virtio Access Wizard: the desktop window and serve mode are not in this build yet; the command-line tool is: node dist/cli/virtio-access.cjs --help',
  );
  process.exit(1);
}
process.exit(spawnSync(path.join(root, 'node_modules/.bin/electron'), [root], { cwd: root, stdio: 'inherit' }).status ?? 1);
