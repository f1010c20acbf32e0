/**
 * The differential suite (issue 14): the engine's predictions against real libvirt and QEMU of every generation
 * of the version lab (scripts/lab.sh), reached through the product's own virsh adapter.
 *   a. every plan the engine writes for the corpus domains and the product's samples, for every secure goal the
 *      generation's libvirt can express, validates against that generation's own schema;
 *   b. every device configuration of the space (test/lab/device-space.ts) is defined and started paused under TCG:
 *      the engine's error findings must name exactly the configurations libvirt or QEMU refuse, quoting the
 *      message printed (QEMU's own message inside libvirt's wrapper);
 *   c. each `<launchSecurity>` type the generation knows is refused here (no KVM, no hardware), with a message
 *      the engine quotes for that domain at that generation's versions.
 * Every disagreement fails with both texts; the run ends with `LAB generations=G configurations=N contradictions=C`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getVersions, versionFacts } from '../../main/services/libvirt';
import { validateDomainXml } from '../../main/services/schema';
import { contradiction, qemuOwnMessage, type Observed } from '../../main/services/prediction-check';
import { runVirsh } from '../../main/services/virsh';
import { DEFAULT_GOALS, NO_GUEST_FACTS, type SecureType } from '../../src/contracts/facts';
import type { Finding } from '../../src/contracts/findings';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate, planFor } from '../../src/engine';
import { mergeHostFacts } from '../../src/host';
import { corpusXmlFiles } from '../corpus-files';
import { isLeftoverOrOwn, labDomainName, readLabState, type Generation } from '../lab';
import { defineAndStart, hostFactsOf, patiently } from './run-on-generation';
import { missingParts, repoRoot } from '../real-parts';
import { configurationXml, deviceConfigurations, platformOf } from './device-space';
import { launchSecurityTypes, launchSecurityXml, secureGoalsOf } from './launch-security';

/** One disagreement between the engine and a generation. */
export interface Contradiction {
  readonly part: 'plans' | 'devices' | 'launchSecurity';
  readonly generation: string;
  readonly configuration: string;
  readonly engine: string;
  readonly real: string;
}

/** Domain starts in flight per generation; three generations run side by side. */
const STARTS_PER_GENERATION = 3;

const missing = missingParts('lab', 'corpus', 'xmllint');
const generations: Generation[] = missing ? [] : readLabState();
const counts = { plans: 0, devices: 0, launchSecurity: 0 };
const found: Contradiction[] = [];
const started = Date.now();

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Removes the lab domains left by an interrupted run (never those of a suite running beside this one). */
async function removeLeftovers(g: Generation): Promise<void> {
  for (const name of (await patiently(() => runVirsh(g.uri, ['list', '--all', '--name']))).split('\n').map((s) => s.trim())) {
    if (!isLeftoverOrOwn(name, g)) continue;
    await runVirsh(g.uri, ['destroy', name]).catch(() => undefined);
    await runVirsh(g.uri, ['undefine', name]).catch(() => undefined);
  }
}

function record(c: Contradiction): void {
  found.push(c);
}

const describeContradictions = (list: readonly Contradiction[]): string =>
  list.map((c) => `\n- ${c.generation} ${c.configuration}\n    engine: ${c.engine}\n    real:   ${c.real}`).join('');

/** Corpus domains and the product's samples: the inputs of part a. */
function planInputs(): { label: string; text: string }[] {
  const kinds = ['libvirt-test-input', 'libvirt-expected-xml', 'virt-manager-virt-install-output'];
  const samplesDir = path.join(repoRoot, 'assets/samples');
  return [
    ...corpusXmlFiles()
      .filter((f) => kinds.includes(f.kind))
      .map((f) => ({ label: f.rel, text: readFileSync(f.abs, 'utf8') })),
    ...readdirSync(samplesDir)
      .filter((f) => f.endsWith('.xml'))
      .map((f) => ({ label: `assets/samples/${f}`, text: readFileSync(path.join(samplesDir, f), 'utf8') })),
  ].filter((i) => {
    try {
      return readDomainFacts(parseDomainXml(i.text, i.label)).name !== 'unknown';
    } catch {
      return false; // documents the parser refuses are the domain-xml tests' business
    }
  });
}

