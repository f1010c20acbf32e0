/** Domain XML in-process: parse + facts + plan + serialise per corpus file, and a round trip of the whole corpus. */
import { readFileSync } from 'node:fs';
import { applyEdits, parseDomainXml, readDomainFacts, serialise } from '../src/domain-xml';
import { planFor } from '../src/engine';
import { CAPABLE_HOST, input } from '../test/engine-facts';
import type { BenchContext } from './context';
import { report, skip } from './figures';
import { median, timeIt } from './samples';

export function benchXml(ctx: BenchContext): void {
  if (ctx.corpusDomains.length === 0) return skip('xml.per-file', 'corpus not found (../shared/corpus or VAW_CORPUS)');
  const texts = ctx.corpusDomains.map((f) => readFileSync(f, 'utf8'));
  const perFile: number[] = [];
  for (const text of texts) {
    perFile.push(
      timeIt(
        () => {
          try {
            const doc = parseDomainXml(text);
            const plan = planFor(input({ domain: readDomainFacts(doc), host: CAPABLE_HOST, goals: { secure: 'none' } }));
            applyEdits(text, plan.edits);
          } catch {
            // Negative inputs (not well-formed, DOCTYPE) are part of the corpus; refusing them is the work.
          }
        },
        ctx.quick ? 5 : 20,
      ),
    );
  }
  report({
    name: 'xml.parse-facts-plan-serialise-per-file',
    value: median(perFile) * 1000,
    unit: 'µs',
    note: `median over ${texts.length} corpus files`,
  });
  const roundTrip = timeIt(
    () => {
      for (const text of texts) {
        try {
          serialise(parseDomainXml(text));
        } catch {
          // as above
        }
      }
    },
    ctx.quick ? 3 : 10,
  );
  report({ name: 'xml.corpus-round-trip', value: roundTrip, unit: 'ms', note: `${texts.length} files` });
}
