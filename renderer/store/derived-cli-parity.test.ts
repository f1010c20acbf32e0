/**
 * The app and the CLI share one pipeline: for the same domain text, host capabilities and guest, the store's
 * derivation (what every wizard view shows) and the built `virtio-access` command (check and plan, run as users
 * run it, from dist/ as `npm test` builds it) report the same findings and plan the same XML.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCheckJson, toCheckJsonFinding, type PlanJson } from '../../src/contracts/cli-json';
import { NO_GUEST_FACTS, NO_HOST_FACTS, type GuestFacts, type SecureType } from '../../src/contracts/facts';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { mergeHostFacts, parseDomainCapabilities } from '../../src/host';
import { loadOsinfo } from '../../main/services/osinfo';
import { corpusXmlFiles } from '../../test/corpus-files';
import { missingParts, repoRoot } from '../../test/real-parts';
import { derive } from './derived';

const cli = path.join(repoRoot, 'dist/cli/virtio-access.cjs');
const capsFile = path.join(repoRoot, 'test/fixtures/domcaps/q35-sev.xml');
/** What the Secure VM step's "saved virsh domcapabilities file" gives the store, as `--host-caps` gives the CLI. */
const host = mergeHostFacts(NO_HOST_FACTS, parseDomainCapabilities(readFileSync(capsFile, 'utf8'), capsFile));
const cache = mkdtempSync(path.join(os.tmpdir(), 'vaw-parity-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function runCli(args: readonly string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cache },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The guest the Guest step sets for the domain's osinfo id (osinfo.guest channel), as the CLI looks it up. */
async function guestOf(text: string): Promise<GuestFacts> {
  const id = readDomainFacts(parseDomainXml(text)).osinfoId;
  return id === 'unknown' ? NO_GUEST_FACTS : (await loadOsinfo(undefined, { cacheDir: cache })).lookup(id);
}

const fixtureDir = path.join(repoRoot, 'test/fixtures/domains');
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.xml'))
  .map((f) => path.join(fixtureDir, f));

/** Every 25th domain of libvirt's own tests in the corpus, when it is there: many shapes at a bounded cost. */
function corpusSample(): string[] {
  if (missingParts('corpus')) return [];
  return corpusXmlFiles()
    .filter((f) => f.kind === 'libvirt-test-input')
    .filter((_, i) => i % 25 === 0)
    .map((f) => f.abs);
}

const missing = missingParts('osinfo');
describe.skipIf(missing)(`the store and the CLI give the same answers ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it('check --json: the same findings, in the same order, as the store for "keep the domain as it is"', async () => {
    const sample = corpusSample();
    const files = [...fixtures, ...sample];
    const r = runCli(['check', '--json', '--no-schema', '--host-caps', capsFile, ...files]);
    expect([0, 1, 2]).toContain(r.code);
    const json: unknown = JSON.parse(r.stdout);
    if (!isCheckJson(json)) throw new Error(`not check --json output: ${r.stdout.slice(0, 200)}`);
    // Files the parser refuses are reported on stderr and left out of the JSON; the store refuses them too.
    expect(json.files.length).toBeGreaterThanOrEqual(fixtures.length);
    let compared = 0;
    for (const file of json.files) {
      const text = readFileSync(file.file, 'utf8');
      const d = derive({
        text,
        host,
        guest: await guestOf(text),
        secure: 'keep',
        migration: 'unknown',
        backends: {},
        models: {},
        manualXml: null,
      });
      expect(d.ok, file.file).toBe(true);
      if (!d.ok) continue;
      expect(d.findings.map(toCheckJsonFinding), file.file).toEqual(file.findings);
      compared++;
    }
    expect(compared).toBe(json.files.length);
    if (sample.length > 0) expect(compared).toBeGreaterThan(fixtures.length + sample.length / 2);
  }, 180_000);

  it.each(fixtures.map((f) => path.basename(f)))(
    'plan --json --secure sev on %s: the same plan, XML and findings as the store',
    async (name) => {
      const file = path.join(fixtureDir, name);
      const text = readFileSync(file, 'utf8');
      const secure: SecureType = 'sev';
      const d = derive({ text, host, guest: await guestOf(text), secure, migration: 'unknown', backends: {}, models: {}, manualXml: null });
      const r = runCli(['plan', file, '--secure', secure, '--json', '--no-schema', '--host-caps', capsFile]);
      if (!d.ok) throw new Error(d.problem);
      if (d.plan.impossible.length > 0) {
        // The CLI refuses with exit 1 and names each finding that makes the goal impossible.
        expect(r.code).toBe(1);
        for (const f of d.plan.impossible) expect(r.stderr).toContain(`${f.rule}: ${f.title}`);
        return;
      }
      expect([r.code, r.stderr]).toEqual([0, '']);
      const json = JSON.parse(r.stdout) as PlanJson;
      expect(json.xml).toBe(d.planned);
      expect(json.edits).toEqual(d.plan.edits);
      expect(json.findings).toEqual(d.findings.map(toCheckJsonFinding));
    },
    60_000,
  );
});
