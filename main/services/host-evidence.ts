/**
 * Host evidence for findings and troubleshooting: kernel module parameters, firmware flags, /dev/sev, CPU flags
 * and virt-host-validate, each with the file or command it came from. A file that is absent means "unknown"
 * (module not loaded, other architecture, container), never "no", so absent files produce no evidence.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Evidence } from '../../src/contracts/facts';

/** Where the host's pseudo-filesystems are; tests point them at a temporary tree. */
export interface HostRoots {
  readonly sys: string;
  readonly dev: string;
  readonly proc: string;
  /** Run virt-host-validate when installed (it takes a second or two). */
  readonly runValidate: boolean;
}

const REAL_ROOTS: HostRoots = { sys: '/sys', dev: '/dev', proc: '/proc', runValidate: true };

/** Module parameters and firmware files that answer a confidential-VM question, relative to /sys. */
const SYS_FILES: readonly { readonly fact: string; readonly rel: string }[] = [
  { fact: 'kvm_amd.sev', rel: 'module/kvm_amd/parameters/sev' },
  { fact: 'kvm_amd.sev_es', rel: 'module/kvm_amd/parameters/sev_es' },
  { fact: 'kvm_amd.sev_snp', rel: 'module/kvm_amd/parameters/sev_snp' },
  { fact: 'kvm_intel.tdx', rel: 'module/kvm_intel/parameters/tdx' },
  { fact: 's390 prot_virt_host', rel: 'firmware/uv/prot_virt_host' },
];

/** CPU flags from /proc/cpuinfo that matter here (x86: memory encryption and virtualization extensions). */
const CPU_FLAGS: readonly string[] = ['sev', 'sev_es', 'sev_snp', 'sme', 'tdx_guest', 'svm', 'vmx'];

async function readTrimmed(file: string): Promise<string | null> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function cpuFlagEvidence(proc: string): Promise<Evidence[]> {
  const file = path.join(proc, 'cpuinfo');
  const text = await readTrimmed(file);
  if (text === null) return [];
  // x86 lists "flags"; s390 lists "features" (sie = virtualization).
  const line = /^(?:flags|features)\s*:\s*(.*)$/m.exec(text)?.[1];
  if (line === undefined) return [];
  const flags = new Set(line.split(/\s+/));
  return CPU_FLAGS.map((flag) => ({
    fact: `cpu flag ${flag}`,
    value: flags.has(flag) ? 'present' : 'absent',
    source: `${file} (flags of the first CPU)`,
  }));
}

/** virt-host-validate's lines for QEMU, e.g. "QEMU: Checking for secure guest support : WARN (...)". */
export function parseVirtHostValidate(out: string): Evidence[] {
  const evidence: Evidence[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\w+):\s*Checking (.+?)\s*:\s*(PASS|WARN|FAIL)\b\s*(.*)$/.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) continue;
    evidence.push({ fact: `${m[1]}: ${m[2]}`, value: m[4] ? `${m[3]} ${m[4].trim()}` : m[3], source: 'virt-host-validate' });
  }
  return evidence;
}

function runVirtHostValidate(): Promise<Evidence[]> {
  return new Promise((resolve) => {
    // It exits non-zero when a check fails; the output is still the evidence. Missing tool → no evidence.
    execFile('virt-host-validate', ['qemu'], { timeout: 20_000, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      resolve(code === 'ENOENT' ? [] : parseVirtHostValidate(String(stdout)));
    });
  });
}

/** Every piece of host evidence that exists on this machine (or under `roots`), each naming its source. */
export async function collectHostEvidence(roots: HostRoots = REAL_ROOTS): Promise<Evidence[]> {
  const sysEvidence = await Promise.all(
    SYS_FILES.map(async ({ fact, rel }) => {
      const file = path.join(roots.sys, rel);
      const value = await readTrimmed(file);
      return value === null ? [] : [{ fact, value, source: file }];
    }),
  );
  const devSev = path.join(roots.dev, 'sev');
  const sevDevice: Evidence[] = (await fs.stat(devSev).then(
    () => true,
    () => false,
  ))
    ? [{ fact: '/dev/sev', value: 'present', source: devSev }]
    : [];
  const [cpu, validate] = await Promise.all([cpuFlagEvidence(roots.proc), roots.runValidate ? runVirtHostValidate() : Promise.resolve([])]);
  return [...sysEvidence.flat(), ...sevDevice, ...cpu, ...validate];
}
