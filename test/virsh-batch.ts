/** Runs `virsh define --validate` + `undefine` for many files in one virsh session on the test driver. */
import { spawnSync } from 'node:child_process';

/** Returns, per file, '' when libvirt accepted it, else what went wrong. */
export function defineAll(files: readonly { path: string; name: string }[]): string[] {
  const script = files.map((f, i) => `echo ==${i}==\ndefine --validate ${f.path}\nundefine '${f.name.replace(/'/g, "\\'")}'\n`).join('');
  const r = spawnSync('virsh', ['-c', 'test:///default'], {
    input: script,
    encoding: 'utf8',
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const segments = `${r.stdout}`.split(/^==(\d+)==$/m);
  const errors = files.map(() => 'no output');
  for (let k = 1; k < segments.length; k += 2) {
    const i = Number(segments[k]);
    errors[i] = /defined from/.test(segments[k + 1] ?? '') ? '' : 'not defined';
  }
  return errors;
}
