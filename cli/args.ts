/** Command-line parsing: known flags per command, values checked, anything else a UsageError (exit 2). */

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

/** What a command accepts: flags without a value, and flags that take one (repeatable ones collect all). */
export interface FlagSpec {
  readonly booleans: readonly string[];
  readonly values: readonly string[];
  /** Value flags that may repeat (`--connect A --connect B`). */
  readonly repeatable?: readonly string[];
  /** Short aliases, e.g. `-o` → `--output`. */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** Parsed arguments of one command. */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, readonly string[]>;
}

/** Parses `argv` (after the command name) against `spec`; `--flag=value` and `--flag value` both work. */
export function parseArgs(command: string, argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    if (onlyPositionals || raw === '-' || !raw.startsWith('-')) {
      positionals.push(raw);
      continue;
    }
    if (raw === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = raw.indexOf('=');
    const given = eq === -1 ? raw : raw.slice(0, eq);
    const name = spec.aliases?.[given] ?? given;
    if (spec.booleans.includes(name)) {
      if (eq !== -1) throw new UsageError(`${name} takes no value`, command);
      flags.add(name);
      continue;
    }
    if (!spec.values.includes(name)) throw new UsageError(`unknown option ${given}`, command);
    let value: string | undefined;
    if (eq !== -1) value = raw.slice(eq + 1);
    else {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`${given} needs a value`, command);
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && !spec.repeatable?.includes(name)) throw new UsageError(`${given} given twice`, command);
    list.push(value);
    values.set(name, list);
  }
  return { positionals, flags, values };
}

/** The single value of a flag, undefined when absent. */
export function valueOf(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}
