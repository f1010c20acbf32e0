// Preloaded with `node --require bench/rss-probe.cjs` by the memory benchmark: records the process's peak
// resident set size (KiB) into $VAW_RSS_FILE when it exits, without touching the program under test.
const { writeFileSync } = require('node:fs');
const out = process.env.VAW_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
