/**
 * The installed `virtio-access` command: runs the CLI bundle beside it (virtio-access-main.cjs) with V8's code
 * cache. Its first line (scripts/node-bundles.mjs) drops NODE_EXTRA_CA_CERTS: Node 20 parses that certificate
 * file at every start, before any code runs (55 ms measured on this project's CI machine, half a one-file
 * `plan`), and this command opens no TLS connection; virsh and ssh, which it runs, never read that variable.
 */
import childProcess from 'node:child_process';
import path from 'node:path';
import util from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { appCacheDir } from '../main/services/xdg-dirs';
import { codeCacheFile, runWithCodeCache } from './code-cache';

const bundle = path.join(__dirname, 'virtio-access-main.cjs');
const arg = process.argv[2] ?? '';
// A one-shot command is over before TurboFan's optimised code repays its compiling, and on two cores those
// background compiles take the core that xmllint and virsh run on: stay on V8's baseline tier (Sparkplug).
// Measured, check over the 366 corpus domains: a sixth less CPU (0.69 s vs 0.81 s median of 21 interleaved
// runs). serve runs for long and keeps every tier. Set before the bundle is compiled, so the code cache
// (which V8 ties to the flags) is made and used under the same flags.
//
// Nor does a one-shot command need V8 to collect its old generation in steps beside it (incremental marking,
// there for short pauses in long-lived programs): the marking thread takes the other core too, and a command
// that ends before the heap's limit is reached pays for a collection it never needed. Without it, V8 collects
// the old generation at once when it must. Measured, check over the 366 corpus domains (whose heap passed the
// point where V8 starts marking, 9 of 16 MB, just before the end): no full collection instead of one
// (10.5 ms pause + 5.8 ms of steps + the marking thread), 0.95 of the CPU and 348 vs 369 ms (medians of 21
// interleaved runs). The price is a higher peak on huge inputs, collected later: ten 45,000-line domains 310
// instead of 248 MB (the corpus 65 MB either way).
if (arg !== 'serve') {
  loadNodeModulesFirst();
  setFlagsFromString('--max-opt=1');
  setFlagsFromString('--no-incremental-marking');
  // check collects its young generation on this thread alone: the helper threads of a parallel scavenge cost more
  // to wake and join than they save on the short collections of a one-shot run, and they take the core xmllint
  // runs on. Measured against the same build, medians of interleaved runs: the 366 corpus domains 0.975 and
  // 0.982 of the time (31 and 21 pairs), one 9,000-line domain 0.998, one 45,000-line domain 0.965 (9 pairs).
  // plan is left as it is: a 9,000-line plan was 3.5 % slower so (2026-12-04).
  if (arg === 'check') setFlagsFromString('--single-threaded-gc');
}
/**
 * Node compiles its own modules with the code cache it ships, which V8 accepts only under the flags it was made
 * with: a module first loaded after the flags above change is compiled from its source instead. So the modules
 * the commands use are loaded before: child_process (with net and the streams it needs), util.parseArgs's parser
 * and the streams of standard output and error, the last three behind lazy getters. Measured:
 * a one-file check 194 -> 168 M instructions (callgrind), the corpus check 0.978 of the time (21 interleaved pairs).
 */
function loadNodeModulesFirst(): void {
  Reflect.get(childProcess, 'spawn');
  Reflect.get(util, 'parseArgs');
  Reflect.get(process, 'stdout');
  Reflect.get(process, 'stderr');
}

const run = runWithCodeCache(bundle, codeCacheFile(bundle, /^[a-z]+$/.test(arg) ? arg : 'other', appCacheDir()));
/**
 * The 'exit' event comes when the work is over: the event loop has nothing left to do (so every write to standard
 * output and error has been made) or the program called process.exit. Node would then dispose of V8's heap piece by
 * piece (for a corpus check some seventy munmap and forty madvise calls after the report, each flushing the other
 * threads' address translations) before the kernel frees the whole address space at exit anyway; process.exit from
 * here ends the process without that. Measured on this project's CI machine, medians of interleaved runs: check over
 * the 366 corpus domains 259 vs 269 ms (21 pairs), a 9,000-line plan 300 vs 311 ms (11). Only from the last
 * listener, so that one added later still runs.
 */
function onExit(code: number): void {
  run.save();
  const listeners = process.listeners('exit');
  if (listeners[listeners.length - 1] === onExit) process.exit(code);
}
process.on('exit', onExit);
