#!/usr/bin/env node
// `npm run build`: the renderer with Vite, and the Node bundles (CLI, Electron main, preload) with esbuild
// (scripts/node-bundles.mjs).
import { build as viteBuild } from 'vite';
import { buildNodeBundles } from './node-bundles.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');

async function buildRenderer() {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

const started = Date.now();
await Promise.all([buildNodeBundles(out), buildRenderer()]);
console.log(`built dist/ in ${Date.now() - started} ms`);
