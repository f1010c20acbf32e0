/**
 * The fleet audit on a simulated fleet: K private sshd instances on loopback ports in front of the real
 * libvirtd (test/private-sshd.ts), each a host reached over qemu+ssh, and 25 domains defined for the run
 * (vaw-perf-bench-*, removed afterwards). `virtio-access check --connect URI... NAMES` (as installed, schema
 * validation on) at 1, 4 and 16 hosts, and against the shell loop an admin writes today: per host
 * `virsh list --all --name` (kept to these 25 domains), then per domain `virsh dumpxml` and
 * `virt-xml-validate`. Everything — ssh on both ends, libvirtd, virsh, xmllint — runs on the same cores, for
 * both sides alike.
 */
import { spawnSync } from 'node:child_process';
import type { BenchContext } from './context';
import { timeCommand, type Command } from './measure';
import { report, skip } from './figures';
import { defineXml, fixtureNamed, removeDomains } from '../test/libvirt-domains';
import { startSshdFleet } from '../test/private-sshd';
import { missingParts } from '../test/real-parts';

const PREFIX = 'vaw-perf-bench-';
const DOMAINS = 25;
const FIXTURES = ['tcg-q35.xml', 'tcg-i440fx.xml', 'transitional-iommu.xml'];

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export async function benchFleet(ctx: BenchContext): Promise<void> {
  const name = 'fleet.audit-16x25';
  const missing = missingParts('libvirtd', 'ssh', 'sshd');
  if (missing) return skip(name, missing);
  const fleet = await startSshdFleet(16);
  const names = Array.from({ length: DOMAINS }, (_, i) => `${PREFIX}${String(i + 1).padStart(2, '0')}`);
  try {
    names.forEach((n, i) => defineXml(fixtureNamed(FIXTURES[i % FIXTURES.length]!, n)));
    const uris = fleet.hosts.map((h) => h.uri);
    // Exit 1 means an error finding (these TCG guests have some), not a failed audit; 2 would be one.
    const ours = (k: number): Command => ({
      cmd: ctx.cli,
      args: ['check', ...uris.slice(0, k).flatMap((u) => ['--connect', u]), ...names, '--json'],
      okCodes: [0, 1],
    });
    const runs = ctx.quick ? 1 : 3;
    for (const k of [1, 4]) {
      report({
        name: `fleet.audit-${k}x${DOMAINS}`,
        value: timeCommand(ours(k), runs),
        unit: 'ms',
        note: `${k} hosts × ${DOMAINS} domains`,
      });
    }
    const lins = fleet.hosts[0]!.logins();
    const full = timeCommand(ours(16), runs);
    report({
      name,
      value: full,
      unit: 'ms',
      note: `16 hosts × ${DOMAINS} domains, --jobs default; ${(fleet.hosts[0]!.logins() - lins) / (runs + 1)} ssh logins per host per audit`,
    });

    if (!onPath('virt-xml-validate'))
      return skip('fleet.vs-shell-loop', 'virt-xml-validate not installed (Debian package libvirt-clients)');
    // At 4 hosts: the loop takes minutes there already (one ssh login and one xmllint per domain) and grows
    // linearly with hosts. It runs once, between two runs of ours.
    const k = 4;
    const loop = [
      'dir=$(mktemp -d); prefix=$1; shift',
      'for uri in "$@"; do',
      '  for d in $(virsh -c "$uri" list --all --name | grep "^$prefix"); do',
      '    virsh -c "$uri" dumpxml --inactive "$d" > "$dir/d.xml" && virt-xml-validate "$dir/d.xml" domain > /dev/null',
      '  done',
      'done; rm -rf "$dir"',
    ].join('\n');
    const shell: Command = { cmd: 'sh', args: ['-c', loop, 'sh', PREFIX, ...uris.slice(0, k)] };
    const before = timeCommand(ours(k), 1, 0);
    const shellMs = timeCommand(shell, 1, 0);
    const after = timeCommand(ours(k), 1, 0);
    const oursMs = (before + after) / 2;
    report({
      name: 'fleet.shell-loop',
      value: shellMs,
      unit: 'ms',
      note: `${k} hosts × ${DOMAINS} domains: list, then dumpxml + virt-xml-validate each`,
    });
    report({
      name: 'fleet.vs-shell-loop',
      value: oursMs / shellMs,
      unit: 'ratio',
      goal: '<= 0.1',
      met: oursMs / shellMs <= 0.1,
      note: `${k} hosts; ours ${before.toFixed(0)} ms before the loop, ${after.toFixed(0)} ms after`,
    });
  } finally {
    await removeDomains(PREFIX);
    await fleet.stop();
  }
}
