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
  // What ships is always the production build: a test runner's NODE_ENV=test (npm start from an e2e test rebuilds
  // when sources are newer) once left development React in dist, twice the size and slower.
  process.env.NODE_ENV = 'production';
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

const started = Date.now();
await Promise.all([buildNodeBundles(out), buildRenderer()]);
console.log(`built dist/ in ${Date.now() - started} ms`);
