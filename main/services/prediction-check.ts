/**
 * The engine's prediction next to what a real define + start did (used by `verify` and by the version lab's
 * differential suite): what a failed start printed, QEMU's own message inside libvirt's wrapper (whose wording
 * changed between libvirt 9.0 and 11.3, fact sheet §7 item 22), and whether a message the engine quotes is the
 * one printed.
 */
import type { Finding } from '../../src/contracts/findings';

/** virsh's error text without its `error: ` prefixes, one line per message. */
export function virshErrorText(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.replace(/^error:\s*/, '').trim())
    .filter((l) => l !== '' && !/^Failed to (?:start|define|create) domain/.test(l))
    .join('\n');
}

/**
 * QEMU's own message inside libvirt's report of a failed start (`qemu-system-x86_64: -device {...}: MESSAGE`),
 * or null when QEMU said nothing (libvirt refused by itself).
 */
export function qemuOwnMessage(text: string): string | null {
  const m = /qemu-system-[a-z0-9_]+: (?:-[a-z-]+ (?:\{[^\n]*?\}|\S+): )?([^\n]+)/.exec(text);
  return m?.[1]?.trim() ?? null;
}

/** A quoted message as a pattern: `<hex>`, `<n>` and the like stand for whatever the program prints there. */
function quotePattern(quote: string): RegExp {
  const parts = quote.split(/<[a-z][a-z0-9-]*>/i).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('.+?'));
}

/** Whether `printed` contains the quoted message. */
export function printedQuote(quote: string, printed: string): boolean {
  return quotePattern(quote).test(printed);
}

/** What a real define + start --paused did. */
export type Observed = { readonly started: true } | { readonly started: false; readonly stage: 'define' | 'start'; readonly text: string };

/** The engine's error findings: its prediction that libvirt or QEMU refuses the configuration. */
export function predictedRefusals(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error');
}

const describeFinding = (f: Finding): string =>
  `${f.rule} "${f.title}"${f.messages?.length ? ` quoting ${f.messages.map((m) => `"${m}"`).join(', ')}` : ' (no message quoted)'}`;

/**
 * Both texts of a disagreement, or null when the engine and the real run agree: the engine's error findings must
 * exist exactly when the start failed, and one of them must quote a message that was printed.
 */
export function contradiction(findings: readonly Finding[], observed: Observed): { engine: string; real: string } | null {
  const errors = predictedRefusals(findings);
  if (observed.started) {
    return errors.length === 0
      ? null
      : { engine: `refuses: ${errors.map(describeFinding).join('; ')}`, real: 'defined and started (paused) without an error' };
  }
  const real = `refused at ${observed.stage}: ${observed.text}`;
  if (errors.length === 0) return { engine: 'accepts (no error finding)', real };
  const quotes = errors.flatMap((f) => f.messages ?? []);
  if (quotes.some((q) => printedQuote(q, observed.text))) return null;
  return { engine: `refuses: ${errors.map(describeFinding).join('; ')}`, real };
}
