/**
 * A tiny flag parser for the CLI (no dependency): `--name value`, `--name=value` and boolean
 * `--flag`. Anything it can't make sense of is a {@link UsageError}, which the CLI turns into a
 * message on stderr and exit code 2.
 */
import { parseDuration } from '../core/duration.js';
import { describeValue } from '../core/options.js';

/** A mistake in the command line: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
}

/** Which flags a command takes: `'string'` flags need a value, `'boolean'` flags take none. */
export type FlagSpec = Readonly<Record<string, 'string' | 'boolean'>>;

/** Parsed flags: the last value given for each string flag, `true` for each boolean flag seen. */
export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly booleans: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` against `spec`. Throws {@link UsageError} on an unknown flag or a missing value.
 *
 * @example
 * parseArgs(['--initial', '5s', '--json'], { initial: 'string', json: 'boolean' })
 * // { values: Map { 'initial' => '5s' }, booleans: Set { 'json' }, positionals: [] }
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown flag --${name}`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value; got ${describeValue(arg.slice(eq + 1))}`);
      booleans.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      // A following flag is not a value: `--initial --max 5s` is a missing value, not initial = "--max".
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  return { values, booleans, positionals };
}

/** Reads a duration flag (`5s`, `1m30s`, `250` ms); a bad one is a {@link UsageError} naming the flag. */
export function durationFlag(args: ParsedArgs, name: string): number | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return undefined;
  try {
    return parseDuration(raw, { option: `--${name}` });
  } catch {
    throw new UsageError(`--${name} must be a duration such as 250ms, 5s, 1m30s or 1h; got ${describeValue(raw)}`);
  }
}

/** Reads a numeric flag within [min, max] (integers only when `integer`). */
export function numberFlag(args: ParsedArgs, name: string, o: { min: number; max?: number; integer?: boolean }): number | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  if (raw.trim() === '' || !Number.isFinite(n) || n < o.min || n > max || (o.integer === true && !Number.isInteger(n))) {
    const what = o.integer === true ? 'an integer' : 'a number';
    throw new UsageError(`--${name} must be ${what} in [${o.min}, ${max}]; got ${describeValue(raw)}`);
  }
  return n;
}

/** Reads a flag that must be one of `choices`. */
export function choiceFlag<C extends string>(args: ParsedArgs, name: string, choices: readonly C[]): C | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got ${describeValue(raw)}`);
  }
  return raw as C;
}

/** Rejects positionals a command doesn't take. */
export function noPositionals(args: ParsedArgs): void {
  const extra = args.positionals[0];
  if (extra !== undefined) throw new UsageError(`unexpected argument ${describeValue(extra)}`);
}
