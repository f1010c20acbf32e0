/** `virtio-access explain RULE_ID`: prints what a rule says, why, the fix and its sources. */
import { explainRule, ruleIds } from '../src/engine';
import { parseCommandArgs, UsageError } from './args';
import type { CliDeps, CliIo } from './cli-deps';
import type { CliCommand } from './command';

const USAGE = 'virtio-access explain RULE_ID';
const HELP = `${USAGE}

Explains one rule of the fact sheet, e.g. \`virtio-access explain R-XML-05\`.
`;

function label(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function render(value: unknown, pad: string): string {
  if (typeof value === 'string') return value.replace(/\n/g, `\n${pad}`);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => `\n${pad}- ${render(v, `${pad}  `)}`).join('');
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.key === 'string' && typeof o.detail === 'string')
      return `${o.key}: ${o.detail}${typeof o.url === 'string' ? ` <${o.url}>` : ''}`;
    return Object.entries(o)
      .map(([k, v]) => `\n${pad}${label(k)}: ${render(v, `${pad}  `)}`)
      .join('');
  }
  return '';
}

/** Runs `explain`; returns the exit code. */
function runExplain(argv: readonly string[], _deps: CliDeps, io: CliIo): number {
  const args = parseCommandArgs('explain', argv, {});
  const [id, ...rest] = args.positionals;
  if (id === undefined || rest.length > 0) throw new UsageError('give exactly one RULE_ID', 'explain');
  const explanation = explainRule(id.toUpperCase());
  if (!explanation) {
    io.stderr(`virtio-access explain: no rule ${id}. Known rules: ${ruleIds().join(', ')}\n`);
    return 2;
  }
  io.stdout(`${render(explanation, '  ').replace(/^\n\s*/, '')}\n`);
  return 0;
}

export const EXPLAIN_COMMAND: CliCommand = { usage: USAGE, help: HELP, run: async (argv, deps, io) => runExplain(argv, deps, io) };
