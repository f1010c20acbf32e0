/**
 * The installed `virtio-access` command: runs the CLI bundle beside it (virtio-access-main.cjs) with V8's code
 * cache. Its first line (scripts/node-bundles.mjs) drops NODE_EXTRA_CA_CERTS: Node 20 parses that certificate
 * file at every start, before any code runs (55 ms measured on this project's CI machine, half a one-file
 * `plan`), and this command opens no TLS connection; virsh and ssh, which it runs, never read that variable.
 */
import path from 'node:path';
import { appCacheDir } from '../main/services/xdg-dirs';
import { codeCacheFile, runWithCodeCache } from './code-cache';

const bundle = path.join(__dirname, 'virtio-access-main.cjs');
const arg = process.argv[2] ?? '';
const run = runWithCodeCache(bundle, codeCacheFile(bundle, /^[a-z]+$/.test(arg) ? arg : 'other', appCacheDir()));
process.on('exit', () => run.save());
