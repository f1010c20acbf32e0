/**
 * `npm run bench`: every benchmark the issues name, one `BENCH` line per figure, and bench/results.json.
 * Sections that lack a real part (corpus, virt-xml, Chromium, serve mode) report themselves skipped with the
 * reason. Exits non-zero only when a benchmark cannot run at all; goals are reported, not enforced.
 */
import path from 'node:path';
import { benchContext } from './context';
import { skip, writeResults } from './figures';
import { benchEngine } from './engine.bench';
import { benchXml } from './xml.bench';
import { benchReview } from './review.bench';
import { benchOsinfo } from './osinfo.bench';
import { benchPlanVsVirtXml, benchCheckCorpus } from './cli.bench';
import { benchBundleSize, benchFirstStepInteractive } from './ui.bench';
import { benchCheckMemory, benchServeIdleMemory } from './memory.bench';
import { benchLab } from './lab.bench';
import { benchFleet } from './fleet.bench';

const ctx = benchContext(process.argv.slice(2));

/** Sections that need serve mode or a browser report a failure to start as a skip with the reason. */
async function section(name: string, run: () => void | Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    skip(name, e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
}

benchEngine(ctx);
benchXml(ctx);
await section('review.recompute', () => benchReview(ctx));
await benchOsinfo(ctx);
benchPlanVsVirtXml(ctx);
benchCheckCorpus(ctx);
await section('fleet.audit-16x25', () => benchFleet(ctx));
benchBundleSize(ctx);
await section('ui.navigation-to-first-step', () => benchFirstStepInteractive(ctx));
benchCheckMemory(ctx);
await section('memory.serve-idle-rss', () => benchServeIdleMemory(ctx));
benchLab(ctx);

writeResults(path.join(ctx.root, 'bench/results.json'));
