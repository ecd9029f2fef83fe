/**
 * How a `ResilientClient` finds its server again: while the breaker is open it probes the health
 * endpoint in the background, half-opens the breaker on the first passing probe, wakes the
 * requests that were waiting out the breaker, and reports the outage once the breaker closes.
 */
import { onAbort } from '../core/abort-hub.js';
import { constant, type Backoff } from '../core/backoff.js';
import type { CircuitBreaker } from '../breaker/breaker.js';
import { classify } from '../core/classify.js';
import type { Clock, SleepOptions } from '../core/clock.js';
import type { ClientCounters } from './stats.js';
import { isBrokenCircuit } from '../core/errors.js';
import { emit, type EventSink } from '../core/events.js';
import type { HealthCheck } from '../policies/health.js';

const UNREF: SleepOptions = { unref: true };

/** @internal What {@link Recovery} needs from its client. */
export interface RecoverySettings {
  breaker: CircuitBreaker;
  /** Probes `health.path`; `undefined` when health is off (the breaker then half-opens after `openFor` alone). */
  health: HealthCheck | undefined;
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
  private readonly probeBackoff: Backoff;

  constructor(private readonly s: RecoverySettings) {
    this.probeBackoff = constant(s.healthIntervalMs, { jitter: 'none' });
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
    if (!isBrokenCircuit(error) && classify(error).kind !== 'transient') return; // the server answered
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
    const signal = monitor.signal;
    try {
      // The server just failed several times: give it one interval before the first probe.
      await this.s.clock.sleep(this.s.healthIntervalMs, signal, UNREF);
      await health.waitUntilHealthy({ signal, backoff: this.probeBackoff });
    } catch {
      return; // stopped: the breaker closed, or the client was closed
    } finally {
      if (this.monitor === monitor) this.monitor = undefined;
    }
    const breaker = this.s.breaker;
    if (breaker.state === 'open') breaker.tryHalfOpen();
    this.wake();
  }
}
