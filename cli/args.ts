/**
 * Command-line parsing with node:util's parseArgs in strict mode: only the options a command declares, values
 * where they belong, and an option value that looks like an option (`-o --diff`) refused rather than taken as a
 * file name. Every problem is a UsageError (the command's usage line, exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad usage: the CLI prints the message and the command's usage line, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

/** The options of one command, by long name (without `--`), as node:util's parseArgs takes them. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gives for `options`: typed values, and the positional arguments (`-` is one). */
export type ParsedArgs<O extends CommandOptions> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>;

/**
 * Parses `argv` (after the command name). `--flag=value` and `--flag value` both work; an option given twice
 * is refused unless it is declared `multiple`.
 */
export function parseCommandArgs<const O extends CommandOptions>(command: string, argv: readonly string[], options: O): ParsedArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${unknownOption(argv, options)}`, command);
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))
      throw new UsageError((e as Error).message.replace(/\n/g, ' '), command);
    throw e;
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || options[t.name]?.multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`${t.rawName} given twice`, command);
    seen.add(t.name);
  }
  return { values: parsed.values, positionals: parsed.positionals } as ParsedArgs<O>;
}

/** The first option in `argv` the command does not declare, as the user typed it. */
function unknownOption(argv: readonly string[], options: CommandOptions): string {
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const known = new Set(Object.keys(options));
  for (const t of tokens) if (t.kind === 'option' && !known.has(t.name)) return t.rawName;
  return argv.join(' ');
}
