/** Human-readable output of findings, grouped per file. */
import type { CheckJsonFile, CheckJsonFinding } from '../src/contracts/cli-json';
import { terminalSafe } from './terminal-text';

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function counts(findings: readonly CheckJsonFinding[]): string {
  const n = (s: string) => findings.filter((f) => f.severity === s).length;
  const parts = [`${n('error')} error${n('error') === 1 ? '' : 's'}`, `${n('warning')} warning${n('warning') === 1 ? '' : 's'}`];
  if (n('info') > 0) parts.push(`${n('info')} note${n('info') === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** One file's block: a header line, then each finding with its explanation, fix and sources (terminal-safe). */
export function formatFileFindings(file: CheckJsonFile): string {
  const head = `${file.file}${file.domain ? ` (domain ${file.domain})` : ''}: ${file.findings.length === 0 ? 'no problems found' : counts(file.findings)}`;
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...file.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const blocks = sorted.map((f) => {
    const lines = [`  ${f.severity.toUpperCase().padEnd(7)} ${f.rule}  ${f.target}`, `          ${f.title}`];
    if (f.explanation) lines.push(indent(f.explanation, '          '));
    if (f.messages && f.messages.length > 0)
      lines.push(indent(`What you would see: ${f.messages.map((m) => `"${m}"`).join(' or ')}`, '          '));
    if (f.fix.text) lines.push(indent(`Fix: ${f.fix.text}`, '          '));
    if (f.sources.length > 0) lines.push(`          Sources: ${f.sources.map((s) => `${s.key} (${s.detail})`).join('; ')}`);
    return lines.join('\n');
  });
  return terminalSafe([head, ...blocks].join('\n\n') + '\n');
}
