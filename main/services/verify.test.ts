/**
 * `verify` on every generation of the version lab (Debian 12's libvirtd and the trixie and sid chroots), under
 * TCG: a refused plan (a transitional NIC with iommu='on' on i440fx) and its fixed plan, a KVM domain on a host
 * without KVM, a SEV domain on a host without SEV, and that nothing of the user's is touched and nothing of the
 * test's is left.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOALS, NO_GUEST_FACTS, NO_HOST_FACTS } from '../../src/contracts/facts';
import { applyEdits, parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { planFor } from '../../src/engine';
import { labDomainName, readLabState, runsKvmGuests } from '../../test/lab';
import { verifyTraces as traces } from '../../test/verify-traces';
import { missingParts } from '../../test/real-parts';
import { isLeftover, removeVerifyLeftovers, sharesOurFilesystem, VERIFY_PREFIX, verifyDomain, volumeNames } from './verify';
import { runVirsh } from './virsh';

/** Each test starts up to three copies; on two busy cores one start can take a minute. */
const START_BUDGET_MS = 300_000;
const LEGACY_IOMMU = 'VIRTIO_F_IOMMU_PLATFORM was supported by neither legacy nor transitional device';

/** A user's domain: an i440fx guest with a qcow2 disk of the user's and a transitional NIC with iommu='on'. */
function userDomain(name: string, disk: string, extra: { type?: string; nic?: string; launchSecurity?: string } = {}): string {
  return `<domain type='${extra.type ?? 'qemu'}'>
  <name>${name}</name>
  <uuid>0b9f3b5e-3c1f-4b8e-9a53-7f0e6d2c1a11</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <features>
    <acpi/>
  </features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <mac address='52:54:00:aa:bb:cc'/>
      <model type='${extra.nic ?? 'virtio-transitional'}'/>
      <driver iommu='on'/>
    </interface>
    <memballoon model='none'/>
  </devices>${extra.launchSecurity ? `\n  ${extra.launchSecurity}` : ''}
</domain>
`;
}

/** The engine's plan (goal: keep ordinary) applied: here it makes the NIC non-transitional. */
function fixed(xml: string): string {
  const plan = planFor({
    domain: readDomainFacts(parseDomainXml(xml)),
    host: NO_HOST_FACTS,
    guest: NO_GUEST_FACTS,
    goals: { ...DEFAULT_GOALS, secure: 'none' },
  });
  return applyEdits(xml, plan.edits);
}

