import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectHostEvidence, parseVirtHostValidate } from './host-evidence';

const root = mkdtempSync(path.join(os.tmpdir(), 'vaw-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): { sys: string; dev: string; proc: string; runValidate: false } {
  const base = path.join(root, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
    writeFileSync(path.join(base, rel), text);
  }
  return { sys: path.join(base, 'sys'), dev: path.join(base, 'dev'), proc: path.join(base, 'proc'), runValidate: false };
}

describe('collectHostEvidence on a temporary tree', () => {
  it('reports SEV module parameters, /dev/sev and CPU flags with the file they came from', async () => {
    const roots = tree('amd', {
      'sys/module/kvm_amd/parameters/sev': 'Y\n',
      'sys/module/kvm_amd/parameters/sev_es': 'N\n',
      'dev/sev': '',
      'proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu sme sev sev_es svm\n',
    });
    const ev = await collectHostEvidence(roots);
    expect(ev).toContainEqual({ fact: 'kvm_amd.sev', value: 'Y', source: path.join(roots.sys, 'module/kvm_amd/parameters/sev') });
    expect(ev).toContainEqual({ fact: 'kvm_amd.sev_es', value: 'N', source: path.join(roots.sys, 'module/kvm_amd/parameters/sev_es') });
    expect(ev).toContainEqual({ fact: '/dev/sev', value: 'present', source: path.join(roots.dev, 'sev') });
    expect(ev.find((e) => e.fact === 'cpu flag sev_es')?.value).toBe('present');
    expect(ev.find((e) => e.fact === 'cpu flag sev_snp')?.value).toBe('absent');
  });

  it('says nothing about files that do not exist: absent means unknown, not no', async () => {
    const ev = await collectHostEvidence(tree('empty', { 'sys/.keep': '' }));
    expect(ev).toEqual([]);
  });

  it('reads TDX and s390 protected virtualization flags', async () => {
    const roots = tree('mixed', { 'sys/module/kvm_intel/parameters/tdx': 'Y\n', 'sys/firmware/uv/prot_virt_host': '1\n' });
    const ev = await collectHostEvidence(roots);
    expect(ev.map((e) => [e.fact, e.value])).toEqual([
      ['kvm_intel.tdx', 'Y'],
      ['s390 prot_virt_host', '1'],
    ]);
  });
});

describe('parseVirtHostValidate', () => {
  it('keeps each check with its verdict and explanation', () => {
    const out = [
      '  QEMU: Checking for hardware virtualization                                 : FAIL (Only emulated CPUs are available, performance will be significantly limited)',
      '  QEMU: Checking for secure guest support                                    : WARN (Unknown if this platform has Secure Guest support)',
      '  QEMU: Checking if device /dev/vhost-net exists                             : PASS',
    ].join('\n');
    expect(parseVirtHostValidate(out)).toEqual([
      {
        fact: 'QEMU: for hardware virtualization',
        value: 'FAIL (Only emulated CPUs are available, performance will be significantly limited)',
        source: 'virt-host-validate',
      },
      {
        fact: 'QEMU: for secure guest support',
        value: 'WARN (Unknown if this platform has Secure Guest support)',
        source: 'virt-host-validate',
      },
      { fact: 'QEMU: if device /dev/vhost-net exists', value: 'PASS', source: 'virt-host-validate' },
    ]);
  });
});

describe('collectHostEvidence on this machine', () => {
  it('reports exactly the files that exist here, and CPU flags from /proc/cpuinfo', async () => {
    const ev = await collectHostEvidence();
    const sevParam = '/sys/module/kvm_amd/parameters/sev';
    expect(ev.some((e) => e.source === sevParam)).toBe(existsSync(sevParam));
    expect(ev.some((e) => e.fact === '/dev/sev')).toBe(existsSync('/dev/sev'));
    const flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(/\s+/) ?? [];
    if (flags.length > 0) expect(ev.find((e) => e.fact === 'cpu flag svm')?.value).toBe(flags.includes('svm') ? 'present' : 'absent');
    if (existsSync('/usr/bin/virt-host-validate')) expect(ev.some((e) => e.source === 'virt-host-validate')).toBe(true);
  });
});
