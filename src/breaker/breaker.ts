/**
 * The circuit breaker: stops calling a failing dependency, lets a few trial calls through once
 * `openFor` has passed, and closes again when they succeed. No timers: every transition happens
 * lazily when a call arrives or the state is read, so an idle breaker holds no handle.
 */
import { OpenPeriods, openForOption } from './open-for.js';
import {
  checkSnapshot,
  type BreakerSnapshot,
  type BreakerState,
  type CircuitBreakerOptions,
} from './options.js';
import { classify } from '../core/classify.js';
import { clockOption, wallOffset, type Clock } from '../core/clock.js';
import { countOption, functionOption, nameOption, objectOption, orDefault, positiveDuration } from '../core/options.js';
import { BrokenCircuitError, isAbortError } from '../core/errors.js';
import { emit, ignoreResult, type EventSink } from '../core/events.js';
import { failureRateOption, type FailureRate } from './rate.js';
import { HalfOpenTrials } from './trials.js';

export type { BreakerSnapshot, BreakerState, CircuitBreakerOptions } from './options.js';

const MIN_DEFAULT_TRIAL_TIMEOUT = 1_000;
const NOW_AND_RANDOM: readonly (keyof Clock)[] = ['now', 'random'];
const SUCCESS = 0;
const FAILURE = 1;
const NEUTRAL = 2;

/** Shared default, so breakers don't each carry a closure. */
function transientIsFailure(error: unknown): boolean {
  return classify(error).kind === 'transient';
}

/**
 * Stops calling a dependency that keeps failing. Closed: calls go through and failures are
 * counted. Open: calls are refused at once with a {@link BrokenCircuitError}. After `openFor`
 * it is half-open: up to `halfOpenMaxCalls` trial calls go through; their success closes it,
 * a failure re-opens it.
 *
 * @example
 * const breaker = new CircuitBreaker({ name: 'api', failureThreshold: 5, openFor: '30s' });
 * const tasks = await breaker.execute(() => fetchTasks());
 */
export class CircuitBreaker {
  /** The name used in events and errors. */
  readonly name: string;
  private readonly clock: Clock;
  private readonly onEvent: EventSink | undefined;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly threshold: number;
  private readonly periods: OpenPeriods;
  private readonly maxTrials: number;
  /** 0 means the default: the current open period. */
  private readonly trialTimeout: number;
  /** Only allocated in rate mode. */
  private readonly rate: FailureRate | undefined;
  private st: BreakerState = 'closed';
  /** Bumped on every transition: results of calls started in an older generation are ignored. */
  private gen = 0;
  private failures = 0;
  private opened = 0;
  private downSince = 0;
  private halfOpenAt = 0;
  /** The current half-open period's trials, made at its first call (half-open only). */
  private trials: HalfOpenTrials | undefined = undefined;

  constructor(o: CircuitBreakerOptions = {}) {
    objectOption('CircuitBreaker options', o);
    this.name = nameOption('name', o.name, 'breaker', { nonEmpty: true });
    // A breaker never sleeps: a clock with now() and random() is enough.
    this.clock = clockOption('clock', o.clock, NOW_AND_RANDOM);
    this.onEvent = functionOption('onEvent', o.onEvent);
    this.isFailure = functionOption('isFailure', o.isFailure) ?? transientIsFailure;
    this.threshold = countOption('failureThreshold', orDefault(o.failureThreshold, 5), { min: 1 });
    this.periods = new OpenPeriods(openForOption(o.openFor));
    this.maxTrials = countOption('halfOpenMaxCalls', orDefault(o.halfOpenMaxCalls, 1), { min: 1 });
    this.trialTimeout = o.halfOpenTimeout === undefined ? 0 : positiveDuration('halfOpenTimeout', o.halfOpenTimeout);
    this.rate = failureRateOption(o);
    if (o.initialState !== undefined) {
      const s = checkSnapshot(o.initialState);
      this.st = s.state;
      this.failures = s.failures;
      this.opened = s.opens;
      // Saved as epoch (wall) times; kept on the monotonic clock.
      const offset = wallOffset(this.clock);
      this.downSince = s.downSince == null ? 0 : s.downSince - offset;
      this.halfOpenAt = s.halfOpenAt == null ? 0 : s.halfOpenAt - offset;
      this.periods.restore(s.openForMs, s.reopens);
    }
  }

