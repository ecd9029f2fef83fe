/**
 * How a `ResilientClient` finds its server again. While the breaker is not closed, a monitor wakes
 * every `health.interval` (jittered) and probes the health endpoint only if no request has tried
 * the server within that interval: a client whose own requests are the breaker's trials (a poll
 * loop waiting out `retryAfterMs`) is never probed on top. A probe that passes while open
 * half-opens the breaker and wakes the requests waiting it out; while half-open, the probe is the
 * trial itself (passing closes the breaker, failing re-opens it). It reports the outage once the
 * breaker closes.
 */
import { onAbort } from '../core/abort-hub.js';
import { constant, type Backoff } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import type { CircuitBreaker } from '../breaker/breaker.js';
import { classify } from '../core/classify.js';
import type { Clock, SleepOptions } from '../core/clock.js';
import type { ClientCounters } from './stats.js';
import { HttpError, isBrokenCircuit } from '../core/errors.js';
import { emit, type EventSink } from '../core/events.js';
import type { HealthCheck } from '../policies/health.js';

const UNREF: SleepOptions = { unref: true };

// What a failed probe counts as for the breaker: a transient failure, like a 503 from the server.
const PROBE_FAILED = new HttpError(503, 'health probe failed');

/** @internal What {@link Recovery} needs from its client. */
export interface RecoverySettings {
  breaker: CircuitBreaker;
  /** Probes `health.path`; `undefined` when health is off (a request is then always the trial). */
  health: HealthCheck | undefined;
  /** Time between the monitor's looks at the breaker (jittered), and how recent a request must be to stand for a probe, ms. */
  healthIntervalMs: number;
  clock: Clock;
  counters: ClientCounters;
  onEvent: EventSink | undefined;
  name: string;
}

/** @internal One per client with a breaker. */
export class Recovery {
  private streak = 0;
  private streakStart = 0;
  private outage = false;
  private closed = false;
  private monitor: AbortController | undefined;
  private readonly wakers = new Set<() => void>();
  private readonly looks: Backoff;
  // When an attempt last tried the server (not counting calls the breaker refused).
  private lastSentAt = -Infinity;

  constructor(private readonly s: RecoverySettings) {
    this.looks = monitorBackoff(s.healthIntervalMs);
  }

  /** Whether it probes health (a wait for the breaker may then end early). */
  get probes(): boolean {
    return this.s.health !== undefined;
  }

  /** The breaker it watches. */
  get breaker(): CircuitBreaker {
    return this.s.breaker;
  }

  /** An attempt failed: a transient failure (or a refusal by the open breaker) extends the outage. */
  failed(error: unknown): void {
    const refused = isBrokenCircuit(error);
    if (!refused) this.lastSentAt = this.s.clock.now();
    if (!refused && classify(error).kind !== 'transient') return; // the server answered
    if (this.streak++ === 0) this.streakStart = this.s.clock.now();
    if (this.s.breaker.state !== 'open') return;
    this.outage = true;
    this.startMonitor();
  }

  /** An attempt succeeded: if the breaker had opened and is now closed, the outage is over. */
  succeeded(): void {
    if (this.streak === 0) return; // hot path: nothing was wrong
    if (this.outage) {
      if (this.s.breaker.state !== 'closed') return; // more half-open trials to pass
      const now = this.s.clock.now();
      const downtimeMs = Math.max(0, now - this.streakStart);
      this.s.counters.recoveries++;
      this.s.counters.lastDowntimeMs = downtimeMs;
      if (this.s.onEvent !== undefined) emit(this.s.onEvent, 'recovered', this.s.name, now, { downtimeMs, failures: this.streak });
      this.stopMonitor();
      this.wake();
    }
    this.streak = 0;
    this.outage = false;
  }

  /**
   * A retry sleep that ends early when the server is found again (health passed, or the breaker
   * closed), so requests waiting out an open breaker don't wait the whole `openFor`.
   */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const clock = this.s.clock;
    return new Promise<void>((resolve, reject) => {
      const timer = new AbortController();
      // Through the hub: every request waiting out the breaker may share one shutdown signal.
      const off = signal === undefined ? undefined : onAbort(signal, () => {
        finish();
        reject(signal.reason);
      });
      const finish = (): void => {
        this.wakers.delete(wake);
        off?.();
        timer.abort(); // cancels the inner sleep if it is still pending
      };
      const wake = (): void => {
        finish();
        resolve();
      };
      this.wakers.add(wake);
      clock.sleep(ms, timer.signal).then(wake, () => {});
    });
  }

  /** Stops background probing for good. */
  close(): void {
    this.closed = true;
    this.stopMonitor();
  }

  /** Whether a background health probe loop is running (for tests and stats). */
  get probing(): boolean {
    return this.monitor !== undefined;
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  private startMonitor(): void {
    if (this.monitor !== undefined || this.s.health === undefined || this.closed) return;
    const monitor = new AbortController();
    this.monitor = monitor;
    void this.watch(this.s.health, monitor);
  }

  private stopMonitor(): void {
    this.monitor?.abort();
    this.monitor = undefined;
  }

  private async watch(health: HealthCheck, monitor: AbortController): Promise<void> {
    const { breaker, clock, healthIntervalMs } = this.s;
    const signal = monitor.signal;
    const walk = new BackoffWalk(this.looks);
    const random = (): number => clock.random();
    try {
      for (;;) {
        await clock.sleep(walk.next(random) ?? healthIntervalMs, signal, UNREF);
        const state = breaker.state;
        if (state === 'closed') break;
        if (state === 'isolated') return; // only reset() ends that
        // A request tried the server lately: it found out as much as a probe would (and may be the trial).
        if (clock.now() - this.lastSentAt < healthIntervalMs) continue;
        if (state === 'open') {
          if (await health.check()) {
            breaker.tryHalfOpen();
            break;
          }
        } else if (await probeAsTrial(health, breaker)) break;
        if (signal.aborted) return;
      }
    } catch {
      return; // stopped: the breaker closed, or the client was closed
    } finally {
      if (this.monitor === monitor) this.monitor = undefined;
    }
    this.wake();
  }
}

/**
 * @internal When the recovery monitor looks at the breaker: every `intervalMs`, equal jitter
 * (between half and all of it), so the monitors of a fleet never line up.
 *
 * @example
 * monitorBackoff(30_000) // constant('30s', { jitter: 'equal' }): 15s..30s
 */
export function monitorBackoff(intervalMs: number): Backoff {
  return constant(intervalMs, { jitter: 'equal' });
}

/** The probe as the breaker's trial: whether it passed (the breaker is then closed). */
async function probeAsTrial(health: HealthCheck, breaker: CircuitBreaker): Promise<boolean> {
  try {
    await breaker.execute(async () => {
      if (!(await health.check())) throw PROBE_FAILED;
    });
    return true;
  } catch {
    return false; // the probe failed (the breaker re-opened), or a request already holds the trial slot
  }
}
