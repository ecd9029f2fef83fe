/**
 * `steadfast schedule`: the delays a backoff would wait, one row per retry, with cumulative time
 * and, when jittered, the range each delay can fall in plus one seeded sample.
 */
import { constant, exponential, linear, schedule, type Backoff, type Jitter } from '../core/backoff.js';
import { nextStep } from '../core/backoff-walk.js';
import { choiceFlag, durationFlag, noPositionals, numberFlag, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { seededRandom } from '../core/random.js';

/** Where the CLI writes: `process.stdout`/`process.stderr`, or strings collected by a test. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Writes a file (the SVG of `simulate --svg`); only the CLI entry touches the file system. */
  readonly writeFile?: (path: string, text: string) => void;
}

/** The flags that describe a backoff, shared by `schedule` and `simulate`. */
export const backoffFlags: FlagSpec = {
  kind: 'string',
  initial: 'string',
  max: 'string',
  multiplier: 'string',
  step: 'string',
  list: 'string',
  'repeat-last': 'boolean',
  jitter: 'string',
};

const KINDS = ['exponential', 'linear', 'constant', 'schedule'] as const;

/** Parses `--jitter none|full|equal|decorrelated|<fraction>`. */
function jitterFlag(args: ParsedArgs): Jitter | undefined {
  const raw = args.values.get('jitter');
  if (raw === undefined) return undefined;
  if (raw === 'none' || raw === 'full' || raw === 'equal' || raw === 'decorrelated') return raw;
  const f = Number(raw);
  if (raw.trim() !== '' && f >= 0 && f <= 1) return f;
  throw new UsageError(`--jitter must be none, full, equal, decorrelated or a fraction in [0, 1]; got ${JSON.stringify(raw)}`);
}

/** Whether any backoff flag was given (so `simulate` builds a custom policy). */
export function hasBackoffFlags(args: ParsedArgs): boolean {
  return Object.keys(backoffFlags).some((f) => args.values.has(f) || args.booleans.has(f));
}

/**
 * Builds a Backoff from the flags with the library's own builders (their defaults and
 * validation), turning a RangeError into a usage error.
 */
export function backoffFromArgs(args: ParsedArgs): { backoff: Backoff; label: string } {
  const kind = choiceFlag(args, 'kind', KINDS) ?? (args.values.has('list') ? 'schedule' : 'exponential');
  const only = (flag: string, kinds: readonly string[]): void => {
    if ((args.values.has(flag) || args.booleans.has(flag)) && !kinds.includes(kind)) {
      throw new UsageError(`--${flag} applies to --kind ${kinds.join(' or ')}, not ${kind}`);
    }
  };
  only('multiplier', ['exponential']);
  only('step', ['linear']);
  only('max', ['exponential', 'linear']);
  only('list', ['schedule']);
  only('repeat-last', ['schedule']);
  only('initial', ['exponential', 'linear', 'constant']);
  const jitter = jitterFlag(args);
  const initial = durationFlag(args, 'initial') ?? 1_000;
  const max = durationFlag(args, 'max') ?? Math.max(30_000, initial);
  if (max < initial && (kind === 'exponential' || kind === 'linear')) {
    throw new UsageError(`--max (${fmt(max)}) must be at least --initial (${fmt(initial)})`);
  }
  const j = jitter === undefined ? {} : { jitter };
  try {
    switch (kind) {
      case 'exponential': {
        const multiplier = numberFlag(args, 'multiplier', { min: 1 }) ?? 2;
        const b = exponential({ initial, max, multiplier, ...j });
        return { backoff: b, label: `exponential ${fmt(initial)}..${fmt(max)} ×${multiplier}, jitter ${b.jitter}` };
      }
      case 'linear': {
        const step = durationFlag(args, 'step') ?? initial;
        const b = linear({ initial, step, max, ...j });
        return { backoff: b, label: `linear ${fmt(initial)} +${fmt(step)} ..${fmt(max)}, jitter ${b.jitter}` };
      }
      case 'constant': {
        const b = constant(initial, j);
        return { backoff: b, label: `constant ${fmt(initial)}, jitter ${b.jitter}` };
      }
      case 'schedule': {
        const raw = args.values.get('list');
        if (raw === undefined) throw new UsageError('--kind schedule needs --list, e.g. --list 4s,8s,16s');
        const list = raw.split(',').map(listItem);
        const repeatLast = args.booleans.has('repeat-last');
        const b = schedule(list, { repeatLast, ...j });
        return { backoff: b, label: `schedule ${list.map(fmt).join(', ')}${repeatLast ? ' (repeat last)' : ''}, jitter ${b.jitter}` };
      }
    }
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message.replace(/^steadfast: /, ''));
    throw error;
  }
}

