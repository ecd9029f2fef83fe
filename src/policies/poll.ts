/**
 * poll: the never-give-up loop. Runs a task every interval after a success and backs off after
 * failures, forever, until stopped. Time and randomness come from a Clock.
 */
import { onAbort } from '../core/abort-hub.js';
import { runWithSignal, signalOption } from '../core/abort.js';
import { backoffOption, type Backoff } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import { clockOption, type Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { describeValue, functionOption, isOptionsObject, nameOption, numberOption, orDefault } from '../core/options.js';
import { emit, summarizeError, type EventSink } from '../core/events.js';
import { DEFAULT_POLL_MAX_RETRY_AFTER, failureDelay, intervalDelay, pollDefaults } from './poll-delay.js';

export { pollDefaults } from './poll-delay.js';

/** Options for {@link poll}. */
export interface PollOptions {
  /** Time between runs after a success (before jitter). */
  interval: Duration;
  /** Delay after the n-th consecutive failure; a finite schedule keeps its last delay. @default pollDefaults.backoff (exponential 1s..12s, equal jitter) */
  backoff?: Backoff | undefined;
  /**
   * Caps the server's own wait: a failure carrying one (`Retry-After` on a 429/503, an open
   * breaker's `retryAfterMs`: whatever `classify` reads) waits at least that long, at most this.
   * `Infinity` allowed. @default '5m'
   */
  maxRetryAfter?: Duration | undefined;
  /** Interval jitter: each wait is `interval * (1 ± jitter)`, so a fleet never locks into one phase. In [0, 1]. @default 0.1 */
  jitter?: number | undefined;
  /** Aborting it ends the loop at once: the sleep is cancelled and the task's signal aborts. */
  signal?: AbortSignal | undefined;
  /** Run the task at once (`true`) or wait one interval first. @default true */
  immediate?: boolean | undefined;
  /** Time source. @default systemClock */
  clock?: Clock | undefined;
  /** Receives `poll_failed` and `recovered` events. */
  onEvent?: EventSink | undefined;
  /** Name carried by events. @default 'poll' */
  name?: string | undefined;
}

/** What the task receives on each run. */
export interface PollContext {
  /** The caller's `signal` (never aborted if none was given); `stop()` does not abort it. */
  signal: AbortSignal;
  /** Consecutive failures before this run (0 after a success). */
  failures: number;
}

/** A running loop returned by {@link poll}. */
export interface Poller {
  /** Ends the loop: cancels a pending sleep at once, waits for a task in flight to finish, then resolves. */
  stop(): Promise<void>;
  /** `running` (last run succeeded, or none yet), `backing-off` (one or more consecutive failures) or `stopped`. */
  readonly state: 'running' | 'backing-off' | 'stopped';
  /** Consecutive failures so far (0 after a success). */
  readonly failures: number;
}

interface Settings {
  intervalMs: number;
  maxRetryAfterMs: number;
  backoff: Backoff;
  jitter: number;
  signal: AbortSignal | undefined;
  immediate: boolean;
  clock: Clock;
  onEvent: EventSink | undefined;
  name: string;
}

/**
 * Runs `task` every `interval` after a success; after a failure waits the backoff delay for the
 * consecutive-failure count, or the server's own wait if the error carries a longer one (capped by
 * `maxRetryAfter`); a success resets it. It never stops on its own, whatever the task
 * throws: only `stop()` or `signal` end it. Emits `poll_failed` on each failure and `recovered`
 * on the first success after failures.
 *
 * @example
 * const poller = poll(async ({ signal }) => {
 *   const res = await fetch('https://api.example.com/checkin', { method: 'POST', signal });
 *   if (!res.ok) throw new HttpError(res.status);
 * }, { interval: '30s', onEvent: textLines() });
 * process.on('SIGTERM', () => void poller.stop());
 */
export function poll(task: (ctx: PollContext) => Promise<unknown>, o: PollOptions): Poller {
  if (typeof task !== 'function') throw new TypeError(`steadfast: poll task must be a function; got ${describeValue(task)}`);
  if (!isOptionsObject(o)) throw new TypeError(`steadfast: poll needs an options object with an interval; got ${describeValue(o)}`);
  if (o.immediate !== undefined && typeof o.immediate !== 'boolean') {
    throw new TypeError(`steadfast: poll.immediate must be a boolean; got ${describeValue(o.immediate)}`);
  }
  return new PollLoop(task, {
    intervalMs: parseDuration(o.interval, { option: 'poll.interval' }),
    maxRetryAfterMs: parseDuration(orDefault(o.maxRetryAfter, DEFAULT_POLL_MAX_RETRY_AFTER), { option: 'poll.maxRetryAfter', allowInfinity: true }),
    backoff: backoffOption('poll.backoff', o.backoff) ?? pollDefaults.backoff,
    jitter: numberOption('poll.jitter', orDefault(o.jitter, pollDefaults.jitter), 0, 1),
    signal: signalOption('poll.signal', o.signal),
    immediate: o.immediate ?? true,
    clock: clockOption('poll.clock', o.clock),
    onEvent: functionOption('poll.onEvent', o.onEvent),
    name: nameOption('poll.name', o.name, 'poll'),
  });
}

class PollLoop implements Poller {
  private current: Poller['state'] = 'running';
  private count = 0;
  private firstFailureAt = 0;
  // Aborted by stop() or the caller's signal; it cancels sleeps, never the task itself.
  private readonly halt = new AbortController();
  private readonly done: Promise<void>;

  constructor(
    private readonly task: (ctx: PollContext) => Promise<unknown>,
    private readonly s: Settings,
  ) {
    const signal = s.signal;
    if (signal?.aborted === true) {
      this.current = 'stopped';
      this.halt.abort();
      this.done = Promise.resolve();
      return;
    }
    const off = signal === undefined ? undefined : onAbort(signal, () => this.end());
    // Start on a microtask so the caller holds the Poller before the task first runs.
    this.done = Promise.resolve()
      .then(() => this.run())
      .catch(() => {})
      .finally(() => {
        off?.();
        this.end();
      });
  }

  get state(): Poller['state'] {
    return this.current;
  }

  get failures(): number {
    return this.count;
  }

  stop(): Promise<void> {
    this.end();
    return this.done;
  }

  private end(): void {
    this.current = 'stopped';
    if (!this.halt.signal.aborted) this.halt.abort();
  }

  private async run(): Promise<void> {
    const { clock, onEvent, name } = this.s;
    const halt = this.halt.signal;
    let walk = new BackoffWalk(this.s.backoff);
    if (!this.s.immediate && !(await this.sleep(intervalDelay(this.s.intervalMs, this.s.jitter, () => clock.random())))) return;
    while (!halt.aborted) {
      let failed = false;
      let error: unknown;
      try {
        await runWithSignal((signal) => this.task({ signal, failures: this.count }), { signal: this.s.signal, clock });
      } catch (e) {
        failed = true;
        error = e;
      }
      if (halt.aborted) return;
      let delay: number;
      if (!failed) {
        if (this.count > 0 && onEvent !== undefined) {
          const now = clock.now();
          emit(onEvent, 'recovered', name, clock, { downtimeMs: now - this.firstFailureAt, failures: this.count });
        }
        this.count = 0;
        this.current = 'running';
        walk = new BackoffWalk(this.s.backoff);
        delay = intervalDelay(this.s.intervalMs, this.s.jitter, () => clock.random());
      } else {
        this.count++;
        if (this.count === 1) this.firstFailureAt = clock.now();
        this.current = 'backing-off';
        delay = failureDelay(walk, error, this.s, clock.now(), () => clock.random());
        if (onEvent !== undefined) {
          emit(onEvent, 'poll_failed', name, clock, { failures: this.count, delayMs: delay, error: summarizeError(error) });
        }
      }
      if (!(await this.sleep(delay))) return;
    }
  }

  /** Sleeps; false once halted. */
  private async sleep(ms: number): Promise<boolean> {
    try {
      await this.s.clock.sleep(ms, this.halt.signal);
    } catch (error) {
      if (this.halt.signal.aborted) return false;
      throw error; // a broken clock: end rather than spin
    }
    return !this.halt.signal.aborted;
  }
}
