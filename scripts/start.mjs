#!/usr/bin/env node
// `npm start`: builds when the sources are newer than the build, then opens the desktop window with Electron.
// When Electron cannot start (its binary is missing and cannot be downloaded, or there is no display), it says
// so in one line and serves the same app over loopback instead (virtio-access serve), printing the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist/.build-stamp');
const inputs = [
  'src',
  'main',
  'renderer',
  'cli',
  'assets',
  'package.json',
  'vite.config.ts',
  'scripts/build.mjs',
  'scripts/node-bundles.mjs',
];

function newestMtime(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

function buildIfNeeded() {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const sources = Math.max(
    ...inputs
      .map((i) => path.join(root, i))
      .filter(existsSync)
      .map(newestMtime),
  );
  if (built >= sources) return;
  // Build messages go to stderr: standard output carries only the serve URL, for scripts that read it.
  if (spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: ['ignore', 2, 2] }).status !== 0) {
    console.error('start: the build failed; see the messages above.');
    process.exit(1);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

/** Electron's executable, downloading it once if missing; or why it cannot be had. */
function electronExecutable() {
  const pkg = path.join(root, 'node_modules/electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const locate = () => {
    if (override) return path.join(override, 'electron');
    const pathFile = path.join(pkg, 'path.txt');
    return existsSync(pathFile) ? path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  };
  let exe = locate();
  if ((exe === null || !existsSync(exe)) && !override && existsSync(path.join(pkg, 'install.js'))) {
    // npm ci runs no install scripts (.npmrc), so the binary is fetched here, once, on first start.
    spawnSync(process.execPath, [path.join(pkg, 'install.js')], { cwd: pkg, stdio: 'ignore', timeout: 180_000 });
    exe = locate();
  }
  if (exe === null || !existsSync(exe)) {
    return {
      reason: override ? `no Electron binary at ${exe}` : 'its binary is not installed and could not be downloaded from github.com',
    };
  }
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return { reason: 'there is no graphical display, DISPLAY and WAYLAND_DISPLAY are unset' };
  return { exe };
}

function forwardSignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}

function serve(reason) {
  console.error(`Virtio Access Wizard: Electron cannot start here: ${reason}. Serving the app instead; open the URL below in a browser.`);
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/virtio-access.cjs'), 'serve'], { cwd: root, stdio: 'inherit' });
  forwardSignals(child);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

/** Electron that fails within its first seconds (missing libraries, no usable display) also falls back to serve. */
const EARLY_FAILURE_MS = 5000;

buildIfNeeded();
const electron = electronExecutable();
if (electron.exe) {
  const started = Date.now();
  const child = spawn(electron.exe, [root], { cwd: root, stdio: 'inherit' });
  forwardSignals(child);
  child.on('error', (e) => serve(`${electron.exe} could not be run (${e.message})`));
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && Date.now() - started < EARLY_FAILURE_MS) serve(`Electron exited at start with status ${code}`);
    else process.exit(code ?? (signal ? 0 : 1));
  });
} else {
  serve(electron.reason);
}
