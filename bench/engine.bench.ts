/** The engine: one evaluation of a 64-device domain and the configuration-space sweep (the Review recompute: review.bench.ts). */
import { parseDomainXml, readDomainFacts } from '../src/domain-xml';
import { evaluate } from '../src/engine';
import { sweepConfigurationSpace } from '../src/engine/sweep';
import { CAPABLE_HOST, LINUX_GUEST, input } from '../test/engine-facts';
import { bigDomainXml } from './big-domain';
import type { BenchContext } from './context';
import { report } from './figures';
import { median, timeIt } from './samples';

export function benchEngine(ctx: BenchContext): void {
  const xml = bigDomainXml(64);
  const engineInput = input({
    domain: readDomainFacts(parseDomainXml(xml)),
    host: CAPABLE_HOST,
    guest: LINUX_GUEST,
    goals: { secure: 'sev' },
  });
  const runs = ctx.quick ? 200 : 2000;
  const evalMs = timeIt(() => evaluate(engineInput), runs);
  report({
    name: 'engine.evaluate-64-devices',
    value: evalMs,
    unit: 'ms',
    goal: '< 0.5 ms',
    met: evalMs < 0.5,
    note: `${evaluate(engineInput).length} findings`,
  });

  const samples: number[] = [];
  let result = sweepConfigurationSpace();
  for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
    const t0 = performance.now();
    result = sweepConfigurationSpace();
    samples.push(performance.now() - t0);
  }
  const sweepMs = median(samples);
  report({ name: 'engine.sweep', value: sweepMs, unit: 'ms', goal: '< 2 s', met: sweepMs < 2000, note: `${result.count} configurations` });
  report({ name: 'engine.sweep-configurations', value: result.count, unit: 'count' });
  report({ name: 'engine.sweep-share-with-errors', value: (100 * result.withErrors) / result.count, unit: '%' });
}