function listItem(text: string): number {
  try {
    return parseDuration(text.trim(), { option: '--list' });
  } catch {
    throw new UsageError(`--list must be durations separated by commas, e.g. 4s,8s,16s; got ${JSON.stringify(text)}`);
  }
}

/** One row of a schedule: delays and cumulative times in ms. */
export interface ScheduleRow {
  retry: number;
  attempt: number;
  delayMs: number;
  cumulativeMs: number;
  minMs: number;
  maxMs: number;
  cumulativeMinMs: number;
  cumulativeMaxMs: number;
}

// The largest double below 1: the draw that pushes every jitter formula to its upper bound.
const TOP = 1 - 2 ** -53;

/**
 * Walks the backoff three times with the same formulas: with the seed (the sample), with every draw
 * at 0 and with every draw at its top (the bounds; every jitter is monotonic in its draw).
 */
function scheduleRows(backoff: Backoff, retries: number, seed: number): ScheduleRow[] {
  const random = seededRandom(seed);
  const low = (): number => 0;
  const high = (): number => TOP;
  let s = nextStep(backoff, undefined, random);
  let lo = nextStep(backoff, undefined, low);
  let hi = nextStep(backoff, undefined, high);
  const rows: ScheduleRow[] = [];
  let sum = 0;
  let sumLo = 0;
  let sumHi = 0;
  while (s !== undefined && lo !== undefined && hi !== undefined && rows.length < retries) {
    sum += s.delay;
    sumLo += lo.delay;
    sumHi += hi.delay;
    rows.push({
      retry: s.retry,
      attempt: s.retry + 1,
      delayMs: s.delay,
      cumulativeMs: sum,
      minMs: lo.delay,
      maxMs: hi.delay,
      cumulativeMinMs: sumLo,
      cumulativeMaxMs: sumHi,
    });
    s = nextStep(backoff, s, random);
    lo = nextStep(backoff, lo, low);
    hi = nextStep(backoff, hi, high);
  }
  return rows;
}

/** `steadfast schedule [flags]`: returns the exit code. */
export function runSchedule(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, { ...backoffFlags, retries: 'string', seed: 'string', json: 'boolean' });
  noPositionals(args);
  const { backoff, label } = backoffFromArgs(args);
  const retries = numberFlag(args, 'retries', { min: 0, max: 10_000, integer: true }) ?? 10;
  const seed = numberFlag(args, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true }) ?? 1;
  const rows = scheduleRows(backoff, retries, seed);
  const jittered = backoff.jitter !== 'none';
  if (args.booleans.has('json')) {
    const out = { backoff: { kind: backoff.kind, jitter: backoff.jitter, maxDelayMs: backoff.maxDelay, limit: backoff.limit === Infinity ? null : backoff.limit }, seed, rows };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const head = ['retry', 'attempt', jittered ? `delay (seed ${seed})` : 'delay', 'cumulative'];
  if (jittered) head.push('delay range', 'cumulative range');
  const body = rows.map((r) => {
    const cells = [String(r.retry), String(r.attempt), fmt(r.delayMs), fmt(r.cumulativeMs)];
    if (jittered) cells.push(`${fmt(r.minMs)}–${fmt(r.maxMs)}`, `${fmt(r.cumulativeMinMs)}–${fmt(r.cumulativeMaxMs)}`);
    return cells;
  });
  io.stdout.write(`${label}\n${table([head, ...body])}`);
  const last = rows[rows.length - 1];
  const stopped = rows.length < retries ? ` (the schedule allows only ${rows.length})` : '';
  io.stdout.write(`${rows.length} retries${stopped}, ${rows.length + 1} attempts, ${fmt(last?.cumulativeMs ?? 0)} of waiting in all\n`);
  return 0;
}

/** Plain-text columns: the first `labels` columns left-aligned, the numbers right-aligned. */
export function table(rows: readonly (readonly string[])[], labels = 0): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => row.map((c, i) => (i < labels ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd()).join('\n') + '\n';
}

function fmt(ms: number): string {
  return formatDuration(ms);
}