const missing = missingParts('lab', 'qemu-img');
const generations = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-lab-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing)(`verify on every generation ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    const title = `${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu})`;

    it(
      `${title}: refuses a transitional NIC with iommu='on' on i440fx with QEMU's message, as the engine predicts, and starts the engine's fix`,
      async () => {
        const disk = path.join(work, `${g.name}-user.qcow2`);
        execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
        const before = { hash: createHash('sha256').update(readFileSync(disk)).digest('hex'), mtime: statSync(disk).mtimeMs };
        const xml = userDomain(labDomainName(g, 'user'), disk);

        const refused = await verifyDomain({ uri: g.uri, xml });
        expect(refused.outcome).toBe('refused');
        expect(refused.attempts).toHaveLength(1);
        expect(refused.attempts[0]?.qemuMessage).toBe(LEGACY_IOMMU);
        expect(refused.summary).toBe(`Refused: ${LEGACY_IOMMU}`);
        expect(refused.prediction.refuses).toBe(true);
        expect(refused.prediction.findings.map((f) => f.rule)).toContain('R-XML-05');
        expect(refused.agrees, refused.disagreement ?? '').toBe(true);
        expect(refused.copy?.name).toMatch(/^vaw-verify-[a-z0-9]+-\d+-[0-9a-f]{8}$/);
        expect(refused.copy?.uuid).not.toBe('0b9f3b5e-3c1f-4b8e-9a53-7f0e6d2c1a11');
        // The copy's disk is an empty image of the same format, made here or in a pool of the daemon's host.
        const diskChange = refused.changes.find((c) => c.target === '/domain/devices/disk[1]')?.what ?? '';
        expect(diskChange).toMatch(/^an empty qcow2 image .*vaw-verify-.*\/disk1\.qcow2 on the same bus$/);
        expect(refused.changes.find((c) => c.target === '/domain/devices/interface[1]')?.what).toMatch(/^new MAC 52:54:00:/);
        expect(refused.changes.some((c) => c.what.includes('52:54:00:aa:bb:cc'))).toBe(false);

        const started = await verifyDomain({ uri: g.uri, xml: fixed(xml) });
        expect(started.outcome, started.summary).toBe('started');
        expect(started.summary).toBe('Started: libvirt and QEMU accept this domain as planned.');
        expect(started.proven).toHaveLength(2);
        expect(started.prediction.refuses).toBe(false);
        expect(started.agrees, started.disagreement ?? '').toBe(true);

        // The user's disk was never opened for writing, and nothing of the test is left.
        expect({ hash: createHash('sha256').update(readFileSync(disk)).digest('hex'), mtime: statSync(disk).mtimeMs }).toEqual(before);
        expect(await traces(g)).toEqual([]);
      },
      START_BUDGET_MS,
    );

    it(
      `${title}: a type='kvm' domain starts under KVM where libvirt offers it, else under TCG saying KVM itself was not tested, quoting libvirt`,
      async () => {
        const xml = userDomain(labDomainName(g, 'kvm'), '/nonexistent/user.qcow2', { type: 'kvm', nic: 'virtio-non-transitional' });
        const report = await verifyDomain({ uri: g.uri, xml });
        expect(report.outcome, report.summary).toBe('started');
        if (runsKvmGuests(g.uri)) {
          expect(report.attempts.map((a) => [a.as, a.started])).toEqual([['as planned', true]]);
          expect(report.summary).toBe('Started: libvirt and QEMU accept this domain as planned.');
          expect(report.notProven.some((n) => n.includes('KVM'))).toBe(false);
          expect(report.proven[1]).not.toMatch(/TCG/);
        } else {
          expect(report.attempts.map((a) => [a.as, a.started])).toEqual([
            ['as planned', false],
            ["under TCG (type='qemu')", true],
          ]);
          expect(report.summary).toBe('Started: devices proven under TCG; KVM itself not tested.');
          expect(report.notProven[0]).toContain(report.attempts[0]!.message);
          expect(report.proven[1]).toMatch(/, under TCG$/);
        }
        expect(await traces(g)).toEqual([]);
      },
      START_BUDGET_MS,
    );

    it(
      `${title}: a SEV domain is refused for SEV, quoted, and its devices are proven without it`,
      async () => {
        const ls = "<launchSecurity type='sev'><policy>0x0033</policy></launchSecurity>";
        const xml = userDomain(labDomainName(g, 'sev'), '/nonexistent/user.qcow2', {
          type: 'kvm',
          nic: 'virtio-non-transitional',
          launchSecurity: ls,
        });
        const report = await verifyDomain({ uri: g.uri, xml });
        expect(report.outcome, report.summary).toBe('started');
        // Without KVM the plan is first refused for KVM and tried again under TCG; with it, refused for SEV at once.
        const kvm = runsKvmGuests(g.uri);
        const refusedForSev = report.attempts[kvm ? 0 : 1]!;
        expect(report.attempts.map((a) => a.started)).toEqual(kvm ? [false, true] : [false, false, true]);
        expect(refusedForSev.message).toMatch(/launch security is not supported with this QEMU binary/);
        expect(report.summary).toBe(
          kvm
            ? 'Started: devices proven; sev itself not tested.'
            : 'Started: devices proven under TCG; KVM itself not tested; sev itself not tested.',
        );
        expect(
          report.notProven.some((n) => n.startsWith('The sev launch itself was not tested') && n.includes(refusedForSev.message)),
        ).toBe(true);
        expect(await traces(g)).toEqual([]);
      },
      START_BUDGET_MS,
    );
  }

  it('removes the leftovers of a run that died on this host, and leaves those of live runs alone', async () => {
    const g = generations[0]!;
    const dead = spawnSync('true').pid;
    const host = os
      .hostname()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 16);
    const orphan = `${VERIFY_PREFIX}${host}-${dead}-deadbeef`;
    const alive = `${VERIFY_PREFIX}${host}-${process.pid}-0badf00d`;
    expect(isLeftover(orphan)).toBe(true);
    expect(isLeftover(alive)).toBe(false);
    expect(isLeftover(`${VERIFY_PREFIX}otherhost-${dead}-deadbeef`)).toBe(false);
    for (const name of [orphan, alive]) {
      const file = path.join(work, `${name}.xml`);
      execFileSync('sh', ['-c', `cat > ${file}`], {
        input: `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>`,
      });
      await runVirsh(g.uri, ['define', file]);
    }
    try {
      expect(await removeVerifyLeftovers(g.uri)).toEqual([`domain ${orphan}`]);
      const left = await runVirsh(g.uri, ['list', '--all', '--name']);
      expect(left).toContain(alive);
      expect(left).not.toContain(orphan);
    } finally {
      await runVirsh(g.uri, ['undefine', alive]).catch(() => undefined);
      await runVirsh(g.uri, ['undefine', orphan]).catch(() => undefined);
    }
  });

  it("reads the volume names of a real pool from virsh's vol-list table (virsh 9.0 has no vol-list --name)", async () => {
    const g = generations[0]!;
    const pool = `${VERIFY_PREFIX}volumes-test`;
    const dir = path.join(work, 'pool');
    try {
      await runVirsh(g.uri, ['pool-create-as', pool, 'dir', '--target', dir, '--build']);
      await runVirsh(g.uri, ['vol-create-as', pool, 'disk1.qcow2', '1M', '--format', 'qcow2']);
      await runVirsh(g.uri, ['vol-create-as', pool, 'disk2.raw', '1M', '--format', 'raw']);
      expect(volumeNames(await runVirsh(g.uri, ['vol-list', '--pool', pool]))).toEqual(['disk1.qcow2', 'disk2.raw']);
    } finally {
      await runVirsh(g.uri, ['pool-destroy', pool]).catch(() => undefined);
    }
  });

  it('makes disk images locally only for daemons that share this filesystem', () => {
    expect(sharesOurFilesystem('qemu:///system')).toBe(true);
    expect(sharesOurFilesystem('qemu:///session')).toBe(true);
    expect(sharesOurFilesystem('qemu+unix:///system?socket=/var/cache/vaw-lab/sid/run/libvirt/libvirt-sock')).toBe(false);
    expect(sharesOurFilesystem('qemu+ssh://root@host/system')).toBe(false);
  });
});