  /** The current state. Reading it may move `open` to `half-open` once `openFor` has passed. */
  get state(): BreakerState {
    if (this.st !== 'closed') this.catchUp(this.clock.now());
    return this.st;
  }

  /** Consecutive failures counted towards `failureThreshold` (reset by a success or on closing). */
  get failureCount(): number {
    return this.failures;
  }

  /** How many times it has opened (re-opens included): the number of `breaker_open` events. */
  get opens(): number {
    return this.opened;
  }

  /** Milliseconds until a trial call will be let through: 0 when calls go through now, `Infinity` while isolated. */
  get retryAfterMs(): number {
    if (this.st === 'closed') return 0;
    const now = this.clock.now();
    this.catchUp(now);
    return this.waitFrom(now);
  }

  /**
   * Runs `fn` unless the breaker is open, counting its outcome. Rejects at once with a
   * {@link BrokenCircuitError} (without calling `fn`) while open or isolated, or while half-open
   * with every trial slot taken. `fn`'s own error is rethrown unchanged.
   */
  execute<T>(fn: () => Promise<T>): Promise<T> {
    if (this.st !== 'closed' || this.rate !== undefined) return this.guarded(fn);
    // The hot path: no clock read, no classification on success, and the caller gets fn's own
    // promise: the outcome is counted on a side branch that settles before the caller resumes.
    const gen = this.gen;
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(fn());
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      () => {
        if (this.failures !== 0 && gen === this.gen) this.failures = 0;
      },
      (error: unknown) => this.closedFailure(gen, error),
    );
    return pending;
  }

  /** Refuses every call (BrokenCircuitError, state `isolated`, `retryAfterMs` Infinity) until {@link reset}. */
  isolate(): void {
    if (this.st === 'isolated') return;
    const now = this.clock.now();
    if (this.st === 'closed') this.downSince = now;
    this.st = 'isolated';
    this.gen++;
    this.trials = undefined;
    emit(this.onEvent, 'breaker_isolated', this.name, this.clock, {});
  }

  /** Closes the breaker and forgets counted failures (emits `breaker_closed` if it was not closed). */
  reset(): void {
    if (this.st !== 'closed') return this.close(this.clock.now());
    this.gen++;
    this.failures = 0;
    this.rate?.clear();
  }

  /** Moves an open breaker to half-open now (a health probe proved recovery). Returns whether it is now half-open. */
  tryHalfOpen(): boolean {
    if (this.st === 'closed' || this.st === 'isolated') return false;
    const now = this.clock.now();
    this.catchUp(now);
    if (this.st === 'open') this.toHalfOpen(now);
    return this.st === 'half-open';
  }

  /** The state as a JSON-safe value with absolute (epoch-ms) times, for {@link CircuitBreakerOptions.initialState}. */
  snapshot(): BreakerSnapshot {
    if (this.st !== 'closed') this.catchUp(this.clock.now());
    const down = this.st !== 'closed';
    const offset = wallOffset(this.clock);
    return {
      version: 1,
      state: this.st,
      failures: this.failures,
      opens: this.opened,
      downSince: down ? this.downSince + offset : null,
      halfOpenAt: this.st === 'open' || this.st === 'half-open' ? this.halfOpenAt + offset : null,
      openForMs: this.periods.ms,
      reopens: this.periods.reopens,
    };
  }

  private guarded<T>(fn: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    this.catchUp(now);
    if (this.st === 'closed') return this.rate === undefined ? this.execute(fn) : this.rateCall(fn, this.rate);
    if (this.st === 'half-open') {
      // The trial timeout defaults to the open period, which cannot change while half-open.
      const trials = (this.trials ??= new HalfOpenTrials(this.maxTrials, this.trialTimeout || Math.max(this.periods.ms, MIN_DEFAULT_TRIAL_TIMEOUT)));
      if (!trials.full) return this.trial(fn, now, trials);
    }
    return Promise.reject(new BrokenCircuitError(this.waitFrom(now), this.st, this.name));
  }

  private async rateCall<T>(fn: () => Promise<T>, rate: FailureRate): Promise<T> {
    const gen = this.gen;
    try {
      const value = await fn();
      if (gen === this.gen) rate.record(this.clock.now(), false);
      return value;
    } catch (error) {
      if (gen === this.gen) {
        const now = this.clock.now();
        const fails = rate.record(now, this.failed(error));
        if (fails !== undefined) this.open(now, fails);
      }
      throw error;
    }
  }

  private async trial<T>(fn: () => Promise<T>, started: number, trials: HalfOpenTrials): Promise<T> {
    const gen = this.gen;
    trials.start(started);
    try {
      const value = await fn();
      this.endTrial(gen, trials, started, SUCCESS);
      return value;
    } catch (error) {
      // A caller's abort says nothing about the dependency; any other answer that is not a failure (a 404) proves it is up.
      this.endTrial(gen, trials, started, this.failed(error) ? FAILURE : isAbortError(error) ? NEUTRAL : SUCCESS);
      throw error;
    }
  }

  private endTrial(gen: number, trials: HalfOpenTrials, started: number, outcome: number): void {
    const now = this.clock.now();
    this.catchUp(now);
    if (gen !== this.gen) return; // a late result: the trial already timed out, or the breaker moved on
    trials.end(started);
    if (outcome === FAILURE) this.open(now, ++this.failures);
    else if (outcome === SUCCESS && trials.succeed()) this.close(now);
  }

  private closedFailure(gen: number, error: unknown): void {
    if (gen === this.gen && this.failed(error) && ++this.failures >= this.threshold) this.open(this.clock.now(), this.failures);
  }

  private failed(error: unknown): boolean {
    try {
      const verdict: unknown = this.isFailure(error);
      // isFailure is synchronous: a promise (an async predicate) is truthy, and must not crash the process.
      if (typeof verdict === 'object') ignoreResult(verdict);
      return Boolean(verdict);
    } catch {
      return true; // a broken predicate must not hide the caller's error
    }
  }

  /** Applies the transitions that time alone causes: a trial timing out, the open period ending. */
  private catchUp(now: number): void {
    if (this.st === 'half-open') {
      const expires = this.trials?.expiresAt;
      // Re-open as of the moment the trial timed out, so a late observer doesn't stretch the open period.
      if (expires !== undefined && now >= expires) this.open(expires, ++this.failures, now);
    }
    if (this.st === 'open' && now >= this.halfOpenAt) this.toHalfOpen(now);
  }

  private waitFrom(now: number): number {
    if (this.st === 'closed') return 0;
    if (this.st === 'isolated') return Infinity;
    if (this.st === 'open') return Math.max(0, this.halfOpenAt - now);
    return this.trials?.waitFrom(now) ?? 0;
  }

  private open(at: number, failures: number, now = at): void {
    const fresh = this.st === 'closed';
    if (fresh) this.downSince = at;
    const ms = this.periods.next(fresh, () => this.clock.random());
    this.halfOpenAt = at + ms;
    this.st = 'open';
    this.gen++;
    this.opened++;
    this.trials = undefined;
    emit(this.onEvent, 'breaker_open', this.name, this.clock, { failures, openForMs: ms });
  }

  private toHalfOpen(now: number): void {
    this.st = 'half-open';
    this.gen++;
    this.trials = undefined;
    emit(this.onEvent, 'breaker_half_open', this.name, this.clock, {});
  }

  private close(now: number): void {
    this.st = 'closed';
    this.gen++;
    this.failures = 0;
    this.periods.restart();
    this.trials = undefined;
    this.rate?.clear();
    emit(this.onEvent, 'breaker_closed', this.name, this.clock, { downtimeMs: Math.max(0, now - this.downSince) });
  }
}
