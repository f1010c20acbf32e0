/**
 * Runs cli/code-cache.ts once in a fresh Node, as the launcher does: a test process has compiled the bundle
 * already and V8 would reuse that instead of reading the cache. Arguments: BUNDLE CACHE_FILE [save]; prints
 * {"state","exports"}.
 */
import { runWithCodeCache } from '../cli/code-cache';

const [bundle = '', cacheFile = '', save] = process.argv.slice(2);
const run = runWithCodeCache(bundle, cacheFile);
if (save === 'save') run.save();
process.stdout.write(JSON.stringify({ state: run.state, exports: run.exports }));
