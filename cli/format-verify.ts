/** The text `virtio-access verify` prints for a report (its JSON is the report itself, src/contracts/verify.ts). */
import type { VerifyReport } from '../src/contracts/verify';

const HEADLINE: Readonly<Record<VerifyReport['outcome'], string>> = {
  started: 'STARTED',
  refused: 'REFUSED',
  untestable: 'CANNOT TEST',
};

const list = (title: string, items: readonly string[]): string =>
  items.length === 0 ? '' : `${title}\n${items.map((i) => `  - ${i}`).join('\n')}\n`;

/** The report for a terminal: outcome, attempts, what is and is not proven, the copy's changes, the engine's view. */
export function formatVerifyReport(file: string, r: VerifyReport): string {
  const versions = [r.libvirtVersion && `libvirt ${r.libvirtVersion}`, r.qemuVersion && `QEMU ${r.qemuVersion}`].filter(Boolean).join(', ');
  const head = `${file} on ${r.uri}${versions ? ` (${versions})` : ''}: ${HEADLINE[r.outcome]}\n  ${r.summary}\n`;
  const attempts = r.attempts.map((a) =>
    a.started ? `${a.as}: started (paused), then removed` : `${a.as}: refused at ${a.stage ?? 'start'}: ${a.message}`,
  );
  const errors = r.prediction.findings.filter((f) => f.severity === 'error');
  const engine =
    r.agrees === null
      ? ''
      : `Engine: ${r.prediction.refuses ? `predicted a refusal (${errors.map((f) => f.rule).join(', ')})` : 'predicted a start'}; ${
          r.agrees ? 'agrees with libvirt/QEMU.' : `DISAGREES:\n${r.disagreement ?? ''}`
        }\n`;
  return [
    head,
    r.copy ? `Copy: ${r.copy.name} (UUID ${r.copy.uuid})\n` : '',
    list('Attempts:', attempts),
    list('Proven:', r.proven),
    list('Not proven:', r.notProven),
    list(
      'The copy differs from the plan:',
      r.changes.map((c) => `${c.target}: ${c.what}`),
    ),
    engine,
  ].join('');
}
