/**
 * Differential fuzzing against libxml2, libvirt's parser: seeded mutants of the corpus documents (test/xml-mutants.ts)
 * go through this tool's reading (bytes → text: decodeXmlBytes) and parser, and through `xmllint --noout` (libxml2
 * as libvirt runs it: no XML_PARSE_HUGE, no DTD loading asked). Every document this tool accepts, libxml2 must
 * accept too; the documents it alone refuses must be refused on purpose (a DOCTYPE, an encoding it does not read).
 * Every accepted domain is then planned and edited: no internal error, and no change outside the edited elements.
 * CI runs a few thousand mutants with a fixed seed; `npm run fuzz` runs more with a new seed (VAW_FUZZ_RUNS,
 * VAW_FUZZ_SEED reproduce a run).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { decodeXmlBytes } from '../../main/services/read-domain-file';
import type { SecureType } from '../contracts/facts';
import { DEFAULT_GOALS } from '../contracts/facts';
import { planDocument, readDocument, type DocumentPlan } from '../pipeline/plan-document';
import { corpusXmlFiles } from '../../test/corpus-files';
import { changesOutsideEdits } from '../../test/edit-scope';
import { rejectedByLibxml2 } from '../../test/libxml2';
import { CAPABLE_HOST, LINUX_GUEST } from '../../test/engine-facts';
import { missingParts } from '../../test/real-parts';
import { fuzzSettings, mutants } from '../../test/xml-mutants';
import { applyEdits, parseXml, readDomainFacts, XmlInputError, type XmlDocument } from './index';

const { runs, seed } = fuzzSettings(3000, 20261202);

/** What this tool refuses on purpose although libxml2 reads it. */
const DELIBERATE = [
  /^a DOCTYPE or entity declaration is not accepted$/,
  /^is encoded in UTF-16(?:LE|BE) \(libxml2 reads its first bytes so\), not UTF-8$/,
  /^the XML declaration says encoding="[^"]+", (?:but the text is not plain ASCII|which this tool cannot read as libvirt would)$/,
  /^expected a space or "\?>" in the XML declaration$/,
  /^character U\+0000 \(NUL\) after the root element$/,
];

function goalsFor(doc: XmlDocument): SecureType[] {
  const arch = readDomainFacts(doc).arch;
  return arch === 'x86_64' ? ['none', 'sev'] : arch === 's390x' ? ['none', 's390-pv'] : ['none'];
}

const missing = missingParts('corpus', 'xmllint');
describe.skipIf(missing)(`libxml2 parity over ${runs} mutants, seed ${seed} ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it(
    'accepts nothing libxml2 rejects; plans every accepted domain without an internal error or a change outside its edits',
    () => {
      const texts = corpusXmlFiles()
        .filter((f) => f.kind !== 'domaincaps')
        .map((f) => readFileSync(f.abs, 'utf8'));
      const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-parity-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }), 120_000);

      const accepted: { file: string; doc: XmlDocument }[] = [];
      const refused: { file: string; problem: string }[] = [];
      for (const [i, { bytes }] of mutants(texts, runs, seed).entries()) {
        const file = path.join(dir, `m${i}.xml`);
        writeFileSync(file, bytes);
        try {
          accepted.push({ file, doc: parseXml(decodeXmlBytes(bytes, file), file) });
        } catch (e) {
          if (!(e instanceof XmlInputError)) throw new Error(`${file}: internal error while parsing: ${String(e)}`, { cause: e });
          refused.push({ file, problem: e.problem });
        }
      }
      const libxml2Rejects = rejectedByLibxml2([...accepted.map((a) => a.file), ...refused.map((r) => r.file)]);
      const acceptedButRejected = accepted.filter((a) => libxml2Rejects.has(a.file)).map((a) => a.file);
      expect(acceptedButRejected, 'documents this parser accepts and libxml2 rejects').toEqual([]);
      // Refusals libxml2 disagrees with must be deliberate ones.
      const refusedAlone = refused.filter((r) => !libxml2Rejects.has(r.file));
      const overStrict = refusedAlone.filter((r) => !DELIBERATE.some((d) => d.test(r.problem)));
      expect(overStrict.map((r) => `${r.file}: ${r.problem}`)).toEqual([]);

      let planned = 0;
      let edited = 0;
      const outside: string[] = [];
      for (const { file, doc: mutantDoc } of accepted) {
        if (mutantDoc.root.name !== 'domain') continue;
        for (const secure of goalsFor(mutantDoc)) {
          // libvirt's tests mostly use type='qemu' (TCG), which no confidential technology supports: as KVM domains
          // they exercise the confidential plans too (as cli/plan-corpus.test.ts does).
          const tcg = secure !== 'none' && readDomainFacts(mutantDoc).virtType === 'qemu';
          const doc = tcg
            ? parseXml(applyEdits(mutantDoc, [{ op: 'set-attribute', target: '/domain', name: 'type', value: 'kvm' }]))
            : mutantDoc;
          // The pipeline check, plan and the app share (src/pipeline): any exception in it is an internal error.
          let result: DocumentPlan;
          try {
            result = planDocument(readDocument(doc.text, { fileName: file }), {
              host: CAPABLE_HOST,
              guest: LINUX_GUEST,
              goals: { ...DEFAULT_GOALS, secure },
            });
          } catch (e) {
            throw new Error(`${file} --secure ${secure}: internal error while planning: ${String(e)}`, { cause: e });
          }
          planned++;
          if (result.planned === doc.text) continue;
          edited++;
          for (const change of changesOutsideEdits(doc, parseXml(result.planned, `${file} (planned)`), result.plan.edits))
            outside.push(`${file} --secure ${secure}: ${change}`);
        }
      }
      console.log(
        `[parity] seed ${seed}: ${runs} mutants, ${accepted.length} accepted by both, ${refused.length - refusedAlone.length} refused by both, ` +
          `${refusedAlone.length} refused on purpose, ${planned} plans, ${edited} edited documents checked`,
      );
      expect(outside, 'changes outside the edited elements').toEqual([]);
      // The run must have exercised both directions and the planner, or it proves nothing.
      expect(accepted.length).toBeGreaterThan(runs / 10);
      expect(refused.length - refusedAlone.length).toBeGreaterThan(runs / 10);
      expect(edited).toBeGreaterThan(runs / 20);
    },
    Math.max(600_000, runs * 60),
  );
});
