/**
 * Running a domain on one generation of the version lab, for the lab's suites: its host facts (versions and
 * domcapabilities, read patiently from a daemon that two busy cores can make slow), and define + start --paused
 * with what libvirt or QEMU printed when they refused.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { getDomainCapabilities, getVersions, versionFacts } from '../../main/services/libvirt';
import { virshErrorText, type Observed } from '../../main/services/prediction-check';
import { runVirsh, VirshError } from '../../main/services/virsh';
import { expect } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS, type HostFacts } from '../../src/contracts/facts';
import type { Finding } from '../../src/contracts/findings';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { mergeHostFacts } from '../../src/host';
import type { Generation } from '../lab';

const START_TIMEOUT_MS = 180_000;

/**
 * Reads that only ask the daemon (versions, domcapabilities) are tried again when it is too busy to answer in
 * time: two cores shared with QEMU starts make a 15 s timeout likely now and then, and such a read proves nothing.
 */
export async function patiently<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if (!(e instanceof VirshError) || e.code !== 'timeout' || attempt === 3) throw e;
    }
  }
}

/** Host facts of a generation for one platform: its versions and its domcapabilities under TCG. */
export function hostFactsOf(g: Generation): (arch: string, machine: string) => Promise<HostFacts> {
  const cache = new Map<string, Promise<HostFacts>>();
  const versions = patiently(() => getVersions(g.uri));
  return (arch, machine) => {
    const key = `${arch} ${machine}`;
    if (!cache.has(key)) {
      cache.set(
        key,
        Promise.all([versions, patiently(() => getDomainCapabilities(g.uri, { arch, machine, virttype: 'qemu' }))]).then(([v, caps]) =>
          mergeHostFacts(versionFacts(g.uri, v), caps.host),
        ),
      );
    }
    return cache.get(key)!;
  };
}

/** What libvirt or QEMU said when virsh refused at `stage`; a failure that is not a refusal (no daemon, a timeout) is thrown. */
export function refusedAt(stage: 'define' | 'start', e: unknown): Observed {
  if (!(e instanceof VirshError) || e.code === 'timeout' || e.code === 'cannot-connect' || e.code === 'daemon-down') throw e;
  return { started: false, stage, text: virshErrorText(e.stderr) };
}

/** What libvirt keeps of a definition: `virsh dumpxml --inactive` of it defined, then undefined again. */
export async function definedXml(uri: string, name: string, dir: string, xml: string): Promise<string> {
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  await runVirsh(uri, ['define', file], { timeoutMs: START_TIMEOUT_MS });
  try {
    return await runVirsh(uri, ['dumpxml', '--inactive', name]);
  } finally {
    await runVirsh(uri, ['undefine', name]);
  }
}

/** What `virsh define` said: null when it defined the domain (which is then undefined again). */
export async function defineRefusal(uri: string, name: string, dir: string, xml: string): Promise<string | null> {
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  try {
    await runVirsh(uri, ['define', file], { timeoutMs: START_TIMEOUT_MS });
  } catch (e) {
    const refused = refusedAt('define', e);
    return refused.started ? null : refused.text;
  }
  await runVirsh(uri, ['undefine', '--nvram', name]).catch(() => runVirsh(uri, ['undefine', name]));
  return null;
}

/** Defines `xml` and starts it paused; always leaves nothing behind. */
export async function defineAndStart(uri: string, name: string, xml: string, dir: string): Promise<Observed> {
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  try {
    await runVirsh(uri, ['define', file], { timeoutMs: START_TIMEOUT_MS });
  } catch (e) {
    return refusedAt('define', e);
  }
  try {
    // libvirt sometimes reports QEMU's exit before it read QEMU's message ("qemu unexpectedly closed the monitor"
    // and nothing after): 9.0 now and then, and 12.8 three times in a row for one configuration on a machine busy
    // with other work; 9.0 once, on a busy machine, could not reach the monitor at all ("failed to connect to
    // monitor socket: Connection refused"). That says nothing about the message, so the start is tried again, a
    // little later each time.
    for (let attempt = 1; ; attempt++) {
      try {
        await runVirsh(uri, ['start', '--paused', name], { timeoutMs: START_TIMEOUT_MS });
        break;
      } catch (e) {
        const seen = refusedAt('start', e);
        if (
          seen.started ||
          attempt === 5 ||
          !/(?:closed the monitor|connecting to monitor|connect to monitor socket: Connection refused)(?: \(vm='[^']*'\))?:?\s*$/.test(
            seen.text,
          )
        )
          return seen;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
    await runVirsh(uri, ['destroy', name]);
    return { started: true };
  } finally {
    await runVirsh(uri, ['undefine', name]).catch(() => undefined);
  }
}

/**
 * A minimal x86_64 domain for a lab case, run under TCG: 256 MiB, one vCPU, the given `<features>` and devices,
 * and the balloon off so that the devices under test are the only virtio ones.
 */
export function minimalDomainXml(
  name: string,
  p: { readonly machine?: string; readonly features?: string; readonly devices: string },
): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='${p.machine ?? 'q35'}'>hvm</type></os>${p.features ? `\n  <features>${p.features}</features>` : ''}
  <devices>
    ${p.devices}
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

/**
 * The engine's judgement of `xml`, with generation `g`'s versions, against what `g` did with it: an error finding
 * that `matches` picks exactly when `refusal` is not null (refused at define or at start), quoting what was printed.
 */
export async function expectErrorExactlyWhenRefused(
  g: Generation,
  xml: string,
  refusal: string | null,
  matches: (f: Finding) => boolean,
): Promise<void> {
  const host = await hostFactsOf(g)('x86_64', 'q35');
  const findings = evaluate({ domain: readDomainFacts(parseDomainXml(xml)), host, guest: NO_GUEST_FACTS, goals: DEFAULT_GOALS });
  const error = findings.find((f) => f.severity === 'error' && matches(f));
  expect(Boolean(error), refusal ?? 'accepted').toBe(refusal !== null);
  if (refusal !== null)
    expect(
      error?.messages?.some((m) => refusal.includes(m)),
      refusal,
    ).toBe(true);
}