async function checkPlans(g: Generation): Promise<Contradiction[]> {
  const inputs = planInputs();
  // Inputs the generation's own schema refuses as they are (newer or older XML) have no plan to check there.
  const before = await validateDomainXml(
    inputs.map((i) => ({ name: i.label, text: i.text })),
    { dir: g.schemaDir },
  );
  const valid = inputs.filter((_, i) => before[i]?.valid);
  expect(valid.length, `corpus domains valid against ${g.name}'s schema`).toBeGreaterThan(100);
  const host = mergeHostFacts(versionFacts(g.uri, await patiently(() => getVersions(g.uri))));
  const goals = secureGoalsOf(launchSecurityTypes(g.schemaDir));
  const planned: { label: string; text: string }[] = [];
  for (const i of valid) {
    const facts = readDomainFacts(parseDomainXml(i.text, i.label));
    for (const goal of goals) {
      // Confidential plans are for KVM guests; libvirt's tests mostly use type='qemu'.
      const text =
        goal === 'none' || facts.virtType !== 'qemu'
          ? i.text
          : applyEdits(i.text, [{ op: 'set-attribute', target: '/domain', name: 'type', value: 'kvm' }]);
      const plan = planFor({
        domain: readDomainFacts(parseDomainXml(text, i.label)),
        host,
        guest: NO_GUEST_FACTS,
        goals: { ...DEFAULT_GOALS, secure: goal as SecureType },
      });
      if (plan.impossible.length > 0) continue;
      planned.push({ label: `${i.label} --secure ${goal}`, text: applyEdits(text, plan.edits) });
    }
  }
  counts.plans += planned.length;
  const after = await validateDomainXml(
    planned.map((p) => ({ name: p.label, text: p.text })),
    { dir: g.schemaDir },
  );
  return planned.flatMap((p, i) =>
    after[i]?.valid
      ? []
      : [
          {
            part: 'plans' as const,
            generation: g.name,
            configuration: p.label,
            engine: 'this plan is valid libvirt XML',
            real: `${g.name}'s schema (${g.schemaDir}) refuses it: ${after[i]?.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`,
          },
        ],
  );
}

async function checkDevices(g: Generation, dir: string): Promise<Contradiction[]> {
  const hostFor = hostFactsOf(g);
  const out: Contradiction[] = [];
  const add = (c: Contradiction): void => {
    out.push(c);
    record(c);
  };
  const configurations = deviceConfigurations();
  counts.devices += configurations.length;
  await pool(configurations, STARTS_PER_GENERATION, async (c) => {
    const name = labDomainName(g, c.label);
    const xml = configurationXml(name, c);
    const { arch, machine } = platformOf(c);
    const findings = evaluate({
      domain: readDomainFacts(parseDomainXml(xml, c.label)),
      host: await hostFor(arch, machine),
      guest: NO_GUEST_FACTS,
      goals: DEFAULT_GOALS,
    });
    const seen = await defineAndStart(g.uri, name, xml, dir);
    const diff = contradiction(findings, seen);
    if (diff) add({ part: 'devices', generation: g.name, configuration: c.label, ...diff, real: withQemuMessage(diff.real, seen) });
  });
  return out;
}

/** Adds QEMU's own message, when there is one, so a reader sees it apart from libvirt's wrapper. */
function withQemuMessage(real: string, seen: Observed): string {
  if (seen.started) return real;
  const own = qemuOwnMessage(seen.text);
  return own ? `${real}\n    QEMU's own message: ${own}` : real;
}

async function checkLaunchSecurity(g: Generation, dir: string): Promise<Contradiction[]> {
  const hostFor = hostFactsOf(g);
  const out: Contradiction[] = [];
  const types = launchSecurityTypes(g.schemaDir);
  counts.launchSecurity += types.length;
  for (const type of types) {
    const name = labDomainName(g, `ls-${type}`);
    const { xml, arch, machine } = launchSecurityXml(name, type);
    const findings: Finding[] = evaluate({
      domain: readDomainFacts(parseDomainXml(xml, type)),
      host: await hostFor(arch, machine),
      guest: NO_GUEST_FACTS,
      goals: DEFAULT_GOALS,
    });
    const seen = await defineAndStart(g.uri, name, xml, dir);
    // Nothing here can run a confidential guest: a start is itself a finding worth failing on.
    const diff = contradiction(findings, seen);
    if (diff) out.push({ part: 'launchSecurity', generation: g.name, configuration: `launchSecurity type='${type}' (TCG)`, ...diff });
  }
  return out;
}

describe.skipIf(missing)(`version lab differential suite ${missing ? `(skipped: ${missing})` : ''}`, () => {
  afterAll(() => {
    const report = process.env.VAW_LAB_REPORT;
    const total = counts.plans + counts.devices + counts.launchSecurity;
    if (report) {
      writeFileSync(
        report,
        JSON.stringify({ generations, counts, seconds: (Date.now() - started) / 1000, contradictions: found }, null, 2),
      );
    }
    console.log(
      `LAB parts: plans=${counts.plans} devices=${counts.devices} launchSecurity=${counts.launchSecurity} (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    console.log(`LAB generations=${generations.length} configurations=${total} contradictions=${found.length}`);
  });

  for (const g of generations) {
    const title = `${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu})`;

    it.concurrent(`${title}: every plan of the corpus and the samples validates against its own schema`, async () => {
      const list = await checkPlans(g);
      list.forEach(record);
      expect(list, describeContradictions(list)).toEqual([]);
    });

    it.concurrent(
      `${title}: libvirt and QEMU refuse exactly the device configurations the engine says they refuse, with the message it quotes`,
      async () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-lab-'));
        try {
          await removeLeftovers(g);
          const list = await checkDevices(g, dir);
          expect(list, describeContradictions(list)).toEqual([]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    it.concurrent(`${title}: each launchSecurity type it knows is refused under TCG with a message the engine quotes`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'vaw-lab-'));
      try {
        const list = await checkLaunchSecurity(g, dir);
        list.forEach(record);
        expect(list, describeContradictions(list)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
